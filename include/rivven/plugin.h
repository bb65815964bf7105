/* rivven-connect native plugin ABI, version 1.
 *
 * A native plugin is a shared library (.so) that exports one function:
 *
 *     const rivven_plugin_v1* rivven_plugin_entry(void);
 *
 * returning a table that describes the plugin (name, kind) and its entry points. The ABI is plain
 * C, so a plugin may be written in any language that can export a C function and lay out C
 * structs (C, C++, Rust with #[repr(C)], Zig, ...). C++ authors should use <rivven/plugin.hpp>.
 *
 * VERSIONING
 *   The host reads only `abi_version`, the first field of the table, before anything else. If
 *   it is not RIVVEN_PLUGIN_ABI_VERSION of the host, the plugin is refused with an error naming
 *   the file and both versions; nothing else in the table is touched and no function is called.
 *   A later version keeps `abi_version` first and is a different table type
 *   (rivven_plugin_v2, ...). `kind` must match the place the plugin is configured in
 *   (`connector: plugin` under sources: needs a source, under sinks: a sink, a `Plugin`
 *   transform needs a transform).
 *
 * CALLING CONVENTION
 *   Every function that can fail returns int: 0 on success, non-zero on failure, in which case it
 *   has filled `*err` (see rivven_error). A function must never let a C++ exception, Rust panic
 *   or longjmp escape: unwinding through the host is undefined behaviour. (plugin.hpp catches
 *   every exception at the boundary; the host also refuses, as a fatal error, anything that
 *   still escapes.)
 *
 * THREADING
 *   `rivven_plugin_entry` may be called several times and from any thread; it returns the same
 *   static table each time. `create` may be called from several threads at once (one pipeline
 *   can hold several instances of the same plugin). An instance is used by one thread at a time:
 *   the host never calls two functions on the same instance concurrently, though successive
 *   calls may come from different threads. Global state of the plugin must be thread-safe.
 *
 * LIFETIME AND OWNERSHIP (nothing is ever freed across the boundary)
 *   - Everything the host passes in (config JSON, checkpoint, records given to `write` and
 *     `transform`, the host table's strings) is owned by the host and valid only until the
 *     function returns -- except the rivven_host table itself, which stays valid until `destroy`
 *     returns. Copy what you need to keep.
 *   - Everything the plugin hands out (the records, bytes, headers and position it puts in a
 *     rivven_batch) is owned by the plugin and must stay valid and unchanged until the next call
 *     on the same instance (any function, including `destroy`). The host copies it before then.
 *     A plugin typically keeps one reusable buffer per instance.
 *   - Error messages are written into the host's rivven_error buffer; no allocation is involved.
 *   - The instance pointer returned by `create` is owned by the host and released with
 *     `destroy`, exactly once, on every path (also after `create`'s partner calls failed).
 *   So the host never frees plugin memory and the plugin never frees host memory: plugins may
 *   use any allocator.
 *
 * CRASHES
 *   A native plugin runs inside the rivven-connect process. A crash in it (SIGSEGV, abort, ...)
 *   ends the process; the host reports which plugin was running when a fatal signal arrived, and
 *   the process then dies with that signal. Use a WASM connector where isolation is needed.
 */
#ifndef RIVVEN_PLUGIN_H_
#define RIVVEN_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RIVVEN_PLUGIN_ABI_VERSION 1u
#define RIVVEN_PLUGIN_ENTRY_SYMBOL "rivven_plugin_entry"
#define RIVVEN_ERROR_MESSAGE_SIZE 1024

/* What a plugin is. */
typedef enum rivven_plugin_kind {
  RIVVEN_PLUGIN_SOURCE = 1,
  RIVVEN_PLUGIN_SINK = 2,
  RIVVEN_PLUGIN_TRANSFORM = 3
} rivven_plugin_kind;

/* Log levels for rivven_host.log. */
typedef enum rivven_log_level {
  RIVVEN_LOG_DEBUG = 0,
  RIVVEN_LOG_INFO = 1,
  RIVVEN_LOG_WARN = 2,
  RIVVEN_LOG_ERROR = 3
} rivven_log_level;

/* A byte span that may be null (a Kafka null key or tombstone value). When is_null is non-zero,
 * data and len are ignored. data need not be NUL-terminated; len = 0 with is_null = 0 is the
 * empty (non-null) value. */
typedef struct rivven_bytes {
  const uint8_t* data;
  size_t len;
  int32_t is_null;
} rivven_bytes;

/* One record header: a UTF-8 key and a byte value (neither NUL-terminated). */
typedef struct rivven_header {
  const char* key;
  size_t key_len;
  const uint8_t* value;
  size_t value_len;
} rivven_header;

