/* timeparse.c - ISO 8601 and transcript times to Unix seconds. The civil
 * date is converted with Howard Hinnant's days_from_civil so the result
 * never depends on the process's time zone or on timegm(). */
#include "timeparse.h"

#include <stddef.h>

int64_t host_days_from_civil(int64_t year, int month, int day) {
  int64_t y = year - (month <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (month + 9) % 12; /* March is 0 */
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Reads exactly n digits at *p. */
static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit((*p)[i]))
      return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

static int days_in_month(int year, int month) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

int host_time_parse(const char *s, int32_t default_offset, int64_t *out) {
  const char *p = s;
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!s || digits(&p, 4, &year) || *p++ != '-' || digits(&p, 2, &month) ||
      *p++ != '-' || digits(&p, 2, &day))
    return -1;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return -1;
  if (*p == 'T' || *p == ' ') {
    p++;
    if (digits(&p, 2, &hour) || *p++ != ':' || digits(&p, 2, &minute))
      return -1;
    if (*p == ':') {
      p++;
      if (digits(&p, 2, &second))
        return -1;
      if (*p == '.' || *p == ',') {
        p++;
        if (!is_digit(*p))
          return -1;
        while (is_digit(*p))
          p++;
      }
    }
    if (hour > 23 || minute > 59 || second > 59)
      return -1;
  }
  int64_t offset = default_offset;
  if (*p == 'Z' || *p == 'z') {
    offset = 0;
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p++ == '-' ? -1 : 1;
    int oh, om = 0;
    if (digits(&p, 2, &oh))
      return -1;
    if (*p == ':') {
      p++;
      if (digits(&p, 2, &om))
        return -1;
    } else if (is_digit(*p) && digits(&p, 2, &om)) {
      return -1;
    }
    if (oh > 23 || om > 59)
      return -1;
    offset = sign * (oh * 3600 + om * 60);
  }
  if (*p != '\0')
    return -1;
  *out = host_days_from_civil(year, month, day) * 86400 + hour * 3600 +
         minute * 60 + second - offset;
  return 0;
}

int host_duration_parse(const char *s, int64_t *out) {
  const int64_t limit = 10 * 366 * 86400LL;
  int64_t total = 0;
  const char *p = s;
  if (!s || !*p)
    return -1;
  while (*p) {
    int64_t n = 0;
    if (!is_digit(*p))
      return -1;
    while (is_digit(*p)) {
      n = n * 10 + (*p++ - '0');
      if (n > limit)
        return -1;
    }
    int64_t unit;
    switch (*p++) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return -1;
    }
    total += n * unit;
    if (total > limit)
      return -1;
  }
  *out = total;
  return 0;
}
