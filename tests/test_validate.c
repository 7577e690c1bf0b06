/* test_validate.c - every typed input, accepted and refused, table-driven:
 * Devanagari digits, the date forms (Hindi months too), bounds relative
 * to today, age rules (marriage ages, 29 February), Verhoeff vectors, and
 * a check that every refusal code is reachable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* Days since 1970-01-01, checked against Python's datetime. */
enum {
  D_1900_01_01 = -25567,
  D_2000_03_01 = 11017,
  D_2025_11_20 = 20412,
  D_2026_03_01 = 20513,
  TODAY = D_2026_03_01,
};

#define NO_BOUND {SV_BOUND_NONE, 0}
#define BASE(t) .type = (t), .min_age = -1, .max_age = -1, .age_on_var = -1
#define IN_TEXT(lo, hi) {BASE(SV_IN_TEXT), .min = (lo), .max = (hi)}
#define IN_NAME(lo, hi) {BASE(SV_IN_NAME), .min = (lo), .max = (hi)}
#define IN_INT(lo, hi) {BASE(SV_IN_INTEGER), .min = (lo), .max = (hi)}
#define IN_DATE {BASE(SV_IN_DATE)}
#define IN_DATE_B(lok, lod, hik, hid)                                          \
  {BASE(SV_IN_DATE), .date_min = {(lok), (lod)}, .date_max = {(hik), (hid)}}
/* A date of birth with an age rule (and no later than today). */
#define IN_DOB(lo_age, hi_age)                                                 \
  {.type = SV_IN_DATE, .min_age = (lo_age), .max_age = (hi_age),             \
   .age_on_var = 0, .date_max = {SV_BOUND_TODAY, 0}}
#define IN(t) {BASE(t)}
#define IN_PIN_DELHI {BASE(SV_IN_PIN), .flags = SV_PIN_DELHI}

typedef struct vcase {
  sv_input in;
  const char *text;
  sv_reject want;
  int64_t want_i;     /* SV_VAL_INT */
  int wy, wm, wd;     /* SV_VAL_DATE */
  const char *want_s; /* SV_VAL_STR */
  int ry, rm, rd;     /* age reference date; 0 = today */
  size_t cap;         /* scratch size; 0 = 256 */
} vcase;

#define OKI(in, text, i) {in, text, SV_OK, i, 0, 0, 0, NULL, 0, 0, 0, 0}
#define OKD(in, text, y, m, d) {in, text, SV_OK, 0, y, m, d, NULL, 0, 0, 0, 0}
#define OKS(in, text, s) {in, text, SV_OK, 0, 0, 0, 0, s, 0, 0, 0, 0}
#define REJ(in, text, r) {in, text, r, 0, 0, 0, 0, NULL, 0, 0, 0, 0}
/* date of birth answered against an age reference date */
#define AGE(in, text, r, y, m, d) {in, text, r, 0, 0, 0, 0, NULL, y, m, d, 0}
#define CAP(in, text, r, s, cap) {in, text, r, 0, 0, 0, 0, s, 0, 0, 0, cap}

