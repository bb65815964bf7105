// Vault's HTTP API (developer.hashicorp.com/vault/api-docs): auth/approle/login,
// auth/token/lookup-self, auth/token/renew-self and KV reads. Readings of the docs:
// - a KV v2 read (GET /v1/<mount>/data/<path>) answers {"data":{"data":{..},"metadata":{..}}};
//   a KV v1 read (GET /v1/<mount>/<path>) answers {"data":{..}}. The shape, not the path, says
//   which one it was: a `data` object holding exactly an object-or-null `data` and an object
//   `metadata` is KV v2.
// - a KV v2 secret whose latest version was deleted answers 404 with data.metadata.deletion_time.
// - errors come as {"errors":["..."]}; 429 and 5xx (503 when sealed or on standby) may pass.

#include "clients/vault/vault_client.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <thread>

#include "base/log.h"
#include "clients/http/backoff.h"
#include "clients/http/http_client.h"
#include "clients/http/retry_after.h"

namespace rivven::vault {
namespace {

constexpr std::string_view kLog = "vault";

std::string JsonText(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  v.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string JsonStringLiteral(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

// Vault's {"errors":[...]} joined, or a short note when the body has none.
std::string VaultErrors(const http::Response& r) {
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  std::string out;
  if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("errors") &&
      doc["errors"].IsArray()) {
    for (const auto& e : doc["errors"].GetArray()) {
      if (!e.IsString()) continue;
      out += (out.empty() ? "" : "; ") + std::string(e.GetString(), e.GetStringLength());
    }
  }
  return out;
}

std::string HttpFailure(const http::Response& r) {
  const std::string errors = VaultErrors(r);
  return "HTTP " + std::to_string(r.status) + (errors.empty() ? "" : ": " + errors);
}

bool RetriableStatus(long status) { return status == 429 || status >= 500; }

int64_t IntMember(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name)) return 0;
  const auto& v = obj[name];
  return v.IsInt64() ? v.GetInt64() : 0;
}

bool BoolMember(const rapidjson::Value& obj, const char* name) {
  return obj.IsObject() && obj.HasMember(name) && obj[name].IsBool() && obj[name].GetBool();
}

Result<rapidjson::Document> ParseBody(const http::Response& r, std::string_view what) {
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::Error(StatusCode::kCorruption,
                         std::string(what) + ": Vault's response is not a JSON object");
  }
  return doc;
}

// The `auth` block of a login or renewal: {"auth":{"client_token":..,"lease_duration":..,
// "renewable":..}}.
Result<TokenLease> ReadAuth(const rapidjson::Document& doc, std::string_view what,
                            std::string* token) {
  if (!doc.HasMember("auth") || !doc["auth"].IsObject()) {
    return Status::Error(StatusCode::kCorruption,
                         std::string(what) + ": Vault's response has no auth block");
  }
  const auto& auth = doc["auth"];
  if (token != nullptr) {
    if (!auth.HasMember("client_token") || !auth["client_token"].IsString() ||
        auth["client_token"].GetStringLength() == 0) {
      return Status::Error(StatusCode::kCorruption,
                           std::string(what) + ": Vault's response has no auth.client_token");
    }
    *token = auth["client_token"].GetString();
  }
  return TokenLease{IntMember(auth, "lease_duration"), BoolMember(auth, "renewable")};
}

bool IsKvV2Shape(const rapidjson::Value& data) {
  if (!data.IsObject() || data.MemberCount() != 2) return false;
  if (!data.HasMember("data") || !data.HasMember("metadata")) return false;
  return (data["data"].IsObject() || data["data"].IsNull()) && data["metadata"].IsObject();
}

}  // namespace

