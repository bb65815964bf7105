#include "connectors/stdout/stdout_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace rivven::console {
namespace {

ConsumedRecord Rec(std::optional<std::string> key, std::optional<std::string> value,
                   int64_t offset = 7) {
  ConsumedRecord r;
  r.topic = "orders";
  r.partition = 2;
  r.offset = Offset(offset);
  r.record.key = std::move(key);
  r.record.value = std::move(value);
  r.record.timestamp_ms = 1700000000000;
  return r;
}

/// A pipe whose write end the sink writes to; the test reads what arrived.
class Pipe {
 public:
  Pipe() {
    EXPECT_EQ(::pipe2(fds_, O_CLOEXEC), 0);
  }
  ~Pipe() {
    CloseRead();
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void CloseRead() {
    if (fds_[0] >= 0) ::close(fds_[0]);
    fds_[0] = -1;
  }
  std::string ReadAvailable() {
    ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds_[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
};

std::string Print(StdoutConfig config, const std::vector<ConsumedRecord>& records) {
  Pipe pipe;
  StdoutSink sink(config, pipe.write_fd());
  EXPECT_TRUE(sink.Open().ok());
  EXPECT_TRUE(sink.Write(records).ok());
  EXPECT_TRUE(sink.Flush().ok());
  return pipe.ReadAvailable();
}

TEST(StdoutSinkTest, JsonLinesCopyJsonAndQuoteTheRest) {
  const std::string out =
      Print(StdoutConfig{}, {Rec("{\"id\":1}", "{\"id\":1,\"a\":[1, 2]}"), Rec(std::nullopt, "hi"),
                             Rec(std::nullopt, std::nullopt), Rec("k", "{\n\"multi\": true\n}")});
  EXPECT_EQ(out,
            "{\"id\":1,\"a\":[1, 2]}\n"
            "\"hi\"\n"
            "null\n"
            "{\"multi\":true}\n");
}

TEST(StdoutSinkTest, NothingIsWrittenBeforeFlush) {
  Pipe pipe;
  StdoutSink sink(StdoutConfig{}, pipe.write_fd());
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write({Rec(std::nullopt, "1")}).ok());
  EXPECT_EQ(pipe.ReadAvailable(), "");
  ASSERT_TRUE(sink.Flush().ok());
  EXPECT_EQ(pipe.ReadAvailable(), "1\n");
}

TEST(StdoutSinkTest, IncludeMetadata) {
  StdoutConfig c;
  c.include_metadata = true;
  const std::string out = Print(c, {Rec("{\"id\":1}", "{\"id\":1}"), Rec("plain", "text")});
  EXPECT_EQ(out,
            R"({"topic":"orders","partition":2,"offset":7,"timestamp":1700000000000,)"
            R"("key":{"id":1},"value":{"id":1}})"
            "\n"
            R"({"topic":"orders","partition":2,"offset":7,"timestamp":1700000000000,)"
            R"("key":"plain","value":"text"})"
            "\n");
}

TEST(StdoutSinkTest, Pretty) {
  StdoutConfig c;
  c.pretty = true;
  EXPECT_EQ(Print(c, {Rec(std::nullopt, "{\"a\":1,\"b\":[]}"), Rec(std::nullopt, "x")}),
            "{\n  \"a\": 1,\n  \"b\": []\n}\n\"x\"\n");
  c.include_metadata = true;
  EXPECT_EQ(Print(c, {Rec(std::nullopt, std::nullopt)}),
            "{\n  \"topic\": \"orders\",\n  \"partition\": 2,\n  \"offset\": 7,\n"
            "  \"timestamp\": 1700000000000,\n  \"key\": null,\n  \"value\": null\n}\n");
}

TEST(StdoutSinkTest, Text) {
  StdoutConfig c;
  c.format = OutputFormat::kText;
  EXPECT_EQ(Print(c, {Rec("{\"id\":1}", "{\"id\":1}", 0), Rec(std::nullopt, "v", 12),
                      Rec("k", std::nullopt, 13)}),
            "orders[2]@0 key={\"id\":1} {\"id\":1}\n"
            "orders[2]@12 key=null v\n"
            "orders[2]@13 key=k null\n");
}

TEST(StdoutSinkTest, LargeBatchesAreWrittenWhileBuffering) {
  // Several times the pipe's capacity: the sink must write partial chunks as it goes, and the
  // bytes must arrive complete and in order.
  Pipe pipe;
  StdoutSink sink(StdoutConfig{}, pipe.write_fd());
  ASSERT_TRUE(sink.Open().ok());
  std::vector<ConsumedRecord> batch;
  std::string expected;
  for (int i = 0; i < 100'000; ++i) {
    batch.push_back(Rec(std::nullopt, std::to_string(i)));
    expected += std::to_string(i) + "\n";
  }
  std::string got;
  std::thread reader([&] {
    char buf[65536];
    while (got.size() < expected.size()) {
      const ssize_t n = ::read(pipe.read_fd(), buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  });
  ASSERT_TRUE(sink.Write(batch).ok());
  ASSERT_TRUE(sink.Flush().ok());
  reader.join();
  EXPECT_EQ(got, expected);
}

TEST(StdoutSinkTest, BrokenPipeIsAFatalErrorAndDoesNotSpin) {
  std::signal(SIGPIPE, SIG_IGN);  // as the runtime does
  Pipe pipe;
  StdoutSink sink(StdoutConfig{}, pipe.write_fd());
  ASSERT_TRUE(sink.Open().ok());
  pipe.CloseRead();
  ASSERT_TRUE(sink.Write({Rec(std::nullopt, "1")}).ok());  // buffered only
  const auto start = std::chrono::steady_clock::now();
  Status st = sink.Flush();
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.retriable());
  EXPECT_EQ(st.message(), "stdout closed (broken pipe)");
  // Every later call fails the same way at once.
  EXPECT_EQ(sink.Write({Rec(std::nullopt, "2")}).message(), "stdout closed (broken pipe)");
  EXPECT_EQ(sink.Flush().message(), "stdout closed (broken pipe)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST(StdoutSinkTest, RegularFileIsSyncedOnFlush) {
  char path[] = "/tmp/stdout_sink_testXXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  StdoutSink sink(StdoutConfig{}, fd);
  ASSERT_TRUE(sink.Open().ok());
  ASSERT_TRUE(sink.Write({Rec(std::nullopt, "{\"x\":1}")}).ok());
  ASSERT_TRUE(sink.Flush().ok());
  ASSERT_TRUE(sink.Close().ok());
  char buf[64] = {};
  ASSERT_EQ(::pread(fd, buf, sizeof buf, 0), 8);
  EXPECT_STREQ(buf, "{\"x\":1}\n");
  ::close(fd);
  ::unlink(path);
}

}  // namespace
}  // namespace rivven::console
