#include "transforms/extract_new_record_state.h"

#include <string>
#include <utility>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "transforms/json_path.h"
#include "transforms/record_context.h"
#include "transforms/transform.h"

namespace rivven::transforms {
namespace {

using config::Key;
using config::ValueType;

enum class DeleteMode { kDrop, kTombstone, kRewrite };

/// One name of `add.fields` / `add.headers`: where its value lives in the envelope and the
/// field or header it becomes.
struct Addition {
  JsonPath where;     ///< from the envelope's root
  std::string field;  ///< "__source_ts_ms"
};

/// Replaces a Debezium change event by its row state. Stateless per record; built once.
class ExtractNewRecordState final : public Transform {
 public:
  ExtractNewRecordState(DeleteMode mode, bool drop_tombstones, std::vector<Addition> fields,
                        std::vector<Addition> headers)
      : mode_(mode),
        drop_tombstones_(drop_tombstones),
        fields_(std::move(fields)),
        headers_(std::move(headers)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    if (record.value_is_null()) return drop_tombstones_ ? Outcome::kDrop : Outcome::kKeep;
    rapidjson::Value* envelope = record.Value();
    if (envelope == nullptr) return Status::InvalidArgument(record.value_error());
    const char op = EnvelopeOp(*envelope);
    if (op == 0) return Outcome::kKeep;    // not a change event (a heartbeat, a plain row)
    if (op == 't') return Outcome::kDrop;  // Debezium drops truncates here too
    AddHeaders(*envelope, record);
    const bool is_delete = op == 'd';
    if (is_delete && mode_ == DeleteMode::kDrop) return Outcome::kDrop;
    if (is_delete && mode_ == DeleteMode::kTombstone) {
      record.SetValueNull();
      return Outcome::kKeep;
    }
    auto& alloc = record.allocator();
    rapidjson::Value row;
    if (rapidjson::Value* image = FindMember(*envelope, is_delete ? "before" : "after")) {
      row = *image;  // moves
    }
    if (row.IsNull() && is_delete) row.SetObject();  // rewrite keeps the delete visible
    if (row.IsObject()) {
      if (mode_ == DeleteMode::kRewrite) {
        rapidjson::Value flag(rapidjson::StringRef(is_delete ? "true" : "false"));  // a string
        rapidjson::Value name("__deleted");
        row.AddMember(name, flag, alloc);
      }
      for (const Addition& a : fields_) {
        const rapidjson::Value* v = Lookup(*envelope, a);
        rapidjson::Value copy;
        if (v != nullptr) copy.CopyFrom(*v, alloc);
        rapidjson::Value name(a.field.data(), static_cast<rapidjson::SizeType>(a.field.size()),
                              alloc);
        row.AddMember(name, copy, alloc);
      }
    }
    record.SetValue(std::move(row));
    return Outcome::kKeep;
  }

 private:
  // The envelope's op character, or 0 when `v` is not a change-event envelope: an object with a
  // one-letter "op" of c/r/u/d/t and a "before" or "after" member.
  static char EnvelopeOp(const rapidjson::Value& v) {
    if (!v.IsObject()) return 0;
    const rapidjson::Value* op = FindMember(v, "op");
    if (op == nullptr || !op->IsString() || op->GetStringLength() != 1) return 0;
    const char c = op->GetString()[0];
    if (c != 'c' && c != 'r' && c != 'u' && c != 'd' && c != 't') return 0;
    if (c != 't' && FindMember(v, "before") == nullptr && FindMember(v, "after") == nullptr) {
      return 0;
    }
    return c;
  }

  static const rapidjson::Value* Lookup(const rapidjson::Value& envelope, const Addition& a) {
    return GetPath(envelope, a.where);
  }

  void AddHeaders(const rapidjson::Value& envelope, RecordContext& record) const {
    for (const Addition& a : headers_) {
      const rapidjson::Value* v = Lookup(envelope, a);
      if (v == nullptr || v->IsNull()) continue;  // a header cannot hold a null
      std::string text;
      if (v->IsString()) {
        text.assign(v->GetString(), v->GetStringLength());
      } else {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
        v->Accept(writer);
        text.assign(buf.GetString(), buf.GetSize());
      }
      record.record().headers.push_back(RecordHeader{a.field, std::move(text)});
    }
  }

