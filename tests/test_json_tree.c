/* test_json_tree.c - host_json_tree_parse gives what yajl_tree_parse gives:
 * the same values for the bundled specs, the gateway's sample lines,
 * hand-picked edge cases and thousands of random documents (and random
 * damage to them), and the same verdict and message for what is not
 * JSON; its depth limit holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_tree.h"

/* Whether two trees are the same, value by value. */
static int same(yajl_val a, yajl_val b) {
  if (!a || !b)
    return a == b;
  if (a->type != b->type)
    return 0;
  switch (a->type) {
  case yajl_t_string:
    return strcmp(a->u.string, b->u.string) == 0;
  case yajl_t_number:
    return strcmp(a->u.number.r, b->u.number.r) == 0 &&
           a->u.number.flags == b->u.number.flags &&
           a->u.number.i == b->u.number.i &&
           (!(a->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) ||
            a->u.number.d == b->u.number.d);
  case yajl_t_object:
    if (a->u.object.len != b->u.object.len ||
        (a->u.object.len == 0 &&
         (a->u.object.keys || b->u.object.keys || a->u.object.values ||
          b->u.object.values)))
      return 0;
    for (size_t i = 0; i < a->u.object.len; i++)
      if (strcmp(a->u.object.keys[i], b->u.object.keys[i]) != 0 ||
          !same(a->u.object.values[i], b->u.object.values[i]))
        return 0;
    return 1;
  case yajl_t_array:
    if (a->u.array.len != b->u.array.len ||
        (a->u.array.len == 0 && (a->u.array.values || b->u.array.values)))
      return 0;
    for (size_t i = 0; i < a->u.array.len; i++)
      if (!same(a->u.array.values[i], b->u.array.values[i]))
        return 0;
    return 1;
  default:
    return 1;
  }
}

static int compared, invalid;

/* Parses text both ways and fails unless the results agree. */
static void agree(const char *text, size_t len) {
  char *copy = malloc(len + 1);
  assert_non_null(copy);
  memcpy(copy, text, len);
  copy[len] = '\0';
  char want_err[512] = "", got_err[512] = "";
  yajl_val want = yajl_tree_parse(copy, want_err, sizeof want_err);
  yajl_val got = host_json_tree_parse(text, len, 0, got_err, sizeof got_err);
  if (!same(want, got))
    fail_msg("different trees for: %.200s", copy);
  if (!want) {
    want_err[strcspn(want_err, "\n")] = '\0';
    if (strcmp(want_err, got_err) != 0)
      fail_msg("for %.200s: \"%s\", not \"%s\"", copy, got_err, want_err);
    invalid++;
  }
  compared++;
  yajl_tree_free(want);
  host_json_tree_free(got);
  free(copy);
}

static void agree_s(const char *text) { agree(text, strlen(text)); }

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
    free(text);
    text = NULL;
  }
  fclose(f);
  if (text) {
    text[n] = '\0';
    *len = (size_t)n;
  }
  return text;
}

static void bundled_specs_and_sample_lines(void **state) {
  (void)state;
  compared = 0;
  DIR *d = opendir(SAMVAD_SOURCE_DIR "/fsm-specs");
  assert_non_null(d);
  struct dirent *e;
  int specs = 0;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
      continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/fsm-specs/%s", SAMVAD_SOURCE_DIR,
             e->d_name);
    size_t len = 0;
    char *text = read_file(path, &len);
    assert_non_null(text);
    agree(text, len);
    free(text);
    specs++;
  }
  closedir(d);
  assert_true(specs >= 3);
  size_t len = 0;
  char *lines = read_file(SAMVAD_TEST_DIR "/cli/gateway-sample.jsonl", &len);
  assert_non_null(lines);
  for (char *line = strtok(lines, "\n"); line; line = strtok(NULL, "\n"))
    agree_s(line);
  free(lines);
  assert_true(compared > specs);
}

