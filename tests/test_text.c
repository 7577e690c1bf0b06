/* test_text.c - UTF-8 decoding, counting and validity (including the
 * malformed sequences a strict decoder must refuse) and sv_fold, the
 * normalisation every word match in the engine relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

typedef struct decode_case {
  const char *bytes;
  size_t len;
  size_t want_n; /* 0 = invalid */
  uint32_t want_cp;
} decode_case;

#define S(lit) lit, sizeof(lit) - 1

static const decode_case decode_cases[] = {
    {S("A"), 1, 0x41},
    {S("\x7F"), 1, 0x7F},
    {S("\xC2\x80"), 2, 0x80},
    {S("\xC2\xA0"), 2, 0xA0},
    {S("\xDF\xBF"), 2, 0x7FF},
    {S("\xE0\xA0\x80"), 3, 0x800},
    {S("\xE0\xA4\x85"), 3, 0x0905}, /* अ */
    {S("\xE0\xA5\xA6"), 3, 0x0966}, /* ० */
    {S("\xED\x9F\xBF"), 3, 0xD7FF},
    {S("\xEE\x80\x80"), 3, 0xE000},
    {S("\xEF\xBF\xBF"), 3, 0xFFFF},
    {S("\xF0\x90\x80\x80"), 4, 0x10000},
    {S("\xF0\x9F\x98\x80"), 4, 0x1F600},
    {S("\xF4\x8F\xBF\xBF"), 4, 0x10FFFF},
    {S("Ab"), 1, 0x41}, /* decodes one code point only */
    /* invalid */
    {S(""), 0, 0},
    {S("\x80"), 0, 0},             /* lone continuation */
    {S("\xBF"), 0, 0},
    {S("\xC0\x80"), 0, 0},         /* overlong NUL */
    {S("\xC1\xBF"), 0, 0},         /* overlong 0x7F */
    {S("\xE0\x80\x80"), 0, 0},     /* overlong 3-byte */
    {S("\xE0\x9F\xBF"), 0, 0},     /* overlong 0x7FF */
    {S("\xF0\x80\x80\x80"), 0, 0}, /* overlong 4-byte */
    {S("\xF0\x8F\xBF\xBF"), 0, 0}, /* overlong 0xFFFF */
    {S("\xED\xA0\x80"), 0, 0},     /* surrogate D800 */
    {S("\xED\xBF\xBF"), 0, 0},     /* surrogate DFFF */
    {S("\xF4\x90\x80\x80"), 0, 0}, /* 0x110000 */
    {S("\xF5\x80\x80\x80"), 0, 0},
    {S("\xF8\x88\x80\x80\x80"), 0, 0},
    {S("\xFE"), 0, 0},
    {S("\xFF"), 0, 0},
    {S("\xC2"), 0, 0},             /* truncated */
    {S("\xE0\xA4"), 0, 0},
    {S("\xF0\x9F\x98"), 0, 0},
    {S("\xC2\x41"), 0, 0},         /* bad continuation */
    {S("\xE0\xA4\x41"), 0, 0},
    {S("\xE0\xA4\xC0"), 0, 0},
};

static void test_decode(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof decode_cases / sizeof *decode_cases; k++) {
    const decode_case *c = &decode_cases[k];
    uint32_t cp = 0xDEADBEEF;
    size_t n = sv_utf8_decode(c->bytes, c->len, &cp);
    if (n != c->want_n || (n && cp != c->want_cp))
      fail_msg("case %zu: got n=%zu cp=U+%04X, want n=%zu cp=U+%04X", k, n,
               (unsigned)cp, c->want_n, (unsigned)c->want_cp);
  }
}

static void test_encode_roundtrip(void **state) {
  (void)state;
  static const uint32_t cps[] = {0,      0x41,   0x7F,    0x80,    0x7FF,
                                 0x800,  0x0915, 0x200D,  0xD7FF,  0xE000,
                                 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
  static const size_t lens[] = {1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4};
  for (size_t k = 0; k < sizeof cps / sizeof *cps; k++) {
    char buf[4];
    size_t n = sv_utf8_encode(cps[k], buf);
    assert_int_equal(n, lens[k]);
    uint32_t back = 0;
    assert_int_equal(sv_utf8_decode(buf, n, &back), n);
    assert_int_equal(back, cps[k]);
  }
  char buf[4];
  assert_int_equal(sv_utf8_encode(0x0915, buf), 3);
  assert_memory_equal(buf, "क", 3);
}

typedef struct count_case {
  const char *s;
  size_t len;
  long want;
} count_case;

static const count_case count_cases[] = {
    {S(""), 0},
    {S("abc"), 3},
    {S("नमस्ते"), 6}, /* न म स ् त े: 18 bytes */
    {S("राम कुमार"), 9},
    {S("\xF0\x9F\x98\x80 ok"), 4},
    {S("aé"), 2},
    {S("abc\x80"), -1},
    {S("\xC0\xAF"), -1},
    {S("ok\xED\xA0\x80"), -1},
    {S("नमस\xE0\xA5"), -1}, /* truncated at the end */
    {"a\0b", 3, 3},           /* NUL is a code point */
};

static void test_count_valid(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof count_cases / sizeof *count_cases; k++) {
    const count_case *c = &count_cases[k];
    long got = sv_utf8_count(c->s, c->len);
    if (got != c->want)
      fail_msg("case %zu: count %ld, want %ld", k, got, c->want);
    assert_int_equal(sv_utf8_valid(c->s, c->len), c->want >= 0);
  }
}

