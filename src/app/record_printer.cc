#include "app/record_printer.h"

#include "base/json_escape.h"
#include "record/json.h"

namespace rivven::app {
namespace {

void AppendBytes(std::string& out, const std::optional<std::string>& bytes) {
  if (!bytes) {
    out += "null";
  } else if (json::IsJson(*bytes)) {
    out += *bytes;
  } else {
    AppendJsonString(out, *bytes);
  }
}

}  // namespace

bool RecordPrinter::Print(const ConsumedRecord& r) {
  line_.clear();
  line_ += "{\"topic\":";
  AppendJsonString(line_, r.topic);
  line_ += ",\"partition\":" + std::to_string(r.partition);
  line_ += ",\"offset\":" + std::to_string(r.offset.value());
  line_ += ",\"timestamp\":" + std::to_string(r.record.timestamp_ms);
  line_ += ",\"key\":";
  AppendBytes(line_, r.record.key);
  line_ += ",\"value\":";
  AppendBytes(line_, r.record.value);
  if (!r.record.headers.empty()) {
    line_ += ",\"headers\":{";
    bool first = true;
    for (const auto& h : r.record.headers) {
      line_ += first ? "" : ",";
      first = false;
      AppendJsonString(line_, h.key);
      line_ += ':';
      AppendJsonString(line_, h.value);
    }
    line_ += '}';
  }
  line_ += "}\n";
  if (std::fwrite(line_.data(), 1, line_.size(), out_) != line_.size()) return false;
  return std::fflush(out_) == 0;
}

}  // namespace rivven::app
