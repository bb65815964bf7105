#include "postgres_pipeline_fixture.h"

namespace rivven::testing {

}  // namespace rivven::testing
