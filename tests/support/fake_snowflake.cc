#include "support/fake_snowflake.h"

#include <dirent.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <regex>

#include "support/fake_snowflake_state.h"

namespace rivven::testing {

using fake_snowflake::NowMs;
using fake_snowflake::SetError;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

namespace fake_snowflake {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetError(httplib::Response& res, int status, const std::string& code,
              const std::string& message) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("code");
  w.String(code.c_str());
  w.Key("message");
  w.String(message.c_str());
  w.EndObject();
  res.status = status;
  res.set_content(buf.GetString(), "application/json");
}

bool IsUuid(const std::string& s) {
  static const std::regex re(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  return std::regex_match(s, re);
}

}  // namespace fake_snowflake

namespace {

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(len);
  return out;
}

// Unpadded base64url, as JWT (RFC 7515) writes it; false on any other character or on padding.
bool Base64UrlDecode(const std::string& in, std::string* out) {
  std::string b64 = in;
  for (char& c : b64) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!std::isalnum(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  if (b64.size() % 4 == 1) return false;
  const size_t pad = (4 - b64.size() % 4) % 4;
  b64.append(pad, '=');
  out->assign(b64.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                                reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0) return false;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Why the JWT is not valid for this account, user and key; "" when it is.
std::string JwtProblem(const FakeSnowflake::State& s, const std::string& jwt) {
  const size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  if (a == std::string::npos || b == std::string::npos ||
      jwt.find('.', b + 1) != std::string::npos) {
    return "not three dot-separated parts";
  }
  std::string header, payload, signature;
  if (!Base64UrlDecode(jwt.substr(0, a), &header) ||
      !Base64UrlDecode(jwt.substr(a + 1, b - a - 1), &payload) ||
      !Base64UrlDecode(jwt.substr(b + 1), &signature)) {
    return "a part is not unpadded base64url";
  }
  rapidjson::Document h, p;
  h.Parse(header.c_str(), header.size());
  if (h.HasParseError() || !h.IsObject()) return "header is not a JSON object";
  if (!h.HasMember("alg") || !h["alg"].IsString() || std::string(h["alg"].GetString()) != "RS256") {
    return "header alg is not RS256";
  }
  if (!h.HasMember("typ") || !h["typ"].IsString() || std::string(h["typ"].GetString()) != "JWT") {
    return "header typ is not JWT";
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const std::string signed_part = jwt.substr(0, b);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, s.key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) != 1) {
    return "RS256 signature does not verify with the user's public key";
  }
  p.Parse(payload.c_str(), payload.size());
  if (p.HasParseError() || !p.IsObject()) return "payload is not a JSON object";
  for (const char* claim : {"iss", "sub"}) {
    if (!p.HasMember(claim) || !p[claim].IsString()) return std::string(claim) + " missing";
  }
  for (const char* claim : {"iat", "exp"}) {
    if (!p.HasMember(claim) || !p[claim].IsInt64()) return std::string(claim) + " not an integer";
  }
  std::string account = Upper(s.options.account);
  for (char& c : account) c = c == '.' ? '-' : c;
  const std::string subject = account + "." + Upper(s.options.user);
  if (p["sub"].GetString() != subject) {
    return "sub is '" + std::string(p["sub"].GetString()) + "', expected '" + subject + "'";
  }
  if (p["iss"].GetString() != subject + "." + s.fingerprint) {
    return "iss is '" + std::string(p["iss"].GetString()) + "', expected '" + subject + "." +
           s.fingerprint + "'";
  }
  // Seconds or milliseconds, as the page allows.
  auto seconds = [](int64_t v) { return v > 100000000000LL ? v / 1000 : v; };
  const int64_t iat = seconds(p["iat"].GetInt64()), exp = seconds(p["exp"].GetInt64());
  const int64_t now = NowMs() / 1000;
  if (iat > now + 60) return "iat is in the future";
  if (exp <= now) return "expired";
  if (exp - iat > 3600) return "exp is more than one hour after iat";
  return "";
}

// The accepted socket of this server whose peer is `remote_port`: cpp-httplib does not hand it to
// handlers, so it is found among the process's descriptors.
int ConnectionSocket(int local_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* e = readdir(dir)) {
    const int fd = std::atoi(e->d_name);
    sockaddr_in local{}, peer{};
    socklen_t n1 = sizeof local, n2 = sizeof peer;
    if (fd <= 2 || getsockname(fd, reinterpret_cast<sockaddr*>(&local), &n1) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &n2) != 0 ||
        local.sin_family != AF_INET) {
      continue;
    }
    if (ntohs(local.sin_port) == local_port && ntohs(peer.sin_port) == remote_port) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

}  // namespace

void FakeSnowflake::State::Serve(Endpoint endpoint, const httplib::Request& req,
                                 httplib::Response& res, const std::function<void()>& handler) {
  std::lock_guard<std::mutex> lock(mu);
  Fault& f = faults[endpoint];
  ++f.requests;
  if (f.count > 0) {
    --f.count;
    SetError(res, f.status, "INJECTED_FAILURE",
             "FakeSnowflake: failure injected by the test (HTTP " + std::to_string(f.status) + ")");
    if (f.retry_after >= 0) res.set_header("Retry-After", std::to_string(f.retry_after));
    return;
  }
  handler();
  if (f.lose > 0) {
    --f.lose;
    const int fd = ConnectionSocket(port, req.remote_port);
    if (fd >= 0) shutdown(fd, SHUT_RDWR);  // cpp-httplib's write then fails and it closes the fd
  }
}

bool FakeSnowflake::State::CheckJwt(const httplib::Request& req, httplib::Response& res) const {
  const std::string auth = req.get_header_value("Authorization");
  std::string problem;
  if (auth.rfind("Bearer ", 0) != 0) {
    problem = "Authorization is not 'Bearer <jwt>'";
  } else if (req.get_header_value("X-Snowflake-Authorization-Token-Type") != "KEYPAIR_JWT") {
    problem = "X-Snowflake-Authorization-Token-Type is not KEYPAIR_JWT";
  } else {
    problem = JwtProblem(*this, auth.substr(7));
  }
  if (problem.empty()) return true;
  SetError(res, 401, "390144", "JWT token is invalid. " + problem);
  return false;
}

bool FakeSnowflake::State::CheckScopedToken(const httplib::Request& req,
                                            httplib::Response& res) const {
  const std::string auth = req.get_header_value("Authorization");
  const std::string type = req.get_header_value("X-Snowflake-Authorization-Token-Type");
  const auto it = auth.rfind("Bearer ", 0) == 0 ? tokens.find(auth.substr(7)) : tokens.end();
  if (!type.empty() && type != "OAUTH") {
    SetError(res, 401, "390303",
             "Invalid OAuth access token: streaming takes the scoped token "
             "from /oauth/token (token type OAUTH), not " +
                 type);
  } else if (it == tokens.end()) {
    SetError(res, 401, "390303", "Invalid OAuth access token: not a scoped token of this account");
  } else if (it->second.revoked) {
    SetError(res, 401, "390303", "Invalid OAuth access token: revoked");
  } else if (it->second.expires_ms <= NowMs()) {
    SetError(res, 401, "390318", "OAuth access token expired");
  } else {
    return true;
  }
  return false;
}

void FakeSnowflake::State::Commit(Channel& channel) {
  fake_snowflake::Table* table =
      sql.FindInsensitive(channel.table_database, channel.table_schema, channel.table_name);
  for (auto& p : channel.pending) {
    if (table) {
      for (auto& row : p.rows) table->rows.push_back(std::move(row));
    }
    if (p.offset) channel.committed = p.offset;
  }
  channel.pending.clear();
}

FakeSnowflake::FakeSnowflake() : state_(std::make_unique<State>()) {}

FakeSnowflake::~FakeSnowflake() {
  state_->server.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::string FakeSnowflake::base_url() const {
  return "http://127.0.0.1:" + std::to_string(state_->port);
}
std::string FakeSnowflake::hostname() const { return "127.0.0.1:" + std::to_string(state_->port); }

void FakeSnowflake::FailNext(Endpoint endpoint, int http_status, int count,
                             int retry_after_seconds) {
  std::lock_guard<std::mutex> lock(state_->mu);
  State::Fault& f = state_->faults[endpoint];
  f.status = http_status;
  f.count = count;
  f.retry_after = retry_after_seconds;
}

void FakeSnowflake::LoseNextResponse(Endpoint endpoint) {
  std::lock_guard<std::mutex> lock(state_->mu);
  ++state_->faults[endpoint].lose;
}

int FakeSnowflake::RequestCount(Endpoint endpoint) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  const auto it = state_->faults.find(endpoint);
  return it == state_->faults.end() ? 0 : it->second.requests;
}

void FakeSnowflake::RevokeScopedTokens() {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& [token, t] : state_->tokens) t.revoked = true;
}

