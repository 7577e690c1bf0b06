/* transport_util.h - what the transports share beyond transport.h: JSON
 * from outside parsed safely, and text within a platform's limits, which
 * are counted in characters (Unicode code points), never in bytes: counting,
 * shortening a title with "…", and splitting a long text at the most
 * natural boundary (paragraph, line, sentence, word). A cut never falls
 * inside a UTF-8 sequence, nor before a combining mark (a Devanagari
 * vowel sign, virama or nukta), nor right after a virama, so Hindi text
 * is never left with a broken syllable. Implemented in host/transport.c. */
#ifndef SAMVAD_HOST_TRANSPORT_UTIL_H
#define SAMVAD_HOST_TRANSPORT_UTIL_H

#include <stddef.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "util.h"

/* The number of characters in s[0..len) (an invalid byte counts as one). */
size_t host_text_chars(const char *s, size_t len);

/* Appends s (len bytes) to out, shortened to at most max characters (max
 * >= 2) when longer: cut at a word boundary when one keeps most of the
 * text, else at a character boundary, then "…". Returns 1 when it
 * shortened, 0 when s fitted, -1 when out of memory. */
int host_text_shorten(const char *s, size_t len, size_t max, host_buf *out);

/* The first piece of s[0..len) of at most max characters: returns its
 * length in bytes (trailing spaces left off) and sets *next to where the
 * rest begins (spaces and newlines skipped). When the whole fits it is
 * returned and *next = len. */
size_t host_text_chunk(const char *s, size_t len, size_t max, size_t *next);

/* Where the last piece of s[0..len) of at most max characters begins,
 * chosen like host_text_chunk's boundaries (the longest such tail that
 * starts a paragraph, else a line, a sentence, a word, a character): 0
 * when the whole fits. */
size_t host_text_tail(const char *s, size_t len, size_t max);

/* Parses JSON from outside (a webhook, an API's answer) into yajl_tree's
 * values (json_tree.h: in one arena): NULL when it is not JSON, larger
 * than max_bytes or nested deeper than max_depth (0: no limit). Free with
 * host_json_tree_free, never yajl_tree_free. */
yajl_val host_json_parse(const void *body, size_t len, size_t max_bytes,
                         unsigned max_depth);

/* The string at path (NULL-terminated keys) under v, or NULL; a number is
 * returned as its text (ids such as Telegram's chat id are numbers). */
const char *host_json_get(yajl_val v, const char *const *path);

/* What a transport's outcome function fills, emptied before it reads the
 * answer: no id, no retry delay, no error. */
void host_outcome_clear(char *sent_id, size_t cap, int *retry_after,
                        char *error, size_t error_cap);

/* A JSON writer (yajl_gen) with a sticky error, so a message is written
 * as a run of calls checked once, at host_jw_finish. A key argument of
 * NULL means "inside an array". */
typedef struct host_jw {
  yajl_gen g;
  int err;
} host_jw;

void host_jw_init(host_jw *j);
void host_jw_str(host_jw *j, const char *s, size_t n);
void host_jw_s(host_jw *j, const char *s);
void host_jw_kv(host_jw *j, const char *key, const char *value);
void host_jw_bool(host_jw *j, const char *key, int value);
void host_jw_open(host_jw *j, const char *key);
void host_jw_close(host_jw *j);
void host_jw_array(host_jw *j, const char *key);
void host_jw_array_end(host_jw *j);
/* Appends the JSON to dest (NULL counts as a failure) and frees the
 * writer: 0, or -1 when anything failed on the way. */
int host_jw_finish(host_jw *j, host_buf *dest);

#endif
