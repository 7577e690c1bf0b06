/* test_expr.c - conditions: compiled from a service's branch by the
 * loader, then evaluated against answers set by hand in a session, for
 * every operator and answer type, with unset answers and mismatched types
 * (which must be false, never a crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T "{\"en\": \"x\", \"hi\": \"x\"}"
#define ASK(name, input, next)                                                \
  "\"" name "\": {\"type\": \"ask\", \"prompt\": " T ", \"label\": " T        \
  ", \"input\": " input ", \"save\": \"" name "\", \"next\": \"" next "\"},"

/* The conditions under test, in the order of the branch's transitions. */
static const char *const conds[] = {
    /* 0 */ "{\"==\": [{\"var\": \"act\"}, \"sma\"]}",
    /* 1 */ "{\"!=\": [{\"var\": \"act\"}, \"sma\"]}",
    /* 2 */ "{\"==\": [{\"var\": \"consent\"}, true]}",
    /* 3 */ "{\"<\": [{\"var\": \"dob\"}, \"2000-01-01\"]}",
    /* 4 */ "{\">=\": [{\"age\": [{\"var\": \"dob\"}, {\"var\": \"wedding\"}]}, 21]}",
    /* 5 */ "{\">=\": [{\"age\": [{\"var\": \"dob\"}, {\"today\": []}]}, 18]}",
    /* 6 */ "{\"<=\": [{\"days\": [{\"var\": \"wedding\"}, {\"today\": []}]}, 90]}",
    /* 7 */ "{\"in\": [{\"var\": \"act\"}, [\"hma\", \"sma\"]]}",
    /* 8 */ "{\"and\": [{\"set\": \"city\"}, {\"!\": {\"==\": [{\"var\": \"city\"}, \"Delhi\"]}}]}",
    /* 9 */ "{\"or\": [{\">\": [{\"var\": \"count\"}, 3]}, {\"==\": [{\"var\": \"count\"}, 0]}]}",
    /* 10 */ "{\"!\": [{\"set\": \"city\"}]}",
    /* 11 */ "{\"==\": [{\"var\": \"dob\"}, {\"today\": []}]}",
    /* 12 */ "{\"and\": [{\"==\": [\"a\", \"a\"]}, {\"<\": [1, 2]}, {\"!=\": [true, false]}]}",
    /* 13 */ "{\"==\": [{\"var\": \"city\"}, \"2020-01-01\"]}",
    /* 14 */ "{\">\": [{\"var\": \"wedding\"}, {\"var\": \"dob\"}]}",
    /* 15 */ "{\"in\": [{\"var\": \"count\"}, [1, 2, 3]]}",
    /* 16 */ "{\"==\": [{\"var\": \"consent\"}, false]}",
    /* 17 */ "{\"!\": {\"var\": \"consent\"}}",
    /* 18 */ "{\">=\": [{\"today\": []}, \"2024-01-01\"]}",
    /* 19 */ "{\"<\": [{\"days\": [\"2024-01-01\", \"2024-03-01\"]}, 61]}",
    /* 20 */ "{\"or\": [{\"==\": [{\"var\": \"act\"}, \"hma\"]}, {\"set\": \"count\"}]}",
};
#define NCONDS (sizeof conds / sizeof conds[0])

static samvad_catalogue *cat;
static const sv_service *svc;
static const sv_state *branch;

static char *read_file(const char *path) {
  char *buf = test_read_file(path, NULL);
  assert_non_null(buf);
  return buf;
}

