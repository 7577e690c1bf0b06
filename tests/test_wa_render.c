/* test_wa_render.c - the WhatsApp renderer against Meta's limits: every
 * reply of every bundled transcript (replayed through samvad_step)
 * rendered for WhatsApp and Telegram and checked field by field
 * (wa_checks.h); long texts split at boundaries; titles shortened and
 * kept unique; Devanagari counted in characters and never cut inside a
 * syllable; certificates as an upload; the template for notices; the
 * Graph API's answers read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "samvad/samvad.h"
#include "transcript_replay.h"
#include "transport_util.h"
#include "wa_checks.h"
#include "wa_render.h"

/* ---- Transcripts ------------------------------------------------------------------ */

typedef struct fits {
  seen s;
  size_t choices;
} fits;

static int check_step(const samvad_replies *replies, void *ctx) {
  fits *f = ctx;
  for (size_t i = 0; i < samvad_replies_count(replies); i++) {
    const samvad_reply *r = samvad_replies_get(replies, i);
    f->choices += r->option_count > 0;
    check_whatsapp(r, &f->s);
    check_telegram(r);
  }
  return 0;
}

static void every_bundled_reply_fits(void **state) {
  (void)state;
  fits f;
  memset(&f, 0, sizeof f);
  size_t files = replay_specs(SAMVAD_SOURCE_DIR "/fsm-specs", check_step, &f);
  /* The bundled specs have dozens of transcripts and hundreds of
   * choices, shown as buttons (up to 3) and lists (4 to 10). */
  assert_true(files >= 20);
  assert_true(f.choices >= 100);
  assert_true(f.s.buttons >= 50);
  assert_true(f.s.lists >= 5);
  assert_true(f.s.texts >= 100);
  print_message("%zu transcripts, %zu replies, %zu choices: %zu button "
                "messages, %zu lists, %zu texts\n", files, f.s.replies,
                f.choices, f.s.buttons, f.s.lists, f.s.texts);
}

/* ---- Cases ---------------------------------------------------------------------- */

/* A reply with the given text and options (ids "opt-<n>"). */
typedef struct made {
  samvad_reply r;
  samvad_option o[16];
  char ids[16][16];
} made;

static void make(made *m, const char *text, const char *const *titles,
                 size_t n) {
  memset(m, 0, sizeof *m);
  m->r.text = text;
  m->r.lang = SAMVAD_LANG_EN;
  for (size_t i = 0; i < n; i++) {
    snprintf(m->ids[i], sizeof m->ids[i], "opt-%zu", i + 1);
    m->o[i].id = m->ids[i];
    m->o[i].title = titles[i];
  }
  m->r.options = n ? m->o : NULL;
  m->r.option_count = n;
}

/* Renders for WhatsApp and returns the i-th request's body, parsed. */
static yajl_val render_nth(const samvad_reply *r, size_t i, size_t *count,
                           int *shortened) {
  host_request_list out = {0};
  assert_int_equal(host_wa_render(&cfg, "919810000001", r, &out, shortened),
                   0);
  *count = out.count;
  assert_true(i < out.count);
  yajl_val v = parse(&out.items[i].body);
  host_request_list_free(&out);
  return v;
}

/* A long text of paragraphs of sentences. */
static char *long_text(const char *sentence, size_t paragraphs,
                       size_t per_paragraph) {
  host_buf b = {0};
  for (size_t p = 0; p < paragraphs; p++) {
    for (size_t k = 0; k < per_paragraph; k++)
      assert_int_equal(host_buf_puts(&b, sentence), 0);
    assert_int_equal(host_buf_puts(&b, p + 1 < paragraphs ? "\n\n" : ""), 0);
  }
  return b.data;
}

