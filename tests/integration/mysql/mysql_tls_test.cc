// Every ssl mode of mysql::Connection against real servers: one with a certificate for
// 127.0.0.1/localhost, one whose certificate names only another host, one without TLS.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "clients/mysql/binlog_stream.h"
#include "clients/mysql/mysql_connection.h"
#include "clients/mysql/mysql_error.h"
#include "support/mariadb_server.h"

namespace rivven::testing {
namespace {

using mysql::Connection;
using mysql::ConnectionParams;
using mysql::SslMode;

class MysqlTlsTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    tls_.reset();
    wrong_name_.reset();
    plain_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(MariadbServer::Available()) << "MariaDB is not installed: run install-deps.sh";
  }

  // Servers start on first use: each test (its own process under ctest) starts only its own.
  static MariadbServer* Server(std::unique_ptr<MariadbServer>& slot,
                               const MariadbServer::Options& options) {
    if (slot == nullptr) {
      std::string error;
      slot = MariadbServer::Start(options, &error);
      EXPECT_NE(slot, nullptr) << error;
    }
    return slot.get();
  }
  static MariadbServer* Tls() {
    MariadbServer::Options o;
    o.tls = true;
    return Server(tls_, o);
  }
  static MariadbServer* WrongName() {
    MariadbServer::Options o;
    o.tls_name = "wrong.example";
    return Server(wrong_name_, o);
  }
  static MariadbServer* Plain() { return Server(plain_, {}); }

  static ConnectionParams Params(const MariadbServer& server, SslMode mode,
                                 const std::string& ca = "") {
    ConnectionParams p = server.RivvenParams();
    p.ssl_mode = mode;
    p.ca_path = ca;
    return p;
  }
  // Connects and returns the cipher in use ("" without TLS), or fails the test.
  static std::string CipherOf(const ConnectionParams& p) {
    auto conn = Connection::Open(p);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? (*conn)->tls_cipher() : "<failed>";
  }
  // Expects a fatal connection error whose message contains `text`.
  static void ExpectFatal(const ConnectionParams& p, const std::string& text) {
    auto conn = Connection::Open(p);
    ASSERT_FALSE(conn.ok()) << "connected with ssl mode " << mysql::SslModeName(p.ssl_mode);
    EXPECT_FALSE(conn.status().retriable()) << conn.status().ToString();
    EXPECT_NE(conn.status().message().find(text), std::string::npos) << conn.status().ToString();
    EXPECT_NE(conn.status().message().find(p.Where()), std::string::npos)
        << conn.status().ToString();
  }

  static std::unique_ptr<MariadbServer> tls_, wrong_name_, plain_;
};

std::unique_ptr<MariadbServer> MysqlTlsTest::tls_;
std::unique_ptr<MariadbServer> MysqlTlsTest::wrong_name_;
std::unique_ptr<MariadbServer> MysqlTlsTest::plain_;

TEST_F(MysqlTlsTest, DisabledStaysPlainEvenWhenTheServerOffersTls) {
  MariadbServer* s = Tls();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(CipherOf(Params(*s, SslMode::kDisabled)), "");
  // An account that REQUIRE SSL is refused without it.
  ConnectionParams p = Params(*s, SslMode::kDisabled);
  p.user = MariadbServer::kTlsUser;
  ExpectFatal(p, "MySQL error 1045 (28000) connecting to rivven_tls@");
}

TEST_F(MysqlTlsTest, PreferredUsesTlsWhenOfferedAndPlainOtherwise) {
  MariadbServer* tls = Tls();
  MariadbServer* plain = Plain();
  ASSERT_NE(tls, nullptr);
  ASSERT_NE(plain, nullptr);
  EXPECT_NE(CipherOf(Params(*tls, SslMode::kPreferred)), "");  // no CA: not verified
  EXPECT_NE(CipherOf(Params(*WrongName(), SslMode::kPreferred)), "");
  EXPECT_EQ(CipherOf(Params(*plain, SslMode::kPreferred)), "");
}

TEST_F(MysqlTlsTest, RequiredNeedsTlsButNoVerification) {
  MariadbServer* tls = Tls();
  ASSERT_NE(tls, nullptr);
  ConnectionParams p = Params(*tls, SslMode::kRequired);
  p.user = MariadbServer::kTlsUser;
  EXPECT_NE(CipherOf(p), "");
  EXPECT_NE(CipherOf(Params(*WrongName(), SslMode::kRequired)), "");
  ExpectFatal(Params(*Plain(), SslMode::kRequired), "needs TLS, but the server at");
}

