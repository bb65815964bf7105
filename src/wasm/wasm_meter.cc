#include "wasm/wasm_meter.h"

#include <memory>
#include <utility>

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/binary-writer.h>
#include <wabt/cast.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/stream.h>

namespace rivven::wasm {
namespace {

using wabt::cast;
using wabt::Expr;
using wabt::ExprList;
using wabt::ExprType;
using wabt::Index;
using wabt::Location;
using wabt::Var;

/// Shifts function indices at or above `first` by one (the import added before them), and adds
/// a fuel check at the head of every loop when `check` is set.
class Rewriter {
 public:
  Rewriter(Index first_shifted, Index fuel_global, Index refuel_func)
      : first_(first_shifted), fuel_(fuel_global), refuel_(refuel_func) {}

  void Shift(Var& var) const {
    if (var.is_index() && var.index() >= first_) var.set_index(var.index() + 1);
  }

  /// Walks `list` (and the blocks nested in it): shifts function references, then meters
  /// loops when `meter` is set. Inserted checks are added after the walk, so their call to the
  /// new import is never shifted.
  void Walk(ExprList& list, bool meter) const {
    for (Expr& e : list) {
      switch (e.type()) {
        case ExprType::Call:
          Shift(cast<wabt::CallExpr>(&e)->var);
          break;
        case ExprType::ReturnCall:
          Shift(cast<wabt::ReturnCallExpr>(&e)->var);
          break;
        case ExprType::RefFunc:
          Shift(cast<wabt::RefFuncExpr>(&e)->var);
          break;
        case ExprType::Block:
          Walk(cast<wabt::BlockExpr>(&e)->block.exprs, meter);
          break;
        case ExprType::Loop: {
          ExprList& body = cast<wabt::LoopExpr>(&e)->block.exprs;
          Walk(body, meter);
          if (meter) Prepend(body);
          break;
        }
        case ExprType::If: {
          auto* if_expr = cast<wabt::IfExpr>(&e);
          Walk(if_expr->true_.exprs, meter);
          Walk(if_expr->false_, meter);
          break;
        }
        case ExprType::Try: {
          auto* try_expr = cast<wabt::TryExpr>(&e);
          Walk(try_expr->block.exprs, meter);
          for (wabt::Catch& c : try_expr->catches) Walk(c.exprs, meter);
          break;
        }
        default:
          break;
      }
    }
  }

  /// Inserts at the start of `list`:
  ///   fuel -= 1; if (fuel <= 0) fuel = refuel();
  void Prepend(ExprList& list) const {
    ExprList check;
    check.push_back(std::make_unique<wabt::GlobalGetExpr>(Var(fuel_, Location())));
    check.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(1)));
    check.push_back(std::make_unique<wabt::BinaryExpr>(wabt::Opcode::I64Sub));
    check.push_back(std::make_unique<wabt::GlobalSetExpr>(Var(fuel_, Location())));
    check.push_back(std::make_unique<wabt::GlobalGetExpr>(Var(fuel_, Location())));
    check.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
    check.push_back(std::make_unique<wabt::CompareExpr>(wabt::Opcode::I64LeS));
    auto refill = std::make_unique<wabt::IfExpr>();
    refill->true_.exprs.push_back(std::make_unique<wabt::CallExpr>(Var(refuel_, Location())));
    refill->true_.exprs.push_back(std::make_unique<wabt::GlobalSetExpr>(Var(fuel_, Location())));
    check.push_back(std::move(refill));
    list.splice(list.begin(), check);
  }

 private:
  Index first_;
  Index fuel_;
  Index refuel_;
};

}  // namespace

Result<std::string> MeterModule(std::string_view name, std::string_view bytes) {
  wabt::Features features;
  wabt::Errors errors;
  wabt::Module module;
  const wabt::ReadBinaryOptions read_options(features, nullptr, /*read_debug_names=*/false,
                                             /*stop_on_first_error=*/true,
                                             /*fail_on_custom_section_error=*/false);
  if (wabt::Failed(wabt::ReadBinaryIr(std::string(name).c_str(), bytes.data(), bytes.size(),
                                      read_options, &errors, &module))) {
    return Status::InvalidArgument(
        "wasm module " + std::string(name) +
        ": cannot be read: " + wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary));
  }

  // The refuel import's type, appended: type indices do not move.
  auto type_field = std::make_unique<wabt::TypeModuleField>();
  auto func_type = std::make_unique<wabt::FuncType>();
  func_type->sig.result_types.push_back(wabt::Type::I64);
  type_field->type = std::move(func_type);
  const Index type_index = static_cast<Index>(module.types.size());
  module.AppendField(std::move(type_field));

  // The fuel global, appended after every imported and defined global: indices do not move.
  // It starts at 0, so the first check of every call asks the host (which sets the deadline).
  const Index fuel_global = static_cast<Index>(module.globals.size());
  const Index refuel_func = module.num_func_imports;
  const Rewriter rewriter(/*first_shifted=*/refuel_func, fuel_global, refuel_func);

  for (Index i = module.num_func_imports; i < module.funcs.size(); ++i) {
    wabt::Func* func = module.funcs[i];
    rewriter.Walk(func->exprs, /*meter=*/true);
    rewriter.Prepend(func->exprs);
  }
  for (wabt::Global* global : module.globals) rewriter.Walk(global->init_expr, false);
  for (wabt::ElemSegment* segment : module.elem_segments) {
    rewriter.Walk(segment->offset, false);
    for (ExprList& item : segment->elem_exprs) rewriter.Walk(item, false);
  }
  for (wabt::Export* e : module.exports) {
    if (e->kind == wabt::ExternalKind::Func) rewriter.Shift(e->var);
  }
  for (Var* start : module.starts) rewriter.Shift(*start);

  auto global_field = std::make_unique<wabt::GlobalModuleField>();
  global_field->global.type = wabt::Type::I64;
  global_field->global.mutable_ = true;
  global_field->global.init_expr.push_back(std::make_unique<wabt::ConstExpr>(wabt::Const::I64(0)));
  module.AppendField(std::move(global_field));

  // The import goes last among the imports, which makes it function `refuel_func`. Not
  // Module::AppendField: that would put it at the end of the function index space, after the
  // defined functions, which the binary format cannot express.
  auto import = std::make_unique<wabt::FuncImport>();
  import->module_name = std::string(kMeterModule);
  import->field_name = std::string(kMeterField);
  import->func.decl.has_func_type = true;
  import->func.decl.type_var = Var(type_index, Location());
  import->func.decl.sig.result_types.push_back(wabt::Type::I64);
  wabt::Func* import_func = &import->func;
  auto import_field = std::make_unique<wabt::ImportModuleField>(std::move(import));
  module.imports.push_back(import_field->import.get());
  module.funcs.insert(module.funcs.begin() + refuel_func, import_func);
  ++module.num_func_imports;
  module.fields.push_back(std::move(import_field));

  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options;
  write_options.features = features;
  write_options.canonicalize_lebs = true;
  write_options.relocatable = false;
  write_options.write_debug_names = false;
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, &module, write_options))) {
    return Status::Internal("wasm module " + std::string(name) +
                            ": metering: writing the rewritten module failed");
  }
  const std::vector<uint8_t>& out = stream.output_buffer().data;
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

}  // namespace rivven::wasm
