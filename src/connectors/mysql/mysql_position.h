#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "connectors/snapshot_progress.h"

namespace rivven::mysql {

/// Where the mysql-cdc source is, stored as its checkpoint (JSON):
///   {"file":"mysql-bin.000003","pos":1234,"gtids":"0-1-100","snapshot_done":true,
///    "tx":{"file":"mysql-bin.000003","pos":1100,"gtid":"0-1-101","skip":1200},
///    "snapshot":{"tables":["shop.a","shop.b"],"table":1,"after":["42"],"rows":5300}}
/// `file`/`pos`: every transaction that ended before this binlog position is delivered
/// (streaming restarts there). `gtids`: the server's GTID state at that point (MariaDB's
/// domain-server-sequence list, or MySQL's uuid:interval set; empty without GTIDs): a restart
/// prefers it to file/pos when the server has it. `tx`: a transaction partly delivered: it
/// starts at tx.file/tx.pos, and its first `skip` row changes are delivered. `snapshot`: a
/// snapshot in progress.
struct MysqlPosition {
  std::string file;
  uint64_t pos = 4;
  std::string gtids;
  bool snapshot_done = false;
  struct Transaction {
    std::string file;
    uint64_t pos = 0;
    std::string gtid;  ///< the transaction's GTID, when it has one
    uint64_t skip = 0;
  };
  std::optional<Transaction> tx;
  std::optional<SnapshotProgress> snapshot;

  std::string ToJson() const;
  /// Corruption naming the checkpoint when it is not one of ours.
  static Result<MysqlPosition> FromJson(const std::string& json);
};

}  // namespace rivven::mysql
