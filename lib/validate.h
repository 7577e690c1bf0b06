/* validate.h - what the validators of lib/validate.c (free text, names,
 * numbers, dates, yes/no) and lib/validate_ids.c (Aadhaar, mobile, PIN,
 * email, vehicle numbers) share: decoding helpers for their inner loops
 * and the identifier validators, which sv_validate calls on trimmed text.
 * Private to those two files. */
#ifndef SAMVAD_VALIDATE_H
#define SAMVAD_VALIDATE_H

#include "internal.h"

#include <string.h>

/* Size limits: digits of any numeric input (0091 + 10 digits fit), a
 * cleaned vehicle number, a yes/no word, and RFC 5321 email lengths. */
enum { MAX_DIGITS = 16, VEHICLE_MAX = 16, YESNO_FOLD_CAP = 64,
       EMAIL_MAX = 254, EMAIL_LOCAL_MAX = 64, EMAIL_LABEL_MAX = 63 };

/* Decodes the code point at s[*i], ASCII first; false on invalid UTF-8. */
static inline bool next_cp(const char *s, size_t len, size_t *i,
                           uint32_t *cp) {
  unsigned char b = (unsigned char)s[*i];
  if (b < 0x80) {
    *cp = b;
    (*i)++;
    return true;
  }
  size_t n = sv_utf8_next(s + *i, len - *i, cp);
  *i += n;
  return n != 0;
}

/* The value of an ASCII or Devanagari digit, else -1. */
static inline int digit_value(uint32_t cp) {
  if (cp >= '0' && cp <= '9')
    return (int)(cp - '0');
  if (cp >= 0x0966 && cp <= 0x096F)
    return (int)(cp - 0x0966);
  return -1;
}

static inline bool ascii_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* sv_is_space for a non-ASCII code point, without the call for the
 * scripts we see most (Devanagari has no spaces). */
static inline bool wide_space(uint32_t cp) {
  return (cp == 0xA0 || cp >= 0x1680) && sv_is_space(cp);
}

/* A text answer of o bytes, already written to scratch. */
static inline sv_reject sv_set_str(sv_value *v, char *scratch, size_t o) {
  scratch[o] = '\0';
  v->kind = SV_VAL_STR;
  v->s = scratch;
  v->len = (uint32_t)o;
  return SV_OK;
}

/* The identifier inputs (validate_ids.c), on trimmed, non-empty text;
 * text results go to scratch (cap bytes). */
sv_reject sv_v_aadhaar(const char *s, size_t len, sv_value *v);
sv_reject sv_v_mobile(const char *s, size_t len, sv_value *v);
sv_reject sv_v_pin(const sv_input *in, const char *s, size_t len,
                   sv_value *v);
sv_reject sv_v_email(const char *s, size_t len, char *scratch, size_t cap,
                     sv_value *v);
sv_reject sv_v_vehicle(const char *s, size_t len, char *scratch, size_t cap,
                       sv_value *v);

#endif /* SAMVAD_VALIDATE_H */