  DeleteMode mode_;
  bool drop_tombstones_;
  std::vector<Addition> fields_;
  std::vector<Addition> headers_;
};

bool IsEnvelopeField(const std::string& name) {
  return name == "op" || name == "ts_ms" || name == "ts_us" || name == "ts_ns" ||
         name == "before" || name == "after" || name == "source" || name == "transaction";
}

// Debezium's naming: "source.ts_ms" is the source block's ts_ms; a name that is not a field of
// the envelope itself ("table", "lsn", "db") is looked up in the source block; the field or
// header is the prefix plus the name with dots turned into underscores.
Result<std::vector<Addition>> Additions(const std::vector<std::string>& names,
                                        const std::string& prefix, const char* key) {
  std::vector<Addition> out;
  for (const std::string& name : names) {
    JsonPath path(name);
    if (!path.error().empty())
      return Status::InvalidArgument(std::string(key) + ": " + path.error());
    if (!IsEnvelopeField(path.segments().front())) path = JsonPath("source." + name);
    std::string field = prefix + name;
    for (char& c : field) {
      if (c == '.') c = '_';
    }
    out.push_back(Addition{std::move(path), std::move(field)});
  }
  return out;
}

}  // namespace

void RegisterExtractNewRecordState(TransformRegistry& registry) {
  TransformDescriptor d;
  d.type = "ExtractNewRecordState";
  d.description =
      "Debezium's event flattening: replaces a change event `{before, after, source, op, ts_ms}` "
      "by the row it describes, so sinks see plain rows. Creates, snapshot reads and updates "
      "become `after`; deletes follow `delete.handling.mode`; truncates are dropped. Records "
      "that are not change events (no `op` of c/r/u/d/t with a `before` or `after`) pass through "
      "unchanged; a value that is not valid JSON fails. The key is left as it is.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: ExtractNewRecordState\n"
      "    config:\n"
      "      delete.handling.mode: rewrite   # deletes keep `before` plus __deleted: \"true\"\n"
      "      drop.tombstones: true\n"
      "      add.fields: [op, table, lsn, source.ts_ms]   # -> __op, __table, __lsn, "
      "__source_ts_ms\n"
      "      add.headers: [db]                            # -> header __db\n"
      "```";
  d.schema.Add(Key("delete.handling.mode", ValueType::kString,
                   "What a delete event becomes: `drop` it; `none` or `tombstone`: a record with a "
                   "null value (same key); `rewrite`: the `before` row with `__deleted: \"true\"` "
                   "(and `__deleted: \"false\"` on every other row).")
                   .Default("drop")
                   .OneOf({"drop", "none", "tombstone", "rewrite"}));
  d.schema.Add(Key("drop.tombstones", ValueType::kBool,
                   "Drop records whose value is already null (the tombstones CDC sources emit "
                   "after a delete).")
                   .Default("true"));
  d.schema.Add(Key("add.fields", ValueType::kStringList,
                   "Envelope fields to copy into the row, named prefix + name with dots as "
                   "underscores: op, ts_ms, and source fields such as table, db, schema, lsn, "
                   "source.ts_ms. A field the event lacks is added as null."));
  d.schema.Add(
      Key("add.fields.prefix", ValueType::kString, "Prefix of the added fields.").Default("__"));
  d.schema.Add(Key("add.headers", ValueType::kStringList,
                   "Envelope fields to copy into headers (same names as add.fields; string "
                   "values as they are, others as JSON text; null or absent ones are skipped)."));
  d.schema.Add(
      Key("add.headers.prefix", ValueType::kString, "Prefix of the added headers.").Default("__"));
  d.make = [](const config::BoundConfig& c) -> Result<std::unique_ptr<Transform>> {
    const std::string mode_name = c.GetString("delete.handling.mode");
    const DeleteMode mode = mode_name == "drop"      ? DeleteMode::kDrop
                            : mode_name == "rewrite" ? DeleteMode::kRewrite
                                                     : DeleteMode::kTombstone;
    RC_ASSIGN_OR_RETURN(auto fields, Additions(c.GetStringList("add.fields"),
                                               c.GetString("add.fields.prefix"), "add.fields"));
    RC_ASSIGN_OR_RETURN(auto headers, Additions(c.GetStringList("add.headers"),
                                                c.GetString("add.headers.prefix"), "add.headers"));
    return std::unique_ptr<Transform>(std::make_unique<ExtractNewRecordState>(
        mode, c.GetBool("drop.tombstones"), std::move(fields), std::move(headers)));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven::transforms
