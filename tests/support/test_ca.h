#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace rivven::testing {

/// A throwaway certificate authority for TLS tests, made by the openssl command (EC P-256 keys,
/// valid one day) in a temporary directory of its own that goes away with the object. It holds:
/// - the CA (`ca_path`, `ca_key_path`);
/// - a server certificate naming DNS:localhost and IP:127.0.0.1 (`server_cert_path`/`key`);
/// - optionally a client certificate, CN=rivven (`client_cert_path`/`key`);
/// - a second, unrelated CA that signed nothing here (`other_ca_path`);
/// - a server certificate signed by the CA that names only DNS:wrong-host.invalid
///   (`wrong_host_cert_path`/`key`), for host name checks.
/// `Issue` signs more server certificates. Immutable after `Make`; any thread may read it.
class TestCa {
 public:
  struct Options {
    bool client_certificate = false;
  };
  /// The subjectAltName of the server certificate and of the wrong-host one.
  static constexpr char kServerNames[] = "DNS:localhost,IP:127.0.0.1";
  static constexpr char kWrongHost[] = "wrong-host.invalid";

  /// Makes every file; nullptr and `*error` (the openssl command and its output) on failure.
  static std::unique_ptr<TestCa> Make(const Options& options, std::string* error);

  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  /// Signs a server certificate `<name>.crt` with key `<name>.key` for `subject_alt_name`
  /// (e.g. "DNS:localhost"). Returns "" or what failed.
  std::string Issue(const std::string& name, const std::string& subject_alt_name) const;

  const std::string& dir() const { return dir_.path(); }
  std::string ca_path() const { return dir_ / "ca.crt"; }
  std::string ca_key_path() const { return dir_ / "ca.key"; }
  std::string server_cert_path() const { return dir_ / "server.crt"; }
  std::string server_key_path() const { return dir_ / "server.key"; }
  std::string client_cert_path() const { return dir_ / "client.crt"; }
  std::string client_key_path() const { return dir_ / "client.key"; }
  std::string other_ca_path() const { return dir_ / "other-ca.crt"; }
  std::string wrong_host_cert_path() const { return dir_ / "wrong-host.crt"; }
  std::string wrong_host_key_path() const { return dir_ / "wrong-host.key"; }

 private:
  TestCa() = default;
  /// Runs openssl with `args`; "" or the command and its output.
  std::string Openssl(const std::vector<std::string>& args) const;
  std::string MakeCa(const std::string& name, const std::string& subject) const;
  std::string Sign(const std::string& name, const std::string& subject,
                   const std::string& extensions) const;

  std::string openssl_;
  TempDir dir_;
};

}  // namespace rivven::testing
