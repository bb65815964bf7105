#include "support/fake_vault.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "support/http_test_server.h"
#include "support/https_test_server.h"

namespace rivven::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Errors(const std::string& message) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  if (!message.empty()) w.String(message.c_str());
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

void WriteMap(Writer& w, const std::map<std::string, std::string>& data) {
  w.StartObject();
  for (const auto& [k, v] : data) {
    w.Key(k.c_str());
    w.String(v.c_str());
  }
  w.EndObject();
}

// The envelope every Vault response shares; `body` writes the rest.
template <typename Body>
std::string Envelope(int64_t lease_duration, Body body) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("request_id");
  w.String("00000000-0000-0000-0000-000000000000");
  w.Key("lease_id");
  w.String("");
  w.Key("renewable");
  w.Bool(false);
  w.Key("lease_duration");
  w.Int64(lease_duration);
  body(w);
  w.Key("wrap_info");
  w.Null();
  w.Key("warnings");
  w.Null();
  w.EndObject();
  return buf.GetString();
}

int64_t SecondsLeft(Clock::time_point expires) {
  if (expires == Clock::time_point::max()) return 0;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(expires - Clock::now());
  return std::max<int64_t>(1, left.count());
}

}  // namespace

FakeVault::FakeVault(Options options) : options_(std::move(options)) {
  http_ = std::make_unique<HttpTestServer>();
  Install(http_->server());
}

FakeVault::FakeVault(Options options, const TestCa& ca) : options_(std::move(options)) {
  https_ = std::make_unique<HttpsTestServer>(ca);
  Install(https_->server());
}

FakeVault::~FakeVault() {
  http_.reset();
  https_.reset();
}

std::string FakeVault::address() const { return http_ ? http_->Url("") : https_->Url(""); }

void FakeVault::Install(httplib::Server& server) {
  const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res);
  };
  server.Get(R"(/.*)", handler);
  server.Post(R"(/.*)", handler);
  server.Put(R"(/.*)", handler);
  server.Delete(R"(/.*)", handler);
  server.Patch(R"(/.*)", handler);
}

void FakeVault::PutKv2(const std::string& path, const std::map<std::string, std::string>& data) {
  std::lock_guard<std::mutex> lock(mu_);
  Kv& kv = kv2_[path];
  kv.data = data;
  kv.version++;
  kv.deleted = false;
}

void FakeVault::PutKv1(const std::string& path, const std::map<std::string, std::string>& data,
                       int64_t lease_duration_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Kv& kv = kv1_[path];
  kv.data = data;
  kv.lease_duration = lease_duration_seconds;
}

void FakeVault::DeleteKv2Latest(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  kv2_[path].deleted = true;
}

void FakeVault::AddToken(const std::string& token, int64_t ttl_seconds, bool renewable) {
  std::lock_guard<std::mutex> lock(mu_);
  Token t;
  t.expires =
      ttl_seconds > 0 ? Clock::now() + std::chrono::seconds(ttl_seconds) : Clock::time_point::max();
  t.max_expires = ttl_seconds > 0
                      ? Clock::now() + std::chrono::seconds(options_.max_token_ttl_seconds)
                      : Clock::time_point::max();
  t.renewable = renewable;
  tokens_[token] = t;
}

void FakeVault::Deny(const std::string& api_path) {
  std::lock_guard<std::mutex> lock(mu_);
  denied_.push_back(api_path);
}

void FakeVault::FailNext(int n, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = n;
  fail_status_ = status;
}

void FakeVault::RevokeAllTokens() {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.clear();
}

int FakeVault::logins() const {
  std::lock_guard<std::mutex> l(mu_);
  return logins_;
}
int FakeVault::renewals() const {
  std::lock_guard<std::mutex> l(mu_);
  return renewals_;
}
int FakeVault::lookups() const {
  std::lock_guard<std::mutex> l(mu_);
  return lookups_;
}
int FakeVault::requests() const {
  std::lock_guard<std::mutex> l(mu_);
  return requests_;
}
int FakeVault::reads(const std::string& api_path) const {
  std::lock_guard<std::mutex> l(mu_);
  const auto it = reads_.find(api_path);
  return it == reads_.end() ? 0 : it->second;
}
std::vector<std::string> FakeVault::violations() const {
  std::lock_guard<std::mutex> l(mu_);
  return violations_;
}

void FakeVault::Violation(httplib::Response& res, int status, const std::string& what) {
  violations_.push_back(what);
  res.status = status;
  res.set_content(Errors(what), "application/json");
}

