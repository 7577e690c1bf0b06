/* test_engine.c - the conversation engine through the public API, on the
 * small specs in tests/engine-specs/ (a service with every state type and
 * a block): language detection and switching, the menu, keywords, every
 * command and their precedence, back, cancel, retries, submission and
 * reference numbers, media answers and the command-word filter. The
 * summary, time, spec changes and failures are in test_engine_flow.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine_suite.h"

/* ---- Language ------------------------------------------------------------ */

static void lang_english_by_default(void **state) {
  h_chat *c = *state;
  SAY(c, "hi");
  HAS(c, "@welcome\n");
  HAS(c, "@menu\n1. Test permit [test-permit]\n2. Other service [other-service]");
  assert_int_equal(samvad_session_lang(c->s), SAMVAD_LANG_EN);
  assert_null(h_last(c)->flow);
  assert_null(h_last(c)->state);
  assert_int_equal(h_last(c)->lang, SAMVAD_LANG_EN);
}

static void lang_hindi_from_devanagari(void **state) {
  h_chat *c = *state;
  SAY(c, "नमस्ते");
  HAS(c, "@welcome:हि");
  HAS(c, "1. परीक्षा परमिट [test-permit]");
  assert_int_equal(samvad_session_lang(c->s), SAMVAD_LANG_HI);
  /* Only the first message decides. */
  SAY(c, "menu");
  HAS(c, "@menu:हि");
}

static void lang_hindi_from_romanised_words(void **state) {
  h_chat *c = *state;
  SAY(c, "Mujhe permit chahiye!");
  assert_int_equal(samvad_session_lang(c->s), SAMVAD_LANG_HI);
  /* ... and the keyword started the service, with its introduction. */
  HAS(c, "@service_intro:हि परीक्षा परमिट");
  HAS(c, "परीक्षा के लिए परमिट।");
  HAS(c, "• आधार कार्ड");
  HAS(c, "@fee:हि ₹10");
  HAS(c, "@time_limit:हि 7");
  HAS(c, "प्र:प्रकार");
  STATE(c, "choose_kind");
}

static void lang_hindi_from_one_romanised_word(void **state) {
  h_chat *c = *state;
  SAY(c, "namaste");
  HAS(c, "@welcome:हि");
  assert_int_equal(samvad_session_lang(c->s), SAMVAD_LANG_HI);
}

static void lang_english_when_hindi_word_is_inside_another(void **state) {
  h_chat *c = *state;
  SAY(c, "xnamaste");
  assert_int_equal(samvad_session_lang(c->s), SAMVAD_LANG_EN);
  /* Keywords too are whole words only, wherever they stand. */
  HAS(c, "@not_understood");
  SAY(c, "xpermit");
  HAS(c, "@not_understood");
  SAY(c, "permit.");
  STATE(c, "choose_kind");
}

static void lang_set_explicitly(void **state) {
  h_chat *c = *state;
  samvad_session_set_lang(c->s, SAMVAD_LANG_HI);
  SAY(c, "hello there");
  HAS(c, "@not_understood:हि");
  assert_int_equal(samvad_session_lang(c->s), SAMVAD_LANG_HI);
}

static void lang_switch_mid_flow_reasks(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_count");
  SAY(c, "हिंदी");
  HAS(c, "@lang_switched:हि\nप्र:संख्या");
  STATE(c, "ask_count");
  assert_int_equal(h_last(c)->lang, SAMVAD_LANG_HI);
  SAY(c, "english");
  HAS(c, "@lang_switched\nQ:count");
  /* Answers keep working in the other language. */
  SAY(c, "३");
  STATE(c, "ask_agree");
}

/* ---- Menu and starting a service ----------------------------------------- */

static void menu_by_number_id_title_tap(void **state) {
  h_chat *c = *state;
  SAY(c, "2");
  HAS(c, "@service_intro Other service");
  HASNT(c, "@documents"); /* no documents listed */
  HAS(c, "Q:x");
  assert_string_equal(samvad_session_flow(c->s), "other-service");
  assert_string_equal(h_last(c)->flow, "other-service");
  assert_string_equal(h_last(c)->state, "ask_x");

  h_chat *d = *state;
  samvad_session_destroy(d->s);
  assert_int_equal(samvad_session_create(g_cat, NULL, &d->s), 0);
  SAY(d, "test-permit");
  STATE(d, "choose_kind");

  samvad_session_destroy(d->s);
  assert_int_equal(samvad_session_create(g_cat, NULL, &d->s), 0);
  SAY(d, "OTHER SERVICE");
  STATE(d, "ask_x");

  samvad_session_destroy(d->s);
  assert_int_equal(samvad_session_create(g_cat, NULL, &d->s), 0);
  TAP(d, "test-permit");
  STATE(d, "choose_kind");
  HAS(d, "1. New permit [new]\n2. Renewal [renew]\n3. Help [desk]");
}

