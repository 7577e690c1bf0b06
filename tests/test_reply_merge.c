/* test_reply_merge.c - a step's replies joined into fewer messages
 * (host/reply_merge.c): every step of every bundled transcript merged under
 * WhatsApp's, Telegram's and tight limits and checked against the contract
 * by a checker of its own (each message is a run of replies joined with
 * blank lines, within limits, and no further join was allowed); then the
 * single rules on real and hand-made replies, and running out of memory.
 * reply_merge.c is included, not linked, so that its allocations go
 * through cmocka's leak-checking allocator with failures injected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h" /* struct samvad_replies, for hand-made lists */
#include "reply_merge.h"
#include "samvad/samvad.h"
#include "transcript_replay.h"
#include "transport_util.h"

/* Allocations left before one fails; negative: none fails. */
static long allocs_left = -1;

static void *merge_realloc(void *p, size_t n) {
  if (allocs_left == 0)
    return NULL;
  allocs_left -= allocs_left > 0;
  return test_realloc(p, n);
}
static void merge_free(void *p) { test_free(p); }

#define malloc(n) merge_realloc(NULL, n)
#define realloc(p, n) merge_realloc(p, n)
#define free(p) merge_free(p)
#include "reply_merge.c"
#undef malloc
#undef realloc
#undef free

/* The contract, checked independently. */

/* Characters (code points) of a UTF-8 string, counted without the code
 * under test. */
static size_t chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

static int asks_choice(const samvad_reply *r) { return r->option_count > 0; }
static int plain(const samvad_reply *r) {
  return !asks_choice(r) && !r->document;
}

static size_t limit_for(const samvad_reply *r, const host_merge_limits *l) {
  return asks_choice(r) ? l->choice_max : l->text_max;
}

/* Whether a message of text ending in reply last could take next in. */
static int joinable(const char *text, const samvad_reply *last,
                    const samvad_reply *next, const host_merge_limits *l) {
  return plain(last) && !next->document &&
         chars(text) + 2 + chars(next->text) <= limit_for(next, l);
}

/* Checks out against replies (whose texts are not empty): each message is
 * a run of replies, texts joined by "\n\n", other fields the run's last
 * reply's, within limits when more than one, and the next run's first
 * reply could not have been joined. Adds the runs cut short by a limit
 * (not by a choice or a document) to *by_limit. */
static void check_merged(const samvad_replies *replies,
                         const host_merge_limits *l, const host_merged *out,
                         size_t *by_limit) {
  size_t n = samvad_replies_count(replies), i = 0;
  assert_true(out->count >= (n > 0) && out->count <= n);
  for (size_t k = 0; k < out->count; k++) {
    const host_merged_reply *m = &out->items[k];
    const samvad_reply *first = samvad_replies_get(replies, i);
    assert_non_null(first);
    assert_true(first->text[0] != '\0');
    host_buf want = {0};
    size_t j = i;
    assert_int_equal(host_buf_puts(&want, first->text), 0);
    while (want.len < strlen(m->reply.text)) {
      const samvad_reply *prev = samvad_replies_get(replies, j);
      const samvad_reply *r = samvad_replies_get(replies, ++j);
      assert_non_null(r);
      assert_true(plain(prev) && !r->document);
      assert_int_equal(host_buf_puts(&want, "\n\n"), 0);
      assert_int_equal(host_buf_puts(&want, r->text), 0);
    }
    assert_string_equal(m->reply.text, want.data);
    host_buf_free(&want);
    const samvad_reply *last = samvad_replies_get(replies, j);
    if (j == i) {
      assert_ptr_equal(m->reply.text, first->text); /* not copied */
      assert_null(m->joined);
    } else {
      assert_ptr_equal(m->reply.text, m->joined);
      assert_true(chars(m->joined) <= limit_for(last, l));
    }
    /* The run's application: a step submits one at most. */
    const samvad_application *application = NULL;
    for (size_t k2 = i; k2 <= j; k2++)
      if (samvad_replies_get(replies, k2)->application)
        application = samvad_replies_get(replies, k2)->application;
    const samvad_reply *r = &m->reply;
    assert_true(r->lang == last->lang && r->flow == last->flow &&
                r->state == last->state && r->options == last->options &&
                r->option_count == last->option_count &&
                r->application == application &&
                r->document == last->document);
    i = j + 1;
    const samvad_reply *next = samvad_replies_get(replies, i);
    if (next) {
      assert_false(joinable(m->reply.text, last, next, l));
      *by_limit += plain(last) && !next->document;
    }
  }
  assert_int_equal(i, n);
}

