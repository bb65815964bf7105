#include "transforms/insert_header.h"

#include <string>
#include <utility>

#include "transforms/record_context.h"

namespace rivven::transforms {
namespace {

/// Appends one fixed header. Built once from config; Apply runs on the chain's thread.
class InsertHeader final : public Transform {
 public:
  InsertHeader(std::string key, std::string value)
      : key_(std::move(key)), value_(std::move(value)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    // Appended, as Kafka Connect's Headers.add: an existing header of that key stays, and
    // readers of the last value (RecordContext::Header) see this one.
    record.record().headers.push_back(RecordHeader{key_, value_});
    return Outcome::kKeep;
  }

 private:
  std::string key_;
  std::string value_;
};

}  // namespace

TransformDescriptor InsertHeaderDescriptor() {
  TransformDescriptor d;
  d.type = "InsertHeader";
  d.description =
      "Adds a header with a fixed value to every record (Kafka Connect's InsertHeader), e.g. "
      "to mark where records came from. The header is appended: a header with the same key "
      "that the record already has stays before it. The value is taken as UTF-8 text.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: InsertHeader\n"
      "    config: {header: source-system, value.literal: billing-db}\n"
      "```";
  d.schema.Add(
      config::Key("header", config::ValueType::kString, "Key of the header to add.").Required());
  d.schema.Add(
      config::Key("value.literal", config::ValueType::kString, "The header's value, as text.")
          .Required());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    std::string key = bound.GetString("header");
    if (key.empty()) return Status::InvalidArgument("header: must not be empty");
    return std::unique_ptr<Transform>(
        std::make_unique<InsertHeader>(std::move(key), bound.GetString("value.literal")));
  };
  return d;
}

void RegisterInsertHeader(TransformRegistry& registry) { registry.Add(InsertHeaderDescriptor()); }

}  // namespace rivven::transforms
