/* rivven_guest.h: the guest side of rivven-connect's WASM ABI (docs/wasm.md) for C modules
 * built without libc:
 *
 *   clang --target=wasm32 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -Wl,--export-dynamic \
 *         -o my_module.wasm my_module.c
 *
 * Include it in exactly one .c file: it defines the rivven_alloc and rivven_free exports, a
 * bump allocator over linear memory. rivven_free(ptr, len) releases everything allocated since
 * `ptr`, which the host calls right after each call that took input, so a stateless module
 * never grows. Data kept across calls belongs in static storage.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define RIVVEN_IMPORT(name) __attribute__((import_module("rivven"), import_name(name)))
#define RIVVEN_EXPORT(name) __attribute__((export_name(name)))

enum { RIVVEN_DEBUG = 0, RIVVEN_INFO = 1, RIVVEN_WARN = 2, RIVVEN_ERROR = 3 };
enum { RIVVEN_OK = 0, RIVVEN_RETRIABLE = 1, RIVVEN_FATAL = 2 };

RIVVEN_IMPORT("log") void rivven_log(int32_t level, const char* message, int32_t len);
RIVVEN_IMPORT("now_ms") int64_t rivven_now_ms(void);
/* The bytes this call returns (records, a poll result, an error message): copied at once. */
RIVVEN_IMPORT("set_result") void rivven_set_result(const void* data, int32_t len);

extern unsigned char __heap_base; /* defined by wasm-ld: the first free byte */
static uintptr_t rivven_heap_top;

static int32_t rivven_strlen(const char* s) {
  int32_t n = 0;
  while (s[n]) ++n;
  return n;
}

/* Logs a NUL-terminated message. */
static void rivven_log_str(int32_t level, const char* message) {
  rivven_log(level, message, rivven_strlen(message));
}

/* `len` bytes, 8-aligned, growing memory as needed; 0 when memory.grow fails (the host's
 * memory_limit_mb). */
RIVVEN_EXPORT("rivven_alloc") void* rivven_alloc(int32_t len) {
  if (rivven_heap_top == 0) rivven_heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (rivven_heap_top + 7) & ~(uintptr_t)7;
  uintptr_t end = p + (uint32_t)len;
  uintptr_t have = __builtin_wasm_memory_size(0) * 65536u;
  if (end > have) {
    uintptr_t pages = (end - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
  }
  rivven_heap_top = end;
  return (void*)p;
}

RIVVEN_EXPORT("rivven_free") void rivven_free(void* ptr, int32_t len) {
  (void)len;
  if ((uintptr_t)ptr >= (uintptr_t)&__heap_base) rivven_heap_top = (uintptr_t)ptr;
}
