#include "transforms/timestamp_converter.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"
#include "transforms/timestamp_format.h"

namespace rivven::transforms {
namespace {

enum class Target { kString, kUnix, kTimestamp, kDate, kTime };

constexpr int64_t kMillisPerDay = 86'400'000;

/// Converts one field (or the whole side). Built once from config; Apply runs on the chain's
/// thread.
class TimestampConverter final : public Transform {
 public:
  TimestampConverter(std::optional<JsonPath> field, Target target,
                     std::optional<TimestampFormat> format, int64_t units_per_second, Side side)
      : field_(std::move(field)),
        target_(target),
        format_(std::move(format)),
        units_per_second_(units_per_second),
        side_(side) {}

  Result<Outcome> Apply(RecordContext& record) override {
    auto json = SideJson(record, side_);
    if (!json.ok()) return json.status().WithContext("TimestampConverter");
    rapidjson::Value* root = *json;
    if (root == nullptr) return Outcome::kKeep;
    rapidjson::Value* v = root;
    if (field_) {
      if (!root->IsObject()) {
        return Status::InvalidArgument(std::string("TimestampConverter: the ") + SideName(side_) +
                                       " is not a JSON object: " + Shown(*root));
      }
      v = GetPath(*root, *field_);
      if (v == nullptr) return Outcome::kKeep;  // a missing field stays missing
    }
    if (v->IsNull()) return Outcome::kKeep;
    const std::string where =
        field_ ? "field '" + field_->text() + "'" : std::string("the ") + SideName(side_);
    auto instant = Read(*v);
    if (!instant.ok()) {
      return Status::InvalidArgument("TimestampConverter: " + where + ": " +
                                     instant.status().message());
    }
    Status written = Write(*instant, *v, record);
    if (!written.ok()) {
      return Status::InvalidArgument("TimestampConverter: " + where + ": " + written.message());
    }
    MarkSideChanged(record, side_);
    return Outcome::kKeep;
  }

