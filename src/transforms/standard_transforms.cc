#include "transforms/standard_transforms.h"

#include "transforms/transform.h"

namespace rivven::transforms {

void RegisterStandardTransforms(TransformRegistry& registry) { (void)registry; }

}  // namespace rivven::transforms
