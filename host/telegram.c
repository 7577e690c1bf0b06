/* telegram.c - the Telegram Bot API as a samvad transport: the webhook at
 * /telegram proves itself with the secret token header (there is no
 * HMAC), updates become messages (text, photos and documents, taps on
 * inline buttons), replies become sendMessage with an inline keyboard, and
 * the API's answers are read back. The token lives only in the config:
 * requests carry a placeholder (telegram.h). */
#include "telegram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json_tree.h"
#include "transport_util.h"

#define TG_SECRET_HEADER "X-Telegram-Bot-Api-Secret-Token"
#define TG_DEPTH_MAX 32
#define TG_ANSWER_MAX (256 * 1024)
/* Telegram counts UTF-16 units: room for characters outside the BMP. */
#define TG_TEXT_CHUNK (HOST_TG_TEXT_MAX - 96)

static int tg_enabled(const host_serve_config *cfg) {
  return cfg->tg_token && cfg->tg_token[0] && cfg->tg_secret &&
         cfg->tg_secret[0];
}

static int tg_authenticate(const host_serve_config *cfg,
                           const char *(*header)(void *h, const char *name),
                           void *h, const unsigned char *body, size_t len) {
  (void)body, (void)len;
  const char *given = header(h, TG_SECRET_HEADER);
  const char *secret = cfg->tg_secret;
  if (!given || !secret || !secret[0])
    return 401;
  size_t n = strlen(secret);
  /* The length is no secret (1-256 characters); the bytes are compared
   * in constant time. */
  if (strlen(given) != n || sodium_memcmp(given, secret, n) != 0)
    return 401;
  return 0;
}

/* ---- Updates ----------------------------------------------------------------- */

static const char *get(yajl_val v, const char *a, const char *b,
                       const char *c) {
  const char *path[] = {a, b, c, NULL};
  return host_json_get(v, path);
}

static yajl_val node(yajl_val v, const char *key) {
  const char *path[] = {key, NULL};
  return yajl_tree_get(v, path, yajl_t_any);
}

/* A message's content: text, the largest photo, a document; anything else
 * (stickers, voice, locations) is unsupported. */
static void read_message(yajl_val m, host_inbound *e) {
  const char *text = get(m, "text", NULL, NULL);
  yajl_val photo = node(m, "photo");
  yajl_val doc = node(m, "document");
  if (text) {
    e->msg.kind = SAMVAD_MSG_TEXT;
    e->msg.text = text;
    e->msg.text_len = strlen(text);
  } else if (YAJL_IS_ARRAY(photo) && photo->u.array.len > 0) {
    /* Sizes come smallest first. */
    yajl_val best = photo->u.array.values[photo->u.array.len - 1];
    e->msg.kind = SAMVAD_MSG_MEDIA;
    e->msg.media_id = get(best, "file_id", NULL, NULL);
    e->msg.media_mime = "image/jpeg";
  } else if (YAJL_IS_OBJECT(doc)) {
    e->msg.kind = SAMVAD_MSG_MEDIA;
    e->msg.media_id = get(doc, "file_id", NULL, NULL);
    e->msg.media_mime = get(doc, "mime_type", NULL, NULL);
  }
  if (e->msg.kind == SAMVAD_MSG_MEDIA) {
    e->msg.media_caption = get(m, "caption", NULL, NULL);
    if (!e->msg.media_id)
      e->kind = HOST_IN_UNSUPPORTED;
  } else if (!text) {
    e->kind = HOST_IN_UNSUPPORTED;
  }
}

