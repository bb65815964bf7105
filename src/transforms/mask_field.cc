#include "transforms/mask_field.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transforms/json_path.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using config::Key;
using config::ValueType;

// The number of characters of valid UTF-8 text: bytes that do not continue a sequence.
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

/// Masks fields of the value. Built once; Apply keeps no state between records.
class MaskField final : public Transform {
 public:
  MaskField(std::vector<JsonPath> fields, std::string mask_char,
            std::optional<std::string> replacement)
      : fields_(std::move(fields)),
        mask_char_(std::move(mask_char)),
        replacement_(std::move(replacement)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    RC_ASSIGN_OR_RETURN(rapidjson::Value * value, ValueObject(record));
    if (value == nullptr) return Outcome::kKeep;
    bool changed = false;
    for (const JsonPath& path : fields_) {
      rapidjson::Value* field = GetPath(*value, path);
      if (field == nullptr || field->IsNull()) continue;  // nothing to hide
      Mask(*field, record.allocator());
      changed = true;
    }
    if (changed) record.MarkValueChanged();
    return Outcome::kKeep;
  }

 private:
  void Mask(rapidjson::Value& field, JsonAllocator& alloc) {
    if (replacement_) {
      field.SetString(replacement_->data(), static_cast<rapidjson::SizeType>(replacement_->size()),
                      alloc);
      return;
    }
    switch (field.GetType()) {
      case rapidjson::kStringType: {
        const size_t n = Utf8Length(StringView(field));
        if (mask_char_.size() == 1) {
          scratch_.assign(n, mask_char_[0]);
        } else {
          scratch_.clear();
          for (size_t i = 0; i < n; ++i) scratch_ += mask_char_;
        }
        field.SetString(scratch_.data(), static_cast<rapidjson::SizeType>(scratch_.size()), alloc);
        break;
      }
      case rapidjson::kNumberType:
        if (field.IsDouble()) {
          field.SetDouble(0.0);
        } else {
          field.SetInt(0);
        }
        break;
      case rapidjson::kTrueType:
      case rapidjson::kFalseType:
        field.SetBool(false);
        break;
      case rapidjson::kObjectType:
        field.SetObject();
        break;
      case rapidjson::kArrayType:
        field.SetArray();
        break;
      case rapidjson::kNullType:
        break;
    }
  }

  std::vector<JsonPath> fields_;
  std::string mask_char_;
  std::optional<std::string> replacement_;
  std::string scratch_;  ///< the mask being built; reused (Apply runs on one thread at a time)
};

}  // namespace

void RegisterMaskField(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "MaskField";
  d.description =
      "Hides the values of the listed fields of the value (dotted paths reach nested fields). "
      "A string becomes `mask_char` repeated once per character (UTF-8 characters, not bytes), "
      "a number 0 (0.0 for a decimal), a boolean false, an object {} and an array []; with "
      "`replacement`, every masked value becomes that string instead. Null and missing fields "
      "are left as they are; tombstones pass through.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: MaskField\n"
      "    config:\n"
      "      fields: [credit_card, customer.ssn]\n"
      "      mask_char: \"X\"\n"
      "```";
  d.schema.Add(Key("fields", ValueType::kStringList,
                   "Fields to mask, as dotted paths into the value (customer.ssn).")
                   .Required());
  d.schema.Add(Key("mask_char", ValueType::kString,
                   "The one character (any UTF-8 character) strings are masked with.")
                   .Default("*"));
  d.schema.Add(Key("replacement", ValueType::kString,
                   "When set, masked fields of every type become this string."));
  d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Transform>> {
    std::vector<JsonPath> fields;
    for (const std::string& f : c.GetStringList("fields")) {
      fields.emplace_back(f);
      if (!fields.back().error().empty()) {
        return Status::InvalidArgument("fields: " + fields.back().error());
      }
    }
    if (fields.empty()) return Status::InvalidArgument("fields: name at least one field");
    const std::string mask_char = c.GetString("mask_char");
    if (Utf8Length(mask_char) != 1) {
      return Status::InvalidArgument("mask_char: must be exactly one character, got '" + mask_char +
                                     "'");
    }
    return std::unique_ptr<Transform>(std::make_unique<MaskField>(
        std::move(fields), mask_char, c.GetOptionalString("replacement")));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
