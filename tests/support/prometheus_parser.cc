#include "support/prometheus_parser.h"

#include <cmath>
#include <cstdlib>
#include <set>

namespace rivven::testing {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool IsMetricName(std::string_view s) {
  if (s.empty() || !(IsNameStart(s[0]) || s[0] == ':')) return false;
  for (char c : s) {
    if (!IsNameChar(c) && c != ':') return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  if (s.empty() || !IsNameStart(s[0])) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else
      return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

/// A Go-style float as Prometheus writes it: decimal with optional exponent, NaN, [+-]Inf.
bool ParseValue(std::string_view s, double* out) {
  if (s == "NaN") {
    *out = std::nan("");
    return true;
  }
  if (s == "+Inf" || s == "Inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (s == "-Inf") {
    *out = -HUGE_VAL;
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++digits;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++digits;
    }
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  *out = std::strtod(std::string(s).c_str(), nullptr);
  return true;
}

bool ParseTimestamp(std::string_view s, int64_t* out) {
  size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  *out = std::strtoll(std::string(s).c_str(), nullptr, 10);
  return true;
}

std::string SeriesKey(const std::string& name, const Labels& labels) {
  std::string key = name;
  for (const auto& [k, v] : labels) key += '\0' + k + '\0' + v;
  return key;
}

bool HasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Whether a sample named `sample` belongs to family `f`.
bool BelongsTo(const Family& f, std::string_view sample) {
  if (f.type == "histogram") {
    return sample == f.name + "_bucket" || sample == f.name + "_sum" || sample == f.name + "_count";
  }
  if (f.type == "summary") {
    return sample == f.name || sample == f.name + "_sum" || sample == f.name + "_count";
  }
  return sample == f.name;
}

class Parser {
 public:
  explicit Parser(Exposition* out) : out_(out) {}

  bool Parse(std::string_view text) {
    if (!text.empty() && text.back() != '\n') return Fail("the text does not end with a newline");
    size_t start = 0;
    while (start < text.size()) {
      const size_t end = text.find('\n', start);
      ++line_no_;
      if (!Line(text.substr(start, end - start))) return false;
      start = end + 1;
    }
    line_no_ = 0;
    for (const Family& f : out_->families) {
      if (f.type == "histogram" && !CheckHistogram(f)) return false;
      if (f.type == "summary" && !CheckSummary(f)) return false;
    }
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& message) {
    error_ = line_no_ > 0 ? "line " + std::to_string(line_no_) + ": " + message : message;
    return false;
  }

  bool Line(std::string_view line) {
    if (line.find('\r') != std::string_view::npos) return Fail("carriage return in a line");
    while (!line.empty() && IsBlank(line.front())) line.remove_prefix(1);
    while (!line.empty() && IsBlank(line.back())) line.remove_suffix(1);
    if (line.empty()) return true;
    if (line[0] == '#') return Comment(line.substr(1));
    return SampleLine(line);
  }

  static std::string_view Token(std::string_view& s) {
    while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
    size_t n = 0;
    while (n < s.size() && !IsBlank(s[n])) ++n;
    std::string_view tok = s.substr(0, n);
    s.remove_prefix(n);
    return tok;
  }

  bool Comment(std::string_view rest) {
    const std::string_view keyword = Token(rest);
    if (keyword != "HELP" && keyword != "TYPE") return true;  // a plain comment
    const std::string_view name = Token(rest);
    if (!IsMetricName(name))
      return Fail("invalid metric name '" + std::string(name) + "' in " + std::string(keyword));
    Family* f = FamilyForMetadata(std::string(name));
    if (f == nullptr) return false;
    if (!f->samples.empty()) {
      return Fail(std::string(keyword) + " for " + f->name + " after its samples");
    }
    while (!rest.empty() && IsBlank(rest.front())) rest.remove_prefix(1);
    if (keyword == "HELP") {
      if (f->has_help) return Fail("second HELP for " + f->name);
      std::string help;
      for (size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] != '\\') {
          help += rest[i];
          continue;
        }
        if (i + 1 == rest.size()) return Fail("HELP ends in a lone backslash");
        const char e = rest[++i];
        if (e == '\\')
          help += '\\';
        else if (e == 'n')
          help += '\n';
        else
          return Fail(std::string("invalid escape \\") + e + " in HELP");
      }
      if (!IsValidUtf8(help)) return Fail("HELP is not valid UTF-8");
      f->help = help;
      f->has_help = true;
      return true;
    }
    if (typed_.count(f->name) > 0) return Fail("second TYPE for " + f->name);
    const std::string_view type = Token(rest);
    if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
        type != "untyped") {
      return Fail("unknown TYPE '" + std::string(type) + "'");
    }
    if (!Token(rest).empty()) return Fail("text after the TYPE of " + f->name);
    f->type = std::string(type);
    typed_.insert(f->name);
    return true;
  }