static void menu_keywords(void **state) {
  h_chat *c = *state;
  SAY(c, "I want a licence please");
  STATE(c, "ask_x");

  samvad_session_destroy(c->s);
  assert_int_equal(samvad_session_create(g_cat, NULL, &c->s), 0);
  /* "test permit" (11 characters) beats "other" (5). */
  SAY(c, "other test permit");
  STATE(c, "choose_kind");

  samvad_session_destroy(c->s);
  assert_int_equal(samvad_session_create(g_cat, NULL, &c->s), 0);
  /* Whole words only: "permits" and "otherwise" are not keywords. */
  SAY(c, "permits otherwise");
  HAS(c, "@not_understood\n@menu");
  assert_null(samvad_session_flow(c->s));
}

static void menu_commands_outside(void **state) {
  h_chat *c = *state;
  SAY(c, "status");
  HAS(c, "@status_none");
  SAY(c, "help");
  HAS(c, "@help_general");
  SAY(c, "csc");
  HAS(c, "@human");
  SAY(c, "back");
  HAS(c, "@back_nothing");
  SAY(c, "hindi");
  HAS(c, "@lang_switched:हि");
  HAS(c, "@menu:हि");
  assert_int_equal(h_media(c, "x.jpg"), 0);
  HAS(c, "@media_unexpected:हि");
}

/* ---- Answers, validation, precedence --------------------------------------- */

static void happy_path_and_application(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  STATE(c, "check");
  HAS(c, "@summary_header\nKind: New permit\nName: Ravi Kumar\n"
         "Date of birth: 12/03/1995\nCount: 2\nAgree: Yes\n"
         "Home house: H.No. 12, Gali 3\nHome PIN: 110092\nPhoto: photo-1.jpg\n"
         "Aadhaar: XXXX XXXX 2346\n\nS:check\n@summary_edit");
  HASNT(c, "234123412346");
  HAS(c, "1. All correct [confirm]\n2. Kind [edit_kind]\n3. Name [edit_name]");
  TAP(c, "confirm");
  const samvad_application *a = h_app(c);
  assert_non_null(a);
  assert_string_equal(a->service, "test-permit");
  assert_int_equal(strncmp(a->id, "TP-2026-", 8), 0);
  assert_int_equal(strlen(a->id), 16);
  char want[64];
  snprintf(want, sizeof want, "R:%s", a->id);
  HAS(c, want);
  HAS(c, "E:done");
  assert_string_equal(h_answer(a, "kind"), "new");
  assert_string_equal(h_answer(a, "name"), "Ravi Kumar");
  assert_string_equal(h_answer(a, "dob"), "1995-03-12");
  assert_string_equal(h_answer(a, "count"), "2");
  assert_string_equal(h_answer(a, "agree"), "yes");
  assert_string_equal(h_answer(a, "home_pin"), "110092");
  assert_string_equal(h_answer(a, "photo"), "photo-1.jpg");
  assert_string_equal(h_answer(a, "aadhaar"), "234123412346");
  assert_null(h_answer(a, "reason"));
  assert_int_equal(a->answer_count, 9);
  /* Back at the menu, answers gone, the application remembered. */
  assert_null(samvad_session_flow(c->s));
}

static void status_lists_applications(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  TAP(c, "confirm");
  char ref[32];
  snprintf(ref, sizeof ref, "%s", h_app(c)->id);
  SAY(c, "स्थिति");
  char line[128];
  snprintf(line, sizeof line,
           "@status_line %s Test permit 15/01/2026 @status_submitted", ref);
  HAS(c, "@status_header\n");
  HAS(c, line);
  /* Inside a service, status re-asks the current question. */
  SAY(c, "2");
  SAY(c, "status");
  HAS(c, line);
  HAS(c, "Q:x");
}

static void reference_is_deterministic(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  TAP(c, "confirm");
  char first[32];
  snprintf(first, sizeof first, "%s", h_app(c)->id);

  /* The same conversation at the same times: the same number. */
  h_chat *d = calloc(1, sizeof *d);
  d->cat = g_cat;
  d->now = T0;
  assert_int_equal(samvad_session_create(g_cat, NULL, &d->s), 0);
  assert_int_equal(samvad_replies_create(NULL, &d->r), 0);
  walk_to(d, "ask_aadhaar");
  SAY(d, "2341 2341 2346");
  TAP(d, "confirm");
  assert_string_equal(h_app(d)->id, first);

  /* Another answer: another number. */
  samvad_session_destroy(d->s);
  assert_int_equal(samvad_session_create(g_cat, NULL, &d->s), 0);
  d->now = T0;
  d->msg_no = 0;
  walk_to(d, "ask_photo");
  assert_int_equal(h_media(d, "photo-2.jpg"), 0);
  SAY(d, "2341 2341 2346");
  TAP(d, "confirm");
  assert_string_not_equal(h_app(d)->id, first);
  samvad_session_destroy(d->s);
  samvad_replies_destroy(d->r);
  free(d);
}