static const host_merge_limits whatsapp = {4096, 1024},
                               telegram = {4096, 4096}, tight = {300, 120};

typedef struct tally {
  size_t steps, replies, messages[3], by_limit[3];
} tally;

static int merge_and_check(const samvad_replies *replies, void *ctx) {
  tally *t = ctx;
  const host_merge_limits *limits[3] = {&whatsapp, &telegram, &tight};
  host_merged out = {0};
  for (size_t k = 0; k < 3; k++) {
    assert_int_equal(host_replies_merge(replies, limits[k], &out), 0);
    check_merged(replies, limits[k], &out, &t->by_limit[k]);
    t->messages[k] += out.count;
  }
  host_merged_free(&out);
  t->steps++;
  t->replies += samvad_replies_count(replies);
  return 0;
}

static void transcripts_merge_within_limits(void **state) {
  (void)state;
  tally t = {0};
  assert_true(replay_specs(SAMVAD_SOURCE_DIR "/fsm-specs", merge_and_check, &t) >= 20);
  /* Hundreds of steps answer with two or more replies; most join. */
  assert_true(t.steps >= 500);
  assert_true(t.messages[0] + 300 <= t.replies);
  assert_true(t.messages[1] <= t.messages[0]); /* a larger choice body */
  assert_true(t.messages[2] > t.messages[0] && t.by_limit[2] > 0);
  print_message("%zu steps, %zu replies: %zu WhatsApp messages, %zu "
                "Telegram, %zu under tight limits (%zu runs cut by them)\n",
                t.steps, t.replies, t.messages[0], t.messages[1],
                t.messages[2], t.by_limit[2]);
}

/* Single rules. */

/* The first step whose replies match a pattern, one letter a reply: 't' a
 * plain text, 'c' a choice, '*' the rest are plain texts; 'h' as the
 * first letter asks for Devanagari. The step's replies are copied into
 * found, over texts that outlive the replay. */
typedef struct finder {
  const char *pattern;
  struct samvad_replies found;
  samvad_reply items[8];
  char text[8][4096];
} finder;

static int matches(const samvad_replies *r, const char *pattern) {
  size_t n = samvad_replies_count(r), i = 0;
  int hindi = *pattern == 'h';
  for (pattern += hindi; *pattern; pattern++, i++) {
    if (*pattern == '*') {
      for (; i < n; i++)
        if (!plain(samvad_replies_get(r, i)))
          return 0;
      return n <= 8 && n > 2;
    }
    const samvad_reply *x = samvad_replies_get(r, i);
    if (!x || x->document || (*pattern == 'c') != asks_choice(x))
      return 0;
  }
  const char *t = n ? samvad_replies_get(r, 0)->text : "";
  return i == n && (!hindi || strlen(t) > chars(t) * 2);
}

static int find_step(const samvad_replies *r, void *ctx) {
  finder *f = ctx;
  if (!matches(r, f->pattern))
    return 0;
  f->found.count = samvad_replies_count(r);
  f->found.items = f->items;
  for (size_t i = 0; i < f->found.count; i++) {
    f->items[i] = *samvad_replies_get(r, i);
    assert_true(strlen(f->items[i].text) < sizeof f->text[i]);
    f->items[i].text = strcpy(f->text[i], f->items[i].text);
    /* Only the texts and whether a choice is asked outlive the replay. */
    f->items[i].flow = f->items[i].state = NULL;
    f->items[i].options = NULL;
    f->items[i].application = NULL;
  }
  return 1;
}

static finder *find(const char *pattern) {
  finder *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->pattern = pattern;
  replay_specs(SAMVAD_SOURCE_DIR "/fsm-specs", find_step, f);
  if (!f->found.count)
    fail_msg("no bundled step has replies like \"%s\"", pattern);
  return f;
}

/* Hand-made replies: a list of up to 8, with three options for 'c'. */
typedef struct made {
  struct samvad_replies list;
  samvad_reply items[8];
} made;

static const samvad_option three[] = {{"a", "A"}, {"b", "B"}, {"c", "C"}};

static void add(made *m, const char *text, int choice,
                const samvad_document *doc) {
  assert_true(m->list.count < 8);
  samvad_reply *r = &m->items[m->list.count++];
  memset(r, 0, sizeof *r);
  r->text = text;
  r->options = choice ? three : NULL;
  r->option_count = choice ? 3 : 0;
  r->document = doc;
  m->list.items = m->items;
}

static size_t merge(const samvad_replies *r, size_t text_max,
                    size_t choice_max, host_merged *out) {
  host_merge_limits l = {text_max, choice_max};
  assert_int_equal(host_replies_merge(r, &l, out), 0);
  return out->count;
}