Result<std::unique_ptr<VaultClient>> VaultClient::Create(VaultOptions options, VaultAuth auth) {
  while (!options.address.empty() && options.address.back() == '/') options.address.pop_back();
  if (!options.address.starts_with("http://") && !options.address.starts_with("https://")) {
    return Status::InvalidArgument("Vault address '" + options.address +
                                   "' must start with https:// (or http://)");
  }
  if (auth.token.empty() && auth.role_id.empty()) {
    return Status::InvalidArgument("Vault needs a token or an AppRole role_id to log in");
  }
  http::ClientOptions http_options;
  http_options.verify_tls = options.verify_tls;
  http_options.ca_path = options.ca_path;
  http_options.owner = "secrets.config";
  http_options.connect_timeout = options.timeout;
  http_options.max_response_bytes = size_t{16} << 20;
  RC_ASSIGN_OR_RETURN(auto http, http::HttpClient::Create(http_options));
  return std::unique_ptr<VaultClient>(
      new VaultClient(std::move(options), std::move(auth), std::move(http)));
}

VaultClient::VaultClient(VaultOptions options, VaultAuth auth,
                         std::unique_ptr<http::HttpClient> http)
    : options_(std::move(options)),
      auth_(std::move(auth)),
      http_(std::move(http)),
      rng_(std::random_device{}()) {}

VaultClient::~VaultClient() = default;

TokenLease VaultClient::token_lease() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lease_;
}

Result<http::Response> VaultClient::SendWithRetries(http::Request request, std::string_view what) {
  request.url = options_.address + request.url;
  request.timeout = options_.timeout;
  if (!options_.namespace_.empty())
    request.headers.emplace_back("X-Vault-Namespace", options_.namespace_);
  for (int attempt = 0;; ++attempt) {
    Result<http::Response> r = http_->Send(request);
    std::chrono::milliseconds wait{0};
    Status failure;
    if (r.ok() && !RetriableStatus(r->status)) return r;
    if (r.ok()) {
      failure = Status::Unavailable(std::string(what) + ": Vault at " + options_.address +
                                    " answered " + HttpFailure(*r));
      if (auto after = r->Header("retry-after")) {
        wait = http::ParseRetryAfter(*after).value_or(std::chrono::milliseconds{0});
      }
    } else if (r.status().retriable()) {
      failure = Status::Unavailable(std::string(what) + ": Vault at " + options_.address +
                                    " is unreachable: " + r.status().message());
    } else {
      return r.status().WithContext(std::string(what) + ": Vault at " + options_.address);
    }
    if (attempt >= options_.max_retries) {
      return failure.WithContext("after " + std::to_string(attempt + 1) + " attempt(s)");
    }
    wait = std::min(std::max(wait, http::BackoffDelay(attempt + 1, options_.initial_backoff,
                                                      options_.max_backoff, rng_)),
                    options_.max_backoff);
    log::Debug(kLog, "{}; retrying in {} ms", failure.message(), wait.count());
    std::this_thread::sleep_for(wait);
  }
}

Status VaultClient::Login() {
  std::lock_guard<std::mutex> lock(mu_);
  return LoginLocked();
}

Status VaultClient::LoginLocked() {
  if (auth_.role_id.empty()) {
    const std::string what = "checking the Vault token (auth/token/lookup-self)";
    http::Request req;
    req.url = "/v1/auth/token/lookup-self";
    req.headers.emplace_back("X-Vault-Token", auth_.token);
    RC_ASSIGN_OR_RETURN(http::Response r, SendWithRetries(req, what));
    if (r.status == 403) {
      return Status::FailedPrecondition(what + ": the token was refused (" + HttpFailure(r) +
                                        "); is it expired or revoked?");
    }
    if (r.status != 200) return Status::FailedPrecondition(what + ": " + HttpFailure(r));
    RC_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseBody(r, what));
    const rapidjson::Value& data = doc.HasMember("data") ? doc["data"] : doc;
    token_ = auth_.token;
    lease_ = TokenLease{IntMember(data, "ttl"), BoolMember(data, "renewable")};
    return Status::Ok();
  }
  const std::string what =
      "logging in to Vault with AppRole (auth/" + auth_.approle_mount + "/login)";
  http::Request req;
  req.method = "POST";
  req.url = "/v1/auth/" + auth_.approle_mount + "/login";
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = "{\"role_id\":" + JsonStringLiteral(auth_.role_id);
  if (!auth_.secret_id.empty()) req.body += ",\"secret_id\":" + JsonStringLiteral(auth_.secret_id);
  req.body += "}";
  RC_ASSIGN_OR_RETURN(http::Response r, SendWithRetries(std::move(req), what));
  if (r.status != 200) {
    return Status::FailedPrecondition(
        what + ": " + HttpFailure(r) +
        (r.status == 400 || r.status == 403 ? " (check role_id and secret_id)" : ""));
  }
  RC_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseBody(r, what));
  std::string token;
  RC_ASSIGN_OR_RETURN(lease_, ReadAuth(doc, what, &token));
  token_ = std::move(token);
  return Status::Ok();
}