void FakeSnowflake::ExpireScopedTokens() {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& [token, t] : state_->tokens) t.expires_ms = 0;
}

void FakeSnowflake::SetCommitDelayed(bool delayed) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->commit_delayed = delayed;
}

void FakeSnowflake::CommitPending() {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& [key, channel] : state_->channels) state_->Commit(channel);
}

bool FakeSnowflake::ExecuteSql(const std::string& sql, const std::string& database,
                               const std::string& schema, std::string* error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  fake_snowflake::SqlResult result;
  fake_snowflake::SqlError e;
  if (state_->sql.Execute(sql, {}, database, schema, &result, &e)) return true;
  *error = e.code + " (" + e.sql_state + "): " + e.message;
  return false;
}

std::vector<std::string> FakeSnowflake::Statements() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->statements;
}

std::vector<std::pair<std::string, std::string>> FakeSnowflake::RejectedStatements() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->rejected;
}

std::optional<FakeSnowflake::TableSnapshot> FakeSnowflake::Table(const std::string& name) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  const fake_snowflake::Table* found = nullptr;
  int matches = 0;
  for (const auto& [key, table] : state_->sql.tables()) {
    if (key == name) {
      found = &table;
      matches = 1;
      break;
    }
    if (table.name == name) {
      found = &table;
      ++matches;
    }
  }
  if (matches != 1) return std::nullopt;
  TableSnapshot snap;
  for (const auto& col : found->columns) snap.columns.emplace_back(col.name, col.type.Text());
  for (const auto& row : found->rows) {
    std::map<std::string, std::optional<std::string>> cells;
    for (size_t i = 0; i < row.size(); ++i) cells[found->columns[i].name] = row[i];
    snap.rows.push_back(std::move(cells));
  }
  return snap;
}