static int tg_parse(const host_serve_config *cfg, const unsigned char *body,
                    size_t len, host_inbound_sink sink, void *arg) {
  size_t max = cfg->max_body_bytes ? cfg->max_body_bytes : (4u << 20);
  yajl_val u = host_json_parse(body, len, max, TG_DEPTH_MAX);
  const char *update_id = get(u, "update_id", NULL, NULL);
  if (!YAJL_IS_OBJECT(u) || !update_id) {
    host_json_tree_free(u);
    return 400;
  }
  host_inbound e;
  memset(&e, 0, sizeof e);
  e.kind = HOST_IN_MESSAGE;
  e.id = update_id;
  e.msg.id = update_id;
  yajl_val m = node(u, "message");
  yajl_val q = node(u, "callback_query");
  yajl_val chat = NULL;
  if (YAJL_IS_OBJECT(m)) {
    chat = node(m, "chat");
    read_message(m, &e);
    const char *date = get(m, "date", NULL, NULL);
    e.time = date ? strtoll(date, NULL, 10) : 0;
  } else if (YAJL_IS_OBJECT(q)) {
    chat = node(node(q, "message"), "chat");
    e.callback = get(q, "id", NULL, NULL);
    e.msg.kind = SAMVAD_MSG_OPTION;
    e.msg.option_id = get(q, "data", NULL, NULL);
    if (!e.msg.option_id) /* a game's button: nothing samvad offered */
      e.kind = HOST_IN_UNSUPPORTED;
  }
  const char *type = get(chat, "type", NULL, NULL);
  e.user = get(chat, "id", NULL, NULL);
  int rc = 0;
  /* Edited messages, channel posts, group chats and the like are no
   * conversation with samvad: acknowledged and left alone. */
  if (chat && e.user && type && strcmp(type, "private") == 0 &&
      strlen(e.user) <= SAMVAD_MAX_USER_ID_BYTES)
    rc = sink(arg, &e) ? 500 : 0;
  host_json_tree_free(u);
  return rc;
}

/* ---- Requests ------------------------------------------------------------------ */

/* {api}/bot{token}/method, with the token's placeholder. */
static host_request *tg_request(const host_serve_config *cfg,
                                const char *method, host_request_list *out) {
  const char *api = cfg->tg_api_url && cfg->tg_api_url[0] ? cfg->tg_api_url
                                                           : HOST_TG_DEFAULT_API;
  size_t n = strlen(api);
  while (n > 0 && api[n - 1] == '/')
    n--;
  char url[sizeof out->items[0].url];
  int len = snprintf(url, sizeof url, "%.*s/bot" HOST_TG_TOKEN_MARK "/%s",
                     (int)n, api, method);
  if (len < 0 || (size_t)len >= sizeof url)
    return NULL;
  return host_request_add(out, url);
}

/* sendMessage of text[0..len), with the options as an inline keyboard
 * (one button a row) when options is not NULL. */
static int send_message(const host_serve_config *cfg, const char *user,
                        const char *text, size_t len,
                        const samvad_reply *options, host_request_list *out) {
  host_jw j;
  host_jw_init(&j);
  host_jw_open(&j, NULL);
  host_jw_kv(&j, "chat_id", user);
  host_jw_s(&j, "text");
  host_jw_str(&j, text, len);
  if (options) {
    host_jw_open(&j, "reply_markup");
    host_jw_array(&j, "inline_keyboard");
    for (size_t i = 0; i < options->option_count; i++) {
      const samvad_option *o = &options->options[i];
      host_jw_array(&j, NULL);
      host_jw_open(&j, NULL);
      host_jw_kv(&j, "text", o->title && o->title[0] ? o->title : o->id);
      host_jw_kv(&j, "callback_data", o->id);
      host_jw_close(&j);
      host_jw_array_end(&j);
    }
    host_jw_array_end(&j);
    host_jw_close(&j);
  }
  host_jw_close(&j);
  host_request *r = j.err ? NULL : tg_request(cfg, "sendMessage", out);
  return host_jw_finish(&j, r ? &r->body : NULL);
}

/* Whether every option can be a button: callback_data is 1-64 bytes. */
static int keyboard_fits(const samvad_reply *reply) {
  if (reply->option_count > HOST_TG_KEYBOARD_MAX)
    return 0;
  for (size_t i = 0; i < reply->option_count; i++) {
    const char *id = reply->options[i].id;
    if (!id || !id[0] || strlen(id) > HOST_TG_CALLBACK_MAX) {
      fprintf(stderr, "samvad serve: telegram: an option id of %zu bytes "
                      "cannot be callback_data (64 at most); the options "
                      "are sent as numbered text\n", id ? strlen(id) : 0);
      return 0;
    }
  }
  return 1;
}

static int texts(const host_serve_config *cfg, const char *user,
                 const char *text, size_t len, const samvad_reply *keyboard,
                 host_request_list *out) {
  size_t at = 0;
  while (at < len) {
    size_t next = 0;
    size_t n = host_text_chunk(text + at, len - at, TG_TEXT_CHUNK, &next);
    size_t start = at;
    at += next > 0 ? next : len - at;
    /* The keyboard goes with the last piece, the question. */
    if (n > 0 && send_message(cfg, user, text + start, n,
                              at >= len ? keyboard : NULL, out))
      return -1;
  }
  return 0;
}