static const vcase cases[] = {
    /* ---- text: trimmed, length in characters ---- */
    OKS(IN_TEXT(1, 11), "  hello  world ", "hello world"),
    OKS(IN_TEXT(1, 6), "नमस्ते", "नमस्ते"), /* 18 bytes, 6 characters */
    REJ(IN_TEXT(1, 5), "नमस्ते", SV_REJ_TOO_LONG),
    OKS(IN_TEXT(1, 30), "Line one\r\nline two", "Line one line two"),
    OKS(IN_TEXT(1, 500), "H.No. 12, गली ३, #4 (near park)",
        "H.No. 12, गली ३, #4 (near park)"),
    REJ(IN_TEXT(3, 10), "ab", SV_REJ_TOO_SHORT),
    REJ(IN_TEXT(3, 10), "  ab  ", SV_REJ_TOO_SHORT),
    REJ(IN_TEXT(1, 10), "", SV_REJ_EMPTY),
    REJ(IN_TEXT(1, 10), " \t\n ", SV_REJ_EMPTY),
    REJ(IN_TEXT(1, 10), "\xE2\x80\x8B", SV_REJ_EMPTY), /* zero-width space */
    REJ(IN_TEXT(1, 10), "a\x01" "b", SV_REJ_EMPTY),   /* control character */
    REJ(IN_TEXT(1, 10), "a\x7F", SV_REJ_EMPTY),
    REJ(IN_TEXT(1, 10), "a\xE2\x80\xAE" "b", SV_REJ_EMPTY), /* RLO override */
    REJ(IN_TEXT(1, 10), "ab\xFF", SV_REJ_EMPTY),      /* invalid UTF-8 */
    CAP(IN_TEXT(1, 100), "hello", SV_REJ_TOO_LONG, NULL, 5),
    CAP(IN_TEXT(1, 100), "hello", SV_OK, "hello", 6),

    /* ---- name ---- */
    OKS(IN_NAME(2, 40), "  Ram   Kumar ", "Ram Kumar"),
    OKS(IN_NAME(2, 40), "राम कुमार", "राम कुमार"),
    OKS(IN_NAME(2, 40), "श्रीमती सीता देवी", "श्रीमती सीता देवी"),
    OKS(IN_NAME(2, 40), "ज़ीनत ख़ान", "ज़ीनत ख़ान"), /* nukta */
    OKS(IN_NAME(2, 40), "डॉ॰ अँजलि", "डॉ॰ अँजलि"),   /* chandra o, abbr. */
    OKS(IN_NAME(2, 40), "D’Souza", "D'Souza"),
    OKS(IN_NAME(2, 40), "O'Brien-Smith Jr.", "O'Brien-Smith Jr."),
    OKS(IN_NAME(2, 40), "José Müller", "José Müller"),
    OKS(IN_NAME(2, 9), "राम कुमार", "राम कुमार"), /* 9 characters */
    REJ(IN_NAME(2, 8), "राम कुमार", SV_REJ_TOO_LONG),
    REJ(IN_NAME(2, 40), "R", SV_REJ_TOO_SHORT),
    REJ(IN_NAME(2, 40), "Ram123", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "Ram@home", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "राम१", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "राम।", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "Ram \xF0\x9F\x98\x80", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "Ram × Shyam", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "...", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "Ra\xC0\xAF", SV_REJ_NAME_CHARS),
    REJ(IN_NAME(2, 40), "   ", SV_REJ_EMPTY),

    /* ---- integer ---- */
    OKI(IN_INT(0, 1000000), "42", 42),
    OKI(IN_INT(0, 1000000), " +42 ", 42),
    OKI(IN_INT(0, 1000000), "1,20,000", 120000),
    OKI(IN_INT(0, 1000000), "120,000", 120000),
    OKI(IN_INT(0, 1000000), "१२०००", 12000),
    OKI(IN_INT(0, 1000000), "१,२०,०००", 120000),
    OKI(IN_INT(0, 1000000), "007", 7),
    OKI(IN_INT(-10, 10), "-5", -5),
    OKI(IN_INT(-10, 10), "\xE2\x88\x92" "7", -7), /* U+2212 minus */
    OKI(IN_INT(0, 1000000), "1000000", 1000000),
    OKI(IN_INT(INT64_MIN, INT64_MAX), "9223372036854775807", INT64_MAX),
    REJ(IN_INT(0, 1000000), "1000001", SV_REJ_INT_RANGE),
    REJ(IN_INT(0, 10), "-5", SV_REJ_INT_RANGE),
    REJ(IN_INT(INT64_MIN, INT64_MAX), "9223372036854775808",
        SV_REJ_INT_RANGE),
    REJ(IN_INT(0, 10), "99999999999999999999999", SV_REJ_INT_RANGE),
    REJ(IN_INT(0, 10), "12.5", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10), "abc", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10), "-", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000), "1 000", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000), "1,2", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), "12,00,00", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), ",100", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), "1,,000", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), "1,0000", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), "1234,567", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), "1,000,", SV_REJ_NOT_INTEGER),
    REJ(IN_INT(0, 10000000), "12\xFF", SV_REJ_NOT_INTEGER),

    /* ---- date: forms ---- */
    OKD(IN_DATE, "12/03/1995", 1995, 3, 12),
    OKD(IN_DATE, "12-03-1995", 1995, 3, 12),
    OKD(IN_DATE, "12.3.95", 1995, 3, 12),
    OKD(IN_DATE, "12/3/95", 1995, 3, 12),
    OKD(IN_DATE, "12 / 03 / 1995", 1995, 3, 12),
    OKD(IN_DATE, "1995-03-12", 1995, 3, 12),
    OKD(IN_DATE, "12 March 1995", 1995, 3, 12),
    OKD(IN_DATE, "12 mar 1995", 1995, 3, 12),
    OKD(IN_DATE, "12-Mar-1995", 1995, 3, 12),
    OKD(IN_DATE, "12th March, 1995", 1995, 3, 12),
    OKD(IN_DATE, "12th of March 1995", 1995, 3, 12),
    OKD(IN_DATE, "March 12, 1995", 1995, 3, 12),
    OKD(IN_DATE, "MARCH 12 1995.", 1995, 3, 12),
    OKD(IN_DATE, "1 Sept 2001", 2001, 9, 1),
    OKD(IN_DATE, "12 मार्च 1995", 1995, 3, 12),
    OKD(IN_DATE, "१२ मार्च १९९५", 1995, 3, 12),
    OKD(IN_DATE, "१२/०३/१९९५", 1995, 3, 12),
    OKD(IN_DATE, "१९९५-०३-१२", 1995, 3, 12),
    OKD(IN_DATE, "9 जनवरी 1990", 1990, 1, 9),
    OKD(IN_DATE, "5 फ़रवरी 2001", 2001, 2, 5),                 /* precomposed */
    OKD(IN_DATE, "5 फ\xE0\xA4\xBCरवरी 2001", 2001, 2, 5),      /* combining */
    OKD(IN_DATE, "5 फरवरी 2001", 2001, 2, 5),
    OKD(IN_DATE, "1 अप्रैल 2000", 2000, 4, 1),
    OKD(IN_DATE, "1 अप्रेल 2000", 2000, 4, 1),
    OKD(IN_DATE, "9 मई 1990", 1990, 5, 9),
    OKD(IN_DATE, "9 जून 1990", 1990, 6, 9),
    OKD(IN_DATE, "9 जुलाई 1990", 1990, 7, 9),
    OKD(IN_DATE, "15 अगस्त 1947", 1947, 8, 15),
    OKD(IN_DATE, "3 सितंबर 1990", 1990, 9, 3),
    OKD(IN_DATE, "3 सितम्बर 1990", 1990, 9, 3),
    OKD(IN_DATE, "3 अक्टूबर 1990", 1990, 10, 3),
    OKD(IN_DATE, "3 अक्तूबर 1990", 1990, 10, 3),
    OKD(IN_DATE, "7 नवंबर 1990", 1990, 11, 7),
    OKD(IN_DATE, "7 नवम्बर 1990", 1990, 11, 7),
    OKD(IN_DATE, "7 दिसंबर 1990", 1990, 12, 7),
    OKD(IN_DATE, "7 दिसम्बर 1990।", 1990, 12, 7),
    OKD(IN_DATE, "1/1/26", 2026, 1, 1), /* not after today's year: 20yy */
    OKD(IN_DATE, "1/1/27", 1927, 1, 1), /* after: 19yy */
    OKD(IN_DATE, "29/02/2024", 2024, 2, 29),
    OKD(IN_DATE, "29/02/2000", 2000, 2, 29),
    OKD(IN_DATE, "01-01-1970", 1970, 1, 1),
    /* day first, always (03/12 is 3 December, not 12 March) */
    OKD(IN_DATE, "03/12/1995", 1995, 12, 3),
    REJ(IN_DATE, "03/25/1995", SV_REJ_DATE_INVALID),
    /* dates that do not exist */
    REJ(IN_DATE, "31/02/2020", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "29/02/2023", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "29/02/1900", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "32/01/2020", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "00/01/2020", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "12/13/2020", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "12/00/2020", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "2020-02-30", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "31 अप्रैल 2020", SV_REJ_DATE_INVALID),
    REJ(IN_DATE, "31 June 2020", SV_REJ_DATE_INVALID),
    /* not dates */
    REJ(IN_DATE, "kal", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03/199", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03/19955", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "123/03/1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12//03/1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03-1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12 03 1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03/1995/", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12 Smarch 1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12 ma 1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "March 1995", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03/1995 10:30", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03/1995 extra", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "१२ फाल्गुन २०५१", SV_REJ_DATE_FORMAT),
    REJ(IN_DATE, "12/03/1995\xFF", SV_REJ_DATE_FORMAT),

    /* ---- date: bounds ---- */
    OKD(IN_DATE_B(SV_BOUND_ABS, D_1900_01_01, SV_BOUND_TODAY, 0), "01/03/2026",
        2026, 3, 1),
    REJ(IN_DATE_B(SV_BOUND_ABS, D_1900_01_01, SV_BOUND_TODAY, 0), "02/03/2026",
        SV_REJ_DATE_TOO_LATE),
    OKD(IN_DATE_B(SV_BOUND_ABS, D_1900_01_01, SV_BOUND_TODAY, 0), "1 Jan 1900",
        1900, 1, 1),
    REJ(IN_DATE_B(SV_BOUND_ABS, D_1900_01_01, SV_BOUND_TODAY, 0), "31/12/1899",
        SV_REJ_DATE_TOO_EARLY),
    /* within the last 60 days (e.g. a late fee boundary) */
    OKD(IN_DATE_B(SV_BOUND_TODAY, -60, SV_BOUND_TODAY, 0), "31/12/2025", 2025,
        12, 31),
    REJ(IN_DATE_B(SV_BOUND_TODAY, -60, SV_BOUND_TODAY, 0), "30/12/2025",
        SV_REJ_DATE_TOO_EARLY),
    REJ(IN_DATE_B(SV_BOUND_ABS, D_2000_03_01, SV_BOUND_ABS, D_2025_11_20),
        "21/11/2025", SV_REJ_DATE_TOO_LATE),
    OKD(IN_DATE_B(SV_BOUND_ABS, D_2000_03_01, SV_BOUND_ABS, D_2025_11_20),
        "1 March 2000", 2000, 3, 1),
    /* "today-18y": whole calendar years before today (1 March 2008) */
    OKD(IN_DATE_B(SV_BOUND_NONE, 0, SV_BOUND_TODAY_YEARS, -18), "01/03/2008",
        2008, 3, 1),
    REJ(IN_DATE_B(SV_BOUND_NONE, 0, SV_BOUND_TODAY_YEARS, -18), "02/03/2008",
        SV_REJ_DATE_TOO_LATE),
    OKD(IN_DATE_B(SV_BOUND_TODAY_YEARS, -100, SV_BOUND_NONE, 0), "1/3/1926",
        1926, 3, 1),
    REJ(IN_DATE_B(SV_BOUND_TODAY_YEARS, -100, SV_BOUND_NONE, 0), "28/2/1926",
        SV_REJ_DATE_TOO_EARLY),
    /* a bound on one side only */
    OKD(IN_DATE_B(SV_BOUND_NONE, 0, SV_BOUND_TODAY, 30), "31/03/2026", 2026,
        3, 31),
    REJ(IN_DATE_B(SV_BOUND_NONE, 0, SV_BOUND_TODAY, 30), "01/04/2026",
        SV_REJ_DATE_TOO_LATE),

    /* ---- date: age rules ---- */
    /* marriage on 20/11/2025: groom at least 21, bride at least 18 */
    AGE(IN_DOB(21, -1), "20/11/2004", SV_OK, 2025, 11, 20),
    AGE(IN_DOB(21, -1), "21/11/2004", SV_REJ_AGE_TOO_LOW, 2025, 11, 20),
    AGE(IN_DOB(21, -1), "२१ नवंबर २००४", SV_REJ_AGE_TOO_LOW, 2025, 11, 20),
    AGE(IN_DOB(18, -1), "20/11/2007", SV_OK, 2025, 11, 20),
    AGE(IN_DOB(18, -1), "21/11/2007", SV_REJ_AGE_TOO_LOW, 2025, 11, 20),
    AGE(IN_DOB(18, -1), "1 Jan 1990", SV_OK, 2025, 11, 20),
    /* born 29 February: 18 only on 1 March in a common year */
    AGE(IN_DOB(18, -1), "29/02/2004", SV_REJ_AGE_TOO_LOW, 2022, 2, 28),
    AGE(IN_DOB(18, -1), "29/02/2004", SV_OK, 2022, 3, 1),
    AGE(IN_DOB(20, -1), "29/02/2004", SV_REJ_AGE_TOO_LOW, 2024, 2, 28),
    AGE(IN_DOB(20, -1), "29/02/2004", SV_OK, 2024, 2, 29),
    /* against today (1 March 2026): learner's licence at 16, max age */
    AGE(IN_DOB(16, -1), "01/03/2010", SV_OK, 0, 0, 0),
    AGE(IN_DOB(16, -1), "02/03/2010", SV_REJ_AGE_TOO_LOW, 0, 0, 0),
    AGE(IN_DOB(18, 60), "01/01/1950", SV_REJ_AGE_TOO_HIGH, 0, 0, 0),
    AGE(IN_DOB(18, 60), "02/03/1965", SV_OK, 0, 0, 0),     /* 60 */
    AGE(IN_DOB(18, 60), "01/03/1965", SV_REJ_AGE_TOO_HIGH, 0, 0, 0), /* 61 */
    AGE(IN_DOB(-1, 60), "01/03/2020", SV_OK, 0, 0, 0),
    /* the bound comes before the age rule: a future birth date */
    AGE(IN_DOB(18, -1), "01/01/2030", SV_REJ_DATE_TOO_LATE, 0, 0, 0),

    /* ---- aadhaar ---- */
    OKI(IN(SV_IN_AADHAAR), "234123412346", 234123412346),
    OKI(IN(SV_IN_AADHAAR), "2341 2341 2346", 234123412346),
    OKI(IN(SV_IN_AADHAAR), "2341-2341-2346", 234123412346),
    OKI(IN(SV_IN_AADHAAR), "२३४१ २३४१ २३४६", 234123412346),
    OKI(IN(SV_IN_AADHAAR), "876543210988", 876543210988),
    OKI(IN(SV_IN_AADHAAR), "5432 1098 7652", 543210987652),
    OKI(IN(SV_IN_AADHAAR), "300000000001", 300000000001),
    OKI(IN(SV_IN_AADHAAR), "987654321012", 987654321012),
    REJ(IN(SV_IN_AADHAAR), "234123412347", SV_REJ_AADHAAR_CHECKSUM),
    REJ(IN(SV_IN_AADHAAR), "5432 1098 7653", SV_REJ_AADHAAR_CHECKSUM),
    REJ(IN(SV_IN_AADHAAR), "243123412346", SV_REJ_AADHAAR_CHECKSUM), /* swap */
    REJ(IN(SV_IN_AADHAAR), "123412341234", SV_REJ_AADHAAR_FORMAT),
    REJ(IN(SV_IN_AADHAAR), "034123412346", SV_REJ_AADHAAR_FORMAT),
    REJ(IN(SV_IN_AADHAAR), "222222222222", SV_REJ_AADHAAR_FORMAT),
    /* a palindrome whose checksum is right is still refused */
    REJ(IN(SV_IN_AADHAAR), "200009900002", SV_REJ_AADHAAR_FORMAT),
    REJ(IN(SV_IN_AADHAAR), "23412341234", SV_REJ_AADHAAR_FORMAT),
    REJ(IN(SV_IN_AADHAAR), "2341234123461", SV_REJ_AADHAAR_FORMAT),
    REJ(IN(SV_IN_AADHAAR), "2341 2341 234a", SV_REJ_AADHAAR_FORMAT),
    REJ(IN(SV_IN_AADHAAR), "+234123412346", SV_REJ_AADHAAR_FORMAT),

    /* ---- mobile ---- */
    OKI(IN(SV_IN_MOBILE), "9876543210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "+91 98765 43210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "+91-98765-43210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "+919876543210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "(+91) 98765 43210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "0091 98765 43210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "919876543210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "098765 43210", 9876543210),
    OKI(IN(SV_IN_MOBILE), "६२३४५ ६७८९०", 6234567890),
    OKI(IN(SV_IN_MOBILE), "+९१ ७०१२३ ४५६७८", 7012345678),
    OKI(IN(SV_IN_MOBILE), "8800 123 456", 8800123456),
    REJ(IN(SV_IN_MOBILE), "5876543210", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "98765 4321", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "98765432101", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "+44 9876543210", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "+1 2025550123", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "011 2345 6789", SV_REJ_MOBILE), /* landline */
    REJ(IN(SV_IN_MOBILE), "98765+43210", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "9876543210 call me", SV_REJ_MOBILE),
    REJ(IN(SV_IN_MOBILE), "98765432109876543", SV_REJ_MOBILE),

    /* ---- PIN ---- */
    OKI(IN(SV_IN_PIN), "110001", 110001),
    OKI(IN(SV_IN_PIN), "400001", 400001),
    OKI(IN(SV_IN_PIN), "110 001", 110001),
    OKI(IN_PIN_DELHI, "११००९६", 110096),
    OKI(IN_PIN_DELHI, "110085", 110085),
    REJ(IN_PIN_DELHI, "400001", SV_REJ_PIN_NOT_DELHI),
    REJ(IN_PIN_DELHI, "201301", SV_REJ_PIN_NOT_DELHI), /* Noida */
    REJ(IN(SV_IN_PIN), "011001", SV_REJ_PIN),
    REJ(IN(SV_IN_PIN), "11001", SV_REJ_PIN),
    REJ(IN(SV_IN_PIN), "1100011", SV_REJ_PIN),
    REJ(IN(SV_IN_PIN), "11OOO1", SV_REJ_PIN),
    REJ(IN_PIN_DELHI, "delhi", SV_REJ_PIN),

    /* ---- email ---- */
    OKS(IN(SV_IN_EMAIL), "Ram.Kumar@Gmail.COM", "Ram.Kumar@gmail.com"),
    OKS(IN(SV_IN_EMAIL), "  a+b_c@delhi.gov.in ", "a+b_c@delhi.gov.in"),
    OKS(IN(SV_IN_EMAIL), "x@mail-1.example.co", "x@mail-1.example.co"),
    REJ(IN(SV_IN_EMAIL), "ram@localhost", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@x@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram.gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@gmail.c", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@gmail.c0m", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@-gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@gmail-.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@gmail..com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@.gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@gmail.com.", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram..k@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), ".ram@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram.@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram kumar@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "राम@gmail.com", SV_REJ_EMAIL),
    REJ(IN(SV_IN_EMAIL), "ram@जीमेल.com", SV_REJ_EMAIL),
    CAP(IN(SV_IN_EMAIL), "ram@gmail.com", SV_REJ_TOO_LONG, NULL, 13),
    CAP(IN(SV_IN_EMAIL), "ram@gmail.com", SV_OK, "ram@gmail.com", 14),

    /* ---- vehicle ---- */
    OKS(IN(SV_IN_VEHICLE), "DL 1C AA 1111", "DL1CAA1111"),
    OKS(IN(SV_IN_VEHICLE), "DL 11 C AA 1111", "DL11CAA1111"),
    OKS(IN(SV_IN_VEHICLE), "dl4c1969", "DL4C1969"),
    OKS(IN(SV_IN_VEHICLE), "DL 2S 8989", "DL2S8989"),
    OKS(IN(SV_IN_VEHICLE), "DL-3C-AB-1234", "DL3CAB1234"),
    OKS(IN(SV_IN_VEHICLE), "DL.13.E.A.7", "DL13EA7"),
    OKS(IN(SV_IN_VEHICLE), "DL१C१२३४", "DL1C1234"),
    OKS(IN(SV_IN_VEHICLE), "MH 12 AB 1234", "MH12AB1234"),
    OKS(IN(SV_IN_VEHICLE), "hr26dk8337", "HR26DK8337"),
    OKS(IN(SV_IN_VEHICLE), "UP32ABC1234", "UP32ABC1234"),
    OKS(IN(SV_IN_VEHICLE), "KA 01 1234", "KA011234"),
    OKS(IN(SV_IN_VEHICLE), "PB 10 A 45", "PB10A45"),
    OKS(IN(SV_IN_VEHICLE), "22 BH 1234 AB", "22BH1234AB"),
    OKS(IN(SV_IN_VEHICLE), "22BH1234A", "22BH1234A"),
    REJ(IN(SV_IN_VEHICLE), "DL14C1234", SV_REJ_VEHICLE),   /* no RTO 14 */
    REJ(IN(SV_IN_VEHICLE), "DL01CAA1111", SV_REJ_VEHICLE), /* no leading 0 */
    REJ(IN(SV_IN_VEHICLE), "DL1X1234", SV_REJ_VEHICLE),    /* class letter */
    REJ(IN(SV_IN_VEHICLE), "DL1CAB", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "DL1CABC1234", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "DL1CAA0000", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "DL1CAA12345", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "MH12AB0000", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "MH120000", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "MH123AB1234", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "MH12ABCD1234", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "MH12AB12345", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "XX12AB1234", SV_REJ_VEHICLE), /* no such state */
    REJ(IN(SV_IN_VEHICLE), "20BH1234AB", SV_REJ_VEHICLE), /* before BH */
    REJ(IN(SV_IN_VEHICLE), "22BH1234IO", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "22BH0000AB", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "22BH1234ABC", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "DL 1C AA 1111!", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "my car", SV_REJ_VEHICLE),
    REJ(IN(SV_IN_VEHICLE), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", SV_REJ_VEHICLE),
    CAP(IN(SV_IN_VEHICLE), "DL1C1234", SV_REJ_TOO_LONG, NULL, 8),

    /* ---- yes/no ---- */
    OKI(IN(SV_IN_YESNO), "yes", 1),
    OKI(IN(SV_IN_YESNO), "Y", 1),
    OKI(IN(SV_IN_YESNO), "Yeah!", 1),
    OKI(IN(SV_IN_YESNO), "haan", 1),
    OKI(IN(SV_IN_YESNO), "Han", 1),
    OKI(IN(SV_IN_YESNO), "haa", 1),
    OKI(IN(SV_IN_YESNO), "ha", 1),
    OKI(IN(SV_IN_YESNO), "ji", 1),
    OKI(IN(SV_IN_YESNO), "Ji  Haan.", 1),
    OKI(IN(SV_IN_YESNO), "OK", 1),
    OKI(IN(SV_IN_YESNO), "okay", 1),
    OKI(IN(SV_IN_YESNO), "sahi", 1),
    OKI(IN(SV_IN_YESNO), "हाँ", 1),
    OKI(IN(SV_IN_YESNO), "हां", 1),
    OKI(IN(SV_IN_YESNO), "हाँ।", 1),
    OKI(IN(SV_IN_YESNO), "हा", 1),
    OKI(IN(SV_IN_YESNO), "जी", 1),
    OKI(IN(SV_IN_YESNO), "जी हाँ", 1),
    OKI(IN(SV_IN_YESNO), "जी हां", 1),
    OKI(IN(SV_IN_YESNO), "सही", 1),
    OKI(IN(SV_IN_YESNO), "no", 0),
    OKI(IN(SV_IN_YESNO), "N", 0),
    OKI(IN(SV_IN_YESNO), "nahi", 0),
    OKI(IN(SV_IN_YESNO), "Nahin", 0),
    OKI(IN(SV_IN_YESNO), "nhi", 0),
    OKI(IN(SV_IN_YESNO), "na", 0),
    OKI(IN(SV_IN_YESNO), "galat", 0),
    OKI(IN(SV_IN_YESNO), "नहीं", 0),
    OKI(IN(SV_IN_YESNO), "नही", 0),
    OKI(IN(SV_IN_YESNO), "ना", 0),
    OKI(IN(SV_IN_YESNO), "गलत", 0),
    OKI(IN(SV_IN_YESNO), "ग़लत", 0),
    REJ(IN(SV_IN_YESNO), "maybe", SV_REJ_YESNO),
    REJ(IN(SV_IN_YESNO), "yes no", SV_REJ_YESNO),
    REJ(IN(SV_IN_YESNO), "yess", SV_REJ_YESNO),
    REJ(IN(SV_IN_YESNO), "!!!", SV_REJ_YESNO),

    /* ---- choice and media are not validated here ---- */
    REJ(IN(SV_IN_CHOICE), "1", SV_REJ_CHOICE),
    REJ(IN(SV_IN_MEDIA), "photo.jpg", SV_REJ_MEDIA),
    REJ(IN(SV_IN_MEDIA), " ", SV_REJ_EMPTY),
};

static void test_table(void **state) {
  (void)state;
  int failures = 0;
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    const vcase *c = &cases[k];
    char scratch[256];
    size_t cap = c->cap ? c->cap : sizeof scratch;
    int32_t ref = c->ry ? sv_days_from_civil(c->ry, (unsigned)c->rm,
                                             (unsigned)c->rd)
                        : TODAY;
    sv_value v;
    sv_reject r = sv_validate(&c->in, c->text, strlen(c->text), TODAY, ref,
                              scratch, cap, &v);
    const char *type = sv_input_type_names[c->in.type];
    if (r != c->want) {
      print_error("case %zu %s \"%s\": got %s, want %s\n", k, type, c->text,
                  sv_reject_keys[r], sv_reject_keys[c->want]);
      failures++;
      continue;
    }
    if (r != SV_OK) {
      if (v.kind != SV_VAL_NONE) {
        print_error("case %zu: refused but value kind %d\n", k, v.kind);
        failures++;
      }
      continue;
    }
    bool ok;
    if (c->want_s != NULL) {
      ok = v.kind == SV_VAL_STR && v.s == scratch &&
           v.len == strlen(c->want_s) && strcmp(v.s, c->want_s) == 0;
    } else if (c->wy != 0) {
      ok = v.kind == SV_VAL_DATE &&
           v.i == sv_days_from_civil(c->wy, (unsigned)c->wm, (unsigned)c->wd);
    } else if (c->in.type == SV_IN_DATE) {
      ok = v.kind == SV_VAL_DATE; /* age cases check only the verdict */
    } else {
      ok = v.kind == SV_VAL_INT && v.i == c->want_i;
    }
    if (!ok) {
      print_error("case %zu %s \"%s\": value kind %d i=%lld s=\"%.*s\"\n", k,
                  type, c->text, v.kind, (long long)v.i,
                  v.s ? (int)v.len : 0, v.s ? v.s : "");
      failures++;
    }
  }
  if (failures)
    fail_msg("%d of %zu cases failed", failures, sizeof cases / sizeof *cases);
}

