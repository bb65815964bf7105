// mysql-cdc settings that change how the source connects and starts: TLS verification and the
// `always` snapshot mode, through the whole binary against a real MariaDB.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "mysql_pipeline_fixture.h"

namespace rivven::testing {
namespace {

std::string TlsConfig(const MariadbServer& server, const std::string& dir, const std::string& ca) {
  return "broker: {data_dir: " + dir + "/data}\n"
         "sources:\n"
         "  my:\n"
         "    connector: mysql-cdc\n"
         "    topic: cdc\n"
         "    config:\n"
         "      host: 127.0.0.1\n"
         "      port: " + std::to_string(server.port()) + "\n"
         "      database: shop\n"
         "      user: rivven_tls\n"
         "      password: rivven-secret\n"
         "      server_id: 4242\n"
         "      ssl_mode: verify_identity\n"
         "      ssl_ca: " + ca + "\n"
         "      snapshot: {mode: initial_only}\n"
         "sinks:\n"
         "  out: {connector: file, topics: [cdc], config: {path: " + dir + "/out}}\n";
}

TEST(MysqlSourceTlsTest, VerifyIdentityReadsOverTlsAndAWrongCaIsAClearError) {
  ASSERT_TRUE(MariadbServer::Available()) << "run scripts/install-deps.sh";
  std::string error;
  MariadbServer::Options options;
  options.tls = true;
  auto server = MariadbServer::Start(options, &error);
  ASSERT_NE(server, nullptr) << error;
  ASSERT_EQ(server->Exec("CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY);"
                         "INSERT INTO shop.t VALUES (1), (2);"
                         "GRANT SELECT ON shop.* TO rivven_tls@'%';"),
            "");
  TempDir dir;
  WriteFile(dir / "p.yaml", TlsConfig(*server, dir.path(), server->ca_path()));
  ProcessOptions o;
  o.timeout = seconds(60);
  auto run = RunProcess({BinaryPath(), "run", "-c", dir / "p.yaml", "--log-level", "warn"}, o);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(SplitLines(ReadFile(dir / "out/cdc.jsonl")).size(), 2u);

  // The client certificate is not the CA that signed the server's: verification fails, named.
  TempDir bad;
  WriteFile(bad / "p.yaml", TlsConfig(*server, bad.path(), server->client_cert_path()));
  auto check = RunProcess({BinaryPath(), "check", "-c", bad / "p.yaml"}, o);
  EXPECT_NE(check.exit_code, 0);
  const std::string text = check.out + check.err;
  EXPECT_NE(text.find("certificate"), std::string::npos) << text;
  EXPECT_EQ(text.find("rivven-secret"), std::string::npos) << "the password leaked: " << text;
}

TEST_F(MysqlPipelineTest, AlwaysSnapshotsAgainAtEveryStart) {
  CreateTable(30);
  WriteConfig("always", 7);
  Start();
  ASSERT_TRUE(WaitForEvents(30)) << Logs();
  Stop();
  ASSERT_EQ(server_->Exec("UPDATE t SET version = 1000 WHERE id = 3", db_), "");
  Start();
  ASSERT_TRUE(WaitForEvents(60)) << Logs();
  ASSERT_TRUE(WaitForTableState()) << Difference(Replay(Events()), Table()) << Logs();
  const auto events = Events();
  size_t reads = 0, lasts = 0;
  for (const Event& e : events) {
    reads += e.op == 'r' ? 1 : 0;
    lasts += e.snapshot == "last" ? 1 : 0;
  }
  EXPECT_EQ(reads, 60u) << "each start reads every row again";
  EXPECT_EQ(lasts, 2u);
  Stop();
}

}  // namespace
}  // namespace rivven::testing
