// FakeSnowflake (tests/support/fake_snowflake.h) itself, over raw HTTP with cpp-httplib's client
// and JWTs made here with OpenSSL from a key generated here: what it accepts, what it rejects and
// how its fault injection behaves.
#include "support/fake_snowflake.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <zlib.h>
#include <zstd.h>

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace rivven::testing {
namespace {

using Endpoint = FakeSnowflake::Endpoint;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Key NewKey() { return Key(EVP_RSA_gen(2048)); }

std::string PublicPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Base64Url(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                             reinterpret_cast<const unsigned char*>(in.data()),
                             static_cast<int>(in.size())));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

// "SHA256:<base64 of SHA-256 of the DER public key>", computed here independently of the fake.
std::string Fingerprint(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(n), digest);
  OPENSSL_free(der);
  std::string b64(64, '\0');
  b64.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), digest, sizeof digest));
  return "SHA256:" + b64;
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct JwtSpec {
  std::string header = R"({"alg":"RS256","typ":"JWT"})";
  std::string iss, sub;
  int64_t iat = 0, exp = 0;
};

std::string SignJwt(EVP_PKEY* key, const JwtSpec& spec) {
  const std::string payload = R"({"iss":")" + spec.iss + R"(","sub":")" + spec.sub + R"(","iat":)" +
                              std::to_string(spec.iat) + R"(,"exp":)" + std::to_string(spec.exp) +
                              "}";
  const std::string input = Base64Url(spec.header) + "." + Base64Url(payload);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  return input + "." + Base64Url(sig);
}

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  return d;
}

std::string Gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

class FakeSnowflakeTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(FakeSnowflake::Options options) {
    signal(SIGPIPE, SIG_IGN);  // a lost response closes the client's connection under it
    fake_.reset();
    if (!key_) key_ = NewKey();
    options.public_key_pem = PublicPem(key_.get());
    std::string error;
    fake_ = FakeSnowflake::Start(options, &error);
    ASSERT_TRUE(fake_) << error;
    client_ = std::make_unique<httplib::Client>(fake_->base_url());
    client_->set_read_timeout(10, 0);
  }

  JwtSpec ValidSpec() const {
    JwtSpec spec;
    spec.sub = "TESTORG-TESTACCT.RIVVEN";
    spec.iss = spec.sub + "." + Fingerprint(key_.get());
    spec.iat = Now();
    spec.exp = spec.iat + 3540;
    return spec;
  }
  std::string Jwt() const { return SignJwt(key_.get(), ValidSpec()); }

  httplib::Headers JwtHeaders(const std::string& jwt) const {
    return {{"Authorization", "Bearer " + jwt},
            {"X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT"},
            {"Accept", "application/json"},
            {"User-Agent", "rivven-test/1.0"}};
  }

  // POST /api/v2/statements with `bindings` (a JSON object text, or "") in TESTDB.PUBLIC.
  httplib::Result Sql(const std::string& statement, const std::string& bindings = "",
                      const std::string& query = "") {
    std::string body = R"({"statement":)" + JsonString(statement) +
                       R"(,"database":"TESTDB","schema":"PUBLIC","warehouse":"WH","timeout":60)";
    if (!bindings.empty()) body += R"(,"bindings":)" + bindings;
    body += "}";
    return client_->Post("/api/v2/statements" + query, JwtHeaders(Jwt()), body, "application/json");
  }
  static std::string JsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\\\"") : std::string(1, c);
    return out + "\"";
  }

  std::string ScopedToken() {
    auto r =
        client_->Post("/oauth/token", JwtHeaders(Jwt()),
                      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&scope=" +
                          fake_->hostname(),
                      "application/x-www-form-urlencoded");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    return r ? Parse(r->body)["token"].GetString() : "";
  }
  httplib::Headers Scoped(const std::string& token) const {
    return {{"Authorization", "Bearer " + token}};
  }
  static std::string ChannelPath(const std::string& channel) {
    return "/v2/streaming/databases/testdb/schemas/public/pipes/orders-streaming/channels/" +
           channel;
  }
  // Opens CH, returning its continuation token.
  std::string Open(const std::string& token, const std::string& body = "{}") {
    auto r = client_->Put(ChannelPath("CH"), Scoped(token), body, "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    return r ? Parse(r->body)["next_continuation_token"].GetString() : "";
  }
  httplib::Result Append(const std::string& token, const std::string& continuation,
                         const std::string& offset, const std::string& ndjson) {
    return client_->Post(
        "/v2/streaming/data/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING"
        "/channels/CH/rows?continuationToken=" +
            continuation + "&offsetToken=" + offset,
        Scoped(token), ndjson, "application/x-ndjson");
  }
  void CreateOrders() {
    std::string error;
    ASSERT_TRUE(
        fake_->ExecuteSql("create table orders (id number, name varchar, amount "
                          "number(10,2), doc variant, ok boolean)",
                          "TESTDB", "PUBLIC", &error))
        << error;
  }

  Key key_;
  std::unique_ptr<FakeSnowflake> fake_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(FakeSnowflakeTest, AValidKeyPairJwtIsAccepted) {
  auto r = Sql("create table t (id int)");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const auto d = Parse(r->body);
  EXPECT_STREQ(d["code"].GetString(), "090001");
  EXPECT_STREQ(d["resultSetMetaData"]["format"].GetString(), "jsonv2");
  EXPECT_TRUE(d["statementHandle"].IsString());
  EXPECT_TRUE(d["statementStatusUrl"].IsString());
  EXPECT_TRUE(d["createdOn"].IsInt64());
  // iat and exp in milliseconds are allowed too.
  JwtSpec ms = ValidSpec();
  ms.iat *= 1000;
  ms.exp *= 1000;
  r = client_->Post("/api/v2/statements", JwtHeaders(SignJwt(key_.get(), ms)),
                    R"({"statement":"select count(*) from testdb.public.t"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(FakeSnowflakeTest, JwtsThatDeviateFromTheDocsAreRejectedWith401) {
  const Key other = NewKey();
  std::vector<std::pair<std::string, std::string>> bad;
  bad.emplace_back("signed by another key", SignJwt(other.get(), ValidSpec()));
  JwtSpec spec = ValidSpec();
  spec.iss = spec.sub + "." + Fingerprint(other.get());
  bad.emplace_back("fingerprint of another key", SignJwt(key_.get(), spec));
  spec = ValidSpec();
  spec.sub = "testorg-testacct.rivven";
  spec.iss = spec.sub + "." + Fingerprint(key_.get());
  bad.emplace_back("lower-case account", SignJwt(key_.get(), spec));
  spec = ValidSpec();
  spec.sub = "OTHERORG-ACCT.RIVVEN";
  spec.iss = spec.sub + "." + Fingerprint(key_.get());
  bad.emplace_back("another account", SignJwt(key_.get(), spec));
  spec = ValidSpec();
  spec.iat = Now() - 7200;
  spec.exp = Now() - 3700;
  bad.emplace_back("expired", SignJwt(key_.get(), spec));
  spec = ValidSpec();
  spec.exp = spec.iat + 3601;
  bad.emplace_back("longer than an hour", SignJwt(key_.get(), spec));
  spec = ValidSpec();
  spec.header = R"({"alg":"RS512","typ":"JWT"})";
  bad.emplace_back("alg RS512", SignJwt(key_.get(), spec));
  std::string tampered = Jwt();
  tampered[tampered.find('.') + 3] ^= 1;
  bad.emplace_back("tampered payload", tampered);
  for (const auto& [what, jwt] : bad) {
    auto r = client_->Post("/api/v2/statements", JwtHeaders(jwt), R"({"statement":"select 1"})",
                           "application/json");
    ASSERT_TRUE(r) << what;
    EXPECT_EQ(r->status, 401) << what << ": " << r->body;
    EXPECT_STREQ(Parse(r->body)["code"].GetString(), "390144") << what;
  }
  auto headers = JwtHeaders(Jwt());
  headers.erase("X-Snowflake-Authorization-Token-Type");
  auto r = client_->Post("/api/v2/statements", headers, R"({"statement":"select 1"})",
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << "no token type header";
  EXPECT_TRUE(fake_->Statements().empty());
}

TEST_F(FakeSnowflakeTest, TablesAreCreatedDescribedFilledAndCounted) {
  auto r =
      Sql("CREATE TABLE IF NOT EXISTS Orders (id NUMBER(38,0) NOT NULL, \"Note\" STRING, "
          "amount NUMBER(10,2), price FLOAT, ok BOOLEAN, day DATE, at TIMESTAMP_NTZ, "
          "doc VARIANT, raw BINARY, PRIMARY KEY (id))");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  r = Sql("describe table testdb.public.orders");
  ASSERT_EQ(r->status, 200) << r->body;
  auto d = Parse(r->body);
  ASSERT_EQ(d["data"].Size(), 9u);
  EXPECT_STREQ(d["data"][0][0].GetString(), "ID");
  EXPECT_STREQ(d["data"][0][1].GetString(), "NUMBER(38,0)");
  EXPECT_STREQ(d["data"][1][0].GetString(), "Note");
  EXPECT_STREQ(d["data"][1][1].GetString(), "VARCHAR(16777216)");
  EXPECT_STREQ(d["data"][6][1].GetString(), "TIMESTAMP_NTZ(9)");
  EXPECT_STREQ(d["resultSetMetaData"]["rowType"][0]["name"].GetString(), "name");

  r =
      Sql("insert into orders (id, \"Note\", amount, price, ok, day, at, raw) values "
          "(?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)",
          R"({"1":{"type":"FIXED","value":"1"},"2":{"type":"TEXT","value":"a \"q\""},)"
          R"("3":{"type":"TEXT","value":"12.5"},"4":{"type":"REAL","value":"0.25"},)"
          R"("5":{"type":"BOOLEAN","value":"true"},"6":{"type":"TEXT","value":"2024-02-29"},)"
          R"("7":{"type":"TIMESTAMP_NTZ","value":"1700000000123456789"},)"
          R"("8":{"type":"TEXT","value":"cafe"},)"
          R"("9":{"type":"FIXED","value":"2"},"10":{"type":"TEXT","value":null},)"
          R"("11":{"type":"FIXED","value":"-3"},"12":{"type":"TEXT","value":"1e3"},)"
          R"("13":{"type":"FIXED","value":"0"},"14":{"type":"DATE","value":"86400000"},)"
          R"("15":{"type":"TEXT","value":"2024-01-02 03:04:05.6+01:00"},)"
          R"("16":{"type":"TEXT","value":null}})");
  ASSERT_EQ(r->status, 200) << r->body;
  d = Parse(r->body);
  EXPECT_EQ(d["stats"]["numRowsInserted"].GetInt64(), 2);
  EXPECT_STREQ(d["data"][0][0].GetString(), "2");

  r = Sql("SELECT COUNT(*) FROM ORDERS");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_STREQ(Parse(r->body)["data"][0][0].GetString(), "2");

  const auto t = fake_->Table("ORDERS");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].at("ID"), "1");
  EXPECT_EQ(t->rows[0].at("Note"), R"("a \"q\"")");
  EXPECT_EQ(t->rows[0].at("AMOUNT"), "12.50");
  EXPECT_EQ(t->rows[0].at("PRICE"), "0.25");
  EXPECT_EQ(t->rows[0].at("OK"), "true");
  EXPECT_EQ(t->rows[0].at("DAY"), R"("2024-02-29")");
  EXPECT_EQ(t->rows[0].at("AT"), R"("2023-11-14 22:13:20.123456789")");
  EXPECT_EQ(t->rows[0].at("RAW"), R"("CAFE")");
  EXPECT_EQ(t->rows[0].at("DOC"), std::nullopt);
  EXPECT_EQ(t->rows[1].at("Note"), std::nullopt);
  EXPECT_EQ(t->rows[1].at("AMOUNT"), "-3.00");
  EXPECT_EQ(t->rows[1].at("PRICE"), "1000");
  EXPECT_EQ(t->rows[1].at("OK"), "false");
  EXPECT_EQ(t->rows[1].at("DAY"), R"("1970-01-02")");
}

