// Times a transform chain on one core over a JSON Lines file held in memory:
//   transform_chain_bench CHAIN.yaml INPUT.jsonl [OUTPUT.jsonl]
// CHAIN.yaml holds a `transforms:` list as in a pipeline file. Prints records/s (in and kept),
// and writes the transformed records when OUTPUT is given (to compare with other tools).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "transforms/chain.h"

namespace {

std::string Slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rivven;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s CHAIN.yaml INPUT.jsonl [OUTPUT.jsonl]\n", argv[0]);
    return 2;
  }
  config::Diagnostics diags(argv[1]);
  auto root = config::ParseYaml(Slurp(argv[1]), config::ProcessEnv(), &diags);
  const config::Node* list = root ? root->Find("transforms") : nullptr;
  if (list == nullptr || !list->IsSequence()) {
    std::fprintf(stderr, "%s: expected a `transforms:` list\n%s", argv[1], diags.Format().c_str());
    return 2;
  }
  auto chain = transforms::TransformChain::Build(list->items, "transforms", &diags);
  if (!diags.empty()) {
    std::fputs(diags.Format().c_str(), stderr);
    return 2;
  }

  const std::string input = Slurp(argv[2]);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < input.size();) {
    size_t end = input.find('\n', pos);
    if (end == std::string::npos) end = input.size();
    if (end > pos) lines.emplace_back(input, pos, end - pos);
    pos = end + 1;
  }

  // Batches as the runners see them; record construction is outside the timed region.
  constexpr size_t kBatch = 8192;
  std::vector<std::vector<Record>> batches;
  for (size_t i = 0; i < lines.size(); i += kBatch) {
    std::vector<Record> batch;
    for (size_t j = i; j < std::min(lines.size(), i + kBatch); ++j) {
      Record r;
      r.value = std::move(lines[j]);
      batch.push_back(std::move(r));
    }
    batches.push_back(std::move(batch));
  }

  // As in the runners, a batch is transformed, handed on and released before the next one: the
  // output is copied out and the batch freed outside the timed region.
  size_t kept = 0, failed = 0;
  std::vector<transforms::TransformChain::Failure> failures;
  std::vector<Record> rejected;
  std::string output;
  output.reserve(input.size() * 2);
  std::chrono::steady_clock::duration elapsed{};
  for (auto& batch : batches) {
    failures.clear();
    rejected.clear();
    const auto t0 = std::chrono::steady_clock::now();
    chain.Apply(batch, "orders", &failures, &rejected);
    elapsed += std::chrono::steady_clock::now() - t0;
    kept += batch.size();
    failed += failures.size();
    for (const auto& r : batch) {
      output += r.value ? *r.value : "null";
      output += '\n';
    }
    std::vector<Record>().swap(batch);
  }
  const double secs = std::chrono::duration<double>(elapsed).count();
  std::printf("records=%zu kept=%zu failed=%zu seconds=%.3f records_per_second=%.0f\n",
              lines.size(), kept, failed, secs, static_cast<double>(lines.size()) / secs);

  if (argc > 3) {
    std::ofstream out(argv[3], std::ios::binary);
    out << output;
  }
  return 0;
}
