/* validate.c - the typed inputs of ask states: each answer is checked and
 * normalised in one linear pass without allocating, because validation is
 * on the engine's hot path (every answer to every question). Here: free
 * text, names, integers, dates, yes/no and the dispatch; the identifiers
 * (Aadhaar, mobile, PIN, email, vehicle) are in validate_ids.c, calendar
 * arithmetic in date.c, folding and UTF-8 in text.c. */
#include "validate.h"

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
    } else if (c == 0xE0 && e - i >= 2 &&
               ((unsigned char)s[i + 1] == 0xA4 ||
                (unsigned char)s[i + 1] == 0xA5)) {
      break; /* Devanagari has no white space */
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
    if (e - i >= 3 && (unsigned char)s[e - 3] == 0xE0 &&
        ((unsigned char)s[e - 2] == 0xA4 || (unsigned char)s[e - 2] == 0xA5))
      break; /* ends in Devanagari (a lone E0 A4 xx is invalid anyway) */
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

static sv_reject check_chars(const sv_input *in, long chars) {
  if (in->max > 0 && chars > in->max)
    return SV_REJ_TOO_LONG;
  if (chars < in->min)
    return SV_REJ_TOO_SHORT;
  return SV_OK;
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
    while (j < len) {
      unsigned b = p[j];
      if (b - 0x21u < 0x5Eu) /* '!'..'~' */
        j++;
      else if (b == 0xE0 && len - j >= 3 && p[j + 1] - 0xA4u < 2u &&
               (p[j + 2] & 0xC0) == 0x80)
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
  return r != SV_OK ? r : sv_set_str(v, scratch, o);
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

/* The Devanagari block by its last seven bits: 1 a letter (is_deva_letter),
 * 2 a sign that follows one (is_deva_mark), 0 neither. One load per
 * character in the name loop instead of a dozen comparisons. */
static const uint8_t deva_class[128] = {
    2,2,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,2,1,2,2,
    2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0,2,2,2,1,1,1,1,1,1,1,1,
    1,1,2,2,0,0,0,0,0,0,0,0,0,0,0,0,2,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
};

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
    while (j < len) {
      unsigned b = p[j];
      if ((b | 0x20) - 'a' < 26u) {
        letter = true;
        j++;
      } else if (b == 0xE0 && len - j >= 3 && p[j + 1] - 0xA4u < 2u &&
                 (p[j + 2] & 0xC0) == 0x80 &&
                 deva_class[((p[j + 1] & 1u) << 6) | (p[j + 2] & 0x3Fu)]) {
        /* the class table is indexed by the code point's low seven bits:
         * A4 xx is U+0900 + (xx & 0x3F), A5 xx U+0940 + (xx & 0x3F) */
        letter = letter ||
                 (deva_class[((p[j + 1] & 1u) << 6) | (p[j + 2] & 0x3Fu)] & 1);
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
  return r != SV_OK ? r : sv_set_str(v, scratch, o);
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
    return sv_v_aadhaar(s, n, value);
  case SV_IN_MOBILE:
    return sv_v_mobile(s, n, value);
  case SV_IN_PIN:
    return sv_v_pin(input, s, n, value);
  case SV_IN_EMAIL:
    return cap ? sv_v_email(s, n, scratch, cap, value) : SV_REJ_TOO_LONG;
  case SV_IN_VEHICLE:
    return cap ? sv_v_vehicle(s, n, scratch, cap, value) : SV_REJ_TOO_LONG;
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