static void option_titled_like_a_command(void **state) {
  h_chat *c = *state;
  walk_to(c, "choose_kind");
  /* "Help" is an option here: rule 2 before rule 4. */
  SAY(c, "help");
  HAS(c, "I:desk");
  HAS(c, "E:done");
  HASNT(c, "@help_general");
  assert_null(samvad_session_flow(c->s));
  /* And in Hindi: "मदद" is both the Hindi title and a command word. */
  SAY(c, "1");
  SAY(c, "मदद");
  HAS(c, "I:desk");
}

static void choice_by_title_either_language_and_digits(void **state) {
  h_chat *c = *state;
  walk_to(c, "choose_kind");
  SAY(c, "नवीनीकरण");
  STATE(c, "ask_old_ref");
  SAY(c, "back");
  STATE(c, "choose_kind");
  SAY(c, "renewal.");
  STATE(c, "ask_old_ref");
  SAY(c, "back");
  SAY(c, "२");
  STATE(c, "ask_old_ref");
  /* A title typed exactly but for case is taken without folding (see
   * fold_as_option); one of its length that differs in a letter is not. */
  SAY(c, "back");
  SAY(c, "RENEWAL");
  STATE(c, "ask_old_ref");
  SAY(c, "back");
  SAY(c, "Renewam");
  HAS(c, "!choice\nQ:kind");
  STATE(c, "choose_kind");
  SAY(c, "New PERMIT"); /* eight bytes and more are compared a word at once */
  HASNT(c, "!choice");
  HASNT(c, "Q:kind");
  SAY(c, "back");
  STATE(c, "choose_kind");
  SAY(c, "New PERMIS");
  HAS(c, "!choice\nQ:kind");
  SAY(c, "9");
  HAS(c, "!choice\nQ:kind");
  STATE(c, "choose_kind");
}

static void back_pain_is_an_answer(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_agree");
  SAY(c, "nahi");
  STATE(c, "ask_reason");
  SAY(c, "back pain");
  STATE(c, "home/house");
  SAY(c, "back");
  STATE(c, "ask_reason");
  HASNT(c, "@back_nothing");
}

static void yesno_words_and_commands(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_agree");
  HAS(c, "Q:agree\n1. Yes [yes]\n2. No [no]");
  SAY(c, "help");
  HAS(c, "!yesno\nQ:agree");
  STATE(c, "ask_agree");
  SAY(c, "हाँ");
  STATE(c, "home/house");
  SAY(c, "back");
  STATE(c, "ask_agree");
  SAY(c, "2");
  STATE(c, "ask_reason");
  SAY(c, "back");
  TAP(c, "yes");
  STATE(c, "home/house");
  SAY(c, "back");
  SAY(c, "maybe");
  HAS(c, "!yesno\nQ:agree");
}

static void rejects_fill_placeholders(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_dob");
  HAS(c, "Q:dob Ravi Kumar");
  SAY(c, "01/01/2015");
  HAS(c, "!age_too_low 18 15/01/2026");
  SAY(c, "31/02/1990");
  HAS(c, "!date_invalid");
  SAY(c, "12/03/1995");
  STATE(c, "ask_count");
  SAY(c, "9");
  HAS(c, "!int_range 1-5\nQ:count");
}

static void retry_limit_offers_help(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_name");
  SAY(c, "R2D2");
  HASNT(c, "@retry_limit");
  SAY(c, "R2D2");
  HASNT(c, "@retry_limit");
  SAY(c, "R2D2");
  HAS(c, "!name_chars\n@retry_limit\nH:name\nQ:name");
  SAY(c, "R2D2");
  HASNT(c, "@retry_limit"); /* the count starts again */
}

static void help_texts(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_name");
  SAY(c, "help");
  HAS(c, "H:name\nQ:name");
  SAY(c, "Ravi");
  SAY(c, "मदद");
  HAS(c, "!date_format\nQ:dob");
  SAY(c, "12/03/1995");
  SAY(c, "help");
  HAS(c, "!int_range 1-5\nQ:count");
  SAY(c, "csc");
  HAS(c, "@human\nQ:count");
}

static void back_undoes_answers(void **state) {
  h_chat *c = *state;
  walk_to(c, "choose_kind");
  SAY(c, "back");
  HAS(c, "@back_nothing\nQ:kind");
  walk_to(c, "ask_count");
  SAY(c, "वापस");
  STATE(c, "ask_dob");
  HAS(c, "Q:dob Ravi Kumar");
  SAY(c, "back");
  STATE(c, "ask_name");
  HAS(c, "Q:name");
  SAY(c, "back");
  STATE(c, "choose_kind");
  SAY(c, "back");
  HAS(c, "@back_nothing");
}

