/* reference.c - reference numbers of submitted applications, such as
 * MR-2026-7K3QX9WD: the service's prefix, the year of submission and eight
 * Crockford base32 characters of a hash of the service, the message id,
 * the time and the answers. No randomness: replaying a conversation
 * gives the same number, which is what makes transcripts and retries of a
 * message exact. */
#include "engine.h"

#include <sodium.h>
#include <string.h>

/* Crockford's alphabet: no I, L, O or U, so a number read aloud over the
 * phone or copied by hand survives. */
static const char crockford[33] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* SipHash's key: fixed, so that numbers are the same on every machine. */
static const unsigned char ref_key[crypto_shorthash_siphash24_KEYBYTES] = {
    's', 'a', 'm', 'v', 'a', 'd', '-', 'r',
    'e', 'f', 'e', 'r', 'e', 'n', 'c', 'e'};

/* The inputs are first folded into 64 bits by a fast word-at-a-time mix,
 * and SipHash-2-4 (libsodium's crypto_shorthash) then scrambles those 16
 * bytes, so that a number says nothing about another one's answers. It
 * used to be SHA-256, which cost more than a whole conversation step; the
 * number is no secret (anyone holding the inputs can compute it, whatever
 * the hash), so a public key serves, and stores must still check that a
 * number is unique. */
typedef struct hbuf {
  unsigned char b[512];
  size_t n;
  uint64_t state, total;
} hbuf;

static void h_mix(hbuf *h) {
  size_t i = 0;
  for (; i + 8 <= h->n; i += 8) {
    uint64_t w;
    memcpy(&w, h->b + i, 8);
    h->state = (h->state ^ w) * 0x9E3779B97F4A7C15ull;
    h->state ^= h->state >> 29;
  }
  uint64_t w = 0;
  for (size_t k = 0; i < h->n; i++, k++)
    w |= (uint64_t)h->b[i] << (8 * k);
  h->state = (h->state ^ w ^ ((uint64_t)h->n << 56)) * 0xBF58476D1CE4E5B9ull;
  h->state ^= h->state >> 31;
  h->total += h->n;
  h->n = 0;
}

static void h_bytes_slow(hbuf *h, const unsigned char *q, size_t n) {
  while (n) {
    if (h->n == sizeof h->b)
      h_mix(h);
    size_t k = sizeof h->b - h->n < n ? sizeof h->b - h->n : n;
    memcpy(h->b + h->n, q, k);
    h->n += k;
    q += k;
    n -= k;
  }
}

/* Inline, so that the fixed sizes of tags and numbers become plain
 * stores; one copy in the usual case. */
static inline void h_bytes(hbuf *h, const void *p, size_t n) {
  if (h->n + n <= sizeof h->b) {
    memcpy(h->b + h->n, p, n);
    h->n += n;
    return;
  }
  h_bytes_slow(h, p, n);
}

static inline void h_i64(hbuf *h, int64_t v) {
  unsigned char b[8];
  uint64_t u = (uint64_t)v;
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(u >> (8 * i));
  h_bytes(h, b, 8);
}

static void h_str(hbuf *h, const char *s, size_t n) {
  h_i64(h, (int64_t)n);
  h_bytes(h, s, n);
}

void sv_make_reference(const sv_ctx *c, const uint16_t *vars, size_t n,
                       char out[SV_REF_MAX]) {
  const sv_service *svc = c->svc;
  const samvad_session *s = c->s;
  hbuf hb;
  hb.n = 0;
  hb.state = 0x243F6A8885A308D3ull;
  hb.total = 0;
  hbuf *h = &hb;
  h_str(h, svc->id, strlen(svc->id));
  const char *mid = c->msg->id ? c->msg->id : "";
  h_str(h, mid, strlen(mid));
  h_i64(h, c->now);
  /* Answers by variable index: within one spec (the spec's hash is
   * hashed too) that names them as well as their names would, in a third
   * of the bytes; fewer bytes to mix. */
  h_i64(h, (int64_t)svc->hash);
  for (size_t k = 0; k < n; k++) {
    const sv_value *v = &s->values[vars[k]];
    unsigned char tag[3] = {(unsigned char)(vars[k] & 0xFF),
                            (unsigned char)(vars[k] >> 8), v->kind};
    h_bytes(h, tag, 3);
    if (v->kind == SV_VAL_STR)
      h_str(h, v->s, v->len);
    else
      h_i64(h, v->i);
  }
  h_mix(h);
  unsigned char in[16], d[crypto_shorthash_siphash24_BYTES];
  for (int i = 0; i < 8; i++) {
    in[i] = (unsigned char)(hb.state >> (8 * i));
    in[8 + i] = (unsigned char)(hb.total >> (8 * i));
  }
  crypto_shorthash_siphash24(d, in, sizeof in, ref_key);

  size_t o = 0;
  const char *p = svc->ref_prefix ? svc->ref_prefix : "";
  for (size_t i = 0; p[i] && o < 6; i++)
    out[o++] = p[i];
  out[o++] = '-';
  int y;
  unsigned m, dd;
  sv_civil_from_days(c->today, &y, &m, &dd);
  if (y < 0)
    y = 0;
  if (y > 9999)
    y = 9999;
  out[o++] = (char)('0' + y / 1000);
  out[o++] = (char)('0' + y / 100 % 10);
  out[o++] = (char)('0' + y / 10 % 10);
  out[o++] = (char)('0' + y % 10);
  out[o++] = '-';
  /* 40 bits: the first five bytes of the digest, five bits a character. */
  uint64_t bits = 0;
  for (int i = 0; i < 5; i++)
    bits = (bits << 8) | d[i];
  for (int i = 7; i >= 0; i--)
    out[o++] = crockford[(bits >> (5 * i)) & 31];
  out[o] = '\0';
}
