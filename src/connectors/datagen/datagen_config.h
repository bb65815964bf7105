#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "config/schema.h"

namespace rivven::datagen {

/// The shape of the generated rows.
enum class Pattern { kOrders, kUsers, kPageviews };

const char* PatternName(Pattern p);
std::optional<Pattern> ParsePattern(std::string_view name);

/// The typed `config:` block of a datagen source. Built once from a BoundConfig (or directly by
/// tests); immutable afterwards.
struct DatagenConfig {
  Pattern pattern = Pattern::kOrders;
  int64_t events_per_second = 1;  ///< 0 = as fast as the pipeline takes them
  int64_t max_events = 0;         ///< 0 = unlimited
  std::string stream_name = "datagen";
  std::optional<int64_t> seed;    ///< absent = random, chosen at Open and kept in the checkpoint
  bool cdc_mode = false;
};

/// The single declaration of datagen's keys (types, defaults, bounds, descriptions).
config::Schema DatagenSchema();

/// Reads a config bound against DatagenSchema().
Result<DatagenConfig> DatagenConfigFromBound(const config::BoundConfig& bound);

/// Cross-key checks: cdc_mode needs a pattern with a primary key (not pageviews).
void ValidateDatagenConfig(const config::BoundConfig& bound, config::Diagnostics* diags);

}  // namespace rivven::datagen