static void long_text_is_split_at_paragraphs(void **state) {
  (void)state;
  /* 30 paragraphs of 386 characters: 11,580 in all. */
  char *text = long_text("The office is open on weekdays. ", 30, 12);
  made m;
  make(&m, text, NULL, 0);
  seen s = {0};
  check_whatsapp(&m.r, &s);
  assert_int_equal(s.texts, 3); /* 11,580 characters, 10 paragraphs each */
  host_request_list out = {0};
  int sh = 0;
  assert_int_equal(host_wa_render(&cfg, "919810000001", &m.r, &out, &sh), 0);
  host_buf joined = {0};
  for (size_t i = 0; i < out.count; i++) {
    yajl_val v = parse(&out.items[i].body);
    const char *body = str_at(v, "text", "body", NULL);
    size_t n = strlen(body);
    /* Each piece ends a sentence (a paragraph): nothing is cut mid-word. */
    assert_true(n > 2 && body[n - 1] == '.');
    assert_int_equal(host_buf_puts(&joined, i ? "\n\n" : ""), 0);
    assert_int_equal(host_buf_puts(&joined, body), 0);
    yajl_tree_free(v);
  }
  /* Trailing spaces of a piece are dropped; nothing else is lost. */
  size_t want = 0;
  for (const char *p = text; *p; p++)
    want += *p != ' ';
  size_t got = 0;
  for (const char *p = joined.data; *p; p++)
    got += *p != ' ';
  assert_int_equal(got, want);
  assert_int_equal(sh, 0);
  host_buf_free(&joined);
  host_request_list_free(&out);
  free(text);
}

static void devanagari_is_counted_in_characters(void **state) {
  (void)state;
  /* 3 bytes a character: 3,000 characters are 9,000 bytes, one message. */
  const char *word = "नमस्ते दुनिया। ";   /* 15 characters */
  char *text = long_text(word, 1, 200);
  assert_true(strlen(text) > HOST_WA_TEXT_MAX);
  made m;
  make(&m, text, NULL, 0);
  size_t count = 0;
  int sh = 0;
  yajl_val v = render_nth(&m.r, 0, &count, &sh);
  assert_int_equal(count, 1);
  yajl_tree_free(v);
  free(text);
  /* 400 words with no sentence end: 6,000 characters, cut at a space. */
  text = long_text("दस्तावेज़ ", 1, 600); /* 10 characters */
  make(&m, text, NULL, 0);
  v = render_nth(&m.r, 0, &count, &sh);
  assert_int_equal(count, 2);
  const char *body = str_at(v, "text", "body", NULL);
  assert_true(chars(body) <= HOST_WA_TEXT_MAX && chars(body) > 3000);
  size_t n = strlen(body);
  assert_string_equal(body + n - strlen("दस्तावेज़"), "दस्तावेज़");
  yajl_tree_free(v);
  free(text);
  /* Button titles of exactly 20 Devanagari characters (60 bytes) fit. */
  const char *titles[] = {"विवाह पंजीकरण करवाएँ", "नहीं"};
  assert_int_equal(chars(titles[0]), 20);
  make(&m, "चुनें", titles, 2);
  v = render_nth(&m.r, 0, &count, &sh);
  assert_string_equal(str_at(v, "interactive", "type", NULL), "button");
  assert_int_equal(sh, 0);
  yajl_tree_free(v);
}

static void syllables_are_never_broken(void **state) {
  (void)state;
  /* One unbroken 5,000-character run: the cut must move off the vowel
   * signs and viramas. */
  char *text = long_text("क्षि", 1, 1250); /* क ् ष ि: 4 characters */
  host_buf piece = {0};
  size_t next = 0;
  size_t n = host_text_chunk(text, strlen(text), HOST_WA_TEXT_MAX, &next);
  assert_true(n > 0 && n < strlen(text) && next == n);
  assert_int_equal(host_buf_append(&piece, text, n), 0);
  assert_true(chars(piece.data) <= HOST_WA_TEXT_MAX);
  /* It ends after the vowel sign ि and the rest begins with क. */
  assert_string_equal(piece.data + n - strlen("ि"), "ि");
  assert_memory_equal(text + next, "क", strlen("क"));
  host_buf_free(&piece);
  /* A title shortened in the middle of a conjunct loses the whole one. */
  host_buf t = {0};
  assert_int_equal(host_text_shorten("अक्षय", strlen("अक्षय"), 3, &t), 1);
  assert_string_equal(t.data, "अ…");
  host_buf_free(&t);
  free(text);
}