/* Every refusal the catalogue has a message for can actually happen. */
static void test_every_reject_reachable(void **state) {
  (void)state;
  bool seen[SV_REJ__COUNT] = {false};
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
    seen[cases[k].want] = true;
  for (int r = 0; r < SV_REJ__COUNT; r++)
    if (!seen[r])
      fail_msg("no case reaches %s", sv_reject_keys[r]);
}

static void test_empty_for_every_type(void **state) {
  (void)state;
  static const char *const blanks[] = {"", " ", "\t\r\n", "\xC2\xA0",
                                       "\xE2\x80\x8B\xEF\xBB\xBF"};
  for (int t = 0; t < SV_IN__COUNT; t++) {
    sv_input in = {BASE(t), .min = 0, .max = 100};
    for (size_t b = 0; b < sizeof blanks / sizeof *blanks; b++) {
      char scratch[32];
      sv_value v;
      sv_reject r = sv_validate(&in, blanks[b], strlen(blanks[b]), TODAY,
                                TODAY, scratch, sizeof scratch, &v);
      if (r != SV_REJ_EMPTY)
        fail_msg("type %s blank %zu: got %s", sv_input_type_names[t], b,
                 sv_reject_keys[r]);
    }
  }
  /* NULL text and an unknown type do not crash */
  sv_input in = {BASE(SV_IN_TEXT), .max = 10};
  char scratch[8];
  sv_value v;
  assert_int_equal(sv_validate(&in, NULL, 5, TODAY, TODAY, scratch, 8, &v),
                   SV_REJ_EMPTY);
  in.type = SV_IN__COUNT;
  assert_int_equal(sv_validate(&in, "x", 1, TODAY, TODAY, scratch, 8, &v),
                   SV_REJ_EMPTY);
  in.type = SV_IN_TEXT;
  assert_int_equal(sv_validate(&in, "x", 1, TODAY, TODAY, NULL, 0, &v),
                   SV_REJ_TOO_LONG);
}

