/* test_engine_flow.c - the conversation engine through the public API,
 * continued from test_engine.c: the summary and corrections, answers that
 * allocate nothing, idle and expiry, specs that change under a session,
 * bad input, limits and running out of memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine_suite.h"

static const sv_service *permit_of(const samvad_catalogue *cat) {
  int i = sv_find_service(cat, "test-permit", strlen("test-permit"));
  assert_true(i >= 0);
  return &cat->services[i];
}

static void summary_after_back_forward(void **state) {
  h_chat *c = *state;
  assert_int_equal(permit_of(c->cat)->forward_safe, 1);
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  STATE(c, "check");
  SAY(c, "back");
  STATE(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  STATE(c, "check");
  HAS(c, "Agree: Yes\nHome house: H.No. 12, Gali 3");
  HASNT(c, "Reason");
  TAP(c, "confirm");
  assert_string_equal(h_answer(h_app(c), "count"), "2");
  assert_null(h_answer(h_app(c), "reason"));
}

/* A condition that reads an answer given after it (the loader refuses
 * such a spec, so the test rewrites a loaded one and indexes it again):
 * the way taken when the question was answered (aadhaar unset: to the
 * reason) is not the path the summary finds (aadhaar set: straight home),
 * so the service must not use the shortcut, and the reason is neither
 * shown nor sent. */
static void summary_walks_when_condition_reads_later(void **state) {
  h_chat *c = *state;
  samvad_catalogue *cat = h_load(NULL, NULL);
  assert_non_null(cat);
  const sv_service *svc = permit_of(cat);
  int st = sv_find_state(svc, "ask_agree", strlen("ask_agree"));
  int aadhaar = sv_find_var(svc, "aadhaar", strlen("aadhaar"));
  assert_true(st >= 0 && aadhaar >= 0);
  int32_t cond = cat->transitions[svc->states[st].next].cond;
  assert_true(cond >= 0);
  sv_expr *e = (sv_expr *)&cat->exprs[cond];
  e->op = SV_OP_SET;
  e->nargs = 0;
  e->var = (uint16_t)aadhaar;
  assert_int_equal(sv_catalogue_index(cat), SAMVAD_OK);
  assert_int_equal(svc->forward_safe, 0);
  samvad_session_destroy(c->s);
  c->cat = cat;
  assert_int_equal(samvad_session_create(cat, NULL, &c->s), 0);
  walk_to(c, "ask_agree");
  SAY(c, "yes");
  STATE(c, "ask_reason");
  SAY(c, "back pain");
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  STATE(c, "check");
  HASNT(c, "Reason");
  TAP(c, "confirm");
  assert_null(h_answer(h_app(c), "reason"));
  assert_string_equal(h_answer(h_app(c), "agree"), "yes");
  samvad_session_destroy(c->s);
  c->s = NULL;
  samvad_catalogue_destroy(cat);
}

static void inform_and_branch(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  SAY(c, "4");
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  HAS(c, "I:many 4\n@summary_header");
}

static void summary_edit_one_answer(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  TAP(c, "edit_name");
  STATE(c, "ask_name");
  HAS(c, "Q:name");
  SAY(c, "Sita Devi");
  /* Straight back to the summary: nothing else is asked again. */
  STATE(c, "check");
  HAS(c, "Name: Sita Devi\n");
  /* By label, and back without changing. */
  SAY(c, "Date of birth");
  STATE(c, "ask_dob");
  SAY(c, "back");
  STATE(c, "check");
  HAS(c, "Date of birth: 12/03/1995");
  /* By number: 1 confirms. */
  SAY(c, "1");
  assert_non_null(h_app(c));
  assert_string_equal(h_answer(h_app(c), "name"), "Sita Devi");
}

static void summary_edit_changes_branch(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  TAP(c, "edit_agree");
  STATE(c, "ask_agree");
  SAY(c, "no");
  /* The new branch's question is asked, then on to the summary. */
  STATE(c, "ask_reason");
  SAY(c, "back pain");
  STATE(c, "check");
  HAS(c, "Agree: No\nReason: back pain\nHome house");
  /* Switch back: the reason is off the path, so neither shown nor sent. */
  TAP(c, "edit_agree");
  TAP(c, "yes");
  STATE(c, "check");
  HASNT(c, "Reason");
  TAP(c, "confirm");
  assert_null(h_answer(h_app(c), "reason"));
  assert_string_equal(h_answer(h_app(c), "agree"), "yes");
}