TEST_F(FakeSnowflakeTest, ValuesThatDoNotFitTheirColumnsFailWith422) {
  CreateOrders();
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {R"({"1":{"type":"TEXT","value":"abc"}})", "insert into orders (id) values (?)", "100038"},
      {R"({"1":{"type":"FIXED","value":"1.5"}})", "insert into orders (id) values (?)", "100037"},
      {R"({"1":{"type":"TEXT","value":"123456789.5"}})", "insert into orders (amount) values (?)",
       "100046"},
      {R"({"1":{"type":"TEXT","value":"{\"a\":1}"}})", "insert into orders (doc) values (?)",
       "002023"},
      {R"({"1":{"type":"TEXT","value":"{}"}})", "insert into orders (doc) values (parse_json(?))",
       "002014"},
      {R"({"1":{"type":"DATE","value":"0"}})", "insert into orders (ok) values (?)", "002023"},
      {R"({"1":{"type":"FIXED","value":"1"}})", "insert into orders (id, name) values (?, ?)",
       "002049"},
  };
  for (const auto& [bindings, sql, code] : cases) {
    auto r = Sql(sql, bindings);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 422) << sql << ": " << r->body;
    const auto d = Parse(r->body);
    EXPECT_STREQ(d["code"].GetString(), code.c_str()) << sql << ": " << r->body;
    EXPECT_TRUE(d["sqlState"].IsString());
    EXPECT_TRUE(d["statementHandle"].IsString());
  }
  EXPECT_TRUE(fake_->Table("ORDERS")->rows.empty());
}

