#pragma once

#include <cstdio>
#include <string>

#include "record/record.h"

namespace rivven::app {

/// Prints consumed records as one JSON object per line:
/// {"topic","partition","offset","timestamp","key","value","headers"}; key and value are
/// embedded as JSON when they are JSON text, else as strings. Used by `topics tail`.
class RecordPrinter {
 public:
  explicit RecordPrinter(FILE* out) : out_(out) {}
  /// False once the output is closed (EPIPE).
  bool Print(const ConsumedRecord& r);

 private:
  FILE* out_;
  std::string line_;
};

}  // namespace rivven::app
