#include "transforms/regex_router.h"

#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "transforms/record_context.h"
#include "transforms/standard_support.h"

namespace rivven::transforms {
namespace {

constexpr std::string_view kInvalidRegex = "invalid regex";

// Java and newer RE2 write a named group `(?<name>...)`; the RE2 this builds against knows only
// `(?P<name>...)`. Escapes and character classes are skipped so `\(?<` and `[(?<]` stay as they
// are.
std::string JavaNamedGroupsToRe2(std::string_view regex) {
  std::string out;
  out.reserve(regex.size() + 8);
  bool in_class = false;
  for (size_t i = 0; i < regex.size(); ++i) {
    const char c = regex[i];
    if (c == '\\' && i + 1 < regex.size()) {
      out.push_back(c);
      out.push_back(regex[++i]);
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      if (i + 1 < regex.size() && regex[i + 1] == '^') out.push_back(regex[++i]);
      if (i + 1 < regex.size() && regex[i + 1] == ']') out.push_back(regex[++i]);
      continue;
    }
    if (regex.substr(i, 3) == "(?<" && i + 3 < regex.size() && regex[i + 3] != '=' &&
        regex[i + 3] != '!') {
      out += "(?P<";
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct RegexRewrite::Impl {
  struct Piece {
    std::string literal;
    int group = -1;  ///< >= 0: insert this group
  };
  std::unique_ptr<RE2> re;
  std::vector<Piece> pieces;
  int groups = 0;
};

RegexRewrite::RegexRewrite() = default;
RegexRewrite::~RegexRewrite() = default;
RegexRewrite::RegexRewrite(RegexRewrite&&) noexcept = default;
RegexRewrite& RegexRewrite::operator=(RegexRewrite&&) noexcept = default;

Result<RegexRewrite> RegexRewrite::Compile(std::string_view regex, std::string_view replacement) {
  auto impl = std::make_unique<Impl>();
  RE2::Options options;
  options.set_log_errors(false);
  impl->re = std::make_unique<RE2>(JavaNamedGroupsToRe2(regex), options);
  if (!impl->re->ok()) {
    return Status::InvalidArgument(std::string(kInvalidRegex) + " '" + std::string(regex) +
                                   "': " + impl->re->error());
  }
  impl->groups = impl->re->NumberOfCapturingGroups();
  const std::map<std::string, int>& named = impl->re->NamedCapturingGroups();
  const auto literal = [&](char c) {
    if (impl->pieces.empty() || impl->pieces.back().group >= 0) impl->pieces.push_back({});
    impl->pieces.back().literal.push_back(c);
  };
  const std::string where = " in replacement '" + std::string(replacement) + "'";
  for (size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c == '\\') {
      if (i + 1 == replacement.size()) {
        return Status::InvalidArgument("a trailing backslash escapes nothing" + where);
      }
      literal(replacement[++i]);
      continue;
    }
    if (c != '$') {
      literal(c);
      continue;
    }
    if (i + 1 < replacement.size() && replacement[i + 1] == '{') {
      const size_t close = replacement.find('}', i + 2);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument("unterminated ${" + where);
      }
      const std::string name(replacement.substr(i + 2, close - i - 2));
      const auto it = named.find(name);
      if (it == named.end()) {
        return Status::InvalidArgument("no group named '" + name + "' in regex '" +
                                       std::string(regex) + "'" + where);
      }
      impl->pieces.push_back(Impl::Piece{{}, it->second});
      i = close;
      continue;
    }
    if (i + 1 >= replacement.size() ||
        !std::isdigit(static_cast<unsigned char>(replacement[i + 1]))) {
      return Status::InvalidArgument(
          "'$' must be followed by a group number or {name} (write "
          "\\$ for a dollar sign)" +
          where);
    }
    // Java: the first digit is always the group; more digits join while the group exists.
    int group = replacement[++i] - '0';
    if (group > impl->groups) {
      return Status::InvalidArgument("no group " + std::to_string(group) + " in regex '" +
                                     std::string(regex) + "'" + where);
    }
    while (i + 1 < replacement.size() &&
           std::isdigit(static_cast<unsigned char>(replacement[i + 1])) &&
           group * 10 + (replacement[i + 1] - '0') <= impl->groups) {
      group = group * 10 + (replacement[++i] - '0');
    }
    impl->pieces.push_back(Impl::Piece{{}, group});
  }
  RegexRewrite r;
  r.impl_ = std::move(impl);
  return r;
}

bool RegexRewrite::IsRegexError(const Status& error) {
  return error.message().compare(0, kInvalidRegex.size(), kInvalidRegex) == 0;
}

std::optional<std::string> RegexRewrite::Rewrite(std::string_view text) const {
  std::vector<re2::StringPiece> groups(static_cast<size_t>(impl_->groups) + 1);
  if (!impl_->re->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                        RE2::ANCHOR_BOTH, groups.data(), static_cast<int>(groups.size()))) {
    return std::nullopt;
  }
  std::string out;
  for (const Impl::Piece& p : impl_->pieces) {
    if (p.group < 0) {
      out += p.literal;
    } else if (const re2::StringPiece& g = groups[static_cast<size_t>(p.group)]; g.data()) {
      out.append(g.data(), g.size());
    }
  }
  return out;
}

std::optional<std::string> RegexRewrite::ConstantResult() const {
  std::string out;
  for (const Impl::Piece& p : impl_->pieces) {
    if (p.group >= 0) return std::nullopt;
    out += p.literal;
  }
  return out;
}

namespace {

/// Renames matching topics. Built once from config; Apply runs on the chain's thread.
class RegexRouter final : public Transform {
 public:
  explicit RegexRouter(RegexRewrite rewrite) : rewrite_(std::move(rewrite)) {}

