#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rivven::testing {

/// A strict reader of the Prometheus text exposition format 0.0.4, for tests of what
/// rivven-connect serves on /metrics. Besides the grammar (metric and label names, label value
/// escapes `\\` `\"` `\n` only, valid UTF-8, Go-style float values, optional integer
/// timestamps) it enforces what scrapers rely on:
///  - at most one HELP and one TYPE per family, both before the family's first sample;
///  - each family's lines form one group (no family comes back after another started);
///  - no duplicate series (same name and label set); no reserved `__` label names;
///  - counters are non-negative; summaries' and histograms' sample names carry the right
///    suffixes;
///  - histograms: an `le` label on every `_bucket` (a float, ascending), cumulative counts that
///    never decrease, a `+Inf` bucket equal to `_count`, and a `_sum`, for every label set.
/// Standalone (std only) so any test binary can use it.

using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;  ///< as written, e.g. `x_bucket`
  Labels labels;
  double value = 0;
  std::optional<int64_t> timestamp_ms;
};

struct Family {
  std::string name;
  std::string type = "untyped";  ///< counter, gauge, histogram, summary, untyped
  std::string help;              ///< unescaped
  bool has_help = false;
  std::vector<Sample> samples;
};

struct Exposition {
  std::vector<Family> families;  ///< in the order they appear

  const Family* Find(std::string_view family) const;
  /// The value of the one sample named `name` whose labels include all of `labels`; nullopt
  /// when there is none or more than one.
  std::optional<double> Value(std::string_view name, const Labels& labels = {}) const;
};

/// Parses `text`; on failure returns false and sets `*error` to "line N: what is wrong".
bool ParsePrometheusText(std::string_view text, Exposition* out, std::string* error);

}  // namespace rivven::testing
