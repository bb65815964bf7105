// A transform plugin: upper-cases the record's value (ASCII letters; the bytes are not parsed,
// so JSON keys are upper-cased too unless `only_after` names a marker: then only the text after
// its first occurrence is). Records whose value contains `drop_if` are dropped.
//
//   g++ -std=c++17 -shared -fPIC -I include examples/plugins/uppercase_transform.cc -o uppercase_transform.so
#include <cctype>
#include <string>

#include <rivven/plugin.hpp>

class UppercaseTransform : public rivven::plugin::Transform {
 public:
  UppercaseTransform(const rivven::plugin::Config& config, rivven::plugin::Host&)
      : only_after_(config.GetString("only_after", "")), drop_if_(config.GetString("drop_if", "")) {}

  std::optional<rivven::plugin::Record> Apply(rivven::plugin::Record record) override {
    if (!record.value) return record;  // tombstones pass through
    std::string& v = *record.value;
    if (!drop_if_.empty() && v.find(drop_if_) != std::string::npos) return std::nullopt;
    size_t from = 0;
    if (!only_after_.empty()) {
      const size_t at = v.find(only_after_);
      from = at == std::string::npos ? v.size() : at + only_after_.size();
    }
    for (size_t i = from; i < v.size(); ++i) {
      v[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[i])));
    }
    record.headers.push_back({"uppercased", "true"});
    return record;
  }

 private:
  std::string only_after_;
  std::string drop_if_;
};

RIVVEN_PLUGIN(UppercaseTransform)
