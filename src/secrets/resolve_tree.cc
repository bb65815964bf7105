#include "secrets/resolve_tree.h"

#include "base/log.h"
#include "secrets/resolver.h"

namespace rivven::secrets {

void ResolveTree(config::Node* node, const std::string& path, Allowed allowed, Resolver& resolver,
                 config::Diagnostics* diags, std::vector<SecretUse>* uses) {
  switch (node->kind) {
    case config::Node::Kind::kNull:
      return;
    case config::Node::Kind::kSequence:
      for (size_t i = 0; i < node->items.size(); ++i) {
        ResolveTree(&node->items[i], config::IndexPath(path, i), allowed, resolver, diags, uses);
      }
      return;
    case config::Node::Kind::kMap:
      for (auto& [key, value] : node->entries) {
        ResolveTree(&value, config::JoinPath(path, key), allowed, resolver, diags, uses);
      }
      return;
    case config::Node::Kind::kScalar:
      break;
  }
  Result<std::optional<Reference>> parsed = ParseReference(node->scalar);
  if (!parsed.ok()) {
    diags->Add(path, node->mark, parsed.status().message());
    return;
  }
  if (!parsed->has_value()) return;
  const Reference& ref = **parsed;
  if (allowed == Allowed::kEnvAndFile && ref.kind == Reference::Kind::kVault) {
    diags->Add(path, node->mark,
               "secret reference '" + ref.text +
                   "': the secrets block cannot read from Vault (it says how to reach Vault); "
                   "use env: or file: here");
    return;
  }
  Result<Secret> value = resolver.Resolve(ref);
  if (!value.ok()) {
    diags->Add(path, node->mark, value.status().message());
    return;
  }
  node->scalar = value->Reveal();
  node->from_variable = true;  // its value is not written in the file (plaintext_check.h)
  log::Debug("secrets", "{}: resolved {}", path, ref.text);
  if (uses != nullptr) uses->push_back({path, node->mark, ref});
}

}  // namespace rivven::secrets
