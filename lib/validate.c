/* validate.c - the typed inputs of ask states: each answer is checked and
 * normalised in one linear pass without allocating, because validation is
 * on the engine's hot path (every answer to every question). Dates live in
 * date.c; folding and UTF-8 in text.c. */
#include "internal.h"

#include <string.h>

const char *const sv_reject_keys[SV_REJ__COUNT] = {
    [SV_OK] = "ok",
    [SV_REJ_EMPTY] = "empty",
    [SV_REJ_TOO_SHORT] = "too_short",
    [SV_REJ_TOO_LONG] = "too_long",
    [SV_REJ_NAME_CHARS] = "name_chars",
    [SV_REJ_NOT_INTEGER] = "not_integer",
    [SV_REJ_INT_RANGE] = "int_range",
    [SV_REJ_DATE_FORMAT] = "date_format",
    [SV_REJ_DATE_INVALID] = "date_invalid",
    [SV_REJ_DATE_TOO_EARLY] = "date_too_early",
    [SV_REJ_DATE_TOO_LATE] = "date_too_late",
    [SV_REJ_AGE_TOO_LOW] = "age_too_low",
    [SV_REJ_AGE_TOO_HIGH] = "age_too_high",
    [SV_REJ_AADHAAR_FORMAT] = "aadhaar_format",
    [SV_REJ_AADHAAR_CHECKSUM] = "aadhaar_checksum",
    [SV_REJ_MOBILE] = "mobile",
    [SV_REJ_PIN] = "pin",
    [SV_REJ_PIN_NOT_DELHI] = "pin_not_delhi",
    [SV_REJ_EMAIL] = "email",
    [SV_REJ_VEHICLE] = "vehicle",
    [SV_REJ_YESNO] = "yesno",
    [SV_REJ_CHOICE] = "choice",
    [SV_REJ_MEDIA] = "media",
};

const char *const sv_input_type_names[SV_IN__COUNT] = {
    [SV_IN_TEXT] = "text",       [SV_IN_NAME] = "name",
    [SV_IN_INTEGER] = "integer", [SV_IN_DATE] = "date",
    [SV_IN_AADHAAR] = "aadhaar", [SV_IN_MOBILE] = "mobile",
    [SV_IN_PIN] = "pin",         [SV_IN_EMAIL] = "email",
    [SV_IN_VEHICLE] = "vehicle", [SV_IN_YESNO] = "yesno",
    [SV_IN_CHOICE] = "choice",   [SV_IN_MEDIA] = "media",
};

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

static bool trimmable(uint32_t cp) {
  return sv_is_space(cp) || sv_is_invisible(cp);
}

/* Narrows s to the text between leading and trailing white space, looking
 * only at the edges. Invalid UTF-8 is left in place for the validator,
 * which decodes every byte it keeps and refuses it there. */
static void trim(const char *s, size_t len, size_t *start, size_t *end) {
  size_t i = 0, e = len;
  while (i < e) {
    unsigned char c = (unsigned char)s[i];
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
      if (!ascii_space(c))
        break;
      i++;
    } else if ((n = sv_utf8_decode(s + i, e - i, &cp)) != 0 && trimmable(cp)) {
      i += n;
    } else {
      break;
    }
  }
  while (e > i) {
    unsigned char c = (unsigned char)s[e - 1];
    if (c < 0x80) {
      if (!ascii_space(c))
        break;
      e--;
      continue;
    }
    size_t b = e - 1; /* back to the lead byte, at most 3 steps */
    while (b > i && e - b < 4 && ((unsigned char)s[b] & 0xC0) == 0x80)
      b--;
    uint32_t cp;
    if (sv_utf8_decode(s + b, e - b, &cp) != e - b || !trimmable(cp))
      break;
    e = b;
  }
  *start = i;
  *end = e;
}

/* C0 and C1 controls other than white space, and the bidirectional
 * overrides that can make an application read differently from how it
 * was typed. */
static bool is_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static sv_reject set_str(sv_value *v, char *scratch, size_t o) {
  scratch[o] = '\0';
  v->kind = SV_VAL_STR;
  v->s = scratch;
  v->len = (uint32_t)o;
  return SV_OK;
}

