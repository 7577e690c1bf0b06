/* wa_checks.h - for test_wa_render.c: a rendered reply checked against
 * every limit of the WhatsApp Cloud API and of Telegram's Bot API, field by
 * field, with lengths counted in characters by a counter of its own (not
 * the code under test's). */
#ifndef SAMVAD_TESTS_WA_CHECKS_H
#define SAMVAD_TESTS_WA_CHECKS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "samvad/samvad.h"
#include "telegram.h"
#include "transport.h"
#include "wa_render.h"

static host_serve_config cfg = {
    .wa_phone_number_id = "106540352242922",
    .wa_graph_url = "https://graph.example/",
    .wa_graph_version = "v21.0",
    .wa_template = "samvad_notice",
    .wa_template_lang = "hi",
    .tg_token = "123:SECRET",
    .tg_secret = "s3cret-token_1",
    .tg_api_url = "https://tg.example",
    .max_body_bytes = 1 << 20,
};

/* Characters (code points) of a UTF-8 string, counted independently of
 * the code under test. */
static size_t chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

static const char *str_at(yajl_val v, const char *a, const char *b,
                          const char *c) {
  const char *path[] = {a, b, c, NULL};
  yajl_val x = yajl_tree_get(v, path, yajl_t_string);
  return x ? x->u.string : NULL;
}

static yajl_val node_at(yajl_val v, const char *a, const char *b,
                        const char *c) {
  const char *path[] = {a, b, c, NULL};
  return yajl_tree_get(v, path, yajl_t_any);
}

static yajl_val parse(const host_buf *b) {
  char err[128];
  yajl_val v = yajl_tree_parse(b->data, err, sizeof err);
  if (!v)
    fail_msg("not JSON (%s): %s", err, b->data);
  return v;
}

/* What a check of one rendered reply saw, summed over a run. */
typedef struct seen {
  size_t replies, texts, buttons, lists, numbered, uploads, templates;
} seen;

static void check_title(const char *t, size_t max, const char *const *others,
                        size_t count) {
  assert_non_null(t);
  assert_true(chars(t) >= 1);
  assert_true(chars(t) <= max);
  for (size_t i = 0; i < count; i++)
    assert_string_not_equal(t, others[i]);
}

/* Checks an interactive message and that its ids are the reply's options,
 * in order. */
static void check_interactive(yajl_val i, const samvad_reply *r, seen *s) {
  const char *type = str_at(i, "type", NULL, NULL);
  const char *body = str_at(i, "body", "text", NULL);
  assert_non_null(body);
  assert_true(chars(body) >= 1 && chars(body) <= HOST_WA_BODY_MAX);
  const char *header = str_at(i, "header", "text", NULL);
  assert_true(!header || chars(header) <= HOST_WA_HEADER_MAX);
  const char *titles[HOST_WA_ROWS_MAX];
  yajl_val items;
  if (strcmp(type, "button") == 0) {
    s->buttons++;
    items = node_at(i, "action", "buttons", NULL);
    assert_true(YAJL_IS_ARRAY(items));
    assert_true(items->u.array.len >= 1 &&
                items->u.array.len <= HOST_WA_BUTTONS_MAX);
  } else {
    assert_string_equal(type, "list");
    s->lists++;
    const char *button = str_at(i, "action", "button", NULL);
    assert_true(button && chars(button) <= HOST_WA_LIST_BUTTON_MAX);
    yajl_val sections = node_at(i, "action", "sections", NULL);
    assert_int_equal(sections->u.array.len, 1);
    yajl_val sec = sections->u.array.values[0];
    const char *st = str_at(sec, "title", NULL, NULL);
    assert_true(!st || chars(st) <= HOST_WA_SECTION_TITLE_MAX);
    items = node_at(sec, "rows", NULL, NULL);
    assert_true(items->u.array.len >= 1 &&
                items->u.array.len <= HOST_WA_ROWS_MAX);
  }
  assert_int_equal(items->u.array.len, r->option_count);
  for (size_t k = 0; k < items->u.array.len; k++) {
    yajl_val it = items->u.array.values[k];
    const char *id, *title;
    if (strcmp(type, "button") == 0) {
      id = str_at(it, "reply", "id", NULL);
      title = str_at(it, "reply", "title", NULL);
      check_title(title, HOST_WA_BUTTON_TITLE_MAX, titles, k);
      assert_true(strlen(id) <= HOST_WA_BUTTON_ID_MAX);
    } else {
      id = str_at(it, "id", NULL, NULL);
      title = str_at(it, "title", NULL, NULL);
      check_title(title, HOST_WA_ROW_TITLE_MAX, titles, k);
      assert_true(strlen(id) <= HOST_WA_ROW_ID_MAX);
      const char *desc = str_at(it, "description", NULL, NULL);
      assert_true(!desc || chars(desc) <= HOST_WA_ROW_DESC_MAX);
    }
    titles[k] = title;
    assert_string_equal(id, r->options[k].id); /* routing by id survives */
  }
}

