#include "transforms/drop_headers.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

/// Removes headers by key. Built once from config; Apply runs on the chain's thread.
class DropHeaders final : public Transform {
 public:
  explicit DropHeaders(std::vector<std::string> keys) : keys_(std::move(keys)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    std::vector<RecordHeader>& headers = record.record().headers;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const RecordHeader& h) {
                                   return std::find(keys_.begin(), keys_.end(), h.key) !=
                                          keys_.end();
                                 }),
                  headers.end());
    return Outcome::kKeep;
  }

 private:
  std::vector<std::string> keys_;
};

}  // namespace

TransformDescriptor DropHeadersDescriptor() {
  TransformDescriptor d;
  d.type = "DropHeaders";
  d.description =
      "Removes every header whose key is one of `headers` (Kafka Connect's DropHeaders); the "
      "other headers keep their order. Keys are compared exactly (case-sensitive).\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: DropHeaders\n"
      "    config: {headers: [traceparent, x-internal]}\n"
      "```";
  d.schema.Add(config::Key("headers", config::ValueType::kStringList,
                           "Keys of the headers to remove (a list, or a comma-separated "
                           "string).")
                   .Required());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    std::vector<std::string> keys = ListItems(bound, "headers");
    if (keys.empty()) {
      return Status::InvalidArgument("headers: name at least one header");
    }
    return std::unique_ptr<Transform>(std::make_unique<DropHeaders>(std::move(keys)));
  };
  return d;
}

void RegisterDropHeaders(TransformRegistry& registry) { registry.Add(DropHeadersDescriptor()); }

}  // namespace rivven::transforms
