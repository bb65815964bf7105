#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "connectors/snowflake/snowflake_sink_config.h"
#include "connectors/snowflake/snowflake_table.h"

namespace rivven {

class Registry;

/// Registers the "snowflake" sink.
void RegisterSnowflakeSink(Registry& registry);

namespace snowflake {

class KeyPairJwt;
class SqlApi;
class StreamingClient;

/// What the sink has done, for tests and metrics.
struct SnowflakeSinkCounters {
  uint64_t loads = 0;            ///< appends (streaming) or statements (insert, merge) that succeeded
  uint64_t rows = 0;             ///< rows in them
  uint64_t skipped_committed = 0;  ///< replayed records the channel had committed already
  uint64_t rejected = 0;         ///< records handed to on_error
  uint64_t channel_reopens = 0;  ///< channels reopened after a stale continuation token
};

/// Loads records into a Snowflake table (docs/snowflake.md), authenticating with a key-pair JWT:
///
/// - streaming (default): one Snowpipe Streaming channel per topic partition; each append
///   carries the offset of its last record as the channel's offset token. On open (and after a
///   restart) the channel's committed offset token says where Snowflake is: records at or below
///   it are skipped, so a replay loads nothing twice (exactly-once). Offsets are committed only
///   up to what Snowflake has committed (FirstHeld).
/// - insert: SQL API INSERT ... SELECT ... FROM VALUES with bindings (at-least-once).
/// - merge: Debezium envelopes applied with MERGE on the key columns (upsert; delete on op d);
///   the changes of a batch are collapsed per key, last one wins. Replays converge to the same
///   table (idempotent by key).
///
/// A batch (per partition) is loaded when it reaches batch_size, batch_timeout after its first
/// record, and for everything when the sink stops (FlushAll). Records that cannot become a row
/// (not a JSON object, not an envelope in merge mode, in streaming mode a field without a column
/// or a value that cannot fit it: CheckRowFits) go to on_error; in insert and merge modes a
/// statement Snowflake refuses for its content is run again row by row, and the refused rows go
/// to on_error. Conversions only Snowflake can judge are left to it (Snowpipe Streaming skips
/// such rows itself, ON_ERROR = CONTINUE, and counts them in the channel's status).
///
/// Owned by the sink runner; every call comes from its thread.
class SnowflakeSink final : public Sink {
 public:
  SnowflakeSink(SnowflakeSinkConfig config, std::string connector_name, RecordErrorHandler* errors);
  ~SnowflakeSink() override;

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status FlushAll() override;
  std::optional<Offset> FirstHeld(const std::string& topic, int32_t partition) const override;
  Status Close() override;

  const SnowflakeSinkCounters& counters() const { return counters_; }

  /// The channel of a topic partition: <connector>_<topic>_<partition>, upper-cased, other
  /// characters as '_'.
  static std::string ChannelName(std::string_view connector, std::string_view topic,
                                 int32_t partition);

 private:
  using TopicPartition = std::pair<std::string, int32_t>;
  struct Partition {
    std::vector<ConsumedRecord> pending;
    std::chrono::steady_clock::time_point first_pending_at;
    // streaming
    bool channel_open = false;
    std::string continuation_token;
    std::optional<int64_t> committed;  ///< Snowflake's committed offset token
    std::optional<int64_t> appended;   ///< offset token of our last append
  };

  Status LoadDue(bool everything);
  Status Load(const TopicPartition& tp, Partition& p);
  /// Table columns (DESCRIBE TABLE), creating the table from `records` when allowed.
  Status EnsureTable(const std::vector<ConsumedRecord>& records);
  Status LoadStreaming(const TopicPartition& tp, Partition& p, std::vector<ConsumedRecord> batch);
  Status OpenChannel(const TopicPartition& tp, Partition& p);
  Status AppendRows(const TopicPartition& tp, Partition& p, const std::vector<ConsumedRecord>& rows);
  Status LoadStatements(std::vector<ConsumedRecord> batch);
  /// Runs the INSERT or MERGE of `rows` (records already turned into rows).
  Status RunStatement(const std::vector<const ConsumedRecord*>& rows);
  Status WaitForCommit(bool everything);
  Status Reject(const ConsumedRecord& record, const std::string& why);
  /// The row image a record stands for in merge mode and its op; nullopt for a tombstone.
  Result<std::optional<std::pair<std::string, char>>> MergeImage(const ConsumedRecord& record) const;

  SnowflakeSinkConfig config_;
  std::string connector_name_;
  RecordErrorHandler* errors_;
  std::string table_sql_;  ///< "DB"."SCHEMA"."TABLE"
  std::unique_ptr<KeyPairJwt> jwt_;
  std::unique_ptr<SqlApi> sql_;
  std::unique_ptr<StreamingClient> streaming_;
  std::vector<Column> columns_;  ///< empty until known
  std::vector<std::string> key_columns_;
  std::map<TopicPartition, Partition> partitions_;
  SnowflakeSinkCounters counters_;
};

}  // namespace snowflake
}  // namespace rivven