TEST_F(FakeSnowflakeTest, VariantColumnsTakeParseJsonThroughSelectFromValues) {
  CreateOrders();
  auto r =
      Sql("insert into orders (id, doc) select column1, parse_json(column2) from values "
          "(?, ?), (?, ?)",
          R"({"1":{"type":"FIXED","value":"7"},"2":{"type":"TEXT","value":"{ \"a\" : [1, 2] }"},)"
          R"("3":{"type":"FIXED","value":"8"},"4":{"type":"TEXT","value":null}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto t = fake_->Table("TESTDB.PUBLIC.ORDERS");
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].at("DOC"), R"({"a":[1,2]})");
  EXPECT_EQ(t->rows[1].at("DOC"), std::nullopt);
}

TEST_F(FakeSnowflakeTest, RequestsOfTheWrongShapeAreRefused) {
  CreateOrders();
  struct Case {
    std::string what, body, content_type;
    int status;
  };
  const std::vector<Case> cases = {
      {"unknown field", R"({"statement":"select count(*) from orders","stmt":1})",
       "application/json", 400},
      {"no statement", R"({"database":"TESTDB"})", "application/json", 400},
      {"bindings not from 1",
       R"({"statement":"select count(*) from t","bindings":{"2":{"type":"TEXT","value":"x"}}})",
       "application/json", 400},
      {"undocumented binding type",
       R"({"statement":"select count(*) from t","bindings":{"1":{"type":"STRING","value":"x"}}})",
       "application/json", 400},
      {"binding value not a string",
       R"({"statement":"select count(*) from t","bindings":{"1":{"type":"FIXED","value":1}}})",
       "application/json", 400},
      {"binding with extra key",
       R"({"statement":"select count(*) from t","bindings":{"1":{"type":"FIXED","value":"1","x":0}}})",
       "application/json", 400},
      {"not JSON content type", R"({"statement":"select count(*) from orders"})", "text/plain",
       415},
  };
  for (const auto& c : cases) {
    auto r = client_->Post("/api/v2/statements", JwtHeaders(Jwt()), c.body, c.content_type.c_str());
    ASSERT_TRUE(r) << c.what;
    EXPECT_EQ(r->status, c.status) << c.what << ": " << r->body;
  }
  auto headers = JwtHeaders(Jwt());
  headers.erase("User-Agent");
  headers.emplace("User-Agent", "");
  auto r = client_->Post("/api/v2/statements", headers, R"({"statement":"select 1"})",
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << "no User-Agent: " << r->body;
  r = Sql("select count(*) from orders", "", "?requestId=not-a-uuid");
  EXPECT_EQ(r->status, 400) << r->body;
  r = Sql("select count(*) from orders; select count(*) from orders");
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_STREQ(Parse(r->body)["code"].GetString(), "000008");
}

TEST_F(FakeSnowflakeTest, MissingTablesAndStatementsOutsideTheSubsetFailAndAreRecorded) {
  auto r = Sql("select count(*) from nowhere");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422);
  auto d = Parse(r->body);
  EXPECT_STREQ(d["code"].GetString(), "002003");
  EXPECT_STREQ(d["sqlState"].GetString(), "42S02");
  EXPECT_NE(std::string(d["message"].GetString())
                .find("Object 'NOWHERE' does not exist or not "
                      "authorized."),
            std::string::npos);
  r = Sql("alter table orders add column x int");
  ASSERT_EQ(r->status, 422);
  d = Parse(r->body);
  EXPECT_STREQ(d["code"].GetString(), "001003");
  EXPECT_NE(std::string(d["message"].GetString()).find("SQL compilation error"), std::string::npos);
  r = client_->Post("/api/v2/statements", JwtHeaders(Jwt()),
                    R"json({"statement":"create table t (id int)"})json", "application/json");
  ASSERT_EQ(r->status, 422) << "no database in the body nor the name";
  EXPECT_STREQ(Parse(r->body)["code"].GetString(), "090105");
  const auto statements = fake_->Statements();
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[1], "alter table orders add column x int");
  EXPECT_EQ(fake_->RejectedStatements().size(), 3u);
}

