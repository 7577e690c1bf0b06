/* date.c - calendar dates: the forms citizens type (12/03/1995, 12.3.95,
 * "12 March 1995", "12 मार्च 1995", ISO), days since 1970-01-01 and back,
 * and ages in whole years. Dates are always day-first except ISO. */
#include "internal.h"

#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days (proleptic
 * Gregorian), in 64 bits so no int32 input can overflow. */
int32_t sv_days_from_civil(int y, unsigned m, unsigned d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m > 2 ? (int64_t)m - 3 : (int64_t)m + 9) + 2) / 5 +
                (int64_t)d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

void sv_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d) {
  int64_t z = (int64_t)days + 719468;
  if (z >= 0) {
    /* From 0000-03-01 on, the same steps in unsigned 32 bits (z stays
     * under 2^32): cheaper divisions, identical results for every int32. */
    uint32_t uz = (uint32_t)z;
    uint32_t uera = uz / 146097u;
    uint32_t udoe = uz - uera * 146097u;
    uint32_t uyoe =
        (udoe - udoe / 1460u + udoe / 36524u - udoe / 146096u) / 365u;
    uint32_t udoy = udoe - (365u * uyoe + uyoe / 4u - uyoe / 100u);
    uint32_t ump = (5u * udoy + 2u) / 153u;
    unsigned umm = ump < 10u ? ump + 3u : ump - 9u;
    *y = (int)((int64_t)uyoe + (int64_t)uera * 400 + (umm <= 2));
    *m = umm;
    *d = udoy - (153u * ump + 2u) / 5u + 1u;
    return;
  }
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  unsigned dd = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  unsigned mm = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (mm <= 2));
  *m = mm;
  *d = dd;
}

/* Whole years from from_day to to_day: the number of birthdays passed.
 * Comparing (month, day) pairs gives a 29 February birthday its increment
 * on 1 March in common years, which is how Indian law counts age. */
int sv_years_between(int32_t from_day, int32_t to_day) {
  if (to_day < from_day)
    return -sv_years_between(to_day, from_day);
  int y1, y2;
  unsigned m1, d1, m2, d2;
  sv_civil_from_days(from_day, &y1, &m1, &d1);
  sv_civil_from_days(to_day, &y2, &m2, &d2);
  int years = y2 - y1;
  if (m2 < m1 || (m2 == m1 && d2 < d1))
    years--;
  return years;
}

static bool leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int y, unsigned m) {
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : dim[m - 1];
}

/* Month names as they look after sv_fold (nukta dropped), with the common
 * Hindi spelling variants. English names also match by any prefix of at
 * least three letters ("sep", "sept", "september"). */
typedef struct month_name {
  const char *s;
  uint8_t len;
  uint8_t month;
} month_name;
#define M(lit, m) {lit, sizeof(lit) - 1, m}
static const month_name en_months[12] = {
    M("january", 1), M("february", 2), M("march", 3),     M("april", 4),
    M("may", 5),     M("june", 6),     M("july", 7),      M("august", 8),
    M("september", 9), M("october", 10), M("november", 11), M("december", 12)};
static const month_name hi_months[] = {
    M("जनवरी", 1),   M("फरवरी", 2),   M("मार्च", 3),   M("अप्रैल", 4),
    M("अप्रेल", 4),   M("मई", 5),      M("जून", 6),     M("जुलाई", 7),
    M("अगस्त", 8),   M("सितंबर", 9),  M("सितम्बर", 9), M("अक्टूबर", 10),
    M("अक्तूबर", 10), M("नवंबर", 11),  M("नवम्बर", 11), M("दिसंबर", 12),
    M("दिसम्बर", 12),
};
#undef M

static unsigned month_by_name(const char *w, size_t n) {
  if (n >= 3 && (unsigned char)w[0] < 0x80) {
    for (unsigned i = 0; i < 12; i++)
      if (n <= en_months[i].len && memcmp(w, en_months[i].s, n) == 0)
        return en_months[i].month;
    return 0;
  }
  for (size_t i = 0; i < sizeof hi_months / sizeof hi_months[0]; i++)
    if (n == hi_months[i].len && memcmp(w, hi_months[i].s, n) == 0)
      return hi_months[i].month;
  return 0;
}

enum { TOK_NUM = 1, TOK_WORD = 2 };
enum { MAX_TOKENS = 4, DATE_FOLD_CAP = 96 };

typedef struct date_tok {
  uint8_t kind;
  uint8_t ndigits;  /* TOK_NUM */
  char sep;         /* separator before this token: '/', '-', '.', ' ' */
  uint32_t num;     /* TOK_NUM */
  const char *word; /* TOK_WORD */
  size_t wlen;
} date_tok;

static bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || c >= 0x80;
}

/* Splits folded text into numbers and words; false on anything that
 * cannot be part of a date. Ordinal suffixes and "of" are skipped so
 * "12th of March 1995" reads as "12 March 1995". */