/* Renders r for WhatsApp and checks every request against Meta's limits. */
static void check_whatsapp(const samvad_reply *r, seen *s) {
  host_request_list out = {0};
  int shortened = -1;
  assert_int_equal(host_wa_render(&cfg, "919810000001", r, &out, &shortened),
                   0);
  assert_true(shortened == 0 || shortened == 1);
  s->replies++;
  int had_choice = 0;
  for (size_t i = 0; i < out.count; i++) {
    host_request *q = &out.items[i];
    yajl_val v = parse(&q->body);
    if (node_at(v, "upload", NULL, NULL)) {
      s->uploads++;
      assert_non_null(strstr(q->url, "/106540352242922/media"));
      yajl_tree_free(v);
      continue;
    }
    assert_string_equal(q->url,
                        "https://graph.example/v21.0/106540352242922/messages");
    assert_string_equal(str_at(v, "to", NULL, NULL), "+919810000001");
    assert_string_equal(str_at(v, "messaging_product", NULL, NULL),
                        "whatsapp");
    const char *type = str_at(v, "type", NULL, NULL);
    if (strcmp(type, "text") == 0) {
      const char *body = str_at(v, "text", "body", NULL);
      assert_true(chars(body) >= 1 && chars(body) <= HOST_WA_TEXT_MAX);
      s->texts++;
      if (r->option_count > HOST_WA_ROWS_MAX && strstr(body, "\n1. ")) {
        s->numbered++;
        had_choice = 1;
      }
    } else {
      assert_string_equal(type, "interactive");
      assert_int_equal(i, out.count - 1 - (r->document != NULL));
      check_interactive(node_at(v, "interactive", NULL, NULL), r, s);
      had_choice = 1;
    }
    yajl_tree_free(v);
  }
  assert_true(had_choice == (r->option_count > 0));
  host_request_list_free(&out);
}

/* Renders r for Telegram: text within the limit, callback_data in bytes. */
static void check_telegram(const samvad_reply *r) {
  host_request_list out = {0};
  int shortened = 0;
  assert_int_equal(host_transport_telegram.render(&cfg, "1111", r, &out,
                                                  &shortened), 0);
  for (size_t i = 0; i < out.count; i++) {
    yajl_val v = parse(&out.items[i].body);
    assert_null(strstr(out.items[i].url, "SECRET")); /* no token stored */
    const char *text = str_at(v, "text", NULL, NULL);
    assert_true(!text || chars(text) <= HOST_TG_TEXT_MAX);
    yajl_val kb = node_at(v, "reply_markup", "inline_keyboard", NULL);
    for (size_t k = 0; kb && k < kb->u.array.len; k++) {
      yajl_val b = kb->u.array.values[k]->u.array.values[0];
      const char *data = str_at(b, "callback_data", NULL, NULL);
      assert_true(strlen(data) >= 1 &&
                  strlen(data) <= HOST_TG_CALLBACK_MAX);
      assert_string_equal(data, r->options[k].id);
    }
    yajl_tree_free(v);
  }
  host_request_list_free(&out);
}

#endif
