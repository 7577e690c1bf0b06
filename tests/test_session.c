/* test_session.c - the session byte encoding: round trips that re-save to
 * the same bytes and behave the same afterwards, the size after the first
 * seven answers of the marriage flow, ENOSPC, versions, and corrupt input
 * (every truncation and many random byte flips of valid encodings must
 * restore or fail cleanly, never crash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine_harness.h"
#include "internal.h"

static samvad_catalogue *g_cat;

static int group_setup(void **state) {
  (void)state;
  g_cat = h_load(NULL, NULL);
  return g_cat ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  samvad_catalogue_destroy(g_cat);
  return 0;
}

static h_chat *chat_new(samvad_catalogue *cat) {
  h_chat *c = calloc(1, sizeof *c);
  c->cat = cat;
  c->now = T0;
  assert_int_equal(samvad_session_create(cat, NULL, &c->s), 0);
  assert_int_equal(samvad_replies_create(NULL, &c->r), 0);
  return c;
}

static void chat_free(h_chat *c) {
  samvad_session_destroy(c->s);
  samvad_replies_destroy(c->r);
  free(c);
}

static size_t save(const samvad_session *s, unsigned char *buf, size_t cap) {
  size_t len = 0;
  assert_int_equal(samvad_session_save(s, buf, cap, &len), 0);
  return len;
}

/* Saves c's session, restores it into a second chat, checks the bytes
 * re-save identically, then sends the same message to both and checks the
 * replies and the sessions stay identical. */
static void check_round_trip(h_chat *c, const char *next) {
  unsigned char a[4096], b[4096];
  size_t la = save(c->s, a, sizeof a);
  h_chat *d = chat_new(c->cat);
  samvad_session_destroy(d->s);
  d->s = NULL;
  assert_int_equal(samvad_session_restore(c->cat, NULL, a, la, &d->s), 0);
  size_t lb = save(d->s, b, sizeof b);
  assert_int_equal(la, lb);
  assert_memory_equal(a, b, la);
  if (samvad_session_flow(c->s))
    assert_string_equal(samvad_session_flow(c->s), samvad_session_flow(d->s));
  else
    assert_null(samvad_session_flow(d->s));
  assert_int_equal(samvad_session_lang(c->s), samvad_session_lang(d->s));
  d->now = c->now;
  d->msg_no = c->msg_no;
  SAY(c, next);
  SAY(d, next);
  assert_string_equal(c->all, d->all);
  la = save(c->s, a, sizeof a);
  lb = save(d->s, b, sizeof b);
  assert_int_equal(la, lb);
  assert_memory_equal(a, b, la);
  chat_free(d);
}

static void round_trips(void **state) {
  (void)state;
  h_chat *c = chat_new(g_cat);
  check_round_trip(c, "नमस्ते"); /* fresh, language not chosen */
  check_round_trip(c, "1");      /* Hindi, at the menu */
  walk_to(c, "ask_dob");
  check_round_trip(c, "12/03/1995");
  check_round_trip(c, "cancel"); /* into the cancel question */
  check_round_trip(c, "no");
  walk_to(c, "ask_aadhaar");
  check_round_trip(c, "2341 2341 2346"); /* every kind of value saved */
  TAP(c, "edit_name");
  check_round_trip(c, "Sita Devi"); /* while editing */
  check_round_trip(c, "confirm");   /* with an application */
  walk_to(c, "ask_count");
  c->now += 3600 - 60;
  check_round_trip(c, "3");
  c->now += 11 * 60;
  check_round_trip(c, "status"); /* into the resume question */
  check_round_trip(c, "continue");
  chat_free(c);
}

static void buffer_too_small(void **state) {
  (void)state;
  h_chat *c = chat_new(g_cat);
  walk_to(c, "ask_count");
  unsigned char buf[512];
  size_t full = save(c->s, buf, sizeof buf);
  size_t len = 0;
  assert_int_equal(samvad_session_save(c->s, buf, 3, &len), SAMVAD_ENOSPC);
  assert_int_equal(len, full);
  assert_int_equal(samvad_session_save(c->s, NULL, 0, &len), SAMVAD_ENOSPC);
  assert_int_equal(len, full);
  assert_int_equal(samvad_session_save(c->s, buf, full, &len), 0);
  assert_int_equal(samvad_session_save(NULL, buf, full, &len), SAMVAD_EINVAL);
  chat_free(c);
}

