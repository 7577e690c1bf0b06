/* test_json_limits.c - host_json_parse, which reads every JSON body that
 * comes from outside (webhooks, the platforms' answers): the size limit,
 * and the nesting limit, including brackets inside strings and escaped
 * quotes, which must neither hide depth nor invent it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_tree.h"
#include "transport_util.h"

static yajl_val parse(const char *text, unsigned max_depth) {
  return host_json_parse(text, strlen(text), 1 << 20, max_depth);
}

/* n arrays, each inside the one before. */
static char *nested(size_t n) {
  char *s = malloc(2 * n + 1);
  memset(s, '[', n);
  memset(s + n, ']', n);
  s[2 * n] = '\0';
  return s;
}

static void depth_limit(void **state) {
  (void)state;
  yajl_val v = parse("[[[1]]]", 3);
  assert_non_null(v);
  host_json_tree_free(v);
  assert_null(parse("[[[[1]]]]", 3));
  /* A million levels, refused early rather than built. */
  size_t n = 1000000;
  char *deep = malloc(n + 1);
  memset(deep, '[', n);
  deep[n] = '\0';
  assert_null(host_json_parse(deep, n, 4 << 20, 64));
  free(deep);
  /* Objects and arrays both count; "{" alone is not valid JSON, so the
   * nesting is built from key-value objects. */
  assert_null(parse("{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", 3));
  v = parse("{\"a\":{\"b\":{\"c\":1}}}", 3);
  assert_non_null(v);
  host_json_tree_free(v);
}

static void brackets_in_strings(void **state) {
  (void)state;
  /* Brackets inside strings are text, not depth. */
  yajl_val v = parse("[\"[[[[[[\", \"}}}}]]]]\"]", 1);
  assert_non_null(v);
  host_json_tree_free(v);
  /* An escaped quote does not end the string: the brackets after it are
   * still text. */
  v = parse("[\"a\\\"[[[[[\"]", 1);
  assert_non_null(v);
  assert_string_equal(YAJL_GET_STRING(v->u.array.values[0]), "a\"[[[[[");
  host_json_tree_free(v);
  /* An escaped backslash does end it: the brackets after the string
   * count. */
  assert_null(parse("[\"a\\\\\",[[1]]]", 2));
  v = parse("[\"a\\\\\",[[1]]]", 3);
  assert_non_null(v);
  host_json_tree_free(v);
  /* Closing brackets in a string cannot pay for real depth later. */
  assert_null(parse("[\"]]]]]]\",[[[1]]]]", 3));
}

static void not_json(void **state) {
  (void)state;
  assert_null(parse("", 8));
  assert_null(parse("{", 8));
  assert_null(parse("[1,]", 8));
  assert_null(parse("{\"a\":\"unterminated}", 8));
  assert_null(host_json_parse(NULL, 0, 100, 8));
  /* Over the size limit: refused before any reading. */
  assert_null(host_json_parse("[1]", 3, 2, 8));
  /* Exactly at the limit: read. */
  char *at_limit = nested(64);
  yajl_val v = host_json_parse(at_limit, strlen(at_limit), 1 << 20, 64);
  assert_non_null(v);
  host_json_tree_free(v);
  assert_null(host_json_parse(at_limit, strlen(at_limit), 1 << 20, 63));
  free(at_limit);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(depth_limit),
      cmocka_unit_test(brackets_in_strings),
      cmocka_unit_test(not_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
