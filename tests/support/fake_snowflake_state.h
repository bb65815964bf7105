#pragma once

#include <httplib.h>
#include <openssl/evp.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_snowflake.h"
#include "support/fake_snowflake_sql.h"

// FakeSnowflake's state, shared by fake_snowflake.cc (server, JWT, SQL API, inspection) and
// fake_snowflake_streaming.cc (Snowpipe Streaming). Internal to the fake.
namespace rivven::testing {

struct FakeSnowflake::State {
  struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  struct Fault {
    int status = 0;
    int count = 0;
    int retry_after = -1;
    int lose = 0;
    int requests = 0;
  };
  struct StoredResult {
    int status = 0;
    std::string body;
    int pending_polls = 0;
    std::string query_status;  // the 202 body while polls are pending
  };
  struct ScopedToken {
    int64_t expires_ms = 0;
    bool revoked = false;
  };
  struct Channel {
    std::string database, schema, pipe, name;  // stored upper-case
    std::string table_database, table_schema, table_name;
    int64_t id = 0;
    int64_t client_sequencer = 0;
    int64_t row_sequencer = 0;
    int64_t created_on_ms = 0;
    std::optional<std::string> committed;
    int64_t rows_inserted = 0, rows_parsed = 0, rows_errors = 0;
    std::optional<std::string> last_error_message, last_error_offset;
    std::optional<int64_t> last_error_ms;
    struct Pending {
      std::vector<std::vector<fake_snowflake::Cell>> rows;
      std::optional<std::string> offset;
    };
    std::vector<Pending> pending;
  };

  Options options;
  std::unique_ptr<EVP_PKEY, KeyFree> key;
  std::string fingerprint;  // "SHA256:<base64>"
  httplib::Server server;
  int port = 0;
  std::thread thread;

  mutable std::mutex mu;
  fake_snowflake::SqlEngine sql;
  std::vector<std::string> statements;
  std::vector<std::pair<std::string, std::string>> rejected;
  std::map<std::string, StoredResult> results;     // by statement handle
  std::map<std::string, std::string> request_ids;  // requestId of a success -> handle
  int64_t next_handle = 1;
  std::map<Endpoint, Fault> faults;
  std::map<std::string, ScopedToken> tokens;
  int64_t next_token = 1;
  std::map<std::string, Channel> channels;  // "DB.SCHEMA.PIPE.CHANNEL"
  int64_t next_channel = 1;
  bool commit_delayed = false;

  /// Runs `handler` for a request to `endpoint` under the lock, after counting it and applying
  /// FailNext; then, for LoseNextResponse, closes the connection before the response goes out.
  void Serve(Endpoint endpoint, const httplib::Request& req, httplib::Response& res,
             const std::function<void()>& handler);
  /// Checks the KEYPAIR_JWT headers; false with the 401 set in `res`.
  bool CheckJwt(const httplib::Request& req, httplib::Response& res) const;
  /// Checks the scoped token of a streaming request; false with the 401 set in `res`.
  bool CheckScopedToken(const httplib::Request& req, httplib::Response& res) const;
  /// Applies the pending appends of `channel` to its table and commits their offset tokens.
  void Commit(Channel& channel);
};

namespace fake_snowflake {
int64_t NowMs();
/// Sets a {"code", "message"} JSON error body.
void SetError(httplib::Response& res, int status, const std::string& code,
              const std::string& message);
bool IsUuid(const std::string& s);
/// Registers the Snowpipe Streaming routes (fake_snowflake_streaming.cc).
void RegisterStreaming(FakeSnowflake::State& s);
}  // namespace fake_snowflake

}  // namespace rivven::testing
