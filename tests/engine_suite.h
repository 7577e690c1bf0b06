/* engine_suite.h - what the engine test files share: the catalogue of
 * tests/engine-specs loaded once per group, a fresh chat per test, and
 * running every file's tests twice, without the command-word filter
 * (every message is folded and scanned) and with it (typed answers skip
 * both), so that both paths are held to the same behaviour. Include after
 * cmocka.h. */
#ifndef ENGINE_SUITE_H
#define ENGINE_SUITE_H

#include "engine_harness.h"
#include "engine.h"

static samvad_catalogue *g_cat;

static inline int group_setup(void **state) {
  (void)state;
  g_cat = h_load(NULL, NULL);
  if (!g_cat)
    return -1;
  g_cat->command_indexed = 0;
  return 0;
}

static inline int group_setup_indexed(void **state) {
  (void)state;
  g_cat = h_load(NULL, NULL);
  if (!g_cat)
    return -1;
  sv_catalogue_index(g_cat);
  return 0;
}

static inline int group_teardown(void **state) {
  (void)state;
  samvad_catalogue_destroy(g_cat);
  return 0;
}

static inline int setup(void **state) {
  h_chat *c = calloc(1, sizeof *c);
  if (!c)
    return -1;
  c->cat = g_cat;
  c->now = T0;
  if (samvad_session_create(g_cat, NULL, &c->s) != 0 ||
      samvad_replies_create(NULL, &c->r) != 0)
    return -1;
  *state = c;
  return 0;
}

static inline int teardown(void **state) {
  h_chat *c = *state;
  samvad_session_destroy(c->s);
  samvad_replies_destroy(c->r);
  free(c);
  return 0;
}

/* Runs tests (an array) as two groups, name and "name, command filter". */
#define ENGINE_SUITE_RUN(name, tests)                                        \
  (cmocka_run_group_tests_name(name, tests, group_setup, group_teardown) +   \
   cmocka_run_group_tests_name(name ", command filter", tests,               \
                               group_setup_indexed, group_teardown))

#endif /* ENGINE_SUITE_H */
