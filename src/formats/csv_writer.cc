#include "formats/csv_writer.h"

#include <cstring>

namespace rivven::formats {

bool CsvNeedsQuotes(std::string_view field) {
  for (const char c : field) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void AppendCsvField(std::string& out, std::optional<std::string_view> field) {
  if (!field) return;
  if (field->empty()) {
    out += "\"\"";
    return;
  }
  if (!CsvNeedsQuotes(*field)) {
    out += *field;
    return;
  }
  out.push_back('"');
  std::string_view rest = *field;
  while (!rest.empty()) {
    const size_t q = rest.find('"');
    if (q == std::string_view::npos) {
      out += rest;
      break;
    }
    out.append(rest.data(), q + 1);
    out.push_back('"');  // a quote inside a quoted field is doubled
    rest.remove_prefix(q + 1);
  }
  out.push_back('"');
}

void AppendCsvRow(std::string& out, std::span<const std::optional<std::string_view>> fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(out, fields[i]);
  }
  out.push_back('\n');
}

void CsvRecordScanner::Feed(std::string_view text) {
  // Outside quotes only '"' and '\n' matter; inside, only '"'. A doubled quote inside a quoted
  // field toggles twice, which leaves the state as it was: parity is all that is needed.
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    if (in_quotes_) {
      const void* q = std::memchr(p, '"', static_cast<size_t>(end - p));
      if (q == nullptr) break;
      p = static_cast<const char*>(q) + 1;
      in_quotes_ = false;
      continue;
    }
    const char* stop = p;
    while (stop < end && *stop != '"' && *stop != '\n') ++stop;
    if (stop == end) break;
    if (*stop == '"') {
      in_quotes_ = true;
    } else {
      complete_ = offset_ + static_cast<uint64_t>(stop - text.data()) + 1;
      ++records_;
    }
    p = stop + 1;
  }
  offset_ += text.size();
}

}  // namespace rivven::formats