bool FakeVault::Authorized(const httplib::Request& req) const {
  const auto it = tokens_.find(req.get_header_value("X-Vault-Token"));
  return it != tokens_.end() && it->second.expires > Clock::now();
}

std::string FakeVault::IssueTokenLocked() {
  const std::string token = "hvs.fake-token-" + std::to_string(++issued_);
  Token t;
  t.expires = Clock::now() + std::chrono::seconds(options_.token_ttl_seconds);
  t.max_expires = Clock::now() + std::chrono::seconds(options_.max_token_ttl_seconds);
  t.renewable = options_.token_renewable;
  tokens_[token] = t;
  return token;
}

void FakeVault::Handle(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_;
  if (fail_next_ > 0) {
    --fail_next_;
    res.status = fail_status_;
    res.set_content(Errors("injected"), "application/json");
    return;
  }
  if (!options_.namespace_.empty() &&
      req.get_header_value("X-Vault-Namespace") != options_.namespace_) {
    return Violation(res, 403,
                     req.method + " " + req.path + ": X-Vault-Namespace '" +
                         req.get_header_value("X-Vault-Namespace") + "' instead of '" +
                         options_.namespace_ + "'");
  }
  if (!req.path.starts_with("/v1/")) {
    return Violation(res, 404, req.method + " " + req.path + ": not under /v1/");
  }
  const std::string api_path = req.path.substr(4);
  if (api_path == "auth/" + options_.approle_mount + "/login") {
    if (req.method != "POST" && req.method != "PUT") {
      return Violation(res, 405, req.method + " " + req.path + ": login takes POST");
    }
    return Login(req, res);
  }
  if (api_path == "auth/token/lookup-self") {
    if (req.method != "GET") {
      return Violation(res, 405, req.method + " " + req.path + ": lookup-self takes GET");
    }
    return LookupSelf(req, res);
  }
  if (api_path == "auth/token/renew-self") {
    if (req.method != "POST" && req.method != "PUT") {
      return Violation(res, 405, req.method + " " + req.path + ": renew-self takes POST");
    }
    return RenewSelf(req, res);
  }
  if (api_path.starts_with("secret/") || api_path.starts_with("kv/")) {
    if (req.method != "GET") {
      return Violation(res, 405, req.method + " " + req.path + ": reading a secret takes GET");
    }
    if (!Authorized(req)) {
      res.status = 403;
      res.set_content(Errors("permission denied"), "application/json");
      return;
    }
    if (!req.params.empty()) {
      return Violation(res, 400, req.method + " " + req.path + ": unexpected query parameters");
    }
    return ReadKv(api_path, res);
  }
  Violation(res, 404, req.method + " " + req.path + ": no such API path in the fake");
}

void FakeVault::Login(const httplib::Request& req, httplib::Response& res) {
  ++logins_;
  rapidjson::Document body;
  body.Parse(req.body.c_str(), req.body.size());
  if (body.HasParseError() || !body.IsObject()) {
    return Violation(res, 400, "login: the body is not a JSON object");
  }
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
    const std::string name = it->name.GetString();
    if ((name != "role_id" && name != "secret_id") || !it->value.IsString()) {
      return Violation(res, 400, "login: unexpected member '" + name + "' (or not a string)");
    }
  }
  if (!body.HasMember("role_id")) return Violation(res, 400, "login: role_id missing");
  const std::string secret_id = body.HasMember("secret_id") ? body["secret_id"].GetString() : "";
  if (body["role_id"].GetString() != options_.role_id || secret_id != options_.secret_id) {
    res.status = 400;
    res.set_content(Errors("invalid role or secret ID"), "application/json");
    return;
  }
  const std::string token = IssueTokenLocked();
  res.set_content(Envelope(0,
                           [&](Writer& w) {
                             w.Key("data");
                             w.Null();
                             w.Key("auth");
                             w.StartObject();
                             w.Key("client_token");
                             w.String(token.c_str());
                             w.Key("accessor");
                             w.String("accessor-1");
                             w.Key("policies");
                             w.StartArray();
                             w.String("default");
                             w.String("rivven");
                             w.EndArray();
                             w.Key("token_policies");
                             w.StartArray();
                             w.String("default");
                             w.String("rivven");
                             w.EndArray();
                             w.Key("metadata");
                             w.StartObject();
                             w.Key("role_name");
                             w.String("rivven");
                             w.EndObject();
                             w.Key("lease_duration");
                             w.Int64(options_.token_ttl_seconds);
                             w.Key("renewable");
                             w.Bool(options_.token_renewable);
                             w.EndObject();
                           }),
                  "application/json");
}

