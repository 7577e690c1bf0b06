/* transport.c - what every transport shares: the list of requests a reply
 * renders into, JSON from outside parsed with bounded depth, and text kept
 * within limits counted in characters (transport_util.h): counting,
 * shortening and splitting UTF-8 without breaking a character or a
 * Devanagari syllable. */
#include "transport.h"
#include "json_tree.h"
#include "transport_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


host_request *host_request_add(host_request_list *list, const char *url) {
  size_t n = strlen(url);
  if (n >= sizeof list->items[0].url)
    return NULL; /* a cut URL would send to the wrong place */
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 4;
    host_request *items = realloc(list->items, cap * sizeof *items);
    if (!items)
      return NULL;
    list->items = items;
    list->cap = cap;
  }
  host_request *r = &list->items[list->count++];
  memset(r, 0, sizeof *r);
  memcpy(r->url, url, n + 1);
  r->content_type = "application/json";
  return r;
}

void host_request_list_free(host_request_list *list) {
  for (size_t i = 0; i < list->count; i++)
    host_buf_free(&list->items[i].body);
  free(list->items);
  memset(list, 0, sizeof *list);
}

/* ---- JSON ------------------------------------------------------------------ */

yajl_val host_json_parse(const void *body, size_t len, size_t max_bytes,
                         unsigned max_depth) {
  if (!body || len == 0 || len > max_bytes)
    return NULL;
  return host_json_tree_parse(body, len, max_depth, NULL, 0);
}

void host_outcome_clear(char *sent_id, size_t cap, int *retry_after,
                        char *error, size_t error_cap) {
  if (cap)
    sent_id[0] = '\0';
  if (error_cap)
    error[0] = '\0';
  *retry_after = 0;
}

const char *host_json_get(yajl_val v, const char *const *path) {
  yajl_val x = yajl_tree_get(v, (const char **)path, yajl_t_any);
  if (YAJL_IS_STRING(x))
    return x->u.string;
  if (YAJL_IS_NUMBER(x))
    return x->u.number.r;
  return NULL;
}

void host_jw_init(host_jw *j) {
  j->g = yajl_gen_alloc(NULL);
  j->err = j->g == NULL;
}

static void jw_check(host_jw *j, yajl_gen_status st) {
  if (st != yajl_gen_status_ok)
    j->err = 1;
}

void host_jw_str(host_jw *j, const char *s, size_t n) {
  if (!j->err)
    jw_check(j, yajl_gen_string(j->g, (const unsigned char *)s, n));
}

void host_jw_s(host_jw *j, const char *s) { host_jw_str(j, s, strlen(s)); }

void host_jw_kv(host_jw *j, const char *key, const char *value) {
  host_jw_s(j, key);
  host_jw_s(j, value);
}

void host_jw_bool(host_jw *j, const char *key, int value) {
  host_jw_s(j, key);
  if (!j->err)
    jw_check(j, yajl_gen_bool(j->g, value));
}

void host_jw_open(host_jw *j, const char *key) {
  if (key)
    host_jw_s(j, key);
  if (!j->err)
    jw_check(j, yajl_gen_map_open(j->g));
}

void host_jw_close(host_jw *j) {
  if (!j->err)
    jw_check(j, yajl_gen_map_close(j->g));
}

void host_jw_array(host_jw *j, const char *key) {
  if (key)
    host_jw_s(j, key);
  if (!j->err)
    jw_check(j, yajl_gen_array_open(j->g));
}

void host_jw_array_end(host_jw *j) {
  if (!j->err)
    jw_check(j, yajl_gen_array_close(j->g));
}

int host_jw_finish(host_jw *j, host_buf *dest) {
  const unsigned char *buf = NULL;
  size_t len = 0;
  if (!j->err && dest &&
      yajl_gen_get_buf(j->g, &buf, &len) == yajl_gen_status_ok)
    j->err = host_buf_append(dest, (const char *)buf, len) != 0;
  else
    j->err = 1;
  if (j->g)
    yajl_gen_free(j->g);
  j->g = NULL;
  return j->err ? -1 : 0;
}

