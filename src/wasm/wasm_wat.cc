#include "wasm/wasm_wat.h"

#include <memory>

#include <wabt/binary-writer.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/wast-lexer.h>
#include <wabt/wast-parser.h>

namespace rivven::wasm {

Result<std::string> WatToWasm(std::string_view name, std::string_view text) {
  const wabt::Features features;
  wabt::Errors errors;
  std::unique_ptr<wabt::WastLexer> lexer =
      wabt::WastLexer::CreateBufferLexer(name, text.data(), text.size(), &errors);
  std::unique_ptr<wabt::Module> module;
  wabt::WastParseOptions options(features);
  if (wabt::Failed(wabt::ParseWatModule(lexer.get(), &module, &errors, &options))) {
    std::string message = wabt::FormatErrorsToString(errors, wabt::Location::Type::Text);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return Status::InvalidArgument("wasm module " + std::string(name) +
                                   ": invalid WebAssembly text: " + message);
  }
  wabt::MemoryStream stream;
  wabt::WriteBinaryOptions write_options;
  write_options.features = features;
  if (wabt::Failed(wabt::WriteBinaryModule(&stream, module.get(), write_options))) {
    return Status::InvalidArgument("wasm module " + std::string(name) +
                                   ": cannot encode the text as a binary module");
  }
  const std::vector<uint8_t>& out = stream.output_buffer().data;
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

}  // namespace rivven::wasm
