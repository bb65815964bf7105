#include "transforms/replace_field.h"

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

struct Rename {
  JsonPath from;
  JsonPath to;
  bool in_place = false;  ///< same parent: the member keeps its position
};

/// Drops, keeps and renames fields of the value. Built once; stateless per record.
class ReplaceField final : public Transform {
 public:
  ReplaceField(std::vector<JsonPath> exclude, std::vector<std::string> include,
               std::vector<Rename> rename)
      : exclude_(std::move(exclude)), include_(std::move(include)), rename_(std::move(rename)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    RC_ASSIGN_OR_RETURN(rapidjson::Value * value, ValueObject(record));
    if (value == nullptr) return Outcome::kKeep;
    bool changed = false;
    // Exclude and include name the fields as they arrive; renames come last (Kafka Connect's
    // order), so a renamed field must be included by its old name.
    for (const JsonPath& path : exclude_) changed |= RemovePath(*value, path);
    if (!include_.empty()) {
      for (auto it = value->MemberBegin(); it != value->MemberEnd();) {
        if (Included(StringView(it->name))) {
          ++it;
        } else {
          it = value->EraseMember(it);
          changed = true;
        }
      }
    }
    auto& alloc = record.allocator();
    for (const Rename& r : rename_) {
      if (r.in_place) {
        rapidjson::Value* parent = GetParent(*value, r.from);
        if (parent != nullptr) changed |= RenameMember(*parent, r.from.leaf(), r.to.leaf(), alloc);
        continue;
      }
      rapidjson::Value moved;
      if (!TakePath(*value, r.from, &moved)) continue;
      changed = true;
      if (!SetPath(*value, r.to, moved, alloc)) {
        return Status::InvalidArgument("cannot rename '" + r.from.text() + "' to '" + r.to.text() +
                                       "': a parent of the target is not an object");
      }
    }
    if (changed) record.MarkValueChanged();
    return Outcome::kKeep;
  }

 private:
  bool Included(std::string_view name) const {
    for (const std::string& f : include_) {
      if (f == name) return true;
    }
    return false;
  }

  std::vector<JsonPath> exclude_;
  std::vector<std::string> include_;
  std::vector<Rename> rename_;
};

bool SameParent(const JsonPath& a, const JsonPath& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i + 1 < a.size(); ++i) {
    if (a.segments()[i] != b.segments()[i]) return false;
  }
  return true;
}

}  // namespace

void RegisterReplaceField(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "ReplaceField";
  d.description =
      "Drops, keeps and renames fields of the value. `exclude` removes fields (dotted paths "
      "reach nested ones); `include`, when given, keeps only the listed top-level fields; "
      "`rename` maps an old path to a new path, both from the value's root: a field renamed "
      "within the same object keeps its position, one moved elsewhere is appended there (its "
      "parents created). Exclude and include see the original names, renames run last. A target "
      "that already exists is replaced. Missing fields are ignored; tombstones pass through.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: ReplaceField\n"
      "    config:\n"
      "      rename:\n"
      "        old_name: new_name\n"
      "        customer.email: contact_email   # moves a nested field to the top level\n"
      "      exclude: [internal_field, customer.notes]\n"
      "```";
  d.schema.Add(
      Key("rename", ValueType::kStringMap, "Old path -> new path, e.g. {cust_id: customer_id}."));
  d.schema.Add(Key("exclude", ValueType::kStringList, "Fields to remove (dotted paths)."));
  d.schema.Add(Key("include", ValueType::kStringList,
                   "When given, only these top-level fields are kept (names, not paths)."));
  d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Transform>> {
    std::vector<JsonPath> exclude;
    for (const std::string& f : c.GetStringList("exclude")) {
      exclude.emplace_back(f);
      if (!exclude.back().error().empty()) {
        return Status::InvalidArgument("exclude: " + exclude.back().error());
      }
    }
    std::vector<Rename> rename;
    for (const auto& [from, to] : c.GetStringMap("rename")) {
      Rename r{JsonPath(from), JsonPath(to)};
      if (!r.from.error().empty()) return Status::InvalidArgument("rename: " + r.from.error());
      if (!r.to.error().empty()) {
        return Status::InvalidArgument("rename: '" + from + "': " + r.to.error());
      }
      r.in_place = SameParent(r.from, r.to);
      rename.push_back(std::move(r));
    }
    if (exclude.empty() && rename.empty() && !c.IsSet("include")) {
      return Status::InvalidArgument("set at least one of rename, exclude, include");
    }
    return std::unique_ptr<Transform>(std::make_unique<ReplaceField>(
        std::move(exclude), c.GetStringList("include"), std::move(rename)));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