/* ---- Characters ------------------------------------------------------------ */

/* Decodes the character at s[i] into *cp; returns its length in bytes. An
 * invalid or truncated sequence is one byte, U+FFFD. */
static size_t decode(const char *s, size_t len, size_t i, uint32_t *cp) {
  const unsigned char *u = (const unsigned char *)s + i;
  size_t left = len - i, n;
  uint32_t c;
  if (u[0] < 0x80) {
    *cp = u[0];
    return 1;
  } else if ((u[0] & 0xe0) == 0xc0) {
    n = 2, c = u[0] & 0x1f;
  } else if ((u[0] & 0xf0) == 0xe0) {
    n = 3, c = u[0] & 0x0f;
  } else if ((u[0] & 0xf8) == 0xf0) {
    n = 4, c = u[0] & 0x07;
  } else {
    *cp = 0xfffd;
    return 1;
  }
  if (n > left) {
    *cp = 0xfffd;
    return 1;
  }
  for (size_t k = 1; k < n; k++) {
    if ((u[k] & 0xc0) != 0x80) {
      *cp = 0xfffd;
      return 1;
    }
    c = (c << 6) | (u[k] & 0x3f);
  }
  *cp = c;
  return n;
}

/* The start of the character before position i (i > 0). */
static size_t previous(const char *s, size_t i) {
  size_t j = i - 1, steps = 0;
  while (j > 0 && steps < 3 && ((unsigned char)s[j] & 0xc0) == 0x80)
    j--, steps++;
  return j;
}

/* Marks that belong to the character before them: cutting before one
 * would orphan it (Devanagari signs, combining diacritics, joiners,
 * variation selectors, skin tones). */
static int is_mark(uint32_t c) {
  return (c >= 0x0300 && c <= 0x036f) || (c >= 0x0900 && c <= 0x0903) ||
         (c >= 0x093a && c <= 0x093c) || (c >= 0x093e && c <= 0x094f) ||
         (c >= 0x0951 && c <= 0x0957) || (c >= 0x0962 && c <= 0x0963) ||
         c == 0x200c || c == 0x200d || (c >= 0xfe00 && c <= 0xfe0f) ||
         (c >= 0x1f3fb && c <= 0x1f3ff);
}

/* A virama or zero-width joiner binds the character after it. */
static int binds_next(uint32_t c) { return c == 0x094d || c == 0x200d; }

/* Whether a cut at i (0 < i < len) keeps every syllable whole. */
static int clean_cut(const char *s, size_t len, size_t i) {
  uint32_t after, before;
  decode(s, len, i, &after);
  decode(s, len, previous(s, i), &before);
  return !is_mark(after) && !binds_next(before);
}

/* Moves a cut at i back to where no syllable is broken (or leaves it when
 * the whole prefix is one syllable). */
static size_t back_to_clean(const char *s, size_t len, size_t i) {
  size_t j = i;
  while (j > 0 && j < len && !clean_cut(s, len, j))
    j = previous(s, j);
  return j > 0 ? j : i;
}

size_t host_text_chars(const char *s, size_t len) {
  size_t n = 0;
  uint32_t c;
  for (size_t i = 0; i < len; n++)
    i += decode(s, len, i, &c);
  return n;
}

/* The byte offset after at most max characters of s from start. */
static size_t skip_chars(const char *s, size_t len, size_t start, size_t max) {
  size_t i = start;
  uint32_t c;
  for (size_t n = 0; n < max && i < len; n++)
    i += decode(s, len, i, &c);
  return i;
}

static int is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Whether a sentence ends just before i: ".", "?", "!" or the danda
 * ("।", "॥"), then a space or newline at i. */
