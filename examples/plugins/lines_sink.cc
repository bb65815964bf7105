// A sink plugin: appends each record's value as one line to the file `path` (its directory is
// created if need be); commit fsyncs it, so everything written is durable when commit returns
// (the host commits offsets only then).
//
//   g++ -std=c++17 -shared -fPIC -I include examples/plugins/lines_sink.cc -o lines_sink.so
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <rivven/plugin.hpp>

class LinesSink : public rivven::plugin::Sink {
 public:
  LinesSink(const rivven::plugin::Config& config, rivven::plugin::Host&)
      : path_(config.GetString("path")) {
    if (path_.empty()) throw rivven::plugin::Error("plugin_config.path is required");
    std::error_code ignored;  // open reports a directory that could not be made
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ignored);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) Fail("cannot open");
  }
  ~LinesSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void Write(const std::vector<rivven::plugin::Record>& records) override {
    for (const auto& r : records) {
      buffer_ += r.value ? *r.value : "null";
      buffer_ += '\n';
    }
  }

  void Commit() override {
    size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) Fail("cannot write");
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
    if (::fsync(fd_) != 0) Fail("cannot fsync");
  }

 private:
  [[noreturn]] void Fail(const char* what) {
    const int err = errno;
    // A full disk may clear up; anything else will not.
    throw rivven::plugin::Error(std::string(what) + " " + path_ + ": " + std::strerror(err),
                                err == ENOSPC);
  }

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
};

RIVVEN_PLUGIN(LinesSink)