static int photo(const host_serve_config *cfg, const char *user,
                 const samvad_document *doc, host_request_list *out) {
  char name[128];
  snprintf(name, sizeof name, "%s.png", doc->number);
  host_jw j;
  host_jw_init(&j);
  host_jw_open(&j, NULL);
  host_jw_open(&j, "upload");
  host_jw_kv(&j, "qr", doc->qr);
  host_jw_kv(&j, "name", name);
  host_jw_kv(&j, "field", "photo");
  host_jw_open(&j, "form");
  host_jw_kv(&j, "chat_id", user);
  host_jw_kv(&j, "caption", doc->number);
  host_jw_close(&j);
  host_jw_close(&j);
  host_jw_close(&j);
  host_request *r = j.err ? NULL : tg_request(cfg, "sendPhoto", out);
  return host_jw_finish(&j, r ? &r->body : NULL);
}

static int tg_render(const host_serve_config *cfg, const char *user,
                     const samvad_reply *reply, host_request_list *out,
                     int *shortened) {
  if (shortened)
    *shortened = 0;
  host_buf text = {0};
  const samvad_reply *keyboard = NULL;
  int err = host_buf_puts(&text, reply->text);
  if (reply->option_count > 0 && keyboard_fits(reply)) {
    keyboard = reply;
    if (!err && text.len == 0)
      err = host_buf_puts(&text, reply->lang == SAMVAD_LANG_HI
                                     ? "कृपया चुनें:" : "Please choose:");
  } else {
    for (size_t i = 0; !err && i < reply->option_count; i++) {
      char num[32];
      snprintf(num, sizeof num, "%s%zu. ", text.len ? "\n" : "", i + 1);
      const char *t = reply->options[i].title;
      err = host_buf_puts(&text, num) || host_buf_puts(&text, t ? t : "");
    }
  }
  if (!err && text.len > 0)
    err = texts(cfg, user, text.data, text.len, keyboard, out);
  if (!err && reply->document)
    err = photo(cfg, user, reply->document, out);
  host_buf_free(&text);
  return err ? -1 : 0;
}

int host_tg_answer_callback(const host_serve_config *cfg,
                            const char *callback_id, host_request_list *out) {
  host_jw j;
  host_jw_init(&j);
  host_jw_open(&j, NULL);
  host_jw_kv(&j, "callback_query_id", callback_id);
  host_jw_close(&j);
  host_request *r = j.err ? NULL : tg_request(cfg, "answerCallbackQuery", out);
  return host_jw_finish(&j, r ? &r->body : NULL);
}

/* ---- Answers --------------------------------------------------------------------- */

static int tg_outcome(long http_status, const char *body, size_t len,
                      char *sent_id, size_t cap, int *retry_after, char *error,
                      size_t error_cap) {
  host_outcome_clear(sent_id, cap, retry_after, error, error_cap);
  yajl_val v = host_json_parse(body, len, TG_ANSWER_MAX, TG_DEPTH_MAX);
  int ok = YAJL_IS_TRUE(node(v, "ok"));
  if (http_status >= 200 && http_status < 300 && ok) {
    const char *id = get(v, "result", "message_id", NULL);
    snprintf(sent_id, cap, "%s", id ? id : "");
    host_json_tree_free(v);
    return 0;
  }
  const char *after = get(v, "parameters", "retry_after", NULL);
  const char *description = get(v, "description", NULL, NULL);
  if (after)
    *retry_after = atoi(after);
  snprintf(error, error_cap, "HTTP %ld: %s", http_status,
           description ? description : "no description");
  host_json_tree_free(v);
  /* 401: a wrong or revoked token, mended by a restart with the right
   * one; the messages wait for it. */
  if (http_status == 0 || http_status == 401 || http_status == 429 ||
      http_status >= 500 || after)
    return 1;
  return 2;
}

const host_transport host_transport_telegram = {
    .name = "telegram",
    .path = "/telegram",
    .merge = {HOST_TG_TEXT_MAX, HOST_TG_TEXT_MAX},
    .enabled = tg_enabled,
    .handshake = NULL,
    .authenticate = tg_authenticate,
    .parse = tg_parse,
    .render = tg_render,
    .render_template = NULL,
    .outcome = tg_outcome,
};