static void test_long_inputs(void **state) {
  (void)state;
  /* 255-character address and a long text over max */
  char buf[400];
  memset(buf, 'a', sizeof buf);
  memcpy(buf + 240, "@example.com", 12);
  sv_input email = {BASE(SV_IN_EMAIL)};
  sv_input text = {BASE(SV_IN_TEXT), .min = 1, .max = 300};
  char scratch[512];
  sv_value v;
  /* local part over 64 characters */
  assert_int_equal(sv_validate(&email, buf, 252, TODAY, TODAY, scratch,
                               sizeof scratch, &v),
                   SV_REJ_EMAIL);
  char addr[300];
  memset(addr, 'b', sizeof addr);
  addr[0] = 'x', addr[1] = '@';
  for (size_t k = 2; k < 250; k += 50)
    addr[k + 49] = '.';
  memcpy(addr + 250, ".in", 3); /* 253 characters */
  assert_int_equal(sv_validate(&email, addr, 253, TODAY, TODAY, scratch,
                               sizeof scratch, &v),
                   SV_OK);
  assert_int_equal(v.len, 253);
  addr[253] = 'n', addr[254] = 'n'; /* 255 characters */
  assert_int_equal(sv_validate(&email, addr, 255, TODAY, TODAY, scratch,
                               sizeof scratch, &v),
                   SV_REJ_EMAIL);
  assert_int_equal(sv_validate(&text, buf, 300, TODAY, TODAY, scratch,
                               sizeof scratch, &v),
                   SV_OK);
  assert_int_equal(sv_validate(&text, buf, 301, TODAY, TODAY, scratch,
                               sizeof scratch, &v),
                   SV_REJ_TOO_LONG);
}

