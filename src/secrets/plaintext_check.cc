#include "secrets/plaintext_check.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include "base/log.h"
#include "base/redaction.h"
#include "config/diagnostics.h"
#include "config/pipeline_config.h"
#include "config/schema.h"
#include "secrets/vault_settings.h"

namespace rivven::secrets {
namespace {

void ScanBlock(const config::Schema& schema, const config::Node* block, const std::string& path,
               std::vector<std::string>* plaintext);

void ScanKey(const config::KeySpec& spec, const config::Node& value, const std::string& path,
             std::vector<std::string>* plaintext) {
  if (spec.type == config::ValueType::kObject) {
    config::Schema children;
    for (const config::KeySpec& child : spec.children) children.Add(child);
    ScanBlock(children, &value, path, plaintext);
    return;
  }
  if (!spec.secret || !value.IsScalar() || value.scalar.empty()) return;
  if (value.from_variable) {
    // From ${VAR} or a reference: not in the file, so masked everywhere. A value written in the
    // file is not registered: whoever reads the logs can read it there, and a weak dev password
    // ("rivven", "postgres") would otherwise mask ordinary words in every line.
    redaction::RegisterSecret(value.scalar);
  } else {
    plaintext->push_back(path);
  }
}

void ScanBlock(const config::Schema& schema, const config::Node* block, const std::string& path,
               std::vector<std::string>* plaintext) {
  if (block == nullptr || !block->IsMap()) return;
  for (const auto& [key, value] : block->entries) {
    if (const config::KeySpec* spec = schema.Find(key)) {
      ScanKey(*spec, value, config::JoinPath(path, key), plaintext);
    }
  }
}

void ScanSection(const config::Node& root, std::string_view section, const SchemaLookup& lookup,
                 std::vector<std::string>* plaintext) {
  const config::Node* entries = root.Find(section);
  if (entries == nullptr || !entries->IsMap()) return;
  for (const auto& [name, entry] : entries->entries) {
    const config::Node* connector = entry.Find("connector");
    if (connector == nullptr || !connector->IsScalar()) continue;
    const config::Schema* schema = lookup(section, connector->scalar);
    if (schema == nullptr) continue;
    const std::string path = std::string(section) + "." + name + ".config";
    ScanBlock(*schema, entry.Find("config"), path, plaintext);
  }
}

}  // namespace

std::vector<std::string> ScanSecretKeys(const config::Node& root, const SchemaLookup& lookup) {
  std::vector<std::string> plaintext;
  ScanBlock(config::PipelineFileSchema(), &root, "", &plaintext);
  const config::Node* secrets = root.Find("secrets");
  const config::Node* provider = secrets != nullptr ? secrets->Find("provider") : nullptr;
  if (provider != nullptr && provider->IsScalar() && provider->scalar == "vault") {
    ScanBlock(VaultSettingsSchema(), secrets->Find("config"), "secrets.config", &plaintext);
  }
  ScanSection(root, "sources", lookup, &plaintext);
  ScanSection(root, "sinks", lookup, &plaintext);
  return plaintext;
}

bool WarnIfReadableWithPlaintextSecrets(const std::string& file,
                                        const std::vector<std::string>& plaintext_keys) {
  if (plaintext_keys.empty()) return false;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;
  if ((st.st_mode & (S_IRGRP | S_IROTH)) == 0) return false;
  std::string keys;
  for (const std::string& k : plaintext_keys) keys += (keys.empty() ? "" : ", ") + k;
  log::Warn("config",
            "{} has mode {:04o}, so its group or other users can read it, and it holds secrets in "
            "plain text: {}. Restrict it (chmod 600 {}) or write those values as env:, file: or "
            "vault: references",
            file, st.st_mode & 07777, keys, file);
  return true;
}

}  // namespace rivven::secrets