static void summary_edit_choice_changes_branch(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  TAP(c, "edit_kind");
  TAP(c, "renew");
  STATE(c, "ask_old_ref");
  SAY(c, "OLD-123");
  STATE(c, "check");
  HAS(c, "Kind: Renewal\nOld reference: OLD-123\nName: Ravi Kumar");
}

/* A correction that leads away from the summary shows the texts on the new
 * way (the reason an application ends); one that comes back shows only
 * the texts the citizen has not read on the way to the summary. */
static void summary_edit_shows_new_informs(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  HASNT(c, "I:many");
  /* A new inform on the way back to the summary is shown once. */
  TAP(c, "edit_count");
  SAY(c, "4");
  HAS(c, "I:many 4\n@summary_header");
  STATE(c, "check");
  /* Already read: passed in silence after another correction. */
  TAP(c, "edit_name");
  SAY(c, "Sita Devi");
  HASNT(c, "I:many");
  HAS(c, "Name: Sita Devi\n");
  STATE(c, "check");
  /* A correction that ends the application gives the reason, then the
   * closing text, and leaves the service. */
  TAP(c, "edit_kind");
  TAP(c, "desk");
  HAS(c, "I:desk\nE:done");
  HASNT(c, "@summary_header");
  STATE(c, "-");
}

/* Once the reply buffer has grown to a conversation's needs, a whole
 * application (answers, summary, submission) allocates nothing beyond
 * the one allocation that creates its session. */
static long g_allocs;
static void *count_malloc(void *ctx, size_t n) {
  (void)ctx;
  g_allocs++;
  return malloc(n);
}
static void *count_realloc(void *ctx, void *p, size_t n) {
  (void)ctx;
  g_allocs++;
  return realloc(p, n);
}
static void count_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static void answers_allocate_nothing(void **state) {
  (void)state;
  samvad_allocator al = {count_malloc, count_realloc, count_free, NULL};
  h_chat *d = calloc(1, sizeof *d);
  assert_non_null(d);
  d->cat = g_cat;
  assert_int_equal(samvad_replies_create(&al, &d->r), 0);
  for (int round = 0; round < 2; round++) {
    d->now = T0;
    d->msg_no = 0;
    g_allocs = 0;
    assert_int_equal(samvad_session_create(g_cat, &al, &d->s), 0);
    assert_int_equal(g_allocs, 1);
    long before = g_allocs;
    walk_to(d, "ask_aadhaar");
    SAY(d, "2341 2341 2346");
    SAY(d, "1");
    assert_non_null(h_app(d));
    if (round == 1)
      assert_int_equal(g_allocs - before, 0);
    samvad_session_destroy(d->s);
  }
  samvad_replies_destroy(d->r);
  free(d);
}

/* ---- Time ----------------------------------------------------------------- */

static void idle_resume_continue_and_restart(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  c->now += 11 * 60; /* the service's idle time is 10 minutes */
  SAY(c, "3");
  HAS(c, "@idle_resume Test permit\n1. Continue [continue]\n2. Start over [restart]");
  STATE(c, "ask_count");
  SAY(c, "1");
  HAS(c, "Q:count");
  SAY(c, "3");
  STATE(c, "ask_agree");

  c->now += 11 * 60;
  SAY(c, "yes");
  HAS(c, "@idle_resume");
  TAP(c, "restart");
  HAS(c, "Q:kind");
  STATE(c, "choose_kind");
  assert_int_equal(c->s->answer_count, 0);

  /* An answer instead of a choice carries on with the question. */
  walk_to(c, "ask_count");
  c->now += 11 * 60;
  SAY(c, "status");
  HAS(c, "@idle_resume");
  SAY(c, "4");
  STATE(c, "ask_agree");
}

static void expiry_drops_the_application(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  c->now += 2 * 3600; /* the service expires after an hour */
  SAY(c, "hi");
  HAS(c, "@expired\n@welcome\n@menu");
  assert_null(samvad_session_flow(c->s));
  assert_int_equal(c->s->answer_count, 0);
  /* A keyword after expiry starts afresh. */
  walk_to(c, "ask_count");
  c->now += 2 * 3600;
  SAY(c, "other");
  HAS(c, "@expired\n@service_intro Other service");
  STATE(c, "ask_x");
}

/* ---- Specs that change under a session ------------------------------------- */

/* Saves c's session, loads the catalogue again with `from` replaced by `to`
 * in its specs (skipping the file `skip` when not NULL) and restores the
 * saved bytes into a new chat against it, at c's clock. */
