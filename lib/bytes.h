/* bytes.h - the varint and string coding shared by the byte formats a store
 * keeps (sessions, replies): a writer that only counts once the buffer is
 * full, so one pass gives the size needed, and a reader that trusts
 * nothing and latches the first error. */
#ifndef SAMVAD_BYTES_H
#define SAMVAD_BYTES_H

#include "internal.h"

#include <stdbool.h>
#include <string.h>

typedef struct wr {
  unsigned char *buf;
  size_t cap, pos; /* pos may pass cap: then we only count */
} wr;

static inline void w_byte(wr *w, unsigned b) {
  if (w->pos < w->cap)
    w->buf[w->pos] = (unsigned char)b;
  w->pos++;
}

static inline void w_varint(wr *w, uint64_t v) {
  while (v >= 0x80) {
    w_byte(w, (unsigned)(v & 0x7F) | 0x80);
    v >>= 7;
  }
  w_byte(w, (unsigned)v);
}

static inline void w_zz(wr *w, int64_t v) {
  w_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline void w_str(wr *w, const char *s, size_t n) {
  w_varint(w, n);
  for (size_t i = 0; i < n; i++)
    w_byte(w, (unsigned char)s[i]);
}

static inline void w_cstr(wr *w, const char *s) { w_str(w, s, s ? strlen(s) : 0); }

typedef struct rd {
  const unsigned char *p;
  size_t len, pos;
  bool bad;
} rd;

static inline unsigned r_byte(rd *r) {
  if (r->pos >= r->len) {
    r->bad = true;
    return 0;
  }
  return r->p[r->pos++];
}

static inline uint64_t r_varint(rd *r) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    unsigned b = r_byte(r);
    if (r->bad)
      return 0;
    if (shift == 63 && b > 1) {
      r->bad = true;
      return 0;
    }
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80))
      return v;
  }
  r->bad = true;
  return 0;
}

static inline int64_t r_zz(rd *r) {
  uint64_t u = r_varint(r);
  return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A string of at most max bytes of valid UTF-8, borrowed from the input. */
static inline const char *r_str(rd *r, size_t max, size_t *n) {
  uint64_t l = r_varint(r);
  *n = 0;
  if (r->bad || l > max || l > r->len - r->pos) {
    r->bad = true;
    return NULL;
  }
  const char *s = (const char *)r->p + r->pos;
  if (!sv_utf8_valid(s, (size_t)l)) {
    r->bad = true;
    return NULL;
  }
  r->pos += (size_t)l;
  *n = (size_t)l;
  return s;
}

#endif
