#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "connectors/postgres/pgoutput.h"
#include "connectors/snapshot_progress.h"

namespace rivven::postgres {

/// Where the postgres-cdc source is, stored as its checkpoint (JSON):
///   {"slot":"s","lsn":"0/16B3748","snapshot_done":true,
///    "tx":{"final":"0/16B37A0","skip":1200},
///    "snapshot":{"tables":["public.a","public.b"],"table":1,"after":["42"],"rows":5300},
///    "incremental":{...as snapshot...}}
/// `lsn`: every transaction that committed before it is delivered (streaming restarts there).
/// `tx`: a transaction partly delivered: the one whose commit record is at `final`, of which the
/// first `skip` changes are delivered. `snapshot`: a snapshot in progress: tables before
/// `table` are done, and in that table the rows up to primary key `after` (text values).
struct SourcePosition {
  std::string slot;
  Lsn lsn = 0;
  bool snapshot_done = false;
  struct Transaction {
    Lsn final_lsn = 0;
    uint64_t skip = 0;
  };
  std::optional<Transaction> tx;
  using Snapshot = SnapshotProgress;  ///< tables as schema.table
  std::optional<Snapshot> snapshot;
  /// An incremental snapshot in progress (started by a signal while streaming): the same
  /// fields as `snapshot`, with the tables still to read.
  std::optional<Snapshot> incremental;

  std::string ToJson() const;
  static Result<SourcePosition> FromJson(const std::string& json);
};

}  // namespace rivven::postgres