std::optional<FakeSnowflake::ChannelState> FakeSnowflake::Channel(
    const std::string& pipe, const std::string& channel) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (const auto& [key, c] : state_->channels) {
    if (c.pipe == Upper(pipe) && c.name == Upper(channel)) {
      return ChannelState{c.committed,   c.rows_inserted,      c.rows_parsed,
                          c.rows_errors, c.last_error_message, c.client_sequencer};
    }
  }
  return std::nullopt;
}

std::optional<std::string> FakeSnowflake::CommittedOffsetToken(const std::string& pipe,
                                                               const std::string& channel) const {
  const auto c = Channel(pipe, channel);
  return c ? c->committed_offset_token : std::nullopt;
}

namespace fake_snowflake {
void RegisterSqlApi(FakeSnowflake::State& s);  // fake_snowflake_sql_api.cc
}

std::unique_ptr<FakeSnowflake> FakeSnowflake::Start(Options options, std::string* error) {
  std::unique_ptr<FakeSnowflake> fake(new FakeSnowflake());
  State& s = *fake->state_;
  s.options = std::move(options);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(s.options.public_key_pem.data(),
                      static_cast<int>(s.options.public_key_pem.size())),
      BIO_free);
  s.key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!s.key || EVP_PKEY_get_base_id(s.key.get()) != EVP_PKEY_RSA) {
    *error = "FakeSnowflake: public_key_pem is not an RSA public key in PEM";
    return nullptr;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_PUBKEY(s.key.get(), &der);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(der_len), digest);
  OPENSSL_free(der);
  s.fingerprint = "SHA256:" + Base64(digest, sizeof digest);

  s.server.set_keep_alive_max_count(1000000);
  s.server.set_tcp_nodelay(true);
  s.server.set_payload_max_length(64 * 1024 * 1024);
  fake_snowflake::RegisterSqlApi(s);
  fake_snowflake::RegisterStreaming(s);
  s.port = s.server.bind_to_any_port("127.0.0.1");
  if (s.port <= 0) {
    *error = "FakeSnowflake: cannot bind a loopback port";
    return nullptr;
  }
  s.thread = std::thread([&s] {
    // A lost response shuts its socket down under cpp-httplib, whose next write would raise
    // SIGPIPE: the server's threads (created from this one, inheriting the mask) block it.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    s.server.listen_after_bind();
  });
  while (!s.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return fake;
}

}  // namespace rivven::testing