  Result<Outcome> Apply(RecordContext& record) override {
    std::optional<std::string> topic = rewrite_.Rewrite(record.topic());
    if (!topic) return Outcome::kKeep;  // not matching: the topic stays
    Status valid = CheckTopicName(*topic);
    if (!valid.ok()) {
      return Status::InvalidArgument("RegexRouter: topic '" + std::string(record.topic()) +
                                     "' rewrites to an " + valid.message());
    }
    record.set_topic(std::move(*topic));
    return Outcome::kKeep;
  }

  std::vector<std::string> Topics() const override {
    if (auto constant = rewrite_.ConstantResult()) return {*constant};
    return {};
  }

 private:
  RegexRewrite rewrite_;
};

}  // namespace

TransformDescriptor RegexRouterDescriptor() {
  TransformDescriptor d;
  d.type = "RegexRouter";
  d.description =
      "Routes records to another topic by rewriting the topic name (Kafka Connect's "
      "RegexRouter): when the whole topic matches `regex` (RE2 syntax; `(?<name>...)` "
      "groups work) it becomes `replacement`, where $1 / ${name} insert groups as in Java "
      "(in YAML write $${name}: ${NAME} there is an environment variable) and \\$ is a dollar "
      "sign. Other topics are left alone. A rewrite that is not a valid "
      "topic name (1-249 of [a-zA-Z0-9._-]) fails the record.\n\n"
      "```yaml\n"
      "transforms:\n"
      "  - type: RegexRouter\n"
      "    config:\n"
      "      regex: \"dbserver1\\\\.inventory\\\\.(.*)\"   # dbserver1.inventory.orders\n"
      "      replacement: \"cdc.$1\"                     # -> cdc.orders\n"
      "```";
  d.schema.Add(config::Key("regex", config::ValueType::kString,
                           "RE2 pattern the whole topic name must match.")
                   .Required());
  d.schema.Add(config::Key("replacement", config::ValueType::kString,
                           "The new topic name; $1 or ${name} insert a group of the match.")
                   .Required());
  d.make = [](const config::BoundConfig& bound) -> Result<std::unique_ptr<Transform>> {
    auto rewrite = RegexRewrite::Compile(bound.GetString("regex"), bound.GetString("replacement"));
    if (!rewrite.ok()) {
      return rewrite.status().WithContext(
          RegexRewrite::IsRegexError(rewrite.status()) ? "regex" : "replacement");
    }
    return std::unique_ptr<Transform>(std::make_unique<RegexRouter>(std::move(rewrite).value()));
  };
  return d;
}

void RegisterRegexRouter(TransformRegistry& registry) { registry.Add(RegexRouterDescriptor()); }

}  // namespace rivven::transforms