static sv_reject check_chars(const sv_input *in, long chars) {
  if (in->max > 0 && chars > in->max)
    return SV_REJ_TOO_LONG;
  if (chars < in->min)
    return SV_REJ_TOO_SHORT;
  return SV_OK;
}

/* The code point of a Devanagari-block character at p (E0 A4/A5 xx),
 * else 0: the inner loops take these without a general decode. */
static inline uint32_t deva_at(const unsigned char *p, size_t avail) {
  if (avail >= 3 && p[0] == 0xE0 && (p[1] == 0xA4 || p[1] == 0xA5) &&
      (p[2] & 0xC0) == 0x80)
    return 0x0900 + ((uint32_t)(p[1] - 0xA4) << 6) + (p[2] & 0x3F);
  return 0;
}

/* Copies n bytes of the input holding count characters into out after a
 * pending space; the caller has checked the room. Counters stay in the
 * caller's locals: a char store through a pointer could alias them. */
static inline size_t emit(char *out, size_t o, bool space, const char *src,
                          size_t n) {
  if (space)
    out[o++] = ' ';
  if (n > 16) {
    memcpy(out + o, src, n);
    return o + n;
  }
  for (size_t k = 0; k < n; k++) /* words are short: cheaper than a call */
    out[o + k] = src[k];
  return o + n;
}

#define EMIT(src, n, count)                                                    \
  do {                                                                         \
    if (o + space + (n) >= cap)                                                \
      return SV_REJ_TOO_LONG;                                                  \
    o = emit(scratch, o, space, (src), (n));                                   \
    chars += (long)(count) + space;                                            \
    space = false;                                                             \
  } while (0)

/* Free text: white space runs (line breaks too) become one space, so an
 * address typed over several lines reads as one line in the summary.
 * Free text has no format message of its own, so unusable text (invalid
 * UTF-8, control characters, bidirectional overrides) counts as empty. */
static sv_reject v_text(const sv_input *in, const char *s, size_t len,
                        char *scratch, size_t cap, sv_value *v) {
  size_t i = 0, o = 0;
  long chars = 0;
  bool space = false;
  const unsigned char *p = (const unsigned char *)s;
  while (i < len) {
    /* Fast path: a run of visible ASCII and Devanagari, copied at once. */
    size_t j = i;
    long run = 0;
    for (;;) {
      if (j < len && p[j] > 0x20 && p[j] < 0x7F)
        j++;
      else if (j < len && deva_at(p + j, len - j))
        j += 3;
      else
        break;
      run++;
    }
    if (j > i) {
      EMIT(s + i, j - i, run);
      i = j;
      if (in->max > 0 && chars > in->max)
        return SV_REJ_TOO_LONG;
      continue;
    }
    unsigned char c = p[i];
    size_t n = 1;
    if (c < 0x80) {
      if (ascii_space(c)) {
        space = true;
        i++;
        continue;
      }
      return SV_REJ_EMPTY; /* the run took every other ASCII character */
    } else {
      uint32_t cp;
      if ((n = sv_utf8_next(s + i, len - i, &cp)) == 0)
        return SV_REJ_EMPTY;
      if (wide_space(cp)) {
        space = true;
        i += n;
        continue;
      }
      if (is_control(cp))
        return SV_REJ_EMPTY;
    }
    EMIT(s + i, n, 1);
    i += n;
    if (in->max > 0 && chars > in->max)
      return SV_REJ_TOO_LONG;
  }
  sv_reject r = check_chars(in, chars);
  return r != SV_OK ? r : set_str(v, scratch, o);
}