typedef struct fold_case {
  const char *in;
  const char *want; /* NULL: -1 expected */
} fold_case;

static const fold_case fold_cases[] = {
    {"  Hello   World  ", "hello world"},
    {"YES!", "yes"},
    {"Haan.", "haan"},
    {"yes ?!", "yes"},
    {"ok, fine.", "ok, fine"},
    {"...yes", "...yes"},
    {"\t\nBack\r\n", "back"},
    {"a\xC2\xA0" "b", "a b"},        /* no-break space */
    {"a\xE2\x80\x83 b", "a b"},      /* em space then space */
    {"हाँ", "हां"},                   /* chandrabindu -> anusvara */
    {"हाँ।", "हां"},                  /* danda dropped */
    {"नहीं ॥", "नहीं"},
    {"अंग्रेज़ी", "अंग्रेजी"},          /* combining nukta */
    {"अंग्रे\xE0\xA5\x9B\xE0\xA5\x80", "अंग्रेजी"}, /* precomposed ज़ U+095B */
    {"\xE0\xA5\x98\xE0\xA5\x99\xE0\xA5\x9A\xE0\xA5\x9B\xE0\xA5\x9C"
     "\xE0\xA5\x9D\xE0\xA5\x9E\xE0\xA5\x9F",
     "कखगजडढफय"},                  /* every U+0958-U+095F */
    {"फ़रवरी", "फरवरी"},
    {"क्\xE2\x80\x8Dष", "क्ष"},         /* ZWJ removed */
    {"क्\xE2\x80\x8Cष", "क्ष"},         /* ZWNJ removed */
    {"\xEF\xBB\xBFhi", "hi"},         /* BOM */
    {"१२/०३/१९९५", "12/03/1995"},
    {"Ramesh १२३", "ramesh 123"},
    {"ÉCOLE", "École"},               /* only ASCII is lower-cased */
    {"", ""},
    {"   ", ""},
    {"!!!", ""},
    {"a . b", "a . b"},
    {"x\xFF", NULL},                  /* invalid UTF-8 */
    {"\xED\xA0\x80", NULL},
};

static void test_fold(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof fold_cases / sizeof *fold_cases; k++) {
    const fold_case *c = &fold_cases[k];
    char out[128];
    memset(out, 'X', sizeof out);
    long got = sv_fold(c->in, strlen(c->in), out, sizeof out);
    if (c->want == NULL) {
      if (got != -1)
        fail_msg("case %zu (%s): got %ld, want -1", k, c->in, got);
      continue;
    }
    if (got != (long)strlen(c->want) || strcmp(out, c->want) != 0)
      fail_msg("case %zu: fold(\"%s\") = \"%.*s\" (%ld), want \"%s\"", k,
               c->in, got < 0 ? 0 : (int)got, out, got, c->want);
  }
}

static void test_fold_capacity(void **state) {
  (void)state;
  char out[16];
  assert_int_equal(sv_fold("hello", 5, out, 6), 5);
  assert_string_equal(out, "hello");
  assert_int_equal(sv_fold("hello", 5, out, 5), -1); /* no room for NUL */
  /* trailing punctuation that would not fit is dropped anyway */
  assert_int_equal(sv_fold("Hello!!!", 8, out, 6), 5);
  assert_string_equal(out, "hello");
  assert_int_equal(sv_fold("hello!!!x", 9, out, 6), -1);
  assert_int_equal(sv_fold("hello", 5, out, 0), -1);
  assert_int_equal(sv_fold("हां", strlen("हां"), out, 9), -1); /* 9 bytes */
  assert_int_equal(sv_fold("हां", strlen("हां"), out, 10), 9);
  /* the fold of a fold is itself */
  char again[16];
  static const char jee[] = "  Jee  HAAN। ";
  long n = sv_fold(jee, strlen(jee), out, sizeof out);
  assert_int_equal(n, 8);
  assert_int_equal(sv_fold(out, (size_t)n, again, sizeof again), n);
  assert_string_equal(again, out);
}

static void test_has_devanagari(void **state) {
  (void)state;
  assert_false(sv_has_devanagari("", 0));
  assert_false(sv_has_devanagari(S("namaste")));
  assert_false(sv_has_devanagari(S("mujhe certificate chahiye")));
  assert_false(sv_has_devanagari(S("café ☺")));
  assert_true(sv_has_devanagari(S("नमस्ते")));
  assert_true(sv_has_devanagari(S("hi नमस्ते")));
  assert_true(sv_has_devanagari(S("१२")));
  assert_false(sv_has_devanagari(S("\xE0\xA4"))); /* truncated */
  assert_false(sv_has_devanagari(S("\xE0\xA6\x85"))); /* Bengali অ */
}

static void test_spaces(void **state) {
  (void)state;
  assert_true(sv_is_space(' '));
  assert_true(sv_is_space('\n'));
  assert_true(sv_is_space(0x00A0));
  assert_true(sv_is_space(0x3000));
  assert_false(sv_is_space('a'));
  assert_false(sv_is_space(0x200B)); /* zero width: invisible, not space */
  assert_true(sv_is_invisible(0x200B));
  assert_true(sv_is_invisible(0x200D));
  assert_true(sv_is_invisible(0xFEFF));
  assert_false(sv_is_invisible(0x093C));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode),
      cmocka_unit_test(test_encode_roundtrip),
      cmocka_unit_test(test_count_valid),
      cmocka_unit_test(test_fold),
      cmocka_unit_test(test_fold_capacity),
      cmocka_unit_test(test_has_devanagari),
      cmocka_unit_test(test_spaces),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