static int sentence_end(const char *s, size_t len, size_t i) {
  if (i == 0 || i >= len || !is_space(s[i]))
    return 0;
  char c = s[i - 1];
  if (c == '.' || c == '?' || c == '!' || c == ':')
    return 1;
  return i >= 3 && (unsigned char)s[i - 3] == 0xe0 &&
         (unsigned char)s[i - 2] == 0xa5 &&
         ((unsigned char)s[i - 1] == 0xa4 || (unsigned char)s[i - 1] == 0xa5);
}

/* Boundary kinds, best first: whether the text may be cut at i, the cut
 * meaning "what is before i, then what follows (spaces skipped)". */
enum { CUT_PARAGRAPH, CUT_LINE, CUT_SENTENCE, CUT_WORD, CUT_KINDS };

static int boundary(const char *s, size_t len, size_t i, int kind) {
  if (i == 0 || i >= len)
    return 0;
  switch (kind) {
  case CUT_PARAGRAPH:
    return s[i] == '\n' && i + 1 < len && s[i + 1] == '\n';
  case CUT_LINE:
    return s[i] == '\n';
  case CUT_SENTENCE:
    return sentence_end(s, len, i);
  default:
    return s[i] == ' ' || s[i] == '\t';
  }
}

int host_text_shorten(const char *s, size_t len, size_t max, host_buf *out) {
  if (host_text_chars(s, len) <= max)
    return host_buf_append(out, s, len) ? -1 : 0;
  if (max < 2)
    max = 2;
  size_t keep = back_to_clean(s, len, skip_chars(s, len, 0, max - 1));
  /* A word boundary reads better, when it keeps most of the room. */
  size_t least = skip_chars(s, len, 0, (max - 1) * 6 / 10);
  for (size_t i = keep; i > least; i--)
    if (boundary(s, len, i, CUT_WORD)) {
      keep = i;
      break;
    }
  while (keep > 0 && is_space(s[keep - 1]))
    keep--;
  if (host_buf_append(out, s, keep) || host_buf_puts(out, "\xe2\x80\xa6"))
    return -1;
  return 1;
}

size_t host_text_chunk(const char *s, size_t len, size_t max, size_t *next) {
  /* No more bytes than max: no more characters either (most replies). */
  size_t end = len <= max ? len : skip_chars(s, len, 0, max);
  if (end >= len) {
    *next = len;
    while (len > 0 && is_space(s[len - 1]))
      len--;
    return len;
  }
  /* A boundary too near the start would make many small messages. */
  size_t least = skip_chars(s, len, 0, max * 3 / 10);
  size_t cut = 0;
  for (int kind = 0; kind < CUT_KINDS && !cut; kind++)
    for (size_t i = end; i > least; i--)
      if (boundary(s, len, i, kind)) {
        cut = i;
        break;
      }
  if (!cut)
    cut = back_to_clean(s, len, end);
  size_t rest = cut;
  while (rest < len && is_space(s[rest]))
    rest++;
  while (cut > 0 && is_space(s[cut - 1]))
    cut--;
  if (cut == 0) { /* only spaces before the boundary */
    cut = back_to_clean(s, len, end);
    rest = cut;
  }
  *next = rest;
  return cut;
}

size_t host_text_tail(const char *s, size_t len, size_t max) {
  size_t total = host_text_chars(s, len);
  if (total <= max)
    return 0;
  size_t least = skip_chars(s, len, 0, total - max);
  for (int kind = 0; kind < CUT_KINDS; kind++)
    for (size_t i = least > 0 ? least - 1 : 0; i < len; i++)
      if (boundary(s, len, i, kind)) {
        size_t start = i;
        while (start < len && is_space(s[start]))
          start++;
        if (start >= least && start < len)
          return start;
      }
  /* No boundary: a cut that moves forward past marks stays in the room. */
  size_t start = least;
  uint32_t c;
  while (start < len && !clean_cut(s, len, start))
    start += decode(s, len, start, &c);
  return start < len ? start : least;
}