static void long_titles_are_shortened_and_unique(void **state) {
  (void)state;
  const char *titles[] = {"Registration of a marriage already solemnised",
                          "Registration of a marriage to be solemnised",
                          "Registration of a marriage abroad"};
  made m;
  make(&m, "Which one?", titles, 3);
  size_t count = 0;
  int sh = 0;
  yajl_val v = render_nth(&m.r, 0, &count, &sh);
  assert_int_equal(sh, 1);
  yajl_val i = node_at(v, "interactive", NULL, NULL);
  assert_string_equal(str_at(i, "type", NULL, NULL), "list");
  seen s = {0};
  check_interactive(i, &m.r, &s); /* limits and uniqueness */
  yajl_val rows = node_at(i, "action", "sections", NULL)
                      ->u.array.values[0];
  rows = node_at(rows, "rows", NULL, NULL);
  for (size_t k = 0; k < 3; k++) {
    const char *t = str_at(rows->u.array.values[k], "title", NULL, NULL);
    const char *d = str_at(rows->u.array.values[k], "description", NULL, NULL);
    assert_non_null(strstr(t, "…"));
    assert_string_equal(d, titles[k]); /* the whole title, below */
  }
  yajl_tree_free(v);
  /* Titles equal once cut get the option's number. */
  const char *same[] = {"Duplicate driving licence (lost)",
                        "Duplicate driving licence (damaged)"};
  make(&m, "Why?", same, 2);
  v = render_nth(&m.r, 0, &count, &sh);
  s = (seen){0};
  check_interactive(node_at(v, "interactive", NULL, NULL), &m.r, &s);
  yajl_tree_free(v);
}

static void many_options_become_numbered_text(void **state) {
  (void)state;
  const char *titles[12] = {"a", "b", "c", "d", "e", "f",
                            "g", "h", "i", "j", "k", "l"};
  made m;
  make(&m, "Pick a district:", titles, 12);
  size_t count = 0;
  int sh = 0;
  yajl_val v = render_nth(&m.r, 0, &count, &sh);
  assert_int_equal(count, 1);
  assert_string_equal(str_at(v, "text", "body", NULL),
                      "Pick a district:\n1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n"
                      "7. g\n8. h\n9. i\n10. j\n11. k\n12. l");
  yajl_tree_free(v);
  /* Ten options are a list. */
  make(&m, "Pick:", titles, 10);
  v = render_nth(&m.r, 0, &count, &sh);
  assert_string_equal(str_at(v, "interactive", "type", NULL), "list");
  yajl_tree_free(v);
}

static void long_question_goes_before_its_buttons(void **state) {
  (void)state;
  char *intro = long_text("Bring your documents to the office. ", 2, 20);
  host_buf text = {0};
  assert_int_equal(host_buf_puts(&text, intro), 0);
  assert_int_equal(host_buf_puts(&text, "\n\nDo you want to go on?"), 0);
  const char *titles[] = {"Yes", "No"};
  made m;
  make(&m, text.data, titles, 2);
  size_t count = 0;
  int sh = 0;
  yajl_val v = render_nth(&m.r, 1, &count, &sh);
  assert_int_equal(count, 2);
  /* The body is the longest tail that starts a paragraph and fits. */
  const char *body = str_at(v, "interactive", "body", "text");
  assert_true(chars(body) <= HOST_WA_BODY_MAX);
  size_t n = strlen(body), total = strlen(text.data);
  assert_string_equal(body, text.data + total - n);
  assert_int_equal(text.data[total - n - 1], '\n');
  yajl_tree_free(v);
  v = render_nth(&m.r, 0, &count, &sh);
  assert_string_equal(str_at(v, "type", NULL, NULL), "text");
  const char *head = str_at(v, "text", "body", NULL);
  assert_memory_equal(head, text.data, strlen(head));
  for (size_t i = strlen(head); i < total - n; i++) /* only spaces lost */
    assert_true(text.data[i] == ' ' || text.data[i] == '\n');
  yajl_tree_free(v);
  host_buf_free(&text);
  free(intro);
}

