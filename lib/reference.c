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

/* SipHash's key when the host gives none (samvad_step, transcripts): fixed,
 * so that numbers are the same on every machine. A store sets a secret one
 * (samvad_store_set_reference_key) so that numbers cannot be guessed. */
static const unsigned char public_key[crypto_shorthash_siphash24_KEYBYTES] = {
    's', 'a', 'm', 'v', 'a', 'd', '-', 'r',
    'e', 'f', 'e', 'r', 'e', 'n', 'c', 'e'};

/* The inputs are first folded into 64 bits by a fast word-at-a-time mix,
 * and SipHash-2-4 (libsodium's crypto_shorthash) then scrambles that state
 * and the count of words mixed, so that a number says nothing about
 * another one's answers. It used to be SHA-256, which cost more than a
 * whole conversation step. The pre-mix is no cryptography; SipHash under
 * the store's secret key is what makes a number unguessable, and the store
 * still checks that each is unique (a taken one is drawn again). Words are mixed as they
 * come, with no buffer: most answers are one integer, one word. */
typedef struct hmix {
  uint64_t state, words;
} hmix;

static inline void h_word(hmix *h, uint64_t w) {
  h->state = (h->state ^ w) * 0x9E3779B97F4A7C15ull;
  h->state ^= h->state >> 29;
  h->words++;
}

/* The bytes of s, eight at a time, then the rest (zero-padded); callers
 * mix the length first, so padding cannot make two strings collide. */
static void h_bytes(hmix *h, const char *s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h_word(h, w);
  }
  if (i < n) {
    uint64_t w = 0;
    for (size_t k = 0; i < n; i++, k++)
      w |= (uint64_t)(unsigned char)s[i] << (8 * k);
    h_word(h, w);
  }
}

static void h_str(hmix *h, const char *s, size_t n) {
  h_word(h, (uint64_t)n);
  h_bytes(h, s, n);
}

void sv_make_reference(const sv_ctx *c, const uint16_t *vars, size_t n,
                       char out[SV_REF_MAX]) {
  const sv_service *svc = c->svc;
  const samvad_session *s = c->s;
  hmix hm = {0x243F6A8885A308D3ull, 0};
  hmix *h = &hm;
  h_str(h, svc->id, strlen(svc->id));
  const char *mid = c->msg->id ? c->msg->id : "";
  h_str(h, mid, strlen(mid));
  h_word(h, (uint64_t)c->now);
  /* Answers by variable index: within one spec (the spec's hash is
   * mixed too) that names them as well as their names would. Each answer
   * is one tag word (variable, kind and a text's length) and its value:
   * the integer, or the text's bytes. */
  h_word(h, (uint64_t)svc->hash);
  if (c->ref_attempt) /* absent on the first draw: numbers stay stable */
    h_word(h, (uint64_t)c->ref_attempt);
  for (size_t k = 0; k < n; k++) {
    const sv_value *v = &s->values[vars[k]];
    uint64_t tag = (uint64_t)vars[k] | (uint64_t)v->kind << 16;
    if (v->kind == SV_VAL_STR) {
      h_word(h, tag | (uint64_t)v->len << 32);
      h_bytes(h, v->s, v->len);
    } else {
      h_word(h, tag);
      h_word(h, (uint64_t)v->i);
    }
  }
  unsigned char in[16], d[crypto_shorthash_siphash24_BYTES];
  for (int i = 0; i < 8; i++) {
    in[i] = (unsigned char)(hm.state >> (8 * i));
    in[8 + i] = (unsigned char)(hm.words >> (8 * i));
  }
  crypto_shorthash_siphash24(d, in, sizeof in,
                             c->ref_key ? c->ref_key : public_key);

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