static void cancel_asks_first(void **state) {
  h_chat *c = *state;
  walk_to(c, "choose_kind");
  /* Nothing answered yet: cancelled at once. */
  SAY(c, "cancel");
  HAS(c, "@cancelled\n@menu");
  assert_null(samvad_session_flow(c->s));

  walk_to(c, "ask_dob");
  SAY(c, "cancel");
  HAS(c, "@cancel_confirm\n1. Yes [yes]\n2. No [no]");
  STATE(c, "ask_dob");
  SAY(c, "what");
  HAS(c, "!yesno\n@cancel_confirm");
  SAY(c, "no");
  HAS(c, "@cancel_kept\nQ:dob Ravi Kumar");
  SAY(c, "रद्द");
  TAP(c, "yes");
  HAS(c, "@cancelled\n@menu");
  assert_null(samvad_session_flow(c->s));
  assert_int_equal(c->s->answer_count, 0);

  /* "menu" with answers given asks the same question. */
  walk_to(c, "ask_dob");
  SAY(c, "menu");
  HAS(c, "@cancel_confirm");
  SAY(c, "हाँ");
  HAS(c, "@cancelled");
}

static void media_answers(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_name");
  assert_int_equal(h_media(c, "doc.pdf"), 0);
  HAS(c, "@media_unexpected\nQ:name");
  STATE(c, "ask_name");
  walk_to(c, "ask_photo");
  SAY(c, "here it is");
  HAS(c, "!media");
  STATE(c, "ask_photo");
  assert_int_equal(h_media(c, "/tmp/photo.jpg"), 0);
  STATE(c, "ask_aadhaar");
}

/* The summary trusts the answers of a session that only went forward
 * (no path walk) when no condition reads a later answer. Back at the
 * summary and a new answer keep the shortcut's result right. */
static void command_filter(void **state) {
  h_chat *c = *state;
  samvad_catalogue *cat = h_load(NULL, NULL);
  assert_non_null(cat);
  sv_catalogue_index(cat);
  assert_true(sv_may_be_command_start(cat, 'b'));      /* back */
  assert_true(sv_may_be_command_start(cat, 0xE0));     /* वापस */
  assert_false(sv_may_be_command_start(cat, '1'));     /* no word starts so */
  /* Devanagari digits fold to ASCII ones: a Hindi date is no command. */
  const char *hdate = "\xe0\xa5\xa6\xe0\xa5\xa9/\xe0\xa5\xa6\xe0\xa5\xaa/1994";
  assert_false(sv_may_be_command(cat, hdate, strlen(hdate)));
  assert_true(sv_may_be_command(cat, "back", 4));
  samvad_catalogue_destroy(cat);
  /* Whatever the filter, a command typed at a typed question still runs,
   * padded with spaces, in capitals or with Devanagari. */
  walk_to(c, "ask_count");
  SAY(c, "  BACK!  ");
  STATE(c, "ask_dob");
  SAY(c, "\xe2\x80\x8bवापस");
  STATE(c, "ask_name");
}

static void replies_reuse_and_pointers(void **state) {
  h_chat *c = *state;
  walk_to(c, "ask_aadhaar");
  SAY(c, "2341 2341 2346");
  /* Many options in one step: pointers stay valid after growth. */
  const samvad_reply *r = h_last(c);
  assert_true(r->option_count >= 10);
  assert_string_equal(r->options[0].id, "confirm");
  assert_string_equal(r->options[r->option_count - 1].id, "edit_aadhaar");
  assert_null(samvad_replies_get(c->r, 99));
  assert_int_equal(samvad_replies_count(NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
      T(lang_english_by_default),
      T(lang_hindi_from_devanagari),
      T(lang_hindi_from_romanised_words),
      T(lang_hindi_from_one_romanised_word),
      T(lang_english_when_hindi_word_is_inside_another),
      T(lang_set_explicitly),
      T(lang_switch_mid_flow_reasks),
      T(menu_by_number_id_title_tap),
      T(menu_keywords),
      T(menu_commands_outside),
      T(happy_path_and_application),
      T(status_lists_applications),
      T(reference_is_deterministic),
      T(option_titled_like_a_command),
      T(choice_by_title_either_language_and_digits),
      T(back_pain_is_an_answer),
      T(yesno_words_and_commands),
      T(rejects_fill_placeholders),
      T(retry_limit_offers_help),
      T(help_texts),
      T(back_undoes_answers),
      T(cancel_asks_first),
      T(media_answers),
      T(command_filter),
      T(replies_reuse_and_pointers),
#undef T
  };
  return ENGINE_SUITE_RUN("engine", tests);
}
