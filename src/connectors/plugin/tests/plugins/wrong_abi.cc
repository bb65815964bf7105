// A test plugin built for a future plugin ABI: the host may read only abi_version from it.
#include <cstdint>

namespace {
struct FutureTable {
  uint32_t abi_version;
  uint32_t something_else;
};
const FutureTable kTable = {99, 0};
}  // namespace

extern "C" __attribute__((visibility("default"))) const void* rivven_plugin_entry() {
  return &kTable;
}
