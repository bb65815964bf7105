#include "connectors/stdout/stdout_sink.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/json_escape.h"
#include "connectors/registry.h"
#include "record/json.h"

namespace rivven {
namespace console {
namespace {

// Write to the fd once this much is buffered, so a big batch does not sit in memory.
constexpr size_t kDrainBytes = 64 * 1024;

Status BrokenPipe() { return Status::IoError("stdout closed (broken pipe)"); }

}  // namespace

StdoutSink::StdoutSink(StdoutConfig config, int fd) : config_(config), fd_(fd) {}

Status StdoutSink::Open() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, "stdout sink: fstat(stdout)");
  regular_file_ = S_ISREG(st.st_mode);
  buffer_.reserve(kDrainBytes * 2);
  return Status::Ok();
}

void StdoutSink::AppendFormatted(std::string& out, const ConsumedRecord& record) const {
  const Record& r = record.record;
  if (config_.format == OutputFormat::kText) {
    out += record.topic;
    out.push_back('[');
    json::AppendInt(out, record.partition);
    out += "]@";
    json::AppendInt(out, record.offset.value());
    out += " key=";
    out += r.key ? *r.key : "null";
    out.push_back(' ');
    out += r.value ? *r.value : "null";
    out.push_back('\n');
    return;
  }
  std::string document;
  std::string& target = config_.pretty ? document : out;
  if (config_.include_metadata) {
    target += "{\"topic\":";
    AppendJsonString(target, record.topic);
    target += ",\"partition\":";
    json::AppendInt(target, record.partition);
    target += ",\"offset\":";
    json::AppendInt(target, record.offset.value());
    target += ",\"timestamp\":";
    json::AppendInt(target, r.timestamp_ms);
    target += ",\"key\":";
    json::AppendJsonOrString(target, r.key);
    target += ",\"value\":";
    json::AppendJsonOrString(target, r.value);
    target.push_back('}');
  } else {
    json::AppendJsonOrString(target, r.value);
  }
  if (config_.pretty) {
    auto pretty = json::PrettyJson(document);
    out += pretty.ok() ? *pretty : document;  // the document is JSON we built; ok() always
  }
  out.push_back('\n');
}

Status StdoutSink::Write(const std::vector<ConsumedRecord>& records) {
  if (!broken_.ok()) return broken_;
  for (const ConsumedRecord& record : records) {
    AppendFormatted(buffer_, record);
    if (buffer_.size() >= kDrainBytes) RC_RETURN_IF_ERROR(Drain());
  }
  return Status::Ok();
}

Status StdoutSink::Drain() {
  if (!broken_.ok()) return broken_;
  size_t done = 0;
  Status result;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    const int err = n < 0 ? errno : EIO;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      // Someone made stdout non-blocking: wait until the reader catches up.
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (err == EPIPE) {
      broken_ = BrokenPipe();
      buffer_.clear();
      return broken_;
    }
    result = Status::FromErrno(err, "writing to stdout");
    break;
  }
  // Keep what was not written so a retry continues where this one stopped.
  buffer_.erase(0, done);
  return result;
}

Status StdoutSink::Flush() {
  RC_RETURN_IF_ERROR(Drain());
  if (regular_file_ && ::fdatasync(fd_) != 0) {
    return Status::FromErrno(errno, "fdatasync(stdout)").WithDisposition(Disposition::kFatal);
  }
  return Status::Ok();
}

Status StdoutSink::Close() {
  if (!broken_.ok()) return Status::Ok();  // already reported; nothing left to write
  return Flush();
}

}  // namespace console

void RegisterStdout(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "stdout";
  d.kind = ConnectorKind::kSink;
  d.description =
      "Prints records to standard output, as JSON lines (optionally pretty, optionally with "
      "topic/partition/offset) or as text, for debugging and shell pipelines";
  d.schema = console::StdoutSchema();
  d.make_sink = [](const config::BoundConfig& bound,
                   const ConnectorContext&) -> Result<std::unique_ptr<Sink>> {
    RC_ASSIGN_OR_RETURN(console::StdoutConfig config, console::StdoutConfigFromBound(bound));
    return std::unique_ptr<Sink>(std::make_unique<console::StdoutSink>(config));
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