void FakeVault::LookupSelf(const httplib::Request& req, httplib::Response& res) {
  ++lookups_;
  if (!Authorized(req)) {
    res.status = 403;
    res.set_content(Errors("permission denied"), "application/json");
    return;
  }
  const Token& t = tokens_.at(req.get_header_value("X-Vault-Token"));
  res.set_content(Envelope(0,
                           [&](Writer& w) {
                             w.Key("data");
                             w.StartObject();
                             w.Key("accessor");
                             w.String("accessor-1");
                             w.Key("policies");
                             w.StartArray();
                             w.String("default");
                             w.EndArray();
                             w.Key("ttl");
                             w.Int64(SecondsLeft(t.expires));
                             w.Key("renewable");
                             w.Bool(t.renewable);
                             w.EndObject();
                             w.Key("auth");
                             w.Null();
                           }),
                  "application/json");
}

void FakeVault::RenewSelf(const httplib::Request& req, httplib::Response& res) {
  ++renewals_;
  rapidjson::Document body;
  if (!req.body.empty()) body.Parse(req.body.c_str(), req.body.size());
  if (!req.body.empty() && (body.HasParseError() || !body.IsObject())) {
    return Violation(res, 400, "renew-self: the body is not a JSON object");
  }
  if (!Authorized(req)) {
    res.status = 403;
    res.set_content(Errors("permission denied"), "application/json");
    return;
  }
  const std::string token = req.get_header_value("X-Vault-Token");
  Token& t = tokens_.at(token);
  if (!t.renewable) {
    res.status = 400;
    res.set_content(Errors("lease is not renewable"), "application/json");
    return;
  }
  t.expires =
      std::min(Clock::now() + std::chrono::seconds(options_.token_ttl_seconds), t.max_expires);
  const int64_t ttl = SecondsLeft(t.expires);
  res.set_content(Envelope(0,
                           [&](Writer& w) {
                             w.Key("data");
                             w.Null();
                             w.Key("auth");
                             w.StartObject();
                             w.Key("client_token");
                             w.String(token.c_str());
                             w.Key("policies");
                             w.StartArray();
                             w.String("default");
                             w.EndArray();
                             w.Key("lease_duration");
                             w.Int64(ttl);
                             w.Key("renewable");
                             w.Bool(t.renewable);
                             w.EndObject();
                           }),
                  "application/json");
}

void FakeVault::ReadKv(const std::string& api_path, httplib::Response& res) {
  ++reads_[api_path];
  if (std::find(denied_.begin(), denied_.end(), api_path) != denied_.end()) {
    res.status = 403;
    res.set_content(Errors("permission denied"), "application/json");
    return;
  }
  if (api_path.starts_with("kv/")) {
    const auto it = kv1_.find(api_path.substr(3));
    if (it == kv1_.end()) {
      res.status = 404;
      res.set_content(Errors(""), "application/json");
      return;
    }
    res.set_content(Envelope(it->second.lease_duration,
                             [&](Writer& w) {
                               w.Key("data");
                               WriteMap(w, it->second.data);
                               w.Key("auth");
                               w.Null();
                             }),
                    "application/json");
    return;
  }
  // KV v2 at "secret": data lives under secret/data/<path>.
  if (!api_path.starts_with("secret/data/")) {
    res.status = 404;
    res.set_content(Errors(""), "application/json");
    return;
  }
  const auto it = kv2_.find(api_path.substr(12));
  if (it == kv2_.end()) {
    res.status = 404;
    res.set_content(Errors(""), "application/json");
    return;
  }
  const Kv& kv = it->second;
  if (kv.deleted) res.status = 404;
  res.set_content(Envelope(0,
                           [&](Writer& w) {
                             w.Key("data");
                             w.StartObject();
                             w.Key("data");
                             if (kv.deleted) {
                               w.Null();
                             } else {
                               WriteMap(w, kv.data);
                             }
                             w.Key("metadata");
                             w.StartObject();
                             w.Key("created_time");
                             w.String("2026-11-24T10:00:00.000000Z");
                             w.Key("custom_metadata");
                             w.Null();
                             w.Key("deletion_time");
                             w.String(kv.deleted ? "2026-11-24T11:00:00.000000Z" : "");
                             w.Key("destroyed");
                             w.Bool(false);
                             w.Key("version");
                             w.Int(kv.version);
                             w.EndObject();
                             w.EndObject();
                             w.Key("auth");
                             w.Null();
                           }),
                  "application/json");
}

}  // namespace rivven::testing
