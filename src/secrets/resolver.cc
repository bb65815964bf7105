#include "secrets/resolver.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/redaction.h"

namespace rivven::secrets {
namespace {

// A secret file is read whole; this bounds a reference that names a large file by mistake.
constexpr size_t kMaxFileBytes = 1 << 20;

Status RefError(const Reference& ref, const std::string& why, Disposition d = Disposition::kFatal) {
  return Status::Error(StatusCode::kInvalidArgument, "secret reference '" + ref.text + "': " + why,
                       d);
}

Result<std::string> ReadSecretFile(const Reference& ref) {
  std::FILE* f = std::fopen(ref.path.c_str(), "rb");
  if (f == nullptr) {
    return RefError(ref, "cannot read '" + ref.path + "': " + std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  size_t n;
  bool too_big = false;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxFileBytes) {
      too_big = true;
      break;
    }
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return RefError(ref, "cannot read '" + ref.path + "': " + std::strerror(err));
  if (too_big) return RefError(ref, "'" + ref.path + "' is larger than 1 MiB");
  // Files written by editors, `echo` and Docker/Kubernetes secrets end with a line break that is
  // not part of the secret.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

Resolver::Resolver(config::EnvLookup env, std::unique_ptr<vault::VaultClient> vault,
                   std::string no_vault_reason)
    : env_(std::move(env)),
      vault_(std::move(vault)),
      no_vault_reason_(std::move(no_vault_reason)) {}

Resolver::~Resolver() = default;

Result<Secret> Resolver::Resolve(const Reference& ref) {
  std::string value;
  switch (ref.kind) {
    case Reference::Kind::kEnv: {
      std::optional<std::string> v = env_(ref.path);
      if (!v) return RefError(ref, "environment variable '" + ref.path + "' is not set");
      value = std::move(*v);
      break;
    }
    case Reference::Kind::kFile: {
      RC_ASSIGN_OR_RETURN(value, ReadSecretFile(ref));
      break;
    }
    case Reference::Kind::kVault:
      return ResolveVault(ref);
  }
  redaction::RegisterSecret(value);
  return Secret(std::move(value));
}

Status Resolver::EnsureLoggedIn() {
  if (!login_) login_ = vault_->Login();
  return *login_;
}

Result<Secret> Resolver::ResolveVault(const Reference& ref) {
  if (vault_ == nullptr) return RefError(ref, no_vault_reason_);
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = EnsureLoggedIn(); !s.ok()) {
    return RefError(ref, s.message(), s.disposition());
  }
  auto it = paths_.find(ref.path);
  if (it == paths_.end()) {
    PathRead read;
    read.secret = vault_->Read(ref.path);
    read.read_at = std::chrono::steady_clock::now();
    it = paths_.emplace(ref.path, std::move(read)).first;
  }
  const Result<vault::KvSecret>& secret = it->second.secret;
  if (!secret.ok()) {
    return RefError(ref, secret.status().message(), secret.status().disposition());
  }
  const auto value = secret->data.find(ref.key);
  if (value == secret->data.end()) {
    std::string keys;
    for (const auto& [k, v] : secret->data) keys += (keys.empty() ? "" : ", ") + k;
    return RefError(ref, "the secret at '" + ref.path + "' has no key '" + ref.key + "'" +
                             (keys.empty() ? " (it has no keys)" : " (its keys: " + keys + ")"));
  }
  redaction::RegisterSecret(value->second);
  Secret out(value->second);
  resolved_[ref] = out;
  return out;
}

std::vector<Resolver::Lease> Resolver::Leases() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Lease> out;
  for (const auto& [path, read] : paths_) {
    if (read.secret.ok() && read.secret->lease_duration_seconds > 0) {
      out.push_back(
          {path, read.read_at, std::chrono::seconds(read.secret->lease_duration_seconds)});
    }
  }
  return out;
}

Result<std::vector<Reference>> Resolver::Refresh(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<vault::KvSecret> fresh = vault_->Read(path);
  if (!fresh.ok()) return fresh.status();
  std::vector<Reference> changed;
  for (auto& [ref, secret] : resolved_) {
    if (ref.path != path) continue;
    const auto value = fresh->data.find(ref.key);
    if (value == fresh->data.end()) continue;  // kept: a key that vanished keeps its old value
    if (value->second != secret.Reveal()) {
      redaction::RegisterSecret(value->second);
      secret = Secret(value->second);
      changed.push_back(ref);
    }
  }
  PathRead& read = paths_[path];
  read.secret = std::move(fresh);
  read.read_at = std::chrono::steady_clock::now();
  return changed;
}

}  // namespace rivven::secrets