static void certificate_is_uploaded_then_sent(void **state) {
  (void)state;
  samvad_document doc = {"marriage-registration", "MC-0F3KZ8Q1W2ZNA",
                         "SV1:QRTEXT"};
  made m;
  make(&m, "Your certificate is ready.", NULL, 0);
  m.r.document = &doc;
  size_t count = 0;
  int sh = 0;
  yajl_val v = render_nth(&m.r, 1, &count, &sh);
  assert_int_equal(count, 2);
  assert_string_equal(str_at(v, "upload", "qr", NULL), "SV1:QRTEXT");
  assert_string_equal(str_at(v, "upload", "name", NULL), "MC-0F3KZ8Q1W2ZNA.png");
  assert_string_equal(str_at(v, "upload", "field", NULL), "file");
  assert_string_equal(str_at(v, "upload", "form", "messaging_product"),
                      "whatsapp");
  const char *then = str_at(v, "then", NULL, NULL);
  assert_non_null(strstr(then, "\"id\":\"{media}\""));
  assert_non_null(strstr(then, "\"caption\":\"MC-0F3KZ8Q1W2ZNA\""));
  assert_string_equal(str_at(v, "then_url", NULL, NULL),
                      "https://graph.example/v21.0/106540352242922/messages");
  yajl_tree_free(v);
}

static void notice_template_is_one_line(void **state) {
  (void)state;
  made m;
  make(&m, "Your application MR-2026-7K3QX9WD was approved.\n\n"
           "Your   certificate\tfollows.", NULL, 0);
  host_request_list out = {0};
  assert_int_equal(host_wa_render_template(&cfg, "919810000001", &m.r, &out),
                   0);
  assert_int_equal(out.count, 1);
  yajl_val v = parse(&out.items[0].body);
  assert_string_equal(str_at(v, "type", NULL, NULL), "template");
  assert_string_equal(str_at(v, "template", "name", NULL), "samvad_notice");
  assert_string_equal(str_at(v, "template", "language", "code"), "hi");
  yajl_val c = node_at(v, "template", "components", NULL);
  yajl_val p = node_at(c->u.array.values[0], "parameters", NULL, NULL);
  assert_string_equal(str_at(p->u.array.values[0], "text", NULL, NULL),
                      "Your application MR-2026-7K3QX9WD was approved. "
                      "Your certificate follows.");
  yajl_tree_free(v);
  host_request_list_free(&out);
  /* Long notices are cut to 1024 characters. */
  char *text = long_text("सूचना। ", 1, 400);
  make(&m, text, NULL, 0);
  assert_int_equal(host_wa_render_template(&cfg, "919810000001", &m.r, &out),
                   0);
  v = parse(&out.items[0].body);
  c = node_at(v, "template", "components", NULL);
  p = node_at(c->u.array.values[0], "parameters", NULL, NULL);
  const char *param = str_at(p->u.array.values[0], "text", NULL, NULL);
  assert_true(chars(param) <= HOST_WA_TEMPLATE_PARAM_MAX && chars(param) > 900);
  yajl_tree_free(v);
  host_request_list_free(&out);
  free(text);
  /* No template configured: nothing to send it as. */
  host_serve_config bare = cfg;
  bare.wa_template = NULL;
  assert_int_equal(host_wa_render_template(&bare, "1", &m.r, &out), -1);
  host_request_list_free(&out);
}

static int outcome(long status, const char *body, char *id, int *after,
                   char *err) {
  return host_wa_outcome(status, body, strlen(body), id, 256, after, err, 256);
}

static void graph_answers_are_read(void **state) {
  (void)state;
  char id[256], err[256];
  int after = -1;
  assert_int_equal(outcome(200, "{\"messaging_product\":\"whatsapp\","
                           "\"messages\":[{\"id\":\"wamid.HBgL\"}]}",
                           id, &after, err), 0);
  assert_string_equal(id, "wamid.HBgL");
  assert_int_equal(outcome(200, "{\"id\":\"1234567890\"}", id, &after, err), 0);
  assert_string_equal(id, "1234567890");
  const char *limit = "{\"error\":{\"message\":\"(#130429) Rate limit hit\","
                      "\"code\":130429}}";
  assert_int_equal(outcome(429, limit, id, &after, err), 1);
  assert_int_equal(outcome(400, limit, id, &after, err), 1); /* by its code */
  assert_int_equal(outcome(400, "{\"error\":{\"code\":131056,\"message\":"
                           "\"pair rate\"}}", id, &after, err), 1);
  assert_int_equal(outcome(503, "<html>", id, &after, err), 1);
  assert_int_equal(outcome(0, "", id, &after, err), 1);
  assert_int_equal(outcome(400, "{\"error\":{\"message\":\"(#131030) "
                           "Recipient phone number not in allowed list\","
                           "\"code\":131030,\"error_data\":{\"details\":"
                           "\"not allowed\"}}}", id, &after, err), 2);
  assert_non_null(strstr(err, "131030"));
  assert_non_null(strstr(err, "not allowed"));
  /* An expired token waits for the operator's restart. */
  assert_int_equal(outcome(401, "{\"error\":{\"code\":190,\"message\":"
                           "\"Error validating access token\"}}", id, &after,
                           err), 1);
  assert_int_equal(outcome(400, "not json", id, &after, err), 2);
  assert_string_equal(err, "HTTP 400");
}