TEST_F(FakeSnowflakeTest, MergeUpsertsAndDeletesByKey) {
  CreateOrders();
  std::string error;
  ASSERT_TRUE(
      fake_->ExecuteSql("insert into orders (id, name, amount) values (1, 'one', -1.5), "
                        "(2, 'two', +2), (3, 'three', null)",
                        "TESTDB", "PUBLIC", &error))
      << error;
  const std::string merge =
      "MERGE INTO orders t USING (SELECT column1 AS id, column2 AS name, parse_json(column3) AS "
      "doc, column4 AS op FROM VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?)) s "
      "ON t.id = s.id "
      "WHEN MATCHED AND s.op = 'd' THEN DELETE "
      "WHEN MATCHED THEN UPDATE SET t.name = s.name, doc = s.doc "
      "WHEN NOT MATCHED AND s.op <> 'd' THEN INSERT (id, name, doc) VALUES (s.id, s.name, s.doc)";
  auto r = Sql(merge, R"({"1":{"type":"FIXED","value":"1"},"2":{"type":"TEXT","value":"uno"},)"
                      R"("3":{"type":"TEXT","value":"{\"v\":1}"},"4":{"type":"TEXT","value":"u"},)"
                      R"("5":{"type":"FIXED","value":"2"},"6":{"type":"TEXT","value":null},)"
                      R"("7":{"type":"TEXT","value":null},"8":{"type":"TEXT","value":"d"},)"
                      R"("9":{"type":"FIXED","value":"4"},"10":{"type":"TEXT","value":"four"},)"
                      R"("11":{"type":"TEXT","value":"[]"},"12":{"type":"TEXT","value":"c"}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto d = Parse(r->body);
  EXPECT_EQ(d["stats"]["numRowsInserted"].GetInt64(), 1);
  EXPECT_EQ(d["stats"]["numRowsUpdated"].GetInt64(), 1);
  EXPECT_EQ(d["stats"]["numRowsDeleted"].GetInt64(), 1);
  EXPECT_STREQ(d["resultSetMetaData"]["rowType"][0]["name"].GetString(), "number of rows inserted");
  const auto t = fake_->Table("ORDERS");
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].at("NAME"), R"("uno")");
  EXPECT_EQ(t->rows[0].at("DOC"), R"({"v":1})");
  EXPECT_EQ(t->rows[0].at("AMOUNT"), "-1.50");
  EXPECT_EQ(t->rows[1].at("ID"), "3");
  EXPECT_EQ(t->rows[2].at("ID"), "4");
  EXPECT_EQ(t->rows[2].at("DOC"), "[]");
}

TEST_F(FakeSnowflakeTest, MergeWithTwoSourceRowsForOneExistingKeyIsNondeterministic) {
  CreateOrders();
  std::string error;
  ASSERT_TRUE(fake_->ExecuteSql("insert into orders (id, name) values (1, 'one')", "TESTDB",
                                "PUBLIC", &error));
  const std::string merge =
      "merge into orders t using (select * from values (?, ?), (?, ?)) s on t.id = s.column1 "
      "when matched then update set name = s.column2 "
      "when not matched then insert (id, name) values (s.column1, s.column2)";
  auto r = Sql(merge, R"({"1":{"type":"FIXED","value":"1"},"2":{"type":"TEXT","value":"a"},)"
                      R"("3":{"type":"FIXED","value":"1"},"4":{"type":"TEXT","value":"b"}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 422) << r->body;
  const auto d = Parse(r->body);
  EXPECT_STREQ(d["code"].GetString(), "100090");
  EXPECT_NE(std::string(d["message"].GetString()).find("Duplicate row detected during DML action"),
            std::string::npos);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.at(0).at("NAME"), R"("one")");
  // A key no target row has is inserted once per source row, as Snowflake does.
  r = Sql(merge, R"({"1":{"type":"FIXED","value":"5"},"2":{"type":"TEXT","value":"a"},)"
                 R"("3":{"type":"FIXED","value":"5"},"4":{"type":"TEXT","value":"b"}})");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 3u);
}

TEST_F(FakeSnowflakeTest, ARetryWithTheSameRequestIdDoesNotRunTheStatementTwice) {
  CreateOrders();
  const std::string id = "ea7b46ed-bdc1-4c32-9593-764fcad64e83";
  const std::string insert = "insert into orders (id) values (?)";
  const std::string one = R"({"1":{"type":"FIXED","value":"1"}})";
  fake_->LoseNextResponse(Endpoint::kSqlStatements);
  auto r = Sql(insert, one, "?requestId=" + id);
  EXPECT_FALSE(r) << "the response was to be lost";
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 1u) << "applied all the same";
  r = Sql(insert, one, "?requestId=" + id + "&retry=true");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Parse(r->body)["requestId"].GetString(), id);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 1u) << "not run again";
  r = Sql(insert, one, "?requestId=" + id);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 2u) << "without retry=true it runs again";
  EXPECT_EQ(fake_->RequestCount(Endpoint::kSqlStatements), 3);
}