Result<TokenLease> VaultClient::RenewSelf() {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string what = "renewing the Vault token (auth/token/renew-self)";
  http::Request req;
  req.method = "POST";
  req.url = "/v1/auth/token/renew-self";
  req.headers.emplace_back("X-Vault-Token", token_);
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = "{}";
  RC_ASSIGN_OR_RETURN(http::Response r, SendWithRetries(std::move(req), what));
  if (r.status != 200) return Status::FailedPrecondition(what + ": " + HttpFailure(r));
  RC_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseBody(r, what));
  RC_ASSIGN_OR_RETURN(lease_, ReadAuth(doc, what, nullptr));
  return lease_;
}

Result<KvSecret> VaultClient::Read(std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string what = "reading '" + std::string(path) + "' from Vault";
  const auto send = [&]() {
    http::Request req;
    req.url = "/v1/" + std::string(path);
    req.headers.emplace_back("X-Vault-Token", token_);
    return SendWithRetries(std::move(req), what);
  };
  RC_ASSIGN_OR_RETURN(http::Response r, send());
  if (r.status == 403 && !auth_.role_id.empty()) {
    // The token may have expired since the last renewal (a suspended process): log in again
    // once; a 403 after that is a real denial.
    log::Debug(kLog, "{}: HTTP 403; logging in again with AppRole and retrying once", what);
    RC_RETURN_IF_ERROR(LoginLocked());
    RC_ASSIGN_OR_RETURN(r, send());
  }
  if (r.status == 404) {
    rapidjson::Document doc;
    doc.Parse(r.body.data(), r.body.size());
    std::string deleted;
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("data") &&
        IsKvV2Shape(doc["data"]) && doc["data"]["metadata"].HasMember("deletion_time") &&
        doc["data"]["metadata"]["deletion_time"].IsString()) {
      deleted = doc["data"]["metadata"]["deletion_time"].GetString();
    }
    return Status::NotFound(
        what + ": no secret at this path (HTTP 404" +
        (deleted.empty() ? ")" : "; its latest version was deleted at " + deleted + ")"));
  }
  if (r.status == 403) {
    return Status::FailedPrecondition(what +
                                      ": permission denied (HTTP 403); the token's "
                                      "policies do not allow reading this path");
  }
  if (r.status != 200) return Status::FailedPrecondition(what + ": " + HttpFailure(r));
  RC_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseBody(r, what));
  if (!doc.HasMember("data") || !doc["data"].IsObject()) {
    return Status::Error(StatusCode::kCorruption, what + ": Vault's response has no data object");
  }
  KvSecret out;
  out.lease_duration_seconds = IntMember(doc, "lease_duration");
  const rapidjson::Value* data = &doc["data"];
  if (IsKvV2Shape(*data)) {
    out.kv_v2 = true;
    out.version = IntMember((*data)["metadata"], "version");
    data = &(*data)["data"];
    if (data->IsNull()) {
      return Status::NotFound(what + ": the secret's latest version was deleted or destroyed");
    }
  }
  for (auto it = data->MemberBegin(); it != data->MemberEnd(); ++it) {
    if (it->value.IsNull()) continue;
    out.data.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                     JsonText(it->value));
  }
  return out;
}

}  // namespace rivven::vault
