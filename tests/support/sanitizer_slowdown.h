#pragma once

// How many times longer a test may take in a sanitizer build (build/asan, build/tsan) than in a
// release build. Only for bounds on how long a stream of work may take to finish (not for
// latencies a test asserts): the instrumented code runs two to five times slower, and a bound
// sized for the release build fails there without anything being wrong.
namespace rivven::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr int kSanitizerSlowdown = 4;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

}  // namespace rivven::testing