TEST_F(MysqlTlsTest, VerifyCaChecksTheChainButNotTheName) {
  MariadbServer* tls = Tls();
  MariadbServer* wrong = WrongName();
  ASSERT_NE(tls, nullptr);
  ASSERT_NE(wrong, nullptr);
  EXPECT_NE(CipherOf(Params(*tls, SslMode::kVerifyCa, tls->ca_path())), "");
  EXPECT_NE(CipherOf(Params(*wrong, SslMode::kVerifyCa, wrong->ca_path())), "");
  // The other server's CA did not sign this certificate.
  ExpectFatal(Params(*tls, SslMode::kVerifyCa, wrong->ca_path()),
              "MySQL error 2026 (HY000) connecting to");
  ExpectFatal(Params(*tls, SslMode::kVerifyCa, wrong->ca_path()),
              "TLS/SSL error: self-signed certificate in certificate chain (TLS certificate "
              "verify failed: ssl_ca did not sign the server's certificate)");
  ExpectFatal(Params(*tls, SslMode::kVerifyCa, "/nonexistent/ca.crt"), "MySQL error 2026");
  ExpectFatal(Params(*Plain(), SslMode::kVerifyCa, tls->ca_path()), "does not offer it");
}

TEST_F(MysqlTlsTest, VerifyIdentityAlsoChecksTheName) {
  MariadbServer* tls = Tls();
  MariadbServer* wrong = WrongName();
  ASSERT_NE(tls, nullptr);
  ASSERT_NE(wrong, nullptr);
  ConnectionParams by_ip = Params(*tls, SslMode::kVerifyIdentity, tls->ca_path());
  EXPECT_NE(CipherOf(by_ip), "");  // IP:127.0.0.1 in the certificate
  ConnectionParams by_name = by_ip;
  by_name.host = "localhost";  // DNS:localhost, still over TCP
  EXPECT_NE(CipherOf(by_name), "");
  // The certificate names only wrong.example: the chain is fine, the name is not.
  ExpectFatal(Params(*wrong, SslMode::kVerifyIdentity, wrong->ca_path()),
              "Validation of SSL server certificate failed (TLS host name mismatch: the server's "
              "certificate does not name 127.0.0.1)");
  ExpectFatal(Params(*tls, SslMode::kVerifyIdentity, wrong->ca_path()), "MySQL error 2026");
}

TEST_F(MysqlTlsTest, ClientCertificateForAnX509Account) {
  MariadbServer* tls = Tls();
  ASSERT_NE(tls, nullptr);
  ASSERT_EQ(tls->Exec("CREATE USER 'rivven_x509'@'%' IDENTIFIED BY 'rivven-secret' REQUIRE X509;"
                      "GRANT SELECT ON *.* TO 'rivven_x509'@'%'"),
            "");
  ConnectionParams p = Params(*tls, SslMode::kVerifyIdentity, tls->ca_path());
  p.user = "rivven_x509";
  ExpectFatal(p, "MySQL error 1045");  // no client certificate
  p.cert_path = tls->client_cert_path();
  p.key_path = tls->client_key_path();
  EXPECT_NE(CipherOf(p), "");
}

TEST_F(MysqlTlsTest, BinlogStreamOverVerifiedTls) {
  MariadbServer* tls = Tls();
  ASSERT_NE(tls, nullptr);
  auto root = tls->Connect();
  auto status = root->Query("SHOW MASTER STATUS");
  ASSERT_TRUE(status.ok() && status->rows() == 1);
  ConnectionParams p = Params(*tls, SslMode::kVerifyIdentity, tls->ca_path());
  p.user = MariadbServer::kTlsUser;
  mysql::BinlogStream::Options o;
  o.server_id = 201;
  o.file = std::string(*status->Value(0, "File"));
  o.position = std::stoull(std::string(*status->Value(0, "Position")));
  o.heartbeat_period = std::chrono::milliseconds(200);
  auto stream = mysql::BinlogStream::Open(p, o);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  // Over TLS libmariadb reads the socket (mysql-cdc then reads through a pump's thread).
  EXPECT_FALSE((*stream)->direct());
  ASSERT_TRUE(root->Exec("CREATE TABLE rivven_test.over_tls (id INT PRIMARY KEY);"
                         "INSERT INTO rivven_test.over_tls VALUES (1)")
                  .ok());
  bool rows = false;
  for (int i = 0; i < 50 && !rows; ++i) {
    auto event = (*stream)->Next();
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    rows = event->type == mysql::EventType::kWriteRowsV1;
  }
  EXPECT_TRUE(rows);
}

}  // namespace
}  // namespace rivven::testing