  /// The family `name` as the current group, started now if it is new.
  Family* FamilyForMetadata(const std::string& name) {
    if (current_ && out_->families[*current_].name == name) {
      return &out_->families[*current_];
    }
    if (index_.count(name) > 0) {
      Fail("metadata for " + name + " outside its group");
      return nullptr;
    }
    return StartFamily(name);
  }

  Family* StartFamily(const std::string& name) {
    out_->families.push_back(Family{});
    out_->families.back().name = name;
    index_[name] = out_->families.size() - 1;
    current_ = out_->families.size() - 1;
    return &out_->families.back();
  }

  bool SampleLine(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && !IsBlank(line[i])) ++i;
    Sample s;
    s.name = std::string(line.substr(0, i));
    if (!IsMetricName(s.name)) return Fail("invalid metric name '" + s.name + "'");
    std::string_view rest = line.substr(i);
    if (!rest.empty() && rest[0] == '{' && !LabelSet(rest, &s.labels)) return false;
    if (rest.empty() || !IsBlank(rest[0])) return Fail("no value after " + s.name);
    const std::string_view value = Token(rest);
    if (!ParseValue(value, &s.value)) return Fail("invalid value '" + std::string(value) + "'");
    const std::string_view ts = Token(rest);
    if (!ts.empty()) {
      int64_t t;
      if (!ParseTimestamp(ts, &t)) return Fail("invalid timestamp '" + std::string(ts) + "'");
      s.timestamp_ms = t;
    }
    if (!Token(rest).empty()) return Fail("text after the sample of " + s.name);

