#pragma once

#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/stdout/stdout_config.h"

namespace rivven {

class Registry;

/// Registers the "stdout" sink (descriptor, schema, factory).
void RegisterStdout(Registry& registry);

namespace console {

/// Prints records to standard output (or any fd, for tests) for debugging and shell pipelines.
/// Output is buffered and written in large chunks; Flush writes everything, and when the fd is a
/// regular file (`> out.jsonl`) also fdatasyncs it, so data is durable when Flush returns OK.
/// A closed reader (`| head -1`) ends the sink with a fatal "stdout closed (broken pipe)"; the
/// process must ignore SIGPIPE (the runtime does) so that write returns EPIPE.
///
/// Owned by the sink runner; all calls come from that one thread. Does not own the fd.
class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(StdoutConfig config, int fd = 1);

  Status Open() override;
  Status Write(const std::vector<ConsumedRecord>& records) override;
  Status Flush() override;
  Status Close() override;

  /// Appends one record exactly as it is printed, trailing newline included.
  void AppendFormatted(std::string& out, const ConsumedRecord& record) const;

 private:
  /// Writes the whole buffer to the fd (retrying partial writes and EINTR/EAGAIN).
  Status Drain();

  StdoutConfig config_;
  int fd_;
  bool regular_file_ = false;
  std::string buffer_;
  Status broken_;  ///< set once the reader went away; every later call returns it
};

}  // namespace console
}  // namespace rivven