typedef struct verhoeff_case {
  const char *digits;
  bool valid;
} verhoeff_case;

/* Check digits computed independently (a D5 group construction, not the
 * tables) and the classic published examples. */
static const verhoeff_case verhoeff_cases[] = {
    {"2363", true},   {"2364", false},  {"123451", true},
    {"123452", false}, {"142339", true}, {"758722", true},
    {"499273987169", true}, {"499273987168", false},
    {"234123412346", true}, {"234123412347", false},
    {"0", true},      {"1", false},     {"", false},
    {"12a4", false},
};

static void test_verhoeff(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof verhoeff_cases / sizeof *verhoeff_cases;
       k++) {
    const verhoeff_case *c = &verhoeff_cases[k];
    if (sv_verhoeff_valid(c->digits, strlen(c->digits)) != c->valid)
      fail_msg("verhoeff(%s) should be %d", c->digits, c->valid);
  }
  /* every single-digit error and adjacent swap in an Aadhaar is caught */
  const char *good = "234123412346";
  char d[13];
  for (int pos = 0; pos < 12; pos++) {
    for (char x = '0'; x <= '9'; x++) {
      memcpy(d, good, 13);
      if (d[pos] == x)
        continue;
      d[pos] = x;
      assert_false(sv_verhoeff_valid(d, 12));
    }
    if (pos < 11 && good[pos] != good[pos + 1]) {
      memcpy(d, good, 13);
      d[pos] = good[pos + 1], d[pos + 1] = good[pos];
      assert_false(sv_verhoeff_valid(d, 12));
    }
  }
}