TEST_F(FakeSnowflakeTest, AsyncStatementsAnswer202UntilTheResultIsFetched) {
  FakeSnowflake::Options options;
  options.async_statements = true;
  options.async_pending_polls = 1;
  Start(options);
  auto r = Sql("create table t (id int)");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const auto d = Parse(r->body);
  EXPECT_STREQ(d["code"].GetString(), "333334");
  const std::string handle = d["statementHandle"].GetString();
  EXPECT_EQ(
      std::string(d["statementStatusUrl"].GetString()).rfind("/api/v2/statements/" + handle, 0),
      0u);
  r = client_->Get("/api/v2/statements/" + handle, JwtHeaders(Jwt()));
  ASSERT_EQ(r->status, 202) << r->body;
  r = client_->Get("/api/v2/statements/" + handle, JwtHeaders(Jwt()));
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_STREQ(Parse(r->body)["data"][0][0].GetString(), "Table T successfully created.");
  r = client_->Get("/api/v2/statements/01c0ffee-0000-0000-0000-00000000dead", JwtHeaders(Jwt()));
  EXPECT_EQ(r->status, 422);
}

TEST_F(FakeSnowflakeTest, FailNextAnswersWithTheStatusAndRetryAfterWithoutApplying) {
  CreateOrders();
  fake_->FailNext(Endpoint::kSqlStatements, 429, 2, 3);
  for (int i = 0; i < 2; ++i) {
    auto r = Sql("insert into orders (id) values (1)");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(r->get_header_value("Retry-After"), "3");
  }
  auto r = Sql("insert into orders (id) values (1)");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 1u);
  EXPECT_EQ(fake_->RequestCount(Endpoint::kSqlStatements), 3);
}

TEST_F(FakeSnowflakeTest, StreamingExchangesATokenOpensAChannelAndAppendsRows) {
  CreateOrders();
  auto r = client_->Get("/v2/streaming/hostname", JwtHeaders(Jwt()));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(Parse(r->body)["hostname"].GetString(), fake_->hostname());
  const std::string token = ScopedToken();
  auto open = client_->Put(ChannelPath("CH"), Scoped(token), "{}", "application/json");
  ASSERT_EQ(open->status, 200) << open->body;
  auto d = Parse(open->body);
  EXPECT_TRUE(d["channel_status"]["last_committed_offset_token"].IsNull());
  EXPECT_STREQ(d["channel_status"]["channel_name"].GetString(), "CH");
  EXPECT_TRUE(d["channel_status"].HasMember("rows_error_count"));
  std::string cont = d["next_continuation_token"].GetString();

  r = Append(token, cont, "1",
             "{\"id\":1,\"NAME\":\"a\",\"amount\":2.5,\"doc\":{\"k\":[1]}}\n"
             "{\"id\":2,\"ok\":true,\"doc\":\"text\"}\r\n");
  ASSERT_EQ(r->status, 200) << r->body;
  cont = Parse(r->body)["next_continuation_token"].GetString();
  // gzip, as Content-Encoding allows.
  httplib::Headers gz = Scoped(token);
  gz.emplace("Content-Encoding", "gzip");
  r = client_->Post(
      "/v2/streaming/data/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING"
      "/channels/CH/rows?continuationToken=" +
          cont + "&offsetToken=2",
      gz, Gzip("{\"id\":3}\n"), "application/x-ndjson");
  ASSERT_EQ(r->status, 200) << r->body;
  cont = Parse(r->body)["next_continuation_token"].GetString();
  // and zstd.
  const std::string plain = "{\"id\":4}\n";
  std::string zstd(ZSTD_compressBound(plain.size()), '\0');
  zstd.resize(ZSTD_compress(zstd.data(), zstd.size(), plain.data(), plain.size(), 3));
  httplib::Headers zs = Scoped(token);
  zs.emplace("Content-Encoding", "zstd");
  r = client_->Post(
      "/v2/streaming/data/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING"
      "/channels/CH/rows?continuationToken=" +
          cont + "&startOffsetToken=3&endOffsetToken=4",
      zs, zstd, "application/x-ndjson");
  ASSERT_EQ(r->status, 200) << r->body;

  EXPECT_EQ(fake_->CommittedOffsetToken("orders-streaming", "ch"), "4");
  const auto t = fake_->Table("ORDERS");
  ASSERT_EQ(t->rows.size(), 4u);
  EXPECT_EQ(t->rows[3].at("ID"), "4");
  EXPECT_EQ(t->rows[0].at("NAME"), R"("a")");
  EXPECT_EQ(t->rows[0].at("AMOUNT"), "2.50");
  EXPECT_EQ(t->rows[0].at("DOC"), R"({"k":[1]})");
  EXPECT_EQ(t->rows[1].at("DOC"), R"("text")");
  EXPECT_EQ(t->rows[1].at("OK"), "true");

  r = client_->Post(
      "/v2/streaming/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING:bulk-channel-status",
      Scoped(token), R"({"channel_names":["CH","ch","NOPE"]})", "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  d = Parse(r->body);
  ASSERT_TRUE(d["channel_statuses"].HasMember("CH"));
  EXPECT_FALSE(d["channel_statuses"].HasMember("ch")) << "names are case-sensitive";
  EXPECT_FALSE(d["channel_statuses"].HasMember("NOPE"));
  EXPECT_STREQ(d["channel_statuses"]["CH"]["last_committed_offset_token"].GetString(), "4");
  EXPECT_EQ(d["channel_statuses"]["CH"]["rows_inserted"].GetInt64(), 4);
  EXPECT_EQ(d["channel_statuses"]["CH"]["rows_errors"].GetInt64(), 0);

  r = client_->Delete(ChannelPath("CH"), Scoped(token));
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(fake_->Channel("ORDERS-STREAMING", "CH"));
}

TEST_F(FakeSnowflakeTest, ReopeningAChannelMakesEarlierContinuationTokensStale) {
  CreateOrders();
  const std::string token = ScopedToken();
  const std::string first = Open(token);
  auto r = Append(token, first, "1", "{\"id\":1}\n");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string next = Parse(r->body)["next_continuation_token"].GetString();
  r = Append(token, first, "2", "{\"id\":2}\n");  // already used
  ASSERT_EQ(r->status, 400);
  EXPECT_STREQ(Parse(r->body)["code"].GetString(), "STALE_CONTINUATION_TOKEN_SEQUENCER");

  auto open = client_->Put(ChannelPath("ch"), Scoped(token), "", "application/json");
  ASSERT_EQ(open->status, 200) << open->body;
  auto d = Parse(open->body);
  EXPECT_STREQ(d["channel_status"]["last_committed_offset_token"].GetString(), "1");
  r = Append(token, next, "2", "{\"id\":2}\n");
  ASSERT_EQ(r->status, 400) << r->body;
  EXPECT_STREQ(Parse(r->body)["code"].GetString(), "STALE_CONTINUATION_TOKEN_SEQUENCER");
  r = Append(token, d["next_continuation_token"].GetString(), "2", "{\"id\":2}\n");
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(fake_->Channel("ORDERS-STREAMING", "CH")->client_sequencer, 1);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 2u);
}