static bool is_latin_letter(uint32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
         (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

/* Independent vowels and consonants, including the nukta forms. */
static bool is_deva_letter(uint32_t cp) {
  return (cp >= 0x0904 && cp <= 0x0939) || cp == 0x093D ||
         (cp >= 0x0958 && cp <= 0x0961) || (cp >= 0x0972 && cp <= 0x097F);
}

/* Signs that only ever follow a letter: chandrabindu, anusvara, visarga,
 * nukta, vowel signs (matras), virama, and the abbreviation sign. */
static bool is_deva_mark(uint32_t cp) {
  return (cp >= 0x0900 && cp <= 0x0903) || cp == 0x093C ||
         (cp >= 0x093E && cp <= 0x094F) || (cp >= 0x0955 && cp <= 0x0957) ||
         cp == 0x0962 || cp == 0x0963 || cp == 0x0970 || cp == 0x0971;
}

static sv_reject v_name(const sv_input *in, const char *s, size_t len,
                        char *scratch, size_t cap, sv_value *v) {
  size_t i = 0, o = 0;
  long chars = 0;
  bool space = false, letter = false;
  const unsigned char *p = (const unsigned char *)s;
  while (i < len) {
    /* Fast path: a run of Latin letters and Devanagari letters or signs. */
    size_t j = i;
    long run = 0;
    for (;;) {
      uint32_t d;
      if (j < len && (p[j] | 0x20) >= 'a' && (p[j] | 0x20) <= 'z') {
        letter = true;
        j++;
      } else if (j < len && (d = deva_at(p + j, len - j)) != 0 &&
                 (is_deva_letter(d) || is_deva_mark(d))) {
        letter = letter || is_deva_letter(d);
        j += 3;
      } else {
        break;
      }
      run++;
    }
    if (j > i) {
      EMIT(s + i, j - i, run);
      i = j;
      continue;
    }
    unsigned char c = p[i];
    size_t n = 1;
    if (c < 0x80) {
      if (ascii_space(c)) {
        space = true;
        i++;
        continue;
      }
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        letter = true;
      else if (c != '.' && c != '\'' && c != '-')
        return SV_REJ_NAME_CHARS;
    } else {
      uint32_t cp;
      if ((n = sv_utf8_next(s + i, len - i, &cp)) == 0)
        return SV_REJ_NAME_CHARS;
      if (wide_space(cp)) {
        space = true;
        i += n;
        continue;
      }
      if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC) {
        EMIT("'", 1, 1); /* phone keyboards type D’Souza */
        i += n;
        continue;
      }
      if (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF) {
        i += n;
        continue;
      }
      if (is_latin_letter(cp) || is_deva_letter(cp))
        letter = true;
      else if (!(is_deva_mark(cp) || cp == 0x200C || cp == 0x200D))
        return SV_REJ_NAME_CHARS;
    }
    EMIT(s + i, n, 1);
    i += n;
  }
  if (!letter)
    return SV_REJ_NAME_CHARS;
  sv_reject r = check_chars(in, chars);
  return r != SV_OK ? r : set_str(v, scratch, o);
}

#undef EMIT

/* Digits with an optional sign and optional grouping commas, Indian
 * (1,20,000) or international (120,000): every group after the first has
 * two or three digits and the last exactly three. */
static sv_reject v_integer(const sv_input *in, const char *s, size_t len,
                           sv_value *v) {
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  } else if (len >= 3 && memcmp(s, "\xE2\x88\x92", 3) == 0) { /* U+2212 */
    neg = true;
    i = 3;
  }
  uint64_t mag = 0;
  bool overflow = false;
  unsigned group = 0, groups = 0, ndigits = 0;
  while (i < len) {
    uint32_t cp;
    if (!next_cp(s, len, &i, &cp))
      return SV_REJ_NOT_INTEGER;
    if (cp == ',') {
      if (group == 0 || group > 3 || (groups > 0 && group < 2))
        return SV_REJ_NOT_INTEGER;
      groups++;
      group = 0;
      continue;
    }
    int d = digit_value(cp);
    if (d < 0)
      return SV_REJ_NOT_INTEGER;
    group++;
    ndigits++;
    if (mag > (UINT64_MAX - (unsigned)d) / 10)
      overflow = true;
    else
      mag = mag * 10 + (unsigned)d;
  }
  if (ndigits == 0 || (groups > 0 && group != 3))
    return SV_REJ_NOT_INTEGER;
  if (overflow || mag > (uint64_t)INT64_MAX)
    return SV_REJ_INT_RANGE;
  int64_t n = neg ? -(int64_t)mag : (int64_t)mag;
  if (n < in->min || n > in->max)
    return SV_REJ_INT_RANGE;
  v->kind = SV_VAL_INT;
  v->i = n;
  return SV_OK;
}