/* Verhoeff from its definition rather than its tables: multiplication in
 * the dihedral group D5 (0-4 rotations, 5-9 reflections) and the
 * permutation (0 1 5 8 9 4 2 7)(3 6) applied i times at position i. */
static int d5_mul(int a, int b) {
  if (a < 5 && b < 5)
    return (a + b) % 5;
  if (a < 5)
    return 5 + (a + b - 5) % 5;
  if (b < 5)
    return 5 + (a - 5 - b + 5) % 5;
  return (a - b + 5) % 5;
}

static bool verhoeff_by_group(const char *s, size_t len) {
  static const int perm[10] = {1, 5, 7, 6, 2, 8, 3, 0, 9, 4};
  int c = 0;
  for (size_t k = 0; k < len; k++) {
    int x = s[len - 1 - k] - '0';
    for (size_t r = 0; r < k % 8; r++)
      x = perm[x];
    c = d5_mul(c, x);
  }
  return c == 0;
}

static void test_verhoeff_against_group(void **state) {
  (void)state;
  uint32_t seed = 12345;
  int valid = 0;
  for (int n = 0; n < 50000; n++) {
    char d[12];
    for (int k = 0; k < 12; k++) {
      seed = seed * 1103515245u + 12345u;
      d[k] = (char)('0' + (seed >> 16) % 10);
    }
    bool want = verhoeff_by_group(d, 12);
    valid += want;
    if (sv_verhoeff_valid(d, 12) != want)
      fail_msg("%.12s: tables say %d, group says %d", d, !want, want);
  }
  /* about one number in ten has a right check digit */
  assert_in_range(valid, 4000, 6000);
}

