// Fuzz target of the Airbyte protocol (src/connectors/airbyte/airbyte_protocol.h): every line of
// the input is read as a line a source prints on stdout. Each must parse or fail with
// InvalidArgument and a reason — never crash. A RECORD's data (and key) is compact JSON; a STATE
// applies to the state store or is refused, and the store's checkpoint always reads back as the
// same store; a CATALOG builds the configured catalog and describes its streams or says why not.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "connectors/airbyte/airbyte_protocol.h"

namespace {

using namespace rivven::airbyte;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  Check(!doc.HasParseError());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  PrimaryKeys keys;
  keys[StreamId{"users", ""}] = {{"id"}};
  keys[StreamId{"orders", "shop"}] = {{"id"}, {"customer", "id"}};
  StateStore state;
  for (int lines = 0; !input.empty() && lines < 1000; ++lines) {
    const size_t eol = input.find('\n');
    const std::string line(input.substr(0, eol));  // exact-size heap copy: ASan sees over-reads
    input.remove_prefix(eol == std::string_view::npos ? input.size() : eol + 1);

    rivven::Result<Message> m = ParseMessage(line, &keys);
    if (!m.ok()) {
      Check(m.status().code() == rivven::StatusCode::kInvalidArgument);
      Check(!m.status().message().empty());
      continue;
    }
    switch (m->type) {
      case MessageType::kRecord:
        CheckJson(m->data);
        if (m->key) CheckJson(*m->key);
        break;
      case MessageType::kState: {
        CheckJson(m->state);
        const rivven::Status applied = state.Apply(m->state);
        if (!applied.ok()) Check(!applied.message().empty());
        const std::string checkpoint = state.ToCheckpoint();
        CheckJson(checkpoint);
        rivven::Result<StateStore> restored = StateStore::FromCheckpoint(checkpoint);
        Check(restored.ok() && restored->ToCheckpoint() == checkpoint);
        if (auto file = state.FileText()) CheckJson(*file);
        break;
      }
      case MessageType::kTrace:
        (void)TraceError(*m);
        break;
      case MessageType::kCatalog: {
        CheckJson(m->payload);
        rivven::Result<ConfiguredCatalog> all = BuildConfiguredCatalog(m->payload, {});
        if (all.ok()) CheckJson(all->json);
        rivven::Result<ConfiguredCatalog> some =
            BuildConfiguredCatalog(m->payload, {StreamSelection{"users", "incremental", {"updated_at"}},
                                                StreamSelection{"orders", "full_refresh", {}}});
        if (some.ok()) CheckJson(some->json);
        if (!some.ok()) Check(!some.status().message().empty());
        (void)DescribeStreams(m->payload);
        break;
      }
      default:
        break;
    }
  }
  // Any bytes as a checkpoint: a store or a Corruption error.
  rivven::Result<StateStore> any = StateStore::FromCheckpoint(
      std::string(reinterpret_cast<const char*>(data), size));
  if (!any.ok()) Check(any.status().code() == rivven::StatusCode::kCorruption);
  return 0;
}
