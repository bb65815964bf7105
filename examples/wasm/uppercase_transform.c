/* A WASM transform in C: upper-cases the ASCII letters of every string inside each record's
 * value (member names, the key, headers and topic stay as they are). In place, without libc.
 * Build: see rivven_guest.h; the ABI is in docs/wasm.md. */
#include "rivven_guest.h"

RIVVEN_EXPORT("rivven_init") int32_t rivven_init(const char* config, int32_t len) {
  (void)config;
  (void)len;
  rivven_log_str(RIVVEN_INFO, "uppercase transform ready");
  return RIVVEN_OK;
}

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/* Upper-cases [s, s + n) of a JSON string body, leaving escape sequences alone. */
static void upper(char* s, int32_t n) {
  for (int32_t i = 0; i < n; ++i) {
    if (s[i] == '\\') {
      i += s[i + 1] == 'u' ? 5 : 1;
    } else if (s[i] >= 'a' && s[i] <= 'z') {
      s[i] = (char)(s[i] - 'a' + 'A');
    }
  }
}

/* Input: a JSON array of records [{"topic":..,"key":..,"value":..,"headers":{..}}]; records
 * are objects at depth 2, so their "value" member starts at depth 2 and ends at the next ','
 * or '}' back at depth 2. */
RIVVEN_EXPORT("rivven_transform") int32_t rivven_transform(char* json, int32_t len) {
  int depth = 0;
  int in_value = 0;
  for (int32_t i = 0; i < len; ++i) {
    char c = json[i];
    if (c == '"') {
      int32_t start = i + 1, end = start;
      while (end < len && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
      int32_t next = end + 1;
      while (next < len && is_space(json[next])) ++next;
      int is_name = next < len && json[next] == ':';
      if (is_name && depth == 2) {
        in_value = end - start == 5 && json[start] == 'v' && json[start + 1] == 'a' &&
                   json[start + 2] == 'l' && json[start + 3] == 'u' && json[start + 4] == 'e';
      } else if (!is_name && in_value) {
        upper(json + start, end - start);
      }
      i = end;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth < 2) in_value = 0;
    } else if (c == ',' && depth == 2) {
      in_value = 0;
    }
  }
  rivven_set_result(json, len);
  return RIVVEN_OK;
}
