#include "clients/mysql/mysql_error.h"

#include <gtest/gtest.h>

namespace rivven::mysql {
namespace {

TEST(MysqlErrorTest, MessageNamesNumberStateWhatAndWhere) {
  const Status s = ErrorStatus(1045, "28000", "connecting to", "rivven@127.0.0.1:3306/db",
                               "Access denied for user 'rivven'@'localhost' (using password: YES)");
  EXPECT_EQ(s.message(),
            "MySQL error 1045 (28000) connecting to rivven@127.0.0.1:3306/db: Access denied for "
            "user 'rivven'@'localhost' (using password: YES)");
  EXPECT_FALSE(s.retriable());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorNumber(s), 1045u);
  EXPECT_EQ(ErrorSqlState(s), "28000");
}

TEST(MysqlErrorTest, NumberAndStateSurviveContext) {
  const Status s =
      ErrorStatus(1146, "42S02", "query failed on", "u@h:1/d", "Table 'd.t' doesn't exist")
          .WithContext("reading the catalog");
  EXPECT_EQ(ErrorNumber(s), 1146u);
  EXPECT_EQ(ErrorSqlState(s), "42S02");
}

TEST(MysqlErrorTest, WithoutStateOrNumber) {
  const Status s = ErrorStatus(5021, "", "reading the binlog from", "u@h:1/", "Malformed packet");
  EXPECT_EQ(s.message(), "MySQL error 5021 reading the binlog from u@h:1/: Malformed packet");
  EXPECT_EQ(ErrorNumber(s), 5021u);
  EXPECT_EQ(ErrorSqlState(s), "");
  EXPECT_EQ(ErrorNumber(Status::Unavailable("something else")), 0u);
  EXPECT_EQ(ErrorSqlState(Status::Unavailable("something else")), "");
  EXPECT_EQ(ErrorNumber(Status::Ok()), 0u);
}

TEST(MysqlErrorTest, MultiLineMessagesBecomeOneLine) {
  const Status s = ErrorStatus(1064, "42000", "query failed on", "u@h:1/d", "near 'x\ny'\n");
  EXPECT_EQ(s.message(), "MySQL error 1064 (42000) query failed on u@h:1/d: near 'x y'");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(s.retriable());
}

TEST(MysqlErrorTest, ConnectionLossAndServerStatesAreRetriable) {
  // client: connection refused / host / gone away / lost; server: too many connections,
  // shutdown, killed, deadlock, lock wait timeout
  for (unsigned n : {2002u, 2003u, 2005u, 2006u, 2013u, 2055u, 5013u, 5014u, 1040u, 1053u, 1152u,
                     1158u, 1159u, 1160u, 1161u, 1203u, 1205u, 1213u, 1927u}) {
    const Status s = ErrorStatus(n, "HY000", "query failed on", "u@h:1/d", "x");
    EXPECT_TRUE(s.retriable()) << n;
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << n;
    EXPECT_TRUE(IsRetriableError(n)) << n;
  }
}

TEST(MysqlErrorTest, AuthPrivilegesSyntaxAndUnknownObjectsAreFatal) {
  // access denied (user, database, table, specific privilege), unknown database, no such
  // table, syntax, TLS errors, unknown binlog event
  for (unsigned n :
       {1045u, 1044u, 1142u, 1227u, 1698u, 4151u, 1049u, 1146u, 1064u, 2026u, 5020u, 1236u}) {
    const Status s = ErrorStatus(n, "HY000", "query failed on", "u@h:1/d", "x");
    EXPECT_FALSE(s.retriable()) << n;
    EXPECT_FALSE(IsRetriableError(n)) << n;
  }
}

TEST(MysqlErrorTest, BinlogUnavailableIsItsOwnKind) {
  const Status s =
      ErrorStatus(1236, "HY000", "reading the binlog (mysql-bin.000001) from", "u@h:1/",
                  "Could not find first log file name in binary log index file");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_FALSE(s.retriable());
  EXPECT_TRUE(IsBinlogUnavailable(s));
  EXPECT_NE(s.message().find("Could not find first log file name"), std::string::npos);
  EXPECT_FALSE(IsBinlogUnavailable(ErrorStatus(2013, "HY000", "x", "y", "z")));
}

}  // namespace
}  // namespace rivven::mysql