static void two_texts_join_with_a_blank_line(void **state) {
  (void)state;
  finder *f = find("tt");
  host_merged out = {0};
  assert_int_equal(merge(&f->found, 4096, 1024, &out), 1);
  char want[8200];
  snprintf(want, sizeof want, "%s\n\n%s", f->text[0], f->text[1]);
  assert_string_equal(out.items[0].reply.text, want);
  assert_ptr_equal(out.items[0].reply.text, out.items[0].joined);
  free(f);
  /* Everything but the text is the later reply's. */
  samvad_application app = {"MR-2026-7K3QX9WD", "marriage-registration",
                            NULL, 0};
  made m = {0};
  add(&m, "Saved.", 0, NULL);
  add(&m, "Next?", 0, NULL);
  m.items[0].flow = "a";
  m.items[1].lang = SAMVAD_LANG_EN;
  m.items[1].flow = "b";
  m.items[1].state = "ask";
  m.items[1].application = &app;
  assert_int_equal(merge(&m.list, 13, 1, &out), 1); /* 13 characters */
  samvad_reply r = out.items[0].reply;
  assert_string_equal(r.text, "Saved.\n\nNext?");
  assert_true(r.lang == SAMVAD_LANG_EN && r.application == &app);
  assert_string_equal(r.flow, "b");
  assert_string_equal(r.state, "ask");
  assert_int_equal(merge(&m.list, 12, 4096, &out), 2);
  host_merged_free(&out);
}

/* Under choice_max (text_max does not count) and not one character over. */
static void check_choice_limit(const samvad_replies *r, size_t total) {
  host_merged out = {0};
  assert_int_equal(merge(r, total - 1, total, &out), 1);
  assert_int_equal(out.items[0].reply.option_count,
                   samvad_replies_get(r, 1)->option_count);
  assert_true(strlen(out.items[0].joined) >= total);
  assert_int_equal(merge(r, 100000, total - 1, &out), 2);
  assert_ptr_equal(out.items[1].reply.text, samvad_replies_get(r, 1)->text);
  host_merged_free(&out);
}

static void text_joins_a_choice_within_choice_max(void **state) {
  (void)state;
  finder *f = find("tc");
  check_choice_limit(&f->found, chars(f->text[0]) + 2 + chars(f->text[1]));
  free(f);
}

static void devanagari_is_counted_in_characters(void **state) {
  (void)state;
  finder *f = find("htc");
  size_t total = chars(f->text[0]) + 2 + chars(f->text[1]);
  assert_true(strlen(f->text[0]) + 2 + strlen(f->text[1]) > 2 * total);
  check_choice_limit(&f->found, total); /* joins far beyond total bytes */
  free(f);
  made m = {0};
  add(&m, "नमस्ते।", 0, NULL); /* 7 characters, 21 bytes */
  add(&m, "आपका नाम?", 0, NULL); /* 9 characters, 25 bytes */
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 18, 18, &out), 1);
  assert_string_equal(out.items[0].reply.text, "नमस्ते।\n\nआपका नाम?");
  assert_int_equal(merge(&m.list, 17, 18, &out), 2);
  host_merged_free(&out);
}

static void documents_are_never_joined(void **state) {
  (void)state;
  samvad_document doc = {"marriage-registration", "MC-0F3KZ8Q1W2ZNA",
                         "SV1:QR"};
  made m = {0};
  add(&m, "Approved.", 0, NULL);
  add(&m, "Your certificate.", 0, &doc);
  add(&m, "Anything else?", 0, NULL);
  add(&m, "Pick one", 1, NULL);
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 100000, 100000, &out), 3);
  assert_ptr_equal(out.items[1].reply.document, &doc);
  assert_ptr_equal(out.items[1].reply.text, m.items[1].text);
  assert_string_equal(out.items[2].reply.text, "Anything else?\n\nPick one");
  host_merged_free(&out);
}

static void a_choice_ends_a_run(void **state) {
  (void)state;
  made m = {0};
  add(&m, "Hello.", 0, NULL);
  add(&m, "Which one?", 1, NULL);
  add(&m, "Or write its name.", 0, NULL);
  add(&m, "Send help for help.", 0, NULL);
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 100000, 100000, &out), 2);
  assert_string_equal(out.items[0].reply.text, "Hello.\n\nWhich one?");
  assert_int_equal(out.items[0].reply.option_count, 3);
  assert_string_equal(out.items[1].reply.text,
                      "Or write its name.\n\nSend help for help.");
  assert_int_equal(out.items[1].reply.option_count, 0);
  host_merged_free(&out);
}