/* One record. */
typedef struct rivven_record {
  rivven_bytes key;
  rivven_bytes value;
  const rivven_header* headers; /* header_count entries; may be NULL when header_count = 0 */
  size_t header_count;
  int64_t timestamp_ms;         /* milliseconds since the Unix epoch; 0 = let the host stamp it */
  /* Topic (not NUL-terminated). Sources and transforms: the destination, topic_len = 0 for the
   * connector's configured topic. Sinks: the topic the record was read from. */
  const char* topic;
  size_t topic_len;
  int32_t partition;            /* sinks: where it was read from; -1 elsewhere */
  int64_t offset;               /* sinks: its offset in that partition; -1 elsewhere */
} rivven_record;

/* Records a plugin hands out (source poll, transform). Zeroed by the host before each call. */
typedef struct rivven_batch {
  const rivven_record* records;
  size_t count;
  /* Sources: opaque position just after the last record of this batch (the host stores it in
   * its checkpoint and gives it back to `open` after a restart); NULL or len 0 = unchanged.
   * Any bytes; JSON text is customary. Ignored for transforms. */
  const char* position;
  size_t position_len;
  /* Sources: non-zero on the last batch of a bounded source (the batch may be empty). */
  int32_t finished;
} rivven_batch;

/* A failure. Zeroed by the host before each call. The plugin writes a NUL-terminated UTF-8
 * message (truncated to fit) and sets retriable to non-zero when retrying the same call later
 * may succeed (a peer is down), zero when it will not (bad config, bad data): the runtime's
 * restart policy restarts the connector only for retriable errors. */
typedef struct rivven_error {
  char message[RIVVEN_ERROR_MESSAGE_SIZE];
  int32_t retriable;
} rivven_error;

/* What the host offers a plugin instance. Valid from `create` until `destroy` returns. */
typedef struct rivven_host {
  uint32_t abi_version;         /* the host's RIVVEN_PLUGIN_ABI_VERSION */
  const char* connector_name;   /* NUL-terminated: the key under sources:/sinks:, or the
                                 * transform's type for transforms */
  void* context;                /* pass back to log() */
  /* Writes one line to the host's log (thread-safe). message need not be NUL-terminated. */
  void (*log)(void* context, int32_t level, const char* message, size_t len);
} rivven_host;

/* The table `rivven_plugin_entry` returns. Functions a kind does not use are NULL. */
typedef struct rivven_plugin_v1 {
  uint32_t abi_version;         /* must stay first: RIVVEN_PLUGIN_ABI_VERSION the plugin was
                                 * built with */
  uint32_t kind;                /* a rivven_plugin_kind */
  const char* name;             /* NUL-terminated, for messages */
  const char* description;      /* NUL-terminated, may be NULL */

  /* All kinds. Creates an instance from `plugin_config` as JSON text (config_json, config_len,
   * NUL-terminated as well; "null" when none was given). Returns NULL and fills *err on
   * failure (then nothing else is called for it). `host` stays valid until destroy. */
  void* (*create)(const char* config_json, size_t config_len, const rivven_host* host,
                  rivven_error* err);

  /* Sources: called once after create. checkpoint is a position this plugin returned in an
   * earlier batch that is now durable (resume just after it), or NULL to start from the
   * beginning. */
  int (*open)(void* instance, const char* checkpoint, size_t checkpoint_len, rivven_error* err);

  /* Sources: fills *out with at most max_records records (zero is fine). Should return within
   * about max_wait_ms when there is nothing to read, so the host can stop promptly. */
  int (*poll)(void* instance, size_t max_records, uint32_t max_wait_ms, rivven_batch* out,
              rivven_error* err);

  /* Sinks: accepts `count` records (may buffer them). */
  int (*write)(void* instance, const rivven_record* records, size_t count, rivven_error* err);

  /* Sinks: when this returns 0, every record passed to write so far is durable at the
   * destination; the host commits the consumed offsets only then. */
  int (*commit)(void* instance, rivven_error* err);

  /* Transforms: takes `count` records and fills *out with the result, which may drop records
   * (out->count = 0). ABI v1 hosts pass one record per call and accept at most one record out
   * per record in. */
  int (*transform)(void* instance, const rivven_record* in, size_t count, rivven_batch* out,
                   rivven_error* err);

  /* All kinds, optional (may be NULL): ends an instance cleanly (sinks: after a last commit).
   * Not called after a failed create. */
  int (*close)(void* instance, rivven_error* err);

  /* All kinds: frees the instance. Always called once for every instance create returned. */
  void (*destroy)(void* instance);
} rivven_plugin_v1;

/* The one symbol a plugin exports. */
typedef const rivven_plugin_v1* (*rivven_plugin_entry_fn)(void);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* RIVVEN_PLUGIN_H_ */