static void test_civil_days(void **state) {
  (void)state;
  assert_int_equal(sv_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(sv_days_from_civil(1969, 12, 31), -1);
  assert_int_equal(sv_days_from_civil(1900, 1, 1), D_1900_01_01);
  assert_int_equal(sv_days_from_civil(2000, 3, 1), D_2000_03_01);
  assert_int_equal(sv_days_from_civil(2026, 3, 1), D_2026_03_01);
  assert_int_equal(sv_days_from_civil(1995, 3, 12), 9201);
  /* round trip and continuity over a long range */
  int py = 0;
  unsigned pm = 0, pd = 0;
  for (int32_t day = -400000; day <= 400000; day++) {
    int y;
    unsigned m, d;
    sv_civil_from_days(day, &y, &m, &d);
    if (sv_days_from_civil(y, m, d) != day || m < 1 || m > 12 || d < 1 ||
        d > 31)
      fail_msg("day %d -> %d-%u-%u", day, y, m, d);
    if (day > -400000 && !(y == py && m == pm && d == pd + 1) &&
        !(d == 1 && ((y == py && m == pm + 1) || (y == py + 1 && m == 1))))
      fail_msg("day %d is not the day after %d-%u-%u", day, py, pm, pd);
    py = y, pm = m, pd = d;
  }
  int y;
  unsigned m, d;
  sv_civil_from_days(INT32_MIN, &y, &m, &d); /* no overflow */
  sv_civil_from_days(INT32_MAX, &y, &m, &d);
}

static void test_years_between(void **state) {
  (void)state;
  int32_t dob = sv_days_from_civil(2004, 2, 29);
  assert_int_equal(sv_years_between(dob, dob), 0);
  assert_int_equal(sv_years_between(dob, sv_days_from_civil(2005, 2, 28)), 0);
  assert_int_equal(sv_years_between(dob, sv_days_from_civil(2005, 3, 1)), 1);
  assert_int_equal(sv_years_between(dob, sv_days_from_civil(2008, 2, 28)), 3);
  assert_int_equal(sv_years_between(dob, sv_days_from_civil(2008, 2, 29)), 4);
  int32_t a = sv_days_from_civil(1995, 3, 12);
  assert_int_equal(sv_years_between(a, sv_days_from_civil(2016, 3, 11)), 20);
  assert_int_equal(sv_years_between(a, sv_days_from_civil(2016, 3, 12)), 21);
  assert_int_equal(sv_years_between(a, sv_days_from_civil(1994, 3, 12)), -1);
  assert_int_equal(sv_years_between(a, sv_days_from_civil(1994, 3, 13)), 0);
}

static void test_parse_date_direct(void **state) {
  (void)state;
  int32_t day = 0;
  bool invalid = true;
  assert_true(sv_parse_date("12.3.95", 7, TODAY, &day, &invalid));
  assert_false(invalid);
  assert_int_equal(day, 9201);
  /* two-digit years follow the day of the step */
  int32_t in_1990 = sv_days_from_civil(1990, 6, 1);
  assert_true(sv_parse_date("1/1/89", 6, in_1990, &day, NULL));
  assert_int_equal(day, sv_days_from_civil(1989, 1, 1));
  assert_true(sv_parse_date("1/1/95", 6, in_1990, &day, NULL));
  assert_int_equal(day, sv_days_from_civil(1995, 1, 1));
  int32_t in_2010 = sv_days_from_civil(2010, 12, 31);
  assert_true(sv_parse_date("1/1/10", 6, in_2010, &day, NULL));
  assert_int_equal(day, sv_days_from_civil(2010, 1, 1));
  assert_true(sv_parse_date("1/1/11", 6, in_2010, &day, NULL));
  assert_int_equal(day, sv_days_from_civil(1911, 1, 1));
  assert_false(sv_parse_date("31/02/2020", 10, TODAY, &day, &invalid));
  assert_true(invalid);
  assert_false(sv_parse_date("hello", 5, TODAY, &day, &invalid));
  assert_false(invalid);
  assert_false(sv_parse_date("", 0, TODAY, &day, NULL));
  /* too long to be a date: refused without overflowing anything */
  char big[1000];
  memset(big, '1', sizeof big);
  assert_false(sv_parse_date(big, sizeof big, TODAY, &day, &invalid));
  assert_false(invalid);
}

static void test_tables(void **state) {
  (void)state;
  static const char *const keys[SV_REJ__COUNT] = {
      "ok", "empty", "too_short", "too_long", "name_chars", "not_integer",
      "int_range", "date_format", "date_invalid", "date_too_early",
      "date_too_late", "age_too_low", "age_too_high", "aadhaar_format",
      "aadhaar_checksum", "mobile", "pin", "pin_not_delhi", "email",
      "vehicle", "yesno", "choice", "media"};
  for (int r = 0; r < SV_REJ__COUNT; r++) {
    assert_non_null(sv_reject_keys[r]);
    assert_string_equal(sv_reject_keys[r], keys[r]);
  }
  static const char *const types[SV_IN__COUNT] = {
      "text", "name", "integer", "date", "aadhaar", "mobile",
      "pin", "email", "vehicle", "yesno", "choice", "media"};
  for (int t = 0; t < SV_IN__COUNT; t++)
    assert_string_equal(sv_input_type_names[t], types[t]);
}

static void test_yesno_direct(void **state) {
  (void)state;
  assert_int_equal(sv_yesno("yes", 3), 1);
  assert_int_equal(sv_yesno("no", 2), 0);
  assert_int_equal(sv_yesno("हां", strlen("हां")), 1);
  assert_int_equal(sv_yesno("ye", 2), -1); /* a prefix is not a word */
  assert_int_equal(sv_yesno("", 0), -1);
  assert_int_equal(sv_yesno("YES", 3), -1); /* expects folded text */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_every_reject_reachable),
      cmocka_unit_test(test_empty_for_every_type),
      cmocka_unit_test(test_long_inputs),
      cmocka_unit_test(test_verhoeff),
      cmocka_unit_test(test_verhoeff_against_group),
      cmocka_unit_test(test_civil_days),
      cmocka_unit_test(test_years_between),
      cmocka_unit_test(test_parse_date_direct),
      cmocka_unit_test(test_tables),
      cmocka_unit_test(test_yesno_direct),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
