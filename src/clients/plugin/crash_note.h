#pragma once

namespace rivven::plugin_host {

/// While alive, marks the calling thread as running native plugin code: if a fatal signal
/// (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) arrives on this thread meanwhile, the handler
/// writes "rivven-connect: fatal signal N (NAME) in <note>, in <function>; ..." to stderr, then
/// restores the previous disposition and re-raises, so the process still dies with the signal
/// (exit status, core dumps and supervisors see the same thing as without it). A segfault cannot
/// be contained in-process: the plugin may have corrupted any memory.
///
/// `note` and `function` must outlive the scope. Not nestable across plugins (a plugin does not
/// call another). The handler is installed once per process, on first use.
class CrashNote {
 public:
  CrashNote(const char* note, const char* function);
  ~CrashNote();
  CrashNote(const CrashNote&) = delete;
  CrashNote& operator=(const CrashNote&) = delete;

 private:
  const char* previous_note_;
  const char* previous_function_;
};

}  // namespace rivven::plugin_host