static h_chat *restore_under_edit(h_chat *c, const char *skip,
                                  const char *from, const char *to) {
  unsigned char buf[1024];
  size_t len;
  assert_int_equal(samvad_session_save(c->s, buf, sizeof buf, &len), 0);
  h_chat *d = calloc(1, sizeof *d);
  assert_non_null(d);
  d->cat = h_load_without(skip, from, to);
  assert_non_null(d->cat);
  assert_int_equal(samvad_session_restore(d->cat, NULL, buf, len, &d->s), 0);
  assert_int_equal(samvad_replies_create(NULL, &d->r), 0);
  d->now = c->now;
  return d;
}

/* Frees a chat from restore_under_edit, its catalogue included. */
static void drop_edited(h_chat *d) {
  samvad_session_destroy(d->s);
  samvad_replies_destroy(d->r);
  samvad_catalogue_destroy(d->cat);
  free(d);
}

static void spec_changed_state_gone(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  h_chat *d = restore_under_edit(c, NULL, "ask_count", "ask_number");
  SAY(d, "3");
  HAS(d, "@spec_changed\nQ:kind");
  STATE(d, "choose_kind");
  assert_int_equal(d->s->answer_count, 0);
  drop_edited(d);
}

static void spec_changed_state_kept(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  /* Another prompt and a renamed variable: the place survives, the answer
   * of the vanished variable does not. */
  h_chat *d = restore_under_edit(c, NULL, "\"dob\"", "\"birth_date\"");
  STATE(d, "ask_count");
  assert_int_equal(d->s->answer_count, 2); /* kind, name */
  SAY(d, "3");
  HASNT(d, "@spec_changed");
  STATE(d, "ask_agree");
  drop_edited(d);
}

static void spec_changed_service_gone(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  h_chat *d =
      restore_under_edit(c, "test-permit.json", "\"test-permit\",", "");
  assert_null(samvad_session_flow(d->s));
  SAY(d, "3");
  HAS(d, "@spec_changed\n@not_understood\n@menu\n1. Other service");
  assert_null(samvad_session_flow(d->s));
  drop_edited(d);
}

/* ---- Bad input and failures ------------------------------------------------ */