TEST_F(FakeSnowflakeTest, RowsThatDoNotFitAreSkippedAndReportedInChannelStatus) {
  CreateOrders();
  const std::string token = ScopedToken();
  auto r =
      Append(token, Open(token), "7", "{\"id\":1,\"color\":\"red\"}\n{\"id\":\"x\"}\n{\"id\":3}\n");
  ASSERT_EQ(r->status, 200) << r->body;
  const auto c = fake_->Channel("ORDERS-STREAMING", "CH");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rows_parsed, 3);
  EXPECT_EQ(c->rows_inserted, 1);
  EXPECT_EQ(c->rows_errors, 2);
  ASSERT_TRUE(c->last_error_message);
  EXPECT_EQ(c->committed_offset_token, "7");
  ASSERT_EQ(fake_->Table("ORDERS")->rows.size(), 1u);
  r = client_->Post(
      "/v2/streaming/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING:bulk-channel-status",
      Scoped(token), R"({"channel_names":["CH"]})", "application/json");
  const auto d = Parse(r->body);
  EXPECT_EQ(d["channel_statuses"]["CH"]["rows_errors"].GetInt64(), 2);
  EXPECT_STREQ(d["channel_statuses"]["CH"]["last_error_offset_upper_bound"].GetString(), "7");
}