static sv_reject v_date(const sv_input *in, const char *s, size_t len,
                        int32_t today, int32_t age_ref, sv_value *v) {
  int32_t day;
  bool invalid;
  if (!sv_parse_date(s, len, today, &day, &invalid))
    return invalid ? SV_REJ_DATE_INVALID : SV_REJ_DATE_FORMAT;
  if (in->date_min.kind != SV_BOUND_NONE &&
      day < sv_bound_day(&in->date_min, today))
    return SV_REJ_DATE_TOO_EARLY;
  if (in->date_max.kind != SV_BOUND_NONE &&
      day > sv_bound_day(&in->date_max, today))
    return SV_REJ_DATE_TOO_LATE;
  if (in->min_age >= 0 || in->max_age >= 0) {
    int age = sv_years_between(day, age_ref);
    if (in->min_age >= 0 && age < in->min_age)
      return SV_REJ_AGE_TOO_LOW;
    if (in->max_age >= 0 && age > in->max_age)
      return SV_REJ_AGE_TOO_HIGH;
  }
  v->kind = SV_VAL_DATE;
  v->i = day;
  return SV_OK;
}

/* Collects the digits of s into out (ASCII), skipping the separators
 * people type inside numbers. Returns the number of digits, or -1 on any
 * other character or more than max digits. *plus reports a leading '+'. */
static int collect_digits(const char *s, size_t len, const char *skip,
                          char *out, int max, bool *plus) {
  int n = 0;
  size_t i = 0;
  bool sign = false; /* a local: stores to out could alias *plus */
  *plus = false;
  while (i < len) {
    uint32_t cp;
    if (!next_cp(s, len, &i, &cp))
      return -1;
    int d = digit_value(cp);
    if (d >= 0) {
      if (n == max)
        return -1;
      out[n++] = (char)('0' + d);
    } else if (cp == '+' && n == 0 && !sign) {
      sign = true;
    } else if (!(cp == ' ' || sv_is_space(cp) ||
                 (cp < 0x80 && cp != 0 && strchr(skip, (int)cp)))) {
      return -1;
    }
  }
  *plus = sign;
  return n;
}

static int64_t digits_value(const char *d, int n) {
  int64_t x = 0;
  for (int k = 0; k < n; k++)
    x = x * 10 + (d[k] - '0');
  return x;
}

/* Verhoeff's tables: d is multiplication in the dihedral group D5, row i
 * of p is the permutation (0 1 5 8 9 4 2 7)(3 6) applied i times. The
 * tests check both against that definition. */