 private:
  // Numbers are unix time in `unix.precision` units; strings are parsed with `format`.
  Result<Instant> Read(const rapidjson::Value& v) const {
    if (v.IsInt64()) return FromUnits(v.GetInt64());
    if (v.IsDouble()) {
      const double d = v.GetDouble();
      const double whole = std::floor(d);
      if (!(whole >= -9.2e18 && whole <= 9.2e18)) {
        return Status::InvalidArgument("timestamp " + Shown(v) + " is out of range");
      }
      Instant t = FromUnits(static_cast<int64_t>(whole));
      const int64_t extra_nanos =
          std::llround((d - whole) * (1e9 / static_cast<double>(units_per_second_)));
      const int64_t nanos = t.nanos + extra_nanos;
      t.seconds += nanos / 1'000'000'000;
      t.nanos = static_cast<int32_t>(nanos % 1'000'000'000);
      return t;
    }
    if (v.IsString()) {
      if (!format_) {
        return Status::InvalidArgument("cannot read the string " + Shown(v) +
                                       " as a timestamp without `format`");
      }
      return format_->Parse(StringView(v));
    }
    return Status::InvalidArgument("cannot read " + Shown(v) +
                                   " as a timestamp (expected a number or a string)");
  }

  Instant FromUnits(int64_t units) const {
    int64_t s = units / units_per_second_;
    int64_t rem = units % units_per_second_;
    if (rem < 0) {
      rem += units_per_second_;
      s -= 1;
    }
    return Instant{s, static_cast<int32_t>(rem * (1'000'000'000 / units_per_second_))};
  }

  Status Write(const Instant& t, rapidjson::Value& out, RecordContext& record) const {
    switch (target_) {
      case Target::kString: {
        const std::string text = format_->Format(t);
        out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()),
                      record.allocator());
        return Status::Ok();
      }
      case Target::kUnix: {
        const int64_t per_unit_nanos = 1'000'000'000 / units_per_second_;
        const int64_t limit = INT64_MAX / units_per_second_ - 1;
        if (t.seconds > limit || t.seconds < -limit) {
          return Status::InvalidArgument("timestamp out of range for unix." +
                                         std::string(PrecisionName()));
        }
        out.SetInt64(t.seconds * units_per_second_ + t.nanos / per_unit_nanos);
        return Status::Ok();
      }
      case Target::kTimestamp:
      case Target::kDate:
      case Target::kTime: {
        if (t.seconds > INT64_MAX / 1000 - 1 || t.seconds < INT64_MIN / 1000 + 1) {
          return Status::InvalidArgument("timestamp out of range for milliseconds");
        }
        const int64_t ms = t.ToMillis();
        int64_t of_day = ms % kMillisPerDay;
        if (of_day < 0) of_day += kMillisPerDay;
        out.SetInt64(target_ == Target::kTimestamp ? ms
                     : target_ == Target::kDate    ? ms - of_day
                                                   : of_day);
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  const char* PrecisionName() const {
    switch (units_per_second_) {
      case 1:
        return "seconds";
      case 1000:
        return "milliseconds";
      case 1'000'000:
        return "microseconds";
      default:
        return "nanoseconds";
    }
  }

  std::optional<JsonPath> field_;
  Target target_;
  std::optional<TimestampFormat> format_;
  int64_t units_per_second_;
  Side side_;
};

Result<std::unique_ptr<Transform>> MakeTimestampConverter(const config::BoundConfig& bound) {
  std::optional<JsonPath> field;
  if (const std::string f = bound.GetString("field"); !f.empty()) {
    RC_ASSIGN_OR_RETURN(field, ConfigPath(bound, "field", f));
  }
  const std::string type = bound.GetString("target.type");
  const Target target = type == "string"      ? Target::kString
                        : type == "unix"      ? Target::kUnix
                        : type == "Timestamp" ? Target::kTimestamp
                        : type == "Date"      ? Target::kDate
                                              : Target::kTime;
  std::optional<TimestampFormat> format;
  if (const std::string pattern = bound.GetString("format"); !pattern.empty()) {
    auto compiled = TimestampFormat::Compile(pattern);
    if (!compiled.ok()) {
      return Status::InvalidArgument("format: " + compiled.status().message());
    }
    format = std::move(compiled).value();
  } else if (target == Target::kString) {
    return Status::InvalidArgument("format: required when target.type is string");
  }
  const std::string precision = bound.GetString("unix.precision");
  const int64_t units = precision == "seconds"        ? 1
                        : precision == "microseconds" ? 1'000'000
                        : precision == "nanoseconds"  ? 1'000'000'000
                                                      : 1000;
  return std::unique_ptr<Transform>(std::make_unique<TimestampConverter>(
      std::move(field), target, std::move(format), units, SideOf(bound)));
}

}  // namespace

TransformDescriptor TimestampConverterDescriptor() {
  TransformDescriptor d;
  d.type = "TimestampConverter";
  d.description =
      "Converts a timestamp field (or, without `field`, the whole value) between a formatted "
      "string, unix time and Kafka Connect's Timestamp / Date / Time (Kafka Connect's "
      "TimestampConverter$Value / $Key). A number is read as unix time in `unix.precision` "
      "units; a string is parsed with `format`. Output: `string` formats with `format`; "
      "`unix` is an integer in `unix.precision` units; `Timestamp` is epoch milliseconds; "
      "`Date` is epoch milliseconds of that day's midnight; `Time` is milliseconds since "
      "midnight. All in UTC. `format` uses Java SimpleDateFormat letters as in Kafka Connect: "
      "y M d H h m s S E a Z X z and 'quoted text', where S..S is the fraction of the second "
      "with that many digits (SSS milliseconds, SSSSSS microseconds); parsing accepts any UTC "
      "offset and must consume the whole string. A missing or null field is left alone; a "
      "value that cannot be read fails the record, naming the field and the value.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: TimestampConverter\n"
      "    config:\n"
      "      field: created_at                       # 1700000000123\n"
      "      target.type: string\n"
      "      format: \"yyyy-MM-dd'T'HH:mm:ss.SSSX\"    # -> \"2023-11-14T22:13:20.123Z\"\n"
      "  - type: TimestampConverter\n"
      "    config: {field: after.updated_us, target.type: Timestamp, "
      "unix.precision: microseconds}\n"
      "```";
  d.schema.Add(config::Key("field", config::ValueType::kString,
                           "The timestamp field, a dotted path; empty converts the whole value.")
                   .Default(""));
  d.schema.Add(config::Key("target.type", config::ValueType::kString,
                           "What to convert to: string, unix, Timestamp, Date or Time.")
                   .Required()
                   .OneOf({"string", "unix", "Timestamp", "Date", "Time"}));
  d.schema.Add(config::Key("format", config::ValueType::kString,
                           "SimpleDateFormat pattern for reading string input and writing "
                           "target.type string (required then), e.g. yyyy-MM-dd HH:mm:ss.")
                   .Default(""));
  d.schema.Add(config::Key("unix.precision", config::ValueType::kString,
                           "Unit of unix numbers, read and written.")
                   .OneOf({"seconds", "milliseconds", "microseconds", "nanoseconds"})
                   .Default("milliseconds"));
  d.schema.Add(SideKey());
  d.make = MakeTimestampConverter;
  return d;
}

void RegisterTimestampConverter(TransformRegistry& registry) {
  registry.Add(TimestampConverterDescriptor());
}

}  // namespace rivven::transforms