static void short_texts_become_one(void **state) {
  (void)state;
  made m = {0};
  add(&m, "a", 0, NULL);
  add(&m, "b", 0, NULL);
  add(&m, "c", 0, NULL);
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 7, 7, &out), 1);
  assert_string_equal(out.items[0].reply.text, "a\n\nb\n\nc");
  /* Greedy: "a" and "b" fill 4 characters; "c" starts a message. */
  assert_int_equal(merge(&m.list, 6, 6, &out), 2);
  assert_string_equal(out.items[0].reply.text, "a\n\nb");
  assert_ptr_equal(out.items[1].reply.text, m.items[2].text);
  host_merged_free(&out);
  /* Bundled steps of three or four texts go out as one message. */
  finder *f = find("tt*");
  size_t n = f->found.count, total = 2 * (n - 1);
  for (size_t i = 0; i < n; i++)
    total += chars(f->text[i]);
  assert_int_equal(merge(&f->found, total, 1, &out), 1);
  assert_int_equal(chars(out.items[0].reply.text), total);
  assert_int_equal(merge(&f->found, total - 1, total, &out), 2);
  host_merged_free(&out);
  free(f);
}

static void an_over_limit_reply_is_left_alone(void **state) {
  (void)state;
  char big[64];
  memset(big, 'x', 40);
  big[40] = '\0';
  made m = {0};
  add(&m, big, 0, NULL);
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 30, 30, &out), 1);
  assert_ptr_equal(out.items[0].reply.text, big);
  assert_null(out.items[0].joined);
  add(&m, "ok", 0, NULL);
  add(&m, big, 1, NULL);
  assert_int_equal(merge(&m.list, 30, 30, &out), 3);
  host_merged_free(&out);
}

static void an_empty_text_joins_without_separator(void **state) {
  (void)state;
  made m = {0};
  add(&m, "", 0, NULL);
  add(&m, "abc", 1, NULL);
  add(&m, "", 0, NULL); /* after a choice: alone */
  add(&m, "de", 0, NULL);
  add(&m, "", 0, NULL);
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 2, 3, &out), 2);
  assert_string_equal(out.items[0].reply.text, "abc");
  assert_int_equal(out.items[0].reply.option_count, 3);
  assert_string_equal(out.items[1].reply.text, "de");
  host_merged_free(&out);
}

static void memory_runs_out_cleanly(void **state) {
  (void)state;
  made m = {0}, other = {0};
  add(&m, "one", 0, NULL);
  add(&m, "two", 0, NULL);
  add(&m, "three", 1, NULL);
  add(&other, "x", 0, NULL);
  add(&other, "y", 0, NULL);
  /* out is reused: the first call's joined text is freed by the second
   * (cmocka fails the test on a leak). */
  host_merged out = {0};
  assert_int_equal(merge(&m.list, 100, 100, &out), 1);
  assert_int_equal(merge(&other.list, 100, 100, &out), 1);
  assert_string_equal(out.items[0].reply.text, "x\n\ny");
  /* Every allocation fails in turn, from an empty out and a used one. */
  host_merge_limits l = {100, 100};
  size_t failures = 0;
  for (int used = 0; used < 2; used++) {
    for (long limit = 0;; limit++) {
      host_merged fresh = {0}, *o = used ? &out : &fresh;
      allocs_left = limit;
      int rc = host_replies_merge(&m.list, &l, o);
      allocs_left = -1;
      if (rc == 0) {
        assert_string_equal(o->items[0].reply.text, "one\n\ntwo\n\nthree");
        host_merged_free(&fresh);
        break;
      }
      assert_int_equal(rc, SAMVAD_ENOMEM);
      assert_int_equal(o->count, 0);
      assert_int_equal(merge(&other.list, 100, 100, o), 1); /* refill */
      host_merged_free(&fresh);
      failures++;
    }
  }
  /* From empty: the array, then each of the two joins; reused: the
   * joins. */
  assert_int_equal(failures, 5);
  host_merged_free(&out);
  assert_int_equal(host_replies_merge(&m.list, &l, NULL), SAMVAD_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(transcripts_merge_within_limits),
      cmocka_unit_test(two_texts_join_with_a_blank_line),
      cmocka_unit_test(text_joins_a_choice_within_choice_max),
      cmocka_unit_test(devanagari_is_counted_in_characters),
      cmocka_unit_test(documents_are_never_joined),
      cmocka_unit_test(a_choice_ends_a_run),
      cmocka_unit_test(short_texts_become_one),
      cmocka_unit_test(an_over_limit_reply_is_left_alone),
      cmocka_unit_test(an_empty_text_joins_without_separator),
      cmocka_unit_test(memory_runs_out_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
