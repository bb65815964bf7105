#include "clients/plugin/crash_note.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

namespace rivven::plugin_host {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_previous[NSIG];

constinit thread_local const char* t_note = nullptr;
constinit thread_local const char* t_function = nullptr;

const char* SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
  }
}

void Put(const char* s) {
  // Async-signal-safe: write(2) and strlen only.
  ssize_t ignored = ::write(STDERR_FILENO, s, std::strlen(s));
  (void)ignored;
}

// Hands the signal to whoever had it before: their handler with the original siginfo and
// context (a WASM runtime's trap handler must see the faulting address), or the default
// action, which ends the process with the signal once this handler returns.
void Chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = g_previous[sig];
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, context);
    return;
  }
  if (prev.sa_handler == SIG_IGN) return;
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != nullptr) {
    prev.sa_handler(sig);
    return;
  }
  // Blocked until this handler returns, then delivered with the default action.
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void OnFatalSignal(int sig, siginfo_t* info, void* context) {
  if (t_note != nullptr) {
    char number[4] = {static_cast<char>('0' + (sig / 10) % 10), static_cast<char>('0' + sig % 10),
                      '\0', '\0'};
    Put("rivven-connect: fatal signal ");
    Put(sig >= 10 ? number : number + 1);
    Put(" (");
    Put(SignalName(sig));
    Put(") in native ");
    Put(t_note);
    Put(", in ");
    Put(t_function);
    Put("; native plugins run inside the rivven-connect process, so it stops here (use a WASM "
        "connector to isolate untrusted code)\n");
  }
  Chain(sig, info, context);
}

void InstallOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction sa {};
      sa.sa_sigaction = &OnFatalSignal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
      ::sigaction(sig, &sa, &g_previous[sig]);
    }
  });
}

}  // namespace

CrashNote::CrashNote(const char* note, const char* function)
    : previous_note_(t_note), previous_function_(t_function) {
  InstallOnce();
  t_note = note;
  t_function = function;
}

CrashNote::~CrashNote() {
  t_note = previous_note_;
  t_function = previous_function_;
}

}  // namespace rivven::plugin_host
