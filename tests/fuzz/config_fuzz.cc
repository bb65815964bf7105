// Fuzz target of pipeline configuration loading (src/config): any text, read as a pipeline YAML
// file with `${VAR}` references resolved against a fixed environment, must parse and validate
// or report diagnostics — never crash, hang or exhaust memory (anchors and aliases included).
// Every diagnostic names a place and a reason, the formatted report is one line per problem,
// and the parsed tree converts to valid JSON. The text is also given to ExpandVariables as one
// scalar value.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "config/diagnostics.h"
#include "config/node_json.h"
#include "config/pipeline_config.h"
#include "config/variables.h"

namespace {

using namespace rivven::config;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

std::optional<std::string> FixedEnv(const std::string& name) {
  if (name == "HOME") return "/home/rivven";
  if (name == "EMPTY") return "";
  if (name == "PORT") return "8080";
  if (name == "NESTED") return "${HOME}";  // values are not expanded again
  if (name == "MULTI") return "a: b\nc: [d";
  return std::nullopt;
}

// Lines that do not start with a space: each must be a problem's first line.
size_t CountProblemLines(const std::string& text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((i == 0 || text[i - 1] == '\n') && text[i] != ' ') ++n;
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const EnvLookup env = FixedEnv;

  std::vector<std::string> errors;
  const std::string expanded = ExpandVariables(text, env, &errors);
  for (const std::string& e : errors) Check(!e.empty());
  // Without a reference the value is unchanged.
  if (text.find('$') == std::string::npos) Check(expanded == text && errors.empty());

  Diagnostics diags("fuzz.yaml");
  std::optional<Node> root = ParseYaml(text, env, &diags);
  if (root) {
    const std::string json = NodeToJson(*root);
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    Check(!doc.HasParseError());
    (void)ReadPipelineConfig(*root, &diags);
  } else {
    Check(!diags.empty());
  }
  for (const Diagnostic& d : diags.items()) Check(!d.message.empty());
  const std::string report = diags.Format();
  // One line per problem, plus indented lines (an expression under a caret) that cannot pass
  // for a problem: no file content starts a line of its own, whatever the keys and values hold.
  Check(CountProblemLines(report) == diags.size());
  return 0;
}