static int setup(void **unused) {
  (void)unused;
  char *spec = malloc(16384);
  assert_non_null(spec);
  int o = sprintf(
      spec,
      "{\"id\": \"expr-test\", \"version\": \"1\", \"department\": " T
      ", \"title\": " T ", \"summary\": " T ", \"documents\": [], \"fee\": "
      "{\"amount\": 10, \"text\": " T "}, \"time_limit_days\": 1, "
      "\"keywords\": [], \"reference_prefix\": \"EX\", \"start\": \"act\", "
      "\"states\": {"
      "\"act\": {\"type\": \"choice\", \"prompt\": " T ", \"label\": " T
      ", \"save\": \"act\", \"options\": [{\"id\": \"hma\", \"title\": "
      "{\"en\": \"HMA\", \"hi\": \"HMA\"}}, {\"id\": \"sma\", \"title\": "
      "{\"en\": \"SMA\", \"hi\": \"SMA\"}}], \"next\": \"consent\"},"
      ASK("consent", "{\"type\": \"yesno\"}", "dob")
      ASK("dob", "{\"type\": \"date\"}", "wedding")
      ASK("wedding", "{\"type\": \"date\"}", "count")
      ASK("count", "{\"type\": \"integer\", \"min\": 0, \"max\": 99}", "city")
      ASK("city", "{\"type\": \"text\"}", "b")
      "\"b\": {\"type\": \"branch\", \"next\": [");
  for (size_t i = 0; i < NCONDS; i++)
    o += sprintf(spec + o, "{\"when\": %s, \"goto\": \"done\"}, ", conds[i]);
  sprintf(spec + o, "{\"goto\": \"done\"}]}, \"done\": {\"type\": \"end\", "
                    "\"prompt\": " T "}}}");
  char *catalogue = read_file(SAMVAD_TEST_DIR "/specs/good/catalogue.json");
  /* The fixture's menu names its own service; this load has another. */
  char *menu = strstr(catalogue, "\"menu\": [\"demo-permit\"],");
  assert_non_null(menu);
  memset(menu, ' ', strlen("\"menu\": [\"demo-permit\"],"));
  samvad_loader *L = NULL;
  assert_int_equal(samvad_loader_create(NULL, &L), 0);
  assert_int_equal(
      samvad_loader_add(L, "catalogue.json", catalogue, strlen(catalogue)), 0);
  assert_int_equal(samvad_loader_add(L, "expr-test.json", spec, strlen(spec)),
                   0);
  int rc = samvad_loader_finish(L, &cat);
  for (size_t i = 0; i < samvad_loader_diag_count(L); i++)
    print_message("%s\n", samvad_loader_diag(L, i));
  assert_int_equal(rc, 0);
  samvad_loader_destroy(L);
  free(spec);
  free(catalogue);
  svc = &cat->services[0];
  branch = &svc->states[sv_find_state(svc, "b", 1)];
  assert_int_equal(branch->next_count, NCONDS + 1);
  return 0;
}

static int teardown(void **unused) {
  (void)unused;
  samvad_catalogue_destroy(cat);
  return 0;
}

/* A session with nothing answered, built by hand. */
typedef struct answers {
  struct samvad_session s;
  sv_value v[16];
} answers;

static void reset(answers *a) {
  memset(a, 0, sizeof *a);
  a->s.values = a->v;
  a->s.values_cap = 16;
}

static int var(const char *name) {
  int v = sv_find_var(svc, name, strlen(name));
  assert_true(v >= 0);
  return v;
}

static void set_int(answers *a, const char *name, uint8_t kind, int64_t i) {
  sv_value *v = &a->v[var(name)];
  v->kind = kind;
  v->i = i;
}

static void set_str(answers *a, const char *name, const char *s) {
  sv_value *v = &a->v[var(name)];
  v->kind = SV_VAL_STR;
  v->s = s;
  v->len = (uint32_t)strlen(s);
}

static int32_t day(int y, unsigned m, unsigned d) {
  return sv_days_from_civil(y, m, d);
}

static bool eval(size_t k, const answers *a, int32_t today) {
  int32_t cond = cat->transitions[branch->next + k].cond;
  assert_true(cond >= 0);
  return sv_expr_eval(cat, svc, cond, a ? &a->s : NULL, today);
}

static void test_unset(void **unused) {
  (void)unused;
  answers a;
  reset(&a);
  int32_t today = day(2024, 6, 1);
  /* Nothing answered: every comparison with an answer is false, "!="
   * included; only "not set" and pure constants hold. */
  for (size_t k = 0; k < NCONDS; k++) {
    bool want = k == 10 || k == 12 || k == 17 || k == 18 || k == 19;
    if (eval(k, &a, today) != want)
      fail_msg("condition %zu: %s", k, conds[k]);
    /* Without a session at all, the same. */
    assert_int_equal(eval(k, NULL, today), want);
  }
  /* The fallback transition has no condition: always taken. */
  assert_int_equal(cat->transitions[branch->next + NCONDS].cond, -1);
  assert_true(sv_expr_eval(cat, svc, -1, &a.s, today));
}

static void test_choice_and_yesno(void **unused) {
  (void)unused;
  answers a;
  reset(&a);
  int32_t today = day(2024, 6, 1);
  set_int(&a, "act", SV_VAL_OPTION, 1); /* sma */
  assert_true(eval(0, &a, today));
  assert_false(eval(1, &a, today));
  assert_true(eval(7, &a, today));
  assert_false(eval(20, &a, today));
  set_int(&a, "act", SV_VAL_OPTION, 0); /* hma */
  assert_false(eval(0, &a, today));
  assert_true(eval(1, &a, today));
  assert_true(eval(7, &a, today));
  assert_true(eval(20, &a, today));
  /* An option index out of range is no answer. */
  set_int(&a, "act", SV_VAL_OPTION, 5);
  assert_false(eval(0, &a, today));
  assert_false(eval(1, &a, today));
  assert_false(eval(7, &a, today));
  set_int(&a, "consent", SV_VAL_INT, 1);
  assert_true(eval(2, &a, today));
  assert_false(eval(16, &a, today));
  assert_false(eval(17, &a, today));
  set_int(&a, "consent", SV_VAL_INT, 0);
  assert_false(eval(2, &a, today));
  assert_true(eval(16, &a, today));
  assert_true(eval(17, &a, today));
}