static void versions_and_garbage(void **state) {
  (void)state;
  h_chat *c = chat_new(g_cat);
  walk_to(c, "ask_count");
  unsigned char buf[600];
  size_t len = save(c->s, buf, sizeof buf - 1);
  samvad_session *s = NULL;
  buf[0] = 3;
  assert_int_equal(samvad_session_restore(g_cat, NULL, buf, len, &s),
                   SAMVAD_EVERSION);
  assert_null(s);
  /* Version 1 differs only in the applications' status byte: with no
   * application the bytes are the same and still restore. */
  buf[0] = 1;
  assert_int_equal(samvad_session_restore(g_cat, NULL, buf, len, &s), 0);
  samvad_session_destroy(s);
  s = NULL;
  buf[0] = 2;
  buf[len] = 0; /* trailing byte */
  assert_int_equal(samvad_session_restore(g_cat, NULL, buf, len + 1, &s),
                   SAMVAD_ECORRUPT);
  assert_int_equal(samvad_session_restore(g_cat, NULL, buf, 0, &s),
                   SAMVAD_ECORRUPT);
  assert_int_equal(samvad_session_restore(g_cat, NULL, NULL, 5, &s),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_session_restore(g_cat, NULL, buf, len, &s), 0);
  samvad_session_destroy(s);
  chat_free(c);
}

/* Restores bytes that may be damaged; when they restore, the session must
 * save and step without trouble. */
static int try_restore(const unsigned char *buf, size_t len) {
  samvad_session *s = NULL;
  int rc = samvad_session_restore(g_cat, NULL, buf, len, &s);
  if (rc != 0) {
    assert_null(s);
    assert_true(rc == SAMVAD_ECORRUPT || rc == SAMVAD_EVERSION);
    return rc;
  }
  unsigned char out[SAMVAD_MAX_SESSION_BYTES];
  size_t n;
  assert_int_equal(samvad_session_save(s, out, sizeof out, &n), 0);
  samvad_replies *r = NULL;
  assert_int_equal(samvad_replies_create(NULL, &r), 0);
  const char *msgs[] = {"3", "back", "confirm", "yes"};
  for (size_t i = 0; i < 4; i++) {
    samvad_message m = {.kind = SAMVAD_MSG_TEXT, .text = msgs[i],
                        .text_len = strlen(msgs[i])};
    assert_int_equal(samvad_step(g_cat, s, &m, T0 + 100, r), 0);
    assert_true(samvad_replies_count(r) > 0);
  }
  samvad_replies_destroy(r);
  samvad_session_destroy(s);
  return 0;
}

static void corrupt_bytes_fail_cleanly(void **state) {
  (void)state;
  h_chat *c = chat_new(g_cat);
  const char *stops[] = {"choose_kind", "ask_count", "home/pin",
                         "ask_aadhaar"};
  uint32_t seed = 12345;
  size_t restored = 0, refused = 0;
  for (size_t k = 0; k < 4; k++) {
    walk_to(c, stops[k]);
    unsigned char good[1024], bad[1024];
    size_t len = save(c->s, good, sizeof good);
    assert_int_equal(try_restore(good, len), 0);
    for (size_t cut = 0; cut < len; cut++)
      assert_int_not_equal(try_restore(good, cut), 0);
    for (int round = 0; round < 3000; round++) {
      memcpy(bad, good, len);
      int flips = 1 + round % 3;
      for (int f = 0; f < flips; f++) {
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 8) % len;
        seed = seed * 1103515245u + 12345u;
        bad[at] ^= (unsigned char)(1u << ((seed >> 16) % 8));
        if (round % 7 == 0)
          bad[at] = (unsigned char)(seed >> 3);
      }
      if (try_restore(bad, len) == 0)
        restored++;
      else
        refused++;
    }
  }
  /* Both outcomes happen: the test exercises both paths. */
  assert_true(restored > 0);
  assert_true(refused > 0);
  chat_free(c);
}

static void seven_answers_of_marriage(void **state) {
  (void)state;
  char err[2048];
  samvad_catalogue *cat = NULL;
  if (samvad_catalogue_load_dir(SAMVAD_SOURCE_DIR "/fsm-specs", NULL, &cat,
                                err, sizeof err) != 0)
    fail_msg("fsm-specs do not load:\n%s", err);
  h_chat *c = chat_new(cat);
  const char *msgs[] = {"नमस्ते",
                        "१",
                        "१",                 /* Hindu Marriage Act */
                        "१२/०२/२०२५",        /* marriage date */
                        "आर्य समाज मंदिर, लाजपत नगर, नई दिल्ली", /* place */
                        "१",                 /* groom's religion */
                        "राहुल कुमार शर्मा",  /* groom's name */
                        "सुरेश कुमार शर्मा",  /* his father's name */
                        "०५/०६/१९९५"};       /* groom's date of birth */
  for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
    SAY(c, msgs[i]);
  if (c->s->answer_count != 7)
    fail_msg("expected seven answers, have %u; last replies:\n%s",
             (unsigned)c->s->answer_count, c->all);
  unsigned char buf[1024];
  size_t len = save(c->s, buf, sizeof buf);
  print_message("session after seven answers (Hindi): %zu bytes\n", len);
  assert_true(len <= 320);
  check_round_trip(c, "1");
  chat_free(c);
  samvad_catalogue_destroy(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(round_trips),
      cmocka_unit_test(buffer_too_small),
      cmocka_unit_test(versions_and_garbage),
      cmocka_unit_test(corrupt_bytes_fail_cleanly),
      cmocka_unit_test(seven_answers_of_marriage),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