TEST_F(FakeSnowflakeTest, AppendsOfTheWrongShapeAreRefused) {
  CreateOrders();
  const std::string token = ScopedToken();
  const std::string cont = Open(token);
  auto r = Append(token, cont, "1", "{\"id\":1}");
  EXPECT_EQ(r->status, 400) << "no final newline";
  r = Append(token, cont, "1", "[1]\n");
  EXPECT_EQ(r->status, 400) << "not an object";
  r = Append(token, cont, "1", "{\"id\":1}\n\n");
  EXPECT_EQ(r->status, 400) << "an empty line";
  r = client_->Post(
      "/v2/streaming/data/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING"
      "/channels/CH/rows?continuationToken=" +
          cont,
      Scoped(token), "{\"id\":1}\n", "application/json");
  EXPECT_EQ(r->status, 415);
  httplib::Headers br = Scoped(token);
  br.emplace("Content-Encoding", "compress");
  r = client_->Post(
      "/v2/streaming/data/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS-STREAMING"
      "/channels/CH/rows?continuationToken=" +
          cont,
      br, "{\"id\":1}\n", "application/x-ndjson");
  EXPECT_EQ(r->status, 415) << "an undocumented encoding";
  std::string big;
  while (big.size() <= 4 * 1024 * 1024) big += "{\"name\":\"" + std::string(1000, 'x') + "\"}\n";
  r = Append(token, cont, "1", big);
  EXPECT_EQ(r->status, 413);
  r = client_->Put("/v2/streaming/databases/TESTDB/schemas/PUBLIC/pipes/ORDERS/channels/CH",
                   Scoped(token), "{}", "application/json");
  EXPECT_EQ(r->status, 404) << "only <TABLE>-STREAMING pipes exist";
  r = client_->Put(ChannelPath("CH"), Scoped(token), R"({"offset":"1"})", "application/json");
  EXPECT_EQ(r->status, 400) << "unknown open-channel field";
  EXPECT_TRUE(fake_->Table("ORDERS")->rows.empty());
  // Still usable: nothing above moved the channel on.
  r = Append(token, cont, "1", "{\"id\":1}\n");
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(FakeSnowflakeTest, StreamingNeedsALiveScopedToken) {
  CreateOrders();
  auto r = client_->Put(ChannelPath("CH"), JwtHeaders(Jwt()), "{}", "application/json");
  EXPECT_EQ(r->status, 401) << "a JWT is not a scoped token";
  r = client_->Post(
      "/oauth/token", JwtHeaders(Jwt()),
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&scope=example.com",
      "application/x-www-form-urlencoded");
  EXPECT_EQ(r->status, 400) << "scope is not the hostname";
  std::string token = ScopedToken();
  Open(token);
  fake_->ExpireScopedTokens();
  r = client_->Put(ChannelPath("CH"), Scoped(token), "{}", "application/json");
  EXPECT_EQ(r->status, 401);
  token = ScopedToken();
  Open(token);
  fake_->RevokeScopedTokens();
  r = client_->Put(ChannelPath("CH"), Scoped(token), "{}", "application/json");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(fake_->RequestCount(Endpoint::kOauthToken), 3);
}

TEST_F(FakeSnowflakeTest, ALostAppendResponseStillStoresTheRowsAndCommitsTheOffset) {
  CreateOrders();
  const std::string token = ScopedToken();
  const std::string cont = Open(token);
  fake_->LoseNextResponse(Endpoint::kAppendRows);
  auto r = Append(token, cont, "5", "{\"id\":1}\n{\"id\":2}\n");
  EXPECT_FALSE(r);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 2u);
  r = Append(token, cont, "5", "{\"id\":1}\n{\"id\":2}\n");
  ASSERT_EQ(r->status, 400) << "the token was used";
  // The documented recovery: reopen, read the committed offset, resend after it.
  auto open = client_->Put(ChannelPath("CH"), Scoped(token), "{}", "application/json");
  EXPECT_STREQ(Parse(open->body)["channel_status"]["last_committed_offset_token"].GetString(), "5");
  fake_->FailNext(Endpoint::kAppendRows, 503, 1);
  r = Append(token, Parse(open->body)["next_continuation_token"].GetString(), "6", "{\"id\":3}\n");
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 2u);
  EXPECT_EQ(fake_->RequestCount(Endpoint::kAppendRows), 3);
}

TEST_F(FakeSnowflakeTest, DelayedCommitsShowOnlyAfterCommitPending) {
  CreateOrders();
  const std::string token = ScopedToken();
  fake_->SetCommitDelayed(true);
  auto r = Append(token, Open(token, R"({"offset_token":"0"})"), "1", "{\"id\":1}\n");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(fake_->CommittedOffsetToken("ORDERS-STREAMING", "CH"), "0");
  EXPECT_TRUE(fake_->Table("ORDERS")->rows.empty());
  fake_->CommitPending();
  EXPECT_EQ(fake_->CommittedOffsetToken("ORDERS-STREAMING", "CH"), "1");
  EXPECT_EQ(fake_->Table("ORDERS")->rows.size(), 1u);
}

}  // namespace
}  // namespace rivven::testing
