#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rivven {

/// What went wrong, coarse enough for callers to branch on.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   ///< bad input from a user or peer (config, a malformed line)
  kNotFound,
  kAlreadyExists,
  kIoError,           ///< an operating-system call failed
  kCorruption,        ///< stored bytes fail their checksum or framing
  kUnavailable,       ///< a peer is down or busy; usually worth retrying
  kTimeout,
  kCancelled,         ///< the operation was stopped by shutdown
  kResourceExhausted, ///< disk full, queue full, quota
  kFailedPrecondition,///< e.g. a data dir held by another process
  kInternal,
};

/// Whether repeating the same operation later may succeed.
enum class Disposition { kFatal, kRetriable };

/// The outcome of an operation that can fail in an expected way.
/// Cheap to copy when ok (no allocation). Errors carry a message that names
/// what and where, and a disposition the runtime uses to decide on retry.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(StatusCode code, std::string message,
                      Disposition disposition = Disposition::kFatal) {
    return Status(code, std::move(message), disposition);
  }
  static Status InvalidArgument(std::string m) { return Error(StatusCode::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Error(StatusCode::kNotFound, std::move(m)); }
  static Status IoError(std::string m) { return Error(StatusCode::kIoError, std::move(m)); }
  static Status Corruption(std::string m) { return Error(StatusCode::kCorruption, std::move(m)); }
  static Status Unavailable(std::string m) {
    return Error(StatusCode::kUnavailable, std::move(m), Disposition::kRetriable);
  }
  static Status Timeout(std::string m) {
    return Error(StatusCode::kTimeout, std::move(m), Disposition::kRetriable);
  }
  static Status Cancelled(std::string m) { return Error(StatusCode::kCancelled, std::move(m)); }
  static Status FailedPrecondition(std::string m) {
    return Error(StatusCode::kFailedPrecondition, std::move(m));
  }
  static Status Internal(std::string m) { return Error(StatusCode::kInternal, std::move(m)); }
  /// An errno-based I/O failure: "<what>: <strerror>"; ENOSPC maps to kResourceExhausted.
  static Status FromErrno(int err, std::string_view what);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retriable() const { return disposition_ == Disposition::kRetriable; }
  Disposition disposition() const { return disposition_; }

  /// Prefixes the message with context ("reading segment 00000042.log: ...").
  Status WithContext(std::string_view context) const;
  /// Same status, different disposition.
  Status WithDisposition(Disposition d) const {
    Status s = *this;
    s.disposition_ = d;
    return s;
  }
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string message, Disposition d)
      : code_(code), disposition_(d), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  Disposition disposition_ = Disposition::kFatal;
  std::string message_;
};

const char* StatusCodeName(StatusCode code);

/// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rivven

#define RC_CONCAT_INNER(a, b) a##b
#define RC_CONCAT(a, b) RC_CONCAT_INNER(a, b)

/// Returns the Status from the enclosing function if `expr` is an error.
#define RC_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::rivven::Status rc_status_ = (expr);        \
    if (!rc_status_.ok()) return rc_status_;     \
  } while (0)

/// `RC_ASSIGN_OR_RETURN(auto x, MakeX());` — binds the value or returns the error.
#define RC_ASSIGN_OR_RETURN(lhs, expr) \
  RC_ASSIGN_OR_RETURN_IMPL(RC_CONCAT(rc_result_, __LINE__), lhs, expr)
#define RC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

/// Invariant check: a violated one is a bug in rivven-connect, never bad input.
#define RC_ASSERT(cond)                                                      \
  do {                                                                       \
    if (!(cond)) ::rivven::internal::AssertFail(#cond, __FILE__, __LINE__);  \
  } while (0)

namespace rivven::internal {
[[noreturn]] void AssertFail(const char* cond, const char* file, int line);
}