static const uint8_t verhoeff_d[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
    {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
    {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
    {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
static const uint8_t verhoeff_p[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
    {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
    {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

bool sv_verhoeff_valid(const char *digits, size_t len) {
  if (len == 0)
    return false;
  unsigned c = 0;
  for (size_t k = 0; k < len; k++) {
    unsigned char ch = (unsigned char)digits[len - 1 - k];
    if (ch < '0' || ch > '9')
      return false;
    c = verhoeff_d[c][verhoeff_p[k % 8][ch - '0']];
  }
  return c == 0;
}

/* UIDAI never issues numbers starting 0 or 1; palindromes (which include
 * 222222222222) are refused as made-up numbers before the checksum. */
static sv_reject v_aadhaar(const char *s, size_t len, sv_value *v) {
  char d[MAX_DIGITS];
  bool plus;
  int n = collect_digits(s, len, "-:.", d, 12, &plus);
  if (n != 12 || plus || d[0] < '2')
    return SV_REJ_AADHAAR_FORMAT;
  bool palindrome = true;
  for (int k = 0; k < 6; k++)
    palindrome = palindrome && d[k] == d[11 - k];
  if (palindrome)
    return SV_REJ_AADHAAR_FORMAT;
  if (!sv_verhoeff_valid(d, 12))
    return SV_REJ_AADHAAR_CHECKSUM;
  v->kind = SV_VAL_INT;
  v->i = digits_value(d, 12);
  return SV_OK;
}

static sv_reject v_mobile(const char *s, size_t len, sv_value *v) {
  char d[MAX_DIGITS];
  bool plus;
  int n = collect_digits(s, len, "-().", d, MAX_DIGITS, &plus);
  const char *m = d;
  if (plus) {
    if (n != 12 || d[0] != '9' || d[1] != '1')
      return SV_REJ_MOBILE; /* only Indian numbers */
    m += 2;
  } else if (n == 14 && memcmp(d, "0091", 4) == 0) {
    m += 4;
  } else if (n == 12 && d[0] == '9' && d[1] == '1') {
    m += 2;
  } else if (n == 11 && d[0] == '0') {
    m += 1;
  } else if (n != 10) {
    return SV_REJ_MOBILE;
  }
  if (m[0] < '6')
    return SV_REJ_MOBILE;
  v->kind = SV_VAL_INT;
  v->i = digits_value(m, 10);
  return SV_OK;
}

static sv_reject v_pin(const sv_input *in, const char *s, size_t len,
                       sv_value *v) {
  char d[MAX_DIGITS];
  bool plus;
  int n = collect_digits(s, len, "", d, 6, &plus);
  if (n != 6 || plus || d[0] == '0')
    return SV_REJ_PIN;
  if ((in->flags & SV_PIN_DELHI) && memcmp(d, "110", 3) != 0)
    return SV_REJ_PIN_NOT_DELHI;
  v->kind = SV_VAL_INT;
  v->i = digits_value(d, 6);
  return SV_OK;
}

static bool email_local_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') ||
         (c != 0 && strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

static bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}

/* A pragmatic address check, not RFC 5322: what mail providers in India
 * hand out, with the domain lower-cased (the local part may be case
 * sensitive, so it is kept). */
static sv_reject v_email(const char *s, size_t len, char *scratch, size_t cap,
                         sv_value *v) {
  if (len > EMAIL_MAX)
    return SV_REJ_EMAIL;
  const char *at = memchr(s, '@', len);
  if (at == NULL || at == s)
    return SV_REJ_EMAIL;
  size_t local = (size_t)(at - s);
  if (local > EMAIL_LOCAL_MAX || s[0] == '.' || s[local - 1] == '.')
    return SV_REJ_EMAIL;
  for (size_t k = 0; k < local; k++) {
    unsigned char c = (unsigned char)s[k];
    if (!email_local_char(c) || (c == '.' && s[k + 1] == '.'))
      return SV_REJ_EMAIL;
  }
  const char *dom = at + 1;
  size_t dlen = len - local - 1;
  size_t label = 0, labels = 0;
  for (size_t k = 0; k <= dlen; k++) {
    unsigned char c = k < dlen ? (unsigned char)dom[k] : '.';
    if (c == '.') {
      if (label == 0 || label > EMAIL_LABEL_MAX || dom[k - 1] == '-')
        return SV_REJ_EMAIL;
      labels++;
      label = 0;
      continue;
    }
    if (!(is_alnum(c) || (c == '-' && label > 0)))
      return SV_REJ_EMAIL; /* a second '@' lands here too */
    label++;
  }
  /* The top-level domain: letters only, two or more. */
  size_t tld = 0;
  while (tld < dlen && dom[dlen - 1 - tld] != '.')
    tld++;
  bool tld_alpha = true;
  for (size_t k = dlen - tld; k < dlen; k++)
    tld_alpha = tld_alpha && is_alpha((unsigned char)dom[k]);
  if (labels < 2 || tld < 2 || !tld_alpha)
    return SV_REJ_EMAIL;
  if (len >= cap)
    return SV_REJ_TOO_LONG;
  memcpy(scratch, s, local + 1);
  for (size_t k = 0; k < dlen; k++) {
    char c = dom[k];
    scratch[local + 1 + k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
  }
  return set_str(v, scratch, len);
}

/* Vehicle registration numbers, matched by hand (no regex in lib). */
static bool all_zero(const char *p, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (p[k] != '0')
      return false;
  return true;
}

static size_t span(const char *p, size_t n, bool digits) {
  size_t k = 0;
  while (k < n && (digits ? (p[k] >= '0' && p[k] <= '9')
                          : (p[k] >= 'A' && p[k] <= 'Z')))
    k++;
  return k;
}

/* ^DL(1[0-3]|[1-9])[CSPRTVYE][A-Z]{0,2}\d{1,4}$ */
static bool match_delhi(const char *p, size_t n) {
  if (n < 5 || p[0] != 'D' || p[1] != 'L')
    return false;
  size_t k = 2;
  if (p[k] == '1' && k + 1 < n && p[k + 1] >= '0' && p[k + 1] <= '3')
    k += 2;
  else if (p[k] >= '1' && p[k] <= '9')
    k += 1;
  else
    return false;
  if (k >= n || strchr("CSPRTVYE", p[k]) == NULL)
    return false;
  k++;
  size_t letters = span(p + k, n - k, false);
  if (letters > 2)
    return false;
  k += letters;
  size_t num = span(p + k, n - k, true);
  return num >= 1 && num <= 4 && k + num == n && !all_zero(p + k, num);
}

static bool known_state(const char *p) {
  static const char codes[] = "AN AP AR AS BR CG CH DD DL DN GA GJ HP HR JH "
                              "JK KA KL LA LD MH ML MN MP MZ NL OD OR PB PY "
                              "RJ SK TG TN TR TS UA UK UP WB";
  for (size_t k = 0; k + 1 < sizeof codes; k += 3)
    if (codes[k] == p[0] && codes[k + 1] == p[1])
      return true;
  return false;
}

/* ^[A-Z]{2}\d{1,2}[A-Z]{0,3}\d{1,4}$ with a real state code. Without a
 * series the two digit runs merge: the RTO code takes the first one or
 * two digits and the number the rest. */
static bool match_state(const char *p, size_t n) {
  if (n < 4 || span(p, 2, false) != 2 || !known_state(p))
    return false;
  size_t k = 2;
  size_t rto = span(p + k, n - k, true);
  if (rto == 0)
    return false;
  k += rto;
  size_t letters = span(p + k, n - k, false);
  if (letters == 0) {
    /* merged run: 1-2 RTO digits then 1-4 number digits */
    if (k != n || rto < 2 || rto > 6)
      return false;
    size_t num = rto - 1 < 4 ? rto - 1 : 4;
    return !all_zero(p + n - num, num);
  }
  if (rto > 2 || letters > 3)
    return false;
  k += letters;
  size_t num = span(p + k, n - k, true);
  return num >= 1 && num <= 4 && k + num == n && !all_zero(p + k, num);
}

/* Bharat series: YY BH NNNN XX, letters without I and O, years from the
 * series' start in 2021. */
static bool match_bh(const char *p, size_t n) {
  if (n < 9 || n > 10 || span(p, 2, true) != 2 || p[0] < '2' ||
      (p[0] == '2' && p[1] < '1') || p[2] != 'B' || p[3] != 'H' ||
      span(p + 4, 4, true) != 4 || all_zero(p + 4, 4))
    return false;
  for (size_t k = 8; k < n; k++)
    if (p[k] < 'A' || p[k] > 'Z' || p[k] == 'I' || p[k] == 'O')
      return false;
  return true;
}

static sv_reject v_vehicle(const char *s, size_t len, char *scratch,
                           size_t cap, sv_value *v) {
  char p[VEHICLE_MAX];
  size_t n = 0, i = 0;
  while (i < len) {
    uint32_t cp;
    if (!next_cp(s, len, &i, &cp))
      return SV_REJ_VEHICLE;
    if (sv_is_space(cp) || cp == '-' || cp == '.' || cp == ':')
      continue;
    int d = digit_value(cp);
    if (d >= 0)
      cp = (uint32_t)('0' + d);
    else if (cp >= 'a' && cp <= 'z')
      cp -= 'a' - 'A';
    else if (!(cp >= 'A' && cp <= 'Z'))
      return SV_REJ_VEHICLE;
    if (n == sizeof p)
      return SV_REJ_VEHICLE;
    p[n++] = (char)cp;
  }
  bool ok;
  if (n >= 2 && p[0] == 'D' && p[1] == 'L')
    ok = match_delhi(p, n); /* Delhi plates always carry a class letter */
  else
    ok = match_state(p, n) || match_bh(p, n);
  if (!ok)
    return SV_REJ_VEHICLE;
  if (n >= cap)
    return SV_REJ_TOO_LONG;
  memcpy(scratch, p, n);
  return set_str(v, scratch, n);
}

/* Folded forms (chandrabindu as anusvara, nukta dropped), with lengths so
 * a match is one compare. */
typedef struct word {
  const char *s;
  uint8_t len;
} word;
#define W(lit) {lit, sizeof(lit) - 1}
static const word yes_words[] = {
    W("yes"),   W("y"),    W("yeah"),   W("yep"),     W("haan"),
    W("han"),   W("haa"),  W("ha"),     W("ji"),      W("ji haan"),
    W("haan ji"), W("ok"), W("okay"),   W("sahi"),    W("हां"),
    W("हा"),    W("जी"),   W("जी हां"), W("हां जी"),  W("सही")};
static const word no_words[] = {
    W("no"),   W("n"),     W("nope"),  W("nahi"), W("nahin"),
    W("nhi"),  W("na"),    W("galat"), W("nahi ji"), W("नहीं"),
    W("नही"),  W("ना"),    W("गलत"),   W("नहीं जी")};
#undef W

static bool in_words(const word *words, size_t count, const char *s,
                     size_t len) {
  for (size_t k = 0; k < count; k++)
    if (words[k].len == len && memcmp(words[k].s, s, len) == 0)
      return true;
  return false;
}

int sv_yesno(const char *folded, size_t len) {
  if (len == 0 || len > 32)
    return -1;
  if (in_words(yes_words, sizeof yes_words / sizeof *yes_words, folded, len))
    return 1;
  if (in_words(no_words, sizeof no_words / sizeof *no_words, folded, len))
    return 0;
  return -1;
}

static sv_reject v_yesno(const char *s, size_t len, sv_value *v) {
  char buf[YESNO_FOLD_CAP];
  long fl = sv_fold(s, len, buf, sizeof buf);
  int yn = fl > 0 ? sv_yesno(buf, (size_t)fl) : -1;
  if (yn < 0)
    return SV_REJ_YESNO;
  v->kind = SV_VAL_INT;
  v->i = yn;
  return SV_OK;
}

sv_reject sv_validate(const sv_input *input, const char *text, size_t len,
                      int32_t today, int32_t age_ref, char *scratch,
                      size_t cap, sv_value *value) {
  value->kind = SV_VAL_NONE;
  value->i = 0;
  value->s = NULL;
  value->len = 0;
  if (input->type >= SV_IN__COUNT)
    return SV_REJ_EMPTY;
  size_t start, end;
  if (text == NULL)
    len = 0;
  trim(text, len, &start, &end);
  if (start == end)
    return SV_REJ_EMPTY;
  const char *s = text + start;
  size_t n = end - start;
  /* Text results need room for at least the NUL. */
  if (cap == 0 || scratch == NULL)
    scratch = NULL, cap = 0;
  switch ((sv_input_type)input->type) {
  case SV_IN_TEXT:
    return cap ? v_text(input, s, n, scratch, cap, value) : SV_REJ_TOO_LONG;
  case SV_IN_NAME:
    return cap ? v_name(input, s, n, scratch, cap, value) : SV_REJ_TOO_LONG;
  case SV_IN_INTEGER:
    return v_integer(input, s, n, value);
  case SV_IN_DATE:
    return v_date(input, s, n, today, age_ref, value);
  case SV_IN_AADHAAR:
    return v_aadhaar(s, n, value);
  case SV_IN_MOBILE:
    return v_mobile(s, n, value);
  case SV_IN_PIN:
    return v_pin(input, s, n, value);
  case SV_IN_EMAIL:
    return cap ? v_email(s, n, scratch, cap, value) : SV_REJ_TOO_LONG;
  case SV_IN_VEHICLE:
    return cap ? v_vehicle(s, n, scratch, cap, value) : SV_REJ_TOO_LONG;
  case SV_IN_YESNO:
    return v_yesno(s, n, value);
  case SV_IN_CHOICE:
    return SV_REJ_CHOICE;
  case SV_IN_MEDIA:
  case SV_IN__COUNT:
    break;
  }
  return SV_REJ_MEDIA;
}
