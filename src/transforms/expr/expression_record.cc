// Expression over a RecordContext: the adapter between the chain's record and RecordView. Kept
// apart from expression.cc so the language links without the transform framework (fuzz target).
#include "transforms/expr/expression.h"

#include "transforms/expr/record_view.h"
#include "transforms/record_context.h"

namespace rivven::transforms {
namespace {

/// Reads a RecordContext lazily: the value and key are parsed only when a path reaches them.
class RecordContextView final : public expr::RecordView {
 public:
  explicit RecordContextView(RecordContext& record) : record_(record) {}

  const rapidjson::Value* Value() override { return record_.Value(); }
  const rapidjson::Value* Key() override { return record_.Key(); }
  std::optional<std::string_view> Header(std::string_view name) override {
    return record_.Header(name);
  }
  std::string_view Topic() override { return record_.topic(); }
  int64_t Partition() override { return record_.partition(); }
  int64_t Offset() override { return record_.offset(); }
  int64_t TimestampMs() override { return record_.record().timestamp_ms; }

 private:
  RecordContext& record_;
};

}  // namespace

bool Expression::Test(RecordContext& record) const {
  RecordContextView view(record);
  return Test(view);
}

std::string Expression::EvaluateToJson(RecordContext& record) const {
  RecordContextView view(record);
  return EvaluateToJson(view);
}

void Expression::EvaluateToDom(RecordContext& record, rapidjson::Value* out) const {
  RecordContextView view(record);
  EvaluateToDom(view, record.allocator(), out);
}

}  // namespace rivven::transforms
