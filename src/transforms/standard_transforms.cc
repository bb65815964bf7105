#include "transforms/standard_transforms.h"

#include "transforms/cast.h"
#include "transforms/drop.h"
#include "transforms/drop_headers.h"
#include "transforms/event_router.h"
#include "transforms/extract_field.h"
#include "transforms/flatten.h"
#include "transforms/header_from.h"
#include "transforms/hoist_field.h"
#include "transforms/insert_header.h"
#include "transforms/regex_router.h"
#include "transforms/set_null.h"
#include "transforms/timestamp_converter.h"
#include "transforms/timestamp_router.h"
#include "transforms/transform.h"
#include "transforms/value_to_key.h"

namespace rivven::transforms {

void RegisterStandardTransforms(TransformRegistry& registry) {
  RegisterValueToKey(registry);
  RegisterExtractField(registry);
  RegisterHoistField(registry);
  RegisterFlatten(registry);
  RegisterCast(registry);
  RegisterTimestampConverter(registry);
  RegisterRegexRouter(registry);
  RegisterTimestampRouter(registry);
  RegisterInsertHeader(registry);
  RegisterDropHeaders(registry);
  RegisterHeaderFrom(registry);
  RegisterSetNull(registry);
  RegisterDrop(registry);
  RegisterEventRouter(registry);
}

}  // namespace rivven::transforms
