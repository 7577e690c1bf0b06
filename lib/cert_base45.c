/* cert_base45.c - Base45 (RFC 9285), the text form of a certificate's
 * bytes: its 45 characters are exactly QR's alphanumeric set, which packs
 * 5.5 bits a character. Decoding is strict, so every byte string has one
 * text and every text at most one byte string. */
#include "cert_internal.h"

static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* Character -> value, 0xFF outside the alphabet (lower case included). */
static const unsigned char values[256] = {
#define NO 0xFF
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    /* ' '=36 '$'=37 '%'=38 '*'=39 '+'=40 '-'=41 '.'=42 '/'=43 */
    36, NO, NO, NO, 37, 38, NO, NO, NO, NO, 39, 40, NO, 41, 42, 43,
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  44, NO, NO, NO, NO, NO,
    NO, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
    NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO,
#undef NO
};

void sv_base45_encode(const unsigned char *in, size_t n, char *out) {
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    unsigned v = (unsigned)in[i] << 8 | in[i + 1];
    *out++ = alphabet[v % 45];
    *out++ = alphabet[v / 45 % 45];
    *out++ = alphabet[v / 2025];
  }
  if (i < n) {
    *out++ = alphabet[in[i] % 45];
    *out++ = alphabet[in[i] / 45];
  }
}

long sv_base45_decode(const char *in, size_t len, unsigned char *out) {
  const unsigned char *p = (const unsigned char *)in;
  if (len % 3 == 1)
    return -1;
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    unsigned c = values[p[i]], d = values[p[i + 1]];
    if (c == 0xFF || d == 0xFF)
      return -1;
    if (len - i == 2) {
      unsigned v = c + d * 45;
      if (v > 0xFF)
        return -1;
      out[o++] = (unsigned char)v;
      break;
    }
    unsigned e = values[p[i + 2]];
    if (e == 0xFF)
      return -1;
    unsigned v = c + d * 45 + e * 2025;
    if (v > 0xFFFF)
      return -1;
    out[o++] = (unsigned char)(v >> 8);
    out[o++] = (unsigned char)v;
  }
  return (long)o;
}