static void invalid_utf8_is_not_understood(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_name");
  assert_int_equal(h_say_n(c, "R\xff\xfe" "avi", 6), 0);
  HAS(c, "@not_understood\nQ:name");
  STATE(c, "ask_name");
  /* A NUL byte is part of no word: "help" followed by a NUL is not the
   * help command (catalogue words end at their NUL). */
  assert_int_equal(h_say_n(c, "help\0x", 6), 0);
  HAS(c, "@not_understood\n");
  STATE(c, "ask_name");
  /* Invalid bytes after a valid start (which typed answers see unfolded)
   * are not understood either, at every kind of typed question, and do
   * not count as a refusal. */
  static const struct {
    const char *state, *text;
  } bad[] = {
      {"ask_name", "Ravi \xc3"},
      {"ask_name", "Ravi Ku\xe0\xa4mar"},
      {"ask_dob", "12/03/1995\xff"},
      {"ask_dob", "\xe0\xa5\xa7\xe0\xa5\xa8/03/1995 \xed\xa0\x80"},
      {"ask_count", "2\x80"},
      {"home/house", "H.No. 12 \xf8\x88\x80\x80\x80"},
      {"home/pin", "110092\xc0\xaf"},
      {"ask_aadhaar", "2341 2341 2346\xff"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    walk_to(c, bad[k].state);
    uint8_t retries = c->s->retries;
    assert_int_equal(h_say(c, bad[k].text), 0);
    HAS(c, "@not_understood\n");
    STATE(c, bad[k].state);
    assert_int_equal(c->s->retries, retries);
  }
}

static void limits_and_misuse(void **state) {
  h_chat *c = *state;
  char *big = malloc(SAMVAD_MAX_MESSAGE_BYTES + 1);
  memset(big, 'a', SAMVAD_MAX_MESSAGE_BYTES + 1);
  assert_int_equal(h_say_n(c, big, SAMVAD_MAX_MESSAGE_BYTES + 1),
                   SAMVAD_ELIMIT);
  assert_int_equal(samvad_replies_count(c->r), 0);
  /* The largest message is fine. */
  assert_int_equal(h_say_n(c, big, SAMVAD_MAX_MESSAGE_BYTES), 0);
  HAS(c, "@not_understood");
  free(big);
  samvad_message m = {.kind = SAMVAD_MSG_OPTION, .option_id = NULL};
  assert_int_equal(samvad_step(g_cat, c->s, &m, c->now, c->r), SAMVAD_EINVAL);
  m.kind = (samvad_message_kind)7;
  assert_int_equal(samvad_step(g_cat, c->s, &m, c->now, c->r), SAMVAD_EINVAL);
  assert_int_equal(samvad_step(NULL, c->s, &m, c->now, c->r), SAMVAD_EINVAL);
  /* An empty text is just not understood. */
  assert_int_equal(h_say_n(c, NULL, 0), 0);
  HAS(c, "@not_understood");
  /* A tapped option nobody offered. */
  walk_to(c, "ask_name");
  TAP(c, "renew");
  HAS(c, "@not_understood\nQ:name");
}

/* An allocator that fails after a budget of calls. */
typedef struct budget {
  long left;
} budget;
static void *b_malloc(void *ctx, size_t n) {
  budget *b = ctx;
  return b->left-- > 0 ? malloc(n) : NULL;
}
static void *b_realloc(void *ctx, void *p, size_t n) {
  budget *b = ctx;
  return b->left-- > 0 ? realloc(p, n) : NULL;
}
static void b_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static void out_of_memory_leaves_session_unchanged(void **state) {
  (void)state;
  /* A summary header longer than the reply buffer's first reservation, so
   * that the buffer must grow in the middle of the step, after the answer
   * was saved and the state moved on. */
  char *longer = malloc(6000);
  strcpy(longer, "\"@summary_header ");
  memset(longer + 17, 'x', 5000);
  strcpy(longer + 5017, "\"");
  samvad_catalogue *cat = h_load("\"@summary_header\"", longer);
  free(longer);
  assert_non_null(cat);
  h_chat *c = calloc(1, sizeof *c);
  c->cat = cat;
  c->now = T0;
  assert_int_equal(samvad_session_create(cat, NULL, &c->s), 0);
  assert_int_equal(samvad_replies_create(NULL, &c->r), 0);
  walk_to(c, "ask_aadhaar");
  unsigned char before[2048], after[2048];
  size_t blen, alen;
  assert_int_equal(samvad_session_save(c->s, before, sizeof before, &blen), 0);
  bool ok = false;
  int failures = 0;
  for (long n = 0; n < 40 && !ok; n++) {
    budget b = {n};
    samvad_allocator al = {b_malloc, b_realloc, b_free, &b};
    samvad_replies *r = NULL;
    if (samvad_replies_create(&al, &r) != 0)
      continue;
    samvad_message m = {.kind = SAMVAD_MSG_TEXT, .id = "x",
                        .text = "2341 2341 2346", .text_len = 14};
    int rc = samvad_step(cat, c->s, &m, c->now, r);
    if (rc == 0) {
      ok = true;
      STATE(c, "check");
      const samvad_reply *rep = samvad_replies_get(r, 0);
      assert_int_equal(strncmp(rep->text, "@summary_header xxxx", 20), 0);
      assert_string_equal(rep->options[0].id, "confirm");
      assert_string_equal(rep->options[9].id, "edit_aadhaar");
    } else {
      failures++;
      assert_int_equal(rc, SAMVAD_ENOMEM);
      assert_int_equal(samvad_replies_count(r), 0);
      assert_int_equal(samvad_session_save(c->s, after, sizeof after, &alen),
                       0);
      assert_int_equal(alen, blen);
      assert_memory_equal(before, after, blen);
      STATE(c, "ask_aadhaar");
    }
    samvad_replies_destroy(r);
  }
  assert_true(ok);
  assert_true(failures >= 2);
  samvad_session_destroy(c->s);
  samvad_replies_destroy(c->r);
  free(c);
  samvad_catalogue_destroy(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
      T(inform_and_branch),
      T(summary_edit_one_answer),
      T(summary_edit_changes_branch),
      T(summary_edit_choice_changes_branch),
      T(summary_edit_shows_new_informs),
      T(summary_after_back_forward),
      T(summary_walks_when_condition_reads_later),
      T(answers_allocate_nothing),
      T(idle_resume_continue_and_restart),
      T(expiry_drops_the_application),
      T(spec_changed_state_gone),
      T(spec_changed_state_kept),
      T(spec_changed_service_gone),
      T(invalid_utf8_is_not_understood),
      T(limits_and_misuse),
      T(out_of_memory_leaves_session_unchanged),
#undef T
  };
  return ENGINE_SUITE_RUN("engine flow", tests);
}