static void edge_cases(void **state) {
  (void)state;
  static const char *const texts[] = {
      /* numbers at and past the edges of long long and double */
      "[0, -0, 1, -1, 9223372036854775807, 9223372036854775808,"
      " -9223372036854775808, -9223372036854775809, 922337203685477580,"
      " 922337203685477581, 9223372036854775800, 99999999999999999999]",
      "[1.5, -2.25e3, 1e400, -1e400, 1e-400, 0.1, 1E+2, 123456789012345678901234567890.5]",
      /* strings: escapes, Unicode, surrogate pairs, an escaped NUL */
      "{\"a\\\"b\":\"x\\ny\\t\\\\\\/\\u0041\\u00e9\\u0928\\ud83d\\ude00\"}",
      "[\"before\\u0000after\", \"\", \"\\u20ac\"]",
      "{\"\\u0000\":1}",
      /* structure: empty, nested, repeated keys, order kept */
      "{}", "[]", "[[]]", "{\"a\":{}}", "[{},[],{\"b\":[[{}]]}]",
      "{\"k\":1,\"k\":2,\"a\":3,\"k\":[4]}",
      "{\"z\":1,\"a\":2,\"m\":3}",
      /* top-level scalars, blanks, comments */
      "1", "\"text\"", "true", "false", "null", " \n\t{ \"a\" : [ 1 , 2 ] } \n",
      "/* a comment */ {\"a\": 1 // another\n}",
      /* not JSON */
      "", " ", "{", "}", "[1,]", "{\"a\"}", "{\"a\":}", "tru", "01", "-",
      "1.", ".5", "[1 2]", "{} x", "{\"a\":1,}", "\"unterminated",
      "\"bad \\x escape\"", "\"bad \\ud800 surrogate\"", "[\"\x01\"]",
      "{'single':1}", "/* open comment", "[1]]",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
    agree_s(texts[i]);
  /* Bytes that are not UTF-8, inside and outside strings. */
  agree_s("[\"\xff\xfe\"]");
  agree_s("[\"\xe0\xa4\"]");
  agree_s("\xef\xbb\xbf{}");
}

/* ---- Random documents -------------------------------------------------------- */

static uint64_t rng = 88172645463325252u;

static unsigned next_random(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

typedef struct text {
  char *s;
  size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n) {
  if (t->n + n + 1 > t->cap) {
    t->cap = (t->n + n + 1) * 2;
    t->s = realloc(t->s, t->cap);
    assert_non_null(t->s);
  }
  memcpy(t->s + t->n, s, n);
  t->n += n;
  t->s[t->n] = '\0';
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void random_string(text *t) {
  static const char *const pieces[] = {
      "a", "Z", "0", " ", "\\n", "\\\"", "\\\\", "\\u0041", "\\u0928", "é",
      "नमस्ते", "\\ud83d\\ude00", "{", "]", ":", ",", "//", "/*"};
  puts_(t, "\"");
  for (unsigned i = next_random(8); i > 0; i--)
    puts_(t, pieces[next_random(sizeof pieces / sizeof pieces[0])]);
  puts_(t, "\"");
}

static void random_value(text *t, int depth) {
  static const char *const numbers[] = {
      "0", "-1", "42", "3.25", "-0.5e-3", "1e308", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "123456789012345678901"};
  unsigned kind = next_random(depth > 6 ? 5 : 7);
  switch (kind) {
  case 0: puts_(t, "null"); break;
  case 1: puts_(t, next_random(2) ? "true" : "false"); break;
  case 2: puts_(t, numbers[next_random(sizeof numbers / sizeof numbers[0])]); break;
  case 3: case 4: random_string(t); break;
  case 5:
    puts_(t, "[");
    for (unsigned i = next_random(5), first = 1; i > 0; i--, first = 0) {
      if (!first)
        puts_(t, next_random(8) ? "," : " , ");
      random_value(t, depth + 1);
    }
    puts_(t, "]");
    break;
  default:
    puts_(t, "{");
    for (unsigned i = next_random(5), first = 1; i > 0; i--, first = 0) {
      if (!first)
        puts_(t, ",");
      random_string(t);
      puts_(t, next_random(8) ? ":" : " : ");
      random_value(t, depth + 1);
    }
    puts_(t, "}");
  }
}

static void random_documents_and_damage(void **state) {
  (void)state;
  compared = invalid = 0;
  text t = {0};
  for (int round = 0; round < 3000; round++) {
    t.n = 0;
    random_value(&t, 0);
    agree(t.s, t.n);
    /* The same document damaged: a byte changed, cut short, or doubled. */
    char *damaged = malloc(t.n + 2);
    assert_non_null(damaged);
    memcpy(damaged, t.s, t.n + 1);
    static const char noise[] = "{}[]\",:\\0a- \x80";
    damaged[next_random((unsigned)t.n)] = noise[next_random(sizeof noise - 1)];
    if (!memchr(damaged, '\0', t.n))
      agree(damaged, t.n);
    agree(t.s, next_random((unsigned)t.n));
    free(damaged);
  }
  free(t.s);
  /* Both kinds were met, many times. */
  assert_true(invalid > 1000);
  assert_true(compared - invalid > 3000);
}

static void depth_is_limited(void **state) {
  (void)state;
  char deep[200], err[128];
  for (int depth = 1; depth <= 40; depth++) {
    size_t n = 0;
    for (int i = 0; i < depth; i++)
      deep[n++] = '[';
    for (int i = 0; i < depth; i++)
      deep[n++] = ']';
    yajl_val v = host_json_tree_parse(deep, n, 32, err, sizeof err);
    if (depth <= 32) {
      assert_non_null(v);
    } else {
      assert_null(v);
      assert_string_equal(err, "nested too deep");
    }
    host_json_tree_free(v);
  }
  /* Cut short at the limit is a JSON error, not a depth one. */
  memset(deep, '[', 32);
  assert_null(host_json_tree_parse(deep, 32, 32, err, sizeof err));
  assert_string_not_equal(err, "nested too deep");
  /* Without a limit, depth is only memory: freeing does not recurse. */
  size_t n = 200000;
  char *very = malloc(2 * n);
  assert_non_null(very);
  memset(very, '[', n);
  memset(very + n, ']', n);
  yajl_val v = host_json_tree_parse(very, 2 * n, 0, NULL, 0);
  assert_non_null(v);
  host_json_tree_free(v);
  free(very);
  /* A NUL byte is not JSON, wherever it is. */
  assert_null(host_json_tree_parse("{}\0", 3, 0, err, sizeof err));
  assert_null(host_json_tree_parse("[\"a\0b\"]", 7, 0, err, sizeof err));
  host_json_tree_free(NULL);
}

/* A large document takes more than one block of the arena. */
static void large_documents(void **state) {
  (void)state;
  text t = {0};
  puts_(&t, "{\"entry\":[");
  for (int i = 0; i < 20000; i++) {
    char item[128];
    snprintf(item, sizeof item,
             "%s{\"id\":\"wamid.%d\",\"n\":%d,\"ok\":true,\"x\":[]}",
             i ? "," : "", i, i);
    puts_(&t, item);
  }
  puts_(&t, "]}");
  agree(t.s, t.n);
  free(t.s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bundled_specs_and_sample_lines),
      cmocka_unit_test(edge_cases),
      cmocka_unit_test(random_documents_and_damage),
      cmocka_unit_test(depth_is_limited),
      cmocka_unit_test(large_documents),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