/* The id of what was sent, from every shape a 2xx answer may take. */
static void sent_ids_are_read_from_any_shape(void **state) {
  (void)state;
  static const struct {
    const char *body, *id;
  } cases[] = {
      /* The message's id wins over a top-level one, wherever it stands. */
      {"{\"id\":\"top\",\"messages\":[{\"id\":\"wamid.A\"}]}", "wamid.A"},
      {"{\"messages\":[{\"message_status\":\"accepted\",\"id\":\"wamid.B\"}],"
       "\"id\":\"top\"}", "wamid.B"},
      /* Only the first message counts; nested ids are not its id. */
      {"{\"messages\":[{\"x\":{\"id\":\"deep\"}},{\"id\":\"second\"}],"
       "\"id\":\"top\"}", "top"},
      {"{\"messages\":[[{\"id\":\"inner\"}]],\"id\":\"top\"}", "top"},
      {"{\"messages\":[],\"id\":\"top\"}", "top"},
      {"{\"messages\":{\"id\":\"not a list\"},\"id\":\"top\"}", "top"},
      {"{\"contacts\":[{\"id\":\"contact\"}],\"messages\":[{\"id\":\"m\"}]}", "m"},
      /* A number is taken as its text; other values are no id. */
      {"{\"id\":1234567890}", "1234567890"},
      {"{\"id\":{\"value\":\"x\"}}", ""},
      {"{\"id\":null,\"messages\":[{\"id\":true}]}", ""},
      /* The first of repeated keys counts, whatever its value. */
      {"{\"id\":[\"a\"],\"id\":\"later\"}", ""},
      {"{\"messages\":[{\"id\":\"first\",\"id\":\"second\"}]}", "first"},
      {"{\"messages\":\"none\",\"messages\":[{\"id\":\"later\"}],\"id\":\"t\"}", "t"},
      {"{\"messages\":[{\"id\":\"\"}],\"id\":\"top\"}", ""},
      /* Not JSON, cut short, or nested beyond reason: no id. */
      {"{\"messages\":[{\"id\":\"wamid.C\"}]", ""},
      {"{\"messages\":[{\"id\":\"wamid.D\"}]} trailing", ""},
      {"", ""},
      {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"
       "\"id\":\"x\"}", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char id[256] = "unchanged", err[256];
    int after = -1;
    assert_int_equal(host_wa_outcome(200, cases[i].body, strlen(cases[i].body),
                                     id, sizeof id, &after, err, sizeof err),
                     0);
    if (strcmp(id, cases[i].id) != 0)
      fail_msg("case %zu: %s gave \"%s\", not \"%s\"", i, cases[i].body, id,
               cases[i].id);
  }
  /* An id longer than the caller's room is cut to it, not dropped. */
  char small[6], err[8];
  int after = 0;
  const char *longer = "{\"messages\":[{\"id\":\"wamid.0123456789\"}]}";
  assert_int_equal(host_wa_outcome(201, longer, strlen(longer), small,
                                   sizeof small, &after, err, sizeof err), 0);
  assert_string_equal(small, "wamid");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sent_ids_are_read_from_any_shape),
      cmocka_unit_test(every_bundled_reply_fits),
      cmocka_unit_test(long_text_is_split_at_paragraphs),
      cmocka_unit_test(devanagari_is_counted_in_characters),
      cmocka_unit_test(syllables_are_never_broken),
      cmocka_unit_test(long_titles_are_shortened_and_unique),
      cmocka_unit_test(many_options_become_numbered_text),
      cmocka_unit_test(long_question_goes_before_its_buttons),
      cmocka_unit_test(certificate_is_uploaded_then_sent),
      cmocka_unit_test(notice_template_is_one_line),
      cmocka_unit_test(graph_answers_are_read),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
