/* validate_ids.c - the identifier inputs: Aadhaar numbers (12 digits,
 * Verhoeff checksum), Indian mobile numbers, PIN codes (optionally Delhi
 * only), email addresses and vehicle registration numbers. Each reads the
 * digits or letters people type, with the separators they use, in one
 * pass and without allocating. */
#include "validate.h"

/* Collects the digits of s into out (ASCII), skipping the separators
 * people type inside numbers. Returns the number of digits, or -1 on any
 * other character or more than max digits. *plus reports a leading '+'. */
static int collect_digits(const char *s, size_t len, const char *skip,
                          char *out, int max, bool *plus) {
  int n = 0;
  size_t i = 0;
  bool sign = false; /* a local: stores to out could alias *plus */
  *plus = false;
  const unsigned char *p = (const unsigned char *)s;
  while (i < len) {
    /* ASCII digits, spaces and Devanagari digits without a decode. */
    unsigned b = p[i];
    if (b - '0' < 10u || (b == 0xE0 && len - i >= 3 && p[i + 1] == 0xA5 &&
                          p[i + 2] >= 0xA6 && p[i + 2] <= 0xAF)) {
      if (n == max)
        return -1;
      out[n++] = (char)(b == 0xE0 ? (unsigned)'0' + (p[i + 2] - 0xA6u) : b);
      i += b == 0xE0 ? 3 : 1;
      continue;
    }
    if (b == ' ') {
      i++;
      continue;
    }
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
sv_reject sv_v_aadhaar(const char *s, size_t len, sv_value *v) {
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

sv_reject sv_v_mobile(const char *s, size_t len, sv_value *v) {
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

sv_reject sv_v_pin(const sv_input *in, const char *s, size_t len,
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
sv_reject sv_v_email(const char *s, size_t len, char *scratch, size_t cap,
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
  return sv_set_str(v, scratch, len);
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

sv_reject sv_v_vehicle(const char *s, size_t len, char *scratch,
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
  return sv_set_str(v, scratch, n);
}

