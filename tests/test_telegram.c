/* test_telegram.c - the Telegram transport through its table: the
 * webhook's secret token compared exactly, updates (text, taps, media,
 * other kinds, groups, malformed or too deep JSON) turned into events,
 * replies as sendMessage with an inline keyboard (numbered text when an
 * option id cannot be callback_data), the token never in a request, and
 * the Bot API's answers read back (429 with retry_after). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "samvad/samvad.h"
#include "telegram.h"
#include "transport.h"

static host_serve_config cfg = {
    .tg_token = "123:SECRET",
    .tg_secret = "s3cret-token_1",
    .tg_api_url = "https://tg.example",
    .max_body_bytes = 1 << 20,
};

static const char *headers(void *h, const char *name) {
  return strcmp(name, "X-Telegram-Bot-Api-Secret-Token") == 0 ? h : NULL;
}

static int collect(void *arg, const host_inbound *e) {
  host_inbound *out = arg;
  *out = *e;
  /* Strings live until the sink returns: keep copies of what is checked. */
  static char user[64], option[64], text[64], callback[64];
  snprintf(user, sizeof user, "%s", e->user);
  out->user = user;
  out->callback = e->callback ? strcpy(callback, e->callback) : NULL;
  out->msg.option_id = e->msg.option_id ? strcpy(option, e->msg.option_id) : NULL;
  if (e->msg.text) {
    snprintf(text, sizeof text, "%.*s", (int)e->msg.text_len, e->msg.text);
    out->msg.text = text;
  }
  return 0;
}

static int tg_parse(const char *json, host_inbound *e) {
  memset(e, 0, sizeof *e);
  e->kind = (host_inbound_kind)-1;
  return host_transport_telegram.parse(&cfg, (const unsigned char *)json,
                                       strlen(json), collect, e);
}

static void telegram_webhook(void **state) {
  (void)state;
  const host_transport *t = &host_transport_telegram;
  assert_true(t->enabled(&cfg));
  const unsigned char *b = (const unsigned char *)"{}";
  assert_int_equal(t->authenticate(&cfg, headers, "s3cret-token_1", b, 2), 0);
  assert_int_equal(t->authenticate(&cfg, headers, "s3cret-token_2", b, 2), 401);
  assert_int_equal(t->authenticate(&cfg, headers, "s3cret", b, 2), 401);
  assert_int_equal(t->authenticate(&cfg, headers, NULL, b, 2), 401);
  host_inbound e;
  assert_int_equal(tg_parse("{\"update_id\":10001,\"message\":{\"message_id\":7,"
                            "\"from\":{\"id\":1111},\"chat\":{\"id\":1111,"
                            "\"type\":\"private\"},\"date\":1714510003,"
                            "\"text\":\"नमस्ते\"}}", &e), 0);
  assert_int_equal(e.kind, HOST_IN_MESSAGE);
  assert_string_equal(e.user, "1111");
  assert_int_equal(e.time, 1714510003);
  assert_int_equal(e.msg.kind, SAMVAD_MSG_TEXT);
  assert_string_equal(e.msg.text, "नमस्ते");
  assert_int_equal(tg_parse("{\"update_id\":10002,\"callback_query\":{\"id\":"
                            "\"4382bf\",\"from\":{\"id\":1111},\"message\":{"
                            "\"message_id\":77,\"chat\":{\"id\":1111,\"type\":"
                            "\"private\"},\"date\":1714510003,\"text\":\"x\"},"
                            "\"data\":\"hma\"}}", &e), 0);
  assert_int_equal(e.msg.kind, SAMVAD_MSG_OPTION);
  assert_string_equal(e.msg.option_id, "hma");
  assert_string_equal(e.callback, "4382bf");
  /* A sticker: a polite answer; a group: left alone; not JSON: 400. */
  assert_int_equal(tg_parse("{\"update_id\":3,\"message\":{\"chat\":{\"id\":5,"
                            "\"type\":\"private\"},\"sticker\":{}}}", &e), 0);
  assert_int_equal(e.kind, HOST_IN_UNSUPPORTED);
  assert_int_equal(tg_parse("{\"update_id\":4,\"message\":{\"chat\":{\"id\":-5,"
                            "\"type\":\"group\"},\"text\":\"hi\"}}", &e), 0);
  assert_int_equal((int)e.kind, -1);
  assert_int_equal(tg_parse("{\"update_id\":", &e), 400);
  assert_int_equal(tg_parse("[1]", &e), 400);
  char deep[4096];
  memset(deep, '[', sizeof deep - 1);
  deep[sizeof deep - 1] = '\0';
  assert_int_equal(tg_parse(deep, &e), 400);
}

static void telegram_rendering(void **state) {
  (void)state;
  samvad_option options[] = {{"opt-1", "Express"}, {"opt-2", "Standard"}};
  samvad_reply r;
  memset(&r, 0, sizeof r);
  r.text = "Pick one";
  r.options = options;
  r.option_count = 2;
  host_request_list out = {0};
  int sh = 0;
  assert_int_equal(host_transport_telegram.render(&cfg, "1111", &r, &out,
                                                  &sh), 0);
  assert_int_equal(out.count, 1);
  assert_string_equal(out.items[0].url, "https://tg.example/bot{token}/sendMessage");
  assert_string_equal(out.items[0].body.data,
                      "{\"chat_id\":\"1111\",\"text\":\"Pick one\","
                      "\"reply_markup\":{\"inline_keyboard\":[[{\"text\":"
                      "\"Express\",\"callback_data\":\"opt-1\"}],[{\"text\":"
                      "\"Standard\",\"callback_data\":\"opt-2\"}]]}}");
  host_request_list_free(&out);
  /* An id too long for callback_data: numbered text instead. */
  char long_id[80];
  memset(long_id, 'x', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  options[1].id = long_id;
  assert_int_equal(host_transport_telegram.render(&cfg, "1111", &r, &out,
                                                  &sh), 0);
  assert_null(strstr(out.items[0].body.data, "inline_keyboard"));
  assert_non_null(strstr(out.items[0].body.data, "\\n2. Standard"));
  host_request_list_free(&out);
  assert_int_equal(host_tg_answer_callback(&cfg, "4382bf", &out), 0);
  assert_string_equal(out.items[0].url,
                      "https://tg.example/bot{token}/answerCallbackQuery");
  host_request_list_free(&out);
  char id[256], err[256];
  int after = 0;
  const host_transport *t = &host_transport_telegram;
  const char *ok = "{\"ok\":true,\"result\":{\"message_id\":77}}";
  assert_int_equal(t->outcome(200, ok, strlen(ok), id, 256, &after, err, 256), 0);
  assert_string_equal(id, "77");
  const char *slow = "{\"ok\":false,\"error_code\":429,\"description\":"
                     "\"Too Many Requests\",\"parameters\":{\"retry_after\":5}}";
  assert_int_equal(t->outcome(429, slow, strlen(slow), id, 256, &after, err, 256), 1);
  assert_int_equal(after, 5);
  const char *bad = "{\"ok\":false,\"error_code\":400,\"description\":"
                    "\"Bad Request: chat not found\"}";
  assert_int_equal(t->outcome(400, bad, strlen(bad), id, 256, &after, err, 256), 2);
  assert_non_null(strstr(err, "chat not found"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(telegram_webhook),
      cmocka_unit_test(telegram_rendering),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
