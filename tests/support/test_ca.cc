#include "support/test_ca.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>

#include <vector>

namespace rivven::testing {
namespace {

const std::vector<std::string> kNewKey = {"-newkey", "ec", "-pkeyopt",
                                          "ec_paramgen_curve:prime256v1", "-nodes"};

}  // namespace

std::unique_ptr<TestCa> TestCa::Make(const Options& options, std::string* error) {
  std::unique_ptr<TestCa> ca(new TestCa());
  ca->openssl_ = FindOnPath("openssl");
  if (ca->openssl_.empty()) {
    *error = "openssl not found on $PATH: run scripts/install-deps.sh";
    return nullptr;
  }
  // Servers that drop privileges (PostgreSQL, MariaDB run as root) must reach the files.
  chmod(ca->dir().c_str(), 0755);
  const std::string server_ext = std::string("subjectAltName=") + kServerNames +
                                 "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  const std::string wrong_ext = std::string("subjectAltName=DNS:") + kWrongHost +
                                "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
  std::string failed = ca->MakeCa("ca", "/CN=rivven test CA");
  if (failed.empty()) failed = ca->MakeCa("other-ca", "/CN=an unrelated test CA");
  if (failed.empty()) failed = ca->Sign("server", "/CN=localhost", server_ext);
  if (failed.empty()) failed = ca->Sign("wrong-host", std::string("/CN=") + kWrongHost, wrong_ext);
  if (failed.empty() && options.client_certificate) {
    failed = ca->Sign("client", "/CN=rivven",
                      "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  }
  if (!failed.empty()) {
    *error = "making test certificates in " + ca->dir() + " failed: " + failed;
    return nullptr;
  }
  error->clear();
  return ca;
}

std::string TestCa::Issue(const std::string& name, const std::string& subject_alt_name) const {
  return Sign(name, "/CN=" + name,
              "subjectAltName=" + subject_alt_name +
                  "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
}

std::string TestCa::Openssl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {openssl_};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.timeout = std::chrono::milliseconds(30000);
  const ProcessResult r = RunProcess(argv, options);
  if (r.exit_code == 0) return "";
  std::string command;
  for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
  return command + ": " + DescribeResult(r);
}

std::string TestCa::MakeCa(const std::string& name, const std::string& subject) const {
  std::vector<std::string> args = {"req", "-x509"};
  args.insert(args.end(), kNewKey.begin(), kNewKey.end());
  args.insert(args.end(),
              {"-keyout", dir_ / (name + ".key"), "-out", dir_ / (name + ".crt"), "-days", "1",
               "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
               "keyUsage=critical,keyCertSign,cRLSign"});
  return Openssl(args);
}

std::string TestCa::Sign(const std::string& name, const std::string& subject,
                         const std::string& extensions) const {
  const std::string csr = dir_ / (name + ".csr");
  const std::string ext = dir_ / (name + ".ext");
  std::vector<std::string> request = {"req", "-new"};
  request.insert(request.end(), kNewKey.begin(), kNewKey.end());
  request.insert(request.end(), {"-keyout", dir_ / (name + ".key"), "-out", csr, "-subj", subject});
  std::string failed = Openssl(request);
  if (!failed.empty()) return failed;
  WriteFile(ext, extensions);
  failed = Openssl({"x509", "-req", "-in", csr, "-CA", ca_path(), "-CAkey", ca_key_path(),
                    "-CAcreateserial", "-CAserial", dir_ / "ca.srl", "-days", "1", "-extfile", ext,
                    "-out", dir_ / (name + ".crt")});
  std::remove(csr.c_str());
  std::remove(ext.c_str());
  return failed;
}

}  // namespace rivven::testing