    Family* f = FamilyForSample(s.name);
    if (f == nullptr) return false;
    if (f->type == "counter" && !(s.value >= 0)) {
      return Fail("counter " + s.name + " has a negative or NaN value");
    }
    if (f->type == "histogram" && HasSuffix(s.name, "_bucket") != (s.labels.count("le") > 0)) {
      return Fail("le label on a non-bucket sample, or a bucket without one: " + s.name);
    }
    if (f->type == "summary" && s.name == f->name && s.labels.count("quantile") == 0) {
      return Fail("summary sample without a quantile label: " + s.name);
    }
    if (!series_.insert(SeriesKey(s.name, s.labels)).second) {
      return Fail("duplicate series " + s.name);
    }
    f->samples.push_back(std::move(s));
    return true;
  }

  Family* FamilyForSample(const std::string& sample) {
    if (current_ && BelongsTo(out_->families[*current_], sample)) {
      return &out_->families[*current_];
    }
    for (const Family& f : out_->families) {
      if (BelongsTo(f, sample)) {
        Fail("sample " + sample + " outside the group of its family " + f.name);
        return nullptr;
      }
    }
    if (index_.count(sample) > 0) {
      Fail("sample " + sample + " does not fit the TYPE of family " + sample);
      return nullptr;
    }
    return StartFamily(sample);  // untyped
  }

  /// Parses `{name="value",...}` off the front of `rest`.
  bool LabelSet(std::string_view& rest, Labels* labels) {
    size_t i = 1;
    const auto skip = [&] {
      while (i < rest.size() && IsBlank(rest[i])) ++i;
    };
    skip();
    while (i < rest.size() && rest[i] != '}') {
      const size_t start = i;
      while (i < rest.size() && rest[i] != '=' && rest[i] != '}' && rest[i] != ',' &&
             !IsBlank(rest[i])) {
        ++i;
      }
      const std::string name(rest.substr(start, i - start));
      if (!IsLabelName(name)) return Fail("invalid label name '" + name + "'");
      if (name.rfind("__", 0) == 0) return Fail("reserved label name '" + name + "'");
      skip();
      if (i >= rest.size() || rest[i] != '=') return Fail("no '=' after label " + name);
      ++i;
      skip();
      if (i >= rest.size() || rest[i] != '"') return Fail("label " + name + " value is not quoted");
      ++i;
      std::string value;
      bool closed = false;
      while (i < rest.size()) {
        const char c = rest[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (i >= rest.size()) break;
        const char e = rest[i++];
        if (e == '\\')
          value += '\\';
        else if (e == '"')
          value += '"';
        else if (e == 'n')
          value += '\n';
        else
          return Fail(std::string("invalid escape \\") + e + " in label " + name);
      }
      if (!closed) return Fail("unterminated value of label " + name);
      if (!IsValidUtf8(value)) return Fail("label " + name + " is not valid UTF-8");
      if (!labels->emplace(name, value).second) return Fail("label " + name + " given twice");
      skip();
      if (i < rest.size() && rest[i] == ',') {
        ++i;
        skip();
      } else if (i < rest.size() && rest[i] != '}') {
        return Fail("expected ',' or '}' after label " + name);
      }
    }
    if (i >= rest.size()) return Fail("unterminated label set");
    rest.remove_prefix(i + 1);
    return true;
  }

  struct Group {
    std::vector<std::pair<double, double>> buckets;  ///< (le, cumulative count) in order
    std::optional<double> count, sum;
  };

  bool CheckHistogram(const Family& f) {
    std::map<Labels, Group> groups;
    for (const Sample& s : f.samples) {
      Labels key = s.labels;
      key.erase("le");
      Group& g = groups[key];
      if (s.name == f.name + "_count") {
        g.count = s.value;
      } else if (s.name == f.name + "_sum") {
        g.sum = s.value;
      } else {
        double le;
        if (!ParseValue(s.labels.at("le"), &le) || std::isnan(le)) {
          return Fail(f.name + ": invalid le \"" + s.labels.at("le") + "\"");
        }
        if (!(s.value >= 0)) return Fail(f.name + ": negative bucket count");
        if (!g.buckets.empty()) {
          if (!(le > g.buckets.back().first)) return Fail(f.name + ": buckets not in ascending le");
          if (s.value < g.buckets.back().second) {
            return Fail(f.name + ": bucket counts are not cumulative");
          }
        }
        g.buckets.emplace_back(le, s.value);
      }
    }
    for (const auto& [labels, g] : groups) {
      if (g.buckets.empty() || !std::isinf(g.buckets.back().first)) {
        return Fail(f.name + ": no +Inf bucket");
      }
      if (!g.count) return Fail(f.name + ": no _count");
      if (!g.sum) return Fail(f.name + ": no _sum");
      if (*g.count != g.buckets.back().second) {
        return Fail(f.name + ": _count differs from the +Inf bucket");
      }
    }
    return true;
  }

  bool CheckSummary(const Family& f) {
    std::map<Labels, std::pair<bool, bool>> groups;  // has _count, has _sum
    for (const Sample& s : f.samples) {
      Labels key = s.labels;
      key.erase("quantile");
      auto& g = groups[key];
      if (s.name == f.name + "_count") g.first = true;
      if (s.name == f.name + "_sum") g.second = true;
      if (s.name == f.name) {
        double q;
        if (!ParseValue(s.labels.at("quantile"), &q) || !(q >= 0 && q <= 1)) {
          return Fail(f.name + ": invalid quantile");
        }
      }
    }
    for (const auto& [labels, g] : groups) {
      if (!g.first || !g.second) return Fail(f.name + ": summary without _count or _sum");
    }
    return true;
  }

  Exposition* out_;
  size_t line_no_ = 0;
  std::string error_;
  std::map<std::string, size_t> index_;
  std::set<std::string> typed_;
  std::set<std::string> series_;
  std::optional<size_t> current_;
};

bool Includes(const Labels& have, const Labels& want) {
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

const Family* Exposition::Find(std::string_view family) const {
  for (const Family& f : families) {
    if (f.name == family) return &f;
  }
  return nullptr;
}

std::optional<double> Exposition::Value(std::string_view name, const Labels& labels) const {
  std::optional<double> found;
  for (const Family& f : families) {
    for (const Sample& s : f.samples) {
      if (s.name != name || !Includes(s.labels, labels)) continue;
      if (found) return std::nullopt;
      found = s.value;
    }
  }
  return found;
}

bool ParsePrometheusText(std::string_view text, Exposition* out, std::string* error) {
  *out = Exposition{};
  Parser p(out);
  if (p.Parse(text)) return true;
  *error = p.error();
  return false;
}

}  // namespace rivven::testing