static bool tokenize(const char *s, size_t len, date_tok *t, int *count) {
  int n = 0;
  char sep = 0;
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == ',') {
      if (sep == 0 || sep == ' ')
        sep = ' ';
      i++;
      continue;
    }
    if (c == '/' || c == '-' || c == '.') {
      if (sep != 0 && sep != ' ')
        return false; /* "12//03" */
      sep = (char)c;
      i++;
      continue;
    }
    date_tok tok = {0, 0, sep, 0, NULL, 0};
    size_t start = i;
    if (c >= '0' && c <= '9') {
      while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (i - start >= 4)
          return false;
        tok.num = tok.num * 10 + (uint32_t)(s[i] - '0');
        i++;
      }
      tok.kind = TOK_NUM;
      tok.ndigits = (uint8_t)(i - start);
    } else if (is_word_byte(c)) {
      while (i < len && is_word_byte((unsigned char)s[i]))
        i++;
      tok.kind = TOK_WORD;
      tok.word = s + start;
      tok.wlen = i - start;
      bool ordinal = tok.wlen == 2 && n > 0 && t[n - 1].kind == TOK_NUM &&
                     sep == 0 &&
                     (memcmp(tok.word, "st", 2) == 0 ||
                      memcmp(tok.word, "nd", 2) == 0 ||
                      memcmp(tok.word, "rd", 2) == 0 ||
                      memcmp(tok.word, "th", 2) == 0);
      bool of = tok.wlen == 2 && memcmp(tok.word, "of", 2) == 0 && n > 0;
      if (ordinal || of)
        continue; /* keep the separator seen before it */
    } else {
      return false;
    }
    if (n == MAX_TOKENS)
      return false;
    t[n++] = tok;
    sep = 0;
  }
  *count = n;
  return sep == 0 || sep == ' ';
}

static int year_of_day(int32_t day) {
  int y;
  unsigned m, d;
  sv_civil_from_days(day, &y, &m, &d);
  return y;
}

/* One ASCII or Devanagari digit at s[*i]: its value, else -1. */
static inline int digit_at(const unsigned char *p, size_t len, size_t *i) {
  if (*i < len && (unsigned)(p[*i] - '0') < 10u)
    return p[(*i)++] - '0';
  if (len - *i >= 3 && p[*i] == 0xE0 && p[*i + 1] == 0xA5 &&
      p[*i + 2] >= 0xA6 && p[*i + 2] <= 0xAF) {
    *i += 3;
    return p[*i - 1] - 0xA6;
  }
  return -1;
}

/* Up to max digits at s[*i]; the count read, their value in *v. */
static int digits_at(const unsigned char *p, size_t len, size_t *i, int max,
                     unsigned *v) {
  int n = 0, d;
  *v = 0;
  while (n < max && (d = digit_at(p, len, i)) >= 0) {
    *v = *v * 10 + (unsigned)d;
    n++;
  }
  return n;
}

/* The form nearly everyone types, d/m/yyyy with '/', '-' or '.' (digits
 * ASCII or Devanagari), read straight; 0 when s has another form, which
 * the general reader below then takes. Same result as that reader. */
static int quick_date(const char *s, size_t len, int *y, unsigned *m,
                      unsigned *d, int *ydigits) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  unsigned yy;
  if (digits_at(p, len, &i, 2, d) == 0 || i >= len)
    return 0;
  unsigned char sep = p[i];
  if (sep != '/' && sep != '-' && sep != '.')
    return 0;
  i++;
  if (digits_at(p, len, &i, 2, m) == 0 || i >= len || p[i] != sep)
    return 0;
  i++;
  *ydigits = digits_at(p, len, &i, 5, &yy);
  if (i != len || (*ydigits != 2 && *ydigits != 4))
    return 0;
  *y = (int)yy;
  return 1;
}

bool sv_parse_date(const char *s, size_t len, int32_t today, int32_t *days,
                   bool *invalid) {
  bool dummy;
  if (invalid == NULL)
    invalid = &dummy;
  *invalid = false;
  int qy, qyd;
  unsigned qm, qd;
  if (quick_date(s, len, &qy, &qm, &qd, &qyd)) {
    if (qyd == 2) {
      qy += 2000;
      if (qy > year_of_day(today))
        qy -= 100;
    }
    if (qy < 1000 || qm < 1 || qm > 12 || qd < 1 ||
        qd > days_in_month(qy, qm)) {
      *invalid = true;
      return false;
    }
    *days = sv_days_from_civil(qy, qm, qd);
    return true;
  }
  char buf[DATE_FOLD_CAP];
  long fl = sv_fold(s, len, buf, sizeof buf);
  if (fl <= 0)
    return false;
  date_tok t[MAX_TOKENS];
  int n = 0;
  if (!tokenize(buf, (size_t)fl, t, &n) || n != 3)
    return false;

  const date_tok *dt, *mt, *yt;
  unsigned month;
  if (t[0].kind == TOK_NUM && t[1].kind == TOK_NUM && t[2].kind == TOK_NUM) {
    /* All-numeric forms need real separators, the same twice. */
    if (t[1].sep == ' ' || t[1].sep == 0 || t[2].sep != t[1].sep)
      return false;
    if (t[0].ndigits == 4) { /* ISO: year first */
      yt = &t[0], mt = &t[1], dt = &t[2];
    } else {
      dt = &t[0], mt = &t[1], yt = &t[2];
    }
    if (mt->ndigits > 2)
      return false;
    month = mt->num;
  } else if (t[0].kind == TOK_NUM && t[1].kind == TOK_WORD &&
             t[2].kind == TOK_NUM) {
    dt = &t[0], yt = &t[2];
    if ((month = month_by_name(t[1].word, t[1].wlen)) == 0)
      return false;
  } else if (t[0].kind == TOK_WORD && t[1].kind == TOK_NUM &&
             t[2].kind == TOK_NUM) {
    dt = &t[1], yt = &t[2];
    if ((month = month_by_name(t[0].word, t[0].wlen)) == 0)
      return false;
  } else {
    return false;
  }
  if (dt->ndigits > 2 || (yt->ndigits != 2 && yt->ndigits != 4))
    return false;

  int year = (int)yt->num;
  if (yt->ndigits == 2) {
    year += 2000;
    if (year > year_of_day(today))
      year -= 100;
  }
  unsigned day = dt->num;
  if (year < 1000 || month < 1 || month > 12 || day < 1 ||
      day > days_in_month(year, month)) {
    *invalid = true;
    return false;
  }
  *days = sv_days_from_civil(year, month, day);
  return true;
}