static void test_dates(void **unused) {
  (void)unused;
  answers a;
  reset(&a);
  int32_t today = day(2024, 6, 1);
  set_int(&a, "dob", SV_VAL_DATE, day(1999, 12, 31));
  assert_true(eval(3, &a, today));
  assert_true(eval(5, &a, today)); /* 24 on the day */
  set_int(&a, "dob", SV_VAL_DATE, day(2000, 1, 1));
  assert_false(eval(3, &a, today));
  /* Age on another answer: 21 on the 21st birthday, not the day before. */
  set_int(&a, "dob", SV_VAL_DATE, day(2000, 3, 12));
  set_int(&a, "wedding", SV_VAL_DATE, day(2021, 3, 11));
  assert_false(eval(4, &a, today));
  set_int(&a, "wedding", SV_VAL_DATE, day(2021, 3, 12));
  assert_true(eval(4, &a, today));
  assert_true(eval(14, &a, today));
  /* Age on today: 18 from the 18th birthday. */
  set_int(&a, "dob", SV_VAL_DATE, day(2006, 6, 2));
  assert_false(eval(5, &a, today));
  set_int(&a, "dob", SV_VAL_DATE, day(2006, 6, 1));
  assert_true(eval(5, &a, today));
  assert_false(eval(11, &a, today));
  set_int(&a, "dob", SV_VAL_DATE, today);
  assert_true(eval(11, &a, today)); /* dob == today */
  assert_false(eval(11, &a, today + 1));
  set_int(&a, "dob", SV_VAL_DATE, day(2000, 3, 12));
  /* Days from the wedding to today, at most 90. */
  set_int(&a, "wedding", SV_VAL_DATE, today - 90);
  assert_true(eval(6, &a, today));
  set_int(&a, "wedding", SV_VAL_DATE, today - 91);
  assert_false(eval(6, &a, today));
  set_int(&a, "dob", SV_VAL_DATE, today);
  assert_false(eval(14, &a, today)); /* wedding before dob */
  /* today against a date literal */
  assert_true(eval(18, &a, day(2024, 1, 1)));
  assert_false(eval(18, &a, day(2023, 12, 31)));
}

static void test_numbers_and_text(void **unused) {
  (void)unused;
  answers a;
  reset(&a);
  int32_t today = day(2024, 6, 1);
  set_int(&a, "count", SV_VAL_INT, 0);
  assert_true(eval(9, &a, today));
  assert_false(eval(15, &a, today));
  assert_true(eval(20, &a, today));
  set_int(&a, "count", SV_VAL_INT, 2);
  assert_false(eval(9, &a, today));
  assert_true(eval(15, &a, today));
  set_int(&a, "count", SV_VAL_INT, 4);
  assert_true(eval(9, &a, today));
  assert_false(eval(15, &a, today));
  set_str(&a, "city", "Delhi");
  assert_false(eval(8, &a, today));
  assert_false(eval(10, &a, today));
  set_str(&a, "city", "Agra");
  assert_true(eval(8, &a, today));
  set_str(&a, "city", "Delhi2");
  assert_true(eval(8, &a, today)); /* lengths differ */
  set_str(&a, "city", "2020-01-01"); /* a text that looks like a date */
  assert_true(eval(13, &a, today));
}

static void test_type_mismatch(void **unused) {
  (void)unused;
  answers a;
  reset(&a);
  int32_t today = day(2024, 6, 1);
  /* Values of the wrong kind (a corrupt or stale session) are compared as
   * what they are, and unlike kinds are never equal or ordered. */
  set_str(&a, "dob", "1999-01-01");
  set_str(&a, "wedding", "x");
  set_int(&a, "act", SV_VAL_INT, 1);
  set_int(&a, "count", SV_VAL_DATE, 3);
  set_str(&a, "consent", "yes");
  for (size_t k = 0; k < NCONDS; k++)
    (void)eval(k, &a, today); /* must not crash */
  assert_false(eval(0, &a, today));
  assert_false(eval(1, &a, today));
  assert_false(eval(4, &a, today));
  assert_false(eval(5, &a, today));
  assert_false(eval(9, &a, today));
  assert_false(eval(2, &a, today));
  /* Fewer value slots than variables: the rest are unset. */
  a.s.values_cap = 1;
  set_int(&a, "act", SV_VAL_OPTION, 1);
  assert_true(eval(0, &a, today));
  assert_false(eval(8, &a, today));
  a.s.values = NULL;
  assert_false(eval(0, &a, today));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unset),
      cmocka_unit_test(test_choice_and_yesno),
      cmocka_unit_test(test_dates),
      cmocka_unit_test(test_numbers_and_text),
      cmocka_unit_test(test_type_mismatch),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
