// A main for fuzz targets built without libFuzzer: runs LLVMFuzzerTestOneInput over seed inputs
// and then over deterministic mutations of them, so every compiler's CI build exercises the
// target (with the sanitizers when the build has them).
//
//   <target>_replay [--mutations N] [--seed S] [--dict FILE] PATH...
//
// PATH is a file or a directory of files (not recursive). Mutations flip, insert, delete and
// duplicate bytes, insert dictionary tokens (libFuzzer's -dict format: one "token" per line)
// and splice two inputs. On a crash the input is written to stderr before the process dies.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

const std::string* g_current = nullptr;

void WriteAll(const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(STDERR_FILENO, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

/// Async-signal-safe: only write(2) and the input already in memory.
void OnCrash(int sig) {
  static const char kHead[] =
      "\n==== fuzz replay: crashed on this input (between the markers) ====\n";
  static const char kTail[] = "\n==== end of input ====\n";
  WriteAll(kHead, sizeof kHead - 1);
  if (g_current != nullptr) WriteAll(g_current->data(), g_current->size());
  WriteAll(kTail, sizeof kTail - 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void Run(const std::string& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  g_current = nullptr;
}

/// One token of a libFuzzer dictionary line: name="token" or "token", with \\, \" and \xNN.
bool ParseDictLine(const std::string& line, std::string* token) {
  const size_t open = line.find('"');
  const size_t close = line.rfind('"');
  if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open) return false;
  token->clear();
  for (size_t k = open + 1; k < close; ++k) {
    if (line[k] != '\\' || k + 1 >= close) {
      token->push_back(line[k]);
    } else if (line[k + 1] == 'x' && k + 3 < close) {
      token->push_back(static_cast<char>(std::strtol(line.substr(k + 2, 2).c_str(), nullptr, 16)));
      k += 3;
    } else {
      token->push_back(line[++k]);
    }
  }
  return true;
}

std::string Mutate(const std::vector<std::string>& inputs, const std::vector<std::string>& dict,
                   std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  std::string s = inputs[pick(inputs.size())];
  const int steps = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < steps; ++i) {
    const size_t at = pick(s.size() + 1);
    switch (pick(7)) {
      case 0:  // replace a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 1:  // insert a byte
        s.insert(at, 1, static_cast<char>(rng()));
        break;
      case 2:  // delete a range
        if (!s.empty()) s.erase(pick(s.size()), 1 + pick(8));
        break;
      case 3:  // duplicate a range
        if (!s.empty()) {
          const size_t from = pick(s.size());
          s.insert(at, s.substr(from, 1 + pick(16)));
        }
        break;
      case 4:  // splice with another input
      {
        const std::string& other = inputs[pick(inputs.size())];
        s = s.substr(0, at) + other.substr(pick(other.size() + 1));
        break;
      }
      default:  // insert a dictionary token
        if (!dict.empty()) s.insert(at, dict[pick(dict.size())]);
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0;
  uint64_t seed = 1;
  std::vector<std::string> dict;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--mutations" || arg == "--seed" || arg == "--dict") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (arg == "--mutations") mutations = std::strtol(v.c_str(), nullptr, 10);
      if (arg == "--seed") seed = std::strtoull(v.c_str(), nullptr, 10);
      if (arg == "--dict") {
        std::ifstream in(v);
        if (!in) {
          std::cerr << "cannot read dictionary " << v << "\n";
          return 2;
        }
        std::string line, token;
        while (std::getline(in, line)) {
          if (ParseDictLine(line, &token)) dict.push_back(token);
        }
      }
      continue;
    }
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // deterministic order
    } else {
      files.emplace_back(arg);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        std::cerr << "cannot read " << f << "\n";
        return 2;
      }
      std::ostringstream content;
      content << in.rdbuf();
      inputs.push_back(content.str());
    }
  }
  if (inputs.empty()) {
    std::cerr << "usage: " << argv[0] << " [--mutations N] [--seed S] [--dict FILE] PATH...\n";
    return 2;
  }
  for (int sig : {SIGSEGV, SIGABRT, SIGILL, SIGFPE, SIGBUS, SIGTRAP}) std::signal(sig, OnCrash);

  for (const auto& input : inputs) Run(input);
  std::mt19937_64 rng(seed);
  for (long k = 0; k < mutations; ++k) Run(Mutate(inputs, dict, rng));
  std::cout << "replayed " << inputs.size() << " inputs and " << mutations << " mutations (seed "
            << seed << ", " << dict.size() << " dictionary tokens)\n";
  return 0;
}
