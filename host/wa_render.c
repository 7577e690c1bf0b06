/* wa_render.c - samvad's replies as WhatsApp Cloud API messages within
 * every limit Meta sets (one over-long field rejects the whole message,
 * error 131009), the template for notices outside the 24-hour window, and
 * the Graph API's answers read back. Layout and limits: wa_render.h. */
#include "wa_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_util.h"

#define WA_DEFAULT_GRAPH "https://graph.facebook.com"
#define WA_DEFAULT_VERSION "v21.0"

/* ---- Messages ------------------------------------------------------------------ */

/* Starts a message to user of type: the fields every message has. */
static int j_begin(host_jw *j, const char *user, const char *type) {
  host_jw_init(j);
  char to[SAMVAD_MAX_USER_ID_BYTES + 2];
  /* "+" and the country code, so Meta never prepends its own. */
  snprintf(to, sizeof to, "%s%s", user[0] == '+' ? "" : "+", user);
  host_jw_open(j, NULL);
  host_jw_kv(j, "messaging_product", "whatsapp");
  host_jw_kv(j, "recipient_type", "individual");
  host_jw_kv(j, "to", to);
  host_jw_kv(j, "type", type);
  return j->err ? -1 : 0;
}

/* Closes the message and moves it into dest. */
static int j_end(host_jw *j, host_buf *dest) {
  host_jw_close(j);
  return host_jw_finish(j, dest);
}

/* ---- Requests ---------------------------------------------------------------- */

/* {graph}/{version}/{phone number id}/{what}. */
static int wa_url(const host_serve_config *cfg, const char *what, char *url,
                  size_t cap) {
  const char *graph = cfg->wa_graph_url && *cfg->wa_graph_url
                          ? cfg->wa_graph_url : WA_DEFAULT_GRAPH;
  const char *version = cfg->wa_graph_version && *cfg->wa_graph_version
                            ? cfg->wa_graph_version : WA_DEFAULT_VERSION;
  size_t glen = strlen(graph);
  while (glen > 0 && graph[glen - 1] == '/')
    glen--;
  int n = snprintf(url, cap, "%.*s/%s/%s/%s", (int)glen, graph, version,
                   cfg->wa_phone_number_id ? cfg->wa_phone_number_id : "",
                   what);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* A new request to the messages endpoint; its body is written by j_end. */
static host_buf *new_message(const host_serve_config *cfg,
                             host_request_list *out) {
  char url[sizeof out->items[0].url];
  if (wa_url(cfg, "messages", url, sizeof url))
    return NULL;
  host_request *r = host_request_add(out, url);
  return r ? &r->body : NULL;
}

static int text_message(const host_serve_config *cfg, const char *user,
                        const char *text, size_t len, host_request_list *out) {
  host_jw j;
  j_begin(&j, user, "text");
  host_jw_open(&j, "text");
  host_jw_bool(&j, "preview_url", 0);
  host_jw_s(&j, "body");
  host_jw_str(&j, text, len);
  host_jw_close(&j);
  host_buf *body = new_message(cfg, out);
  if (!body)
    j.err = 1;
  return j_end(&j, body);
}

/* The whole text as text messages of at most 4096 characters each. */
static int text_messages(const host_serve_config *cfg, const char *user,
                         const char *text, size_t len,
                         host_request_list *out) {
  size_t at = 0;
  while (at < len) {
    size_t next = 0;
    size_t n = host_text_chunk(text + at, len - at, HOST_WA_TEXT_MAX, &next);
    if (n > 0 && text_message(cfg, user, text + at, n, out))
      return -1;
    at += next > 0 ? next : len - at;
  }
  return 0;
}

/* ---- Choices ------------------------------------------------------------------ */

typedef enum { CHOICE_BUTTONS, CHOICE_LIST, CHOICE_NUMBERED } choice_style;

static choice_style choose_style(const samvad_reply *reply) {
  size_t n = reply->option_count;
  int titles_fit = 1, ids_fit_buttons = 1, ids_fit_rows = 1;
  for (size_t i = 0; i < n; i++) {
    const samvad_option *o = &reply->options[i];
    size_t id_len = o->id ? strlen(o->id) : 0;
    /* Bytes, not characters: never more characters than bytes. */
    if (id_len == 0 || id_len > HOST_WA_BUTTON_ID_MAX)
      ids_fit_buttons = 0;
    if (id_len == 0 || id_len > HOST_WA_ROW_ID_MAX)
      ids_fit_rows = 0;
    const char *t = o->title ? o->title : "";
    if (host_text_chars(t, strlen(t)) > HOST_WA_BUTTON_TITLE_MAX)
      titles_fit = 0;
  }
  if (n <= HOST_WA_BUTTONS_MAX && titles_fit && ids_fit_buttons)
    return CHOICE_BUTTONS;
  if (n <= HOST_WA_ROWS_MAX && ids_fit_rows)
    return CHOICE_LIST;
  return CHOICE_NUMBERED;
}

/* The option titles, each within max characters and all different (Meta
 * refuses repeated titles): titles[i] gets option i's; *cut[i] tells that
 * it was shortened. */
static int make_titles(const samvad_reply *reply, size_t max,
                       host_buf *titles, int *cut) {
  size_t n = reply->option_count;
  for (size_t i = 0; i < n; i++) {
    const char *t = reply->options[i].title;
    if (!t || !t[0]) /* Meta refuses an empty title */
      t = reply->options[i].id;
    int rc = host_text_shorten(t, strlen(t), max, &titles[i]);
    if (rc < 0)
      return -1;
    cut[i] = rc;
    for (unsigned suffix = (unsigned)i + 1, again = 1; again;) {
      again = 0;
      for (size_t k = 0; k < i; k++)
        if (strcmp(titles[k].data, titles[i].data) == 0)
          again = 1;
      if (!again)
        break;
      /* "Title… (3)": the option's number keeps it apart. */
      char tag[16];
      int tag_len = snprintf(tag, sizeof tag, " (%u)", suffix++);
      host_buf_reset(&titles[i]);
      if (host_text_shorten(t, strlen(t), max - (size_t)tag_len,
                            &titles[i]) < 0 ||
          host_buf_puts(&titles[i], tag))
        return -1;
      cut[i] = 1;
    }
  }
  return 0;
}

static const char *choose_label(samvad_lang lang) {
  return lang == SAMVAD_LANG_HI ? "विकल्प चुनें" : "Choose";
}

/* An interactive message: body (within 1024) and the options as reply
 * buttons or list rows. */
static int interactive(const host_serve_config *cfg, const char *user,
                       const samvad_reply *reply, choice_style style,
                       const char *body, size_t body_len,
                       host_request_list *out, int *shortened) {
  size_t n = reply->option_count;
  host_buf titles[HOST_WA_ROWS_MAX] = {{0}};
  int cut[HOST_WA_ROWS_MAX] = {0};
  size_t max = style == CHOICE_BUTTONS ? HOST_WA_BUTTON_TITLE_MAX
                                       : HOST_WA_ROW_TITLE_MAX;
  host_jw j = {NULL, 1}; /* written only once the titles are made */
  int err = make_titles(reply, max, titles, cut);
  if (!err)
    err = j_begin(&j, user, "interactive");
  host_jw_open(&j, "interactive");
  host_jw_kv(&j, "type", style == CHOICE_BUTTONS ? "button" : "list");
  host_jw_open(&j, "body");
  host_jw_s(&j, "text");
  host_jw_str(&j, body, body_len);
  host_jw_close(&j);
  host_jw_open(&j, "action");
  if (style == CHOICE_BUTTONS) {
    host_jw_array(&j, "buttons");
    for (size_t i = 0; !err && i < n; i++) {
      host_jw_open(&j, NULL);
      host_jw_kv(&j, "type", "reply");
      host_jw_open(&j, "reply");
      host_jw_kv(&j, "id", reply->options[i].id);
      host_jw_kv(&j, "title", titles[i].data);
      host_jw_close(&j);
      host_jw_close(&j);
    }
    host_jw_array_end(&j);
  } else {
    host_jw_kv(&j, "button", choose_label(reply->lang));
    host_jw_array(&j, "sections");
    host_jw_open(&j, NULL);
    host_jw_kv(&j, "title", reply->lang == SAMVAD_LANG_HI ? "विकल्प" : "Options");
    host_jw_array(&j, "rows");
    for (size_t i = 0; !err && i < n; i++) {
      host_jw_open(&j, NULL);
      host_jw_kv(&j, "id", reply->options[i].id);
      host_jw_kv(&j, "title", titles[i].data);
      if (cut[i]) { /* the whole title, as far as it goes, below the cut */
        host_buf desc = {0};
        const char *t = reply->options[i].title;
        if (!t || !t[0])
          t = reply->options[i].id;
        if (host_text_shorten(t, strlen(t), HOST_WA_ROW_DESC_MAX, &desc) < 0)
          err = -1;
        else
          host_jw_kv(&j, "description", desc.data);
        host_buf_free(&desc);
      }
      host_jw_close(&j);
    }
    host_jw_array_end(&j);
    host_jw_close(&j);
    host_jw_array_end(&j);
  }
  host_jw_close(&j); /* action */
  host_jw_close(&j); /* interactive */
  for (size_t i = 0; i < n; i++) {
    if (cut[i])
      *shortened = 1;
    host_buf_free(&titles[i]);
  }
  host_buf *dest = err ? NULL : new_message(cfg, out);
  if (!dest)
    j.err = 1;
  return j_end(&j, dest) || err ? -1 : 0;
}

/* More options than a list holds: the text and "1. title" lines, as the
 * terminal shows them; the engine takes a typed number as the option. */
static int numbered(const host_serve_config *cfg, const char *user,
                    const samvad_reply *reply, host_request_list *out) {
  host_buf text = {0};
  int err = host_buf_puts(&text, reply->text);
  for (size_t i = 0; !err && i < reply->option_count; i++) {
    char num[32];
    snprintf(num, sizeof num, "%s%zu. ", text.len ? "\n" : "", i + 1);
    const char *t = reply->options[i].title;
    err = host_buf_puts(&text, num) || host_buf_puts(&text, t ? t : "");
  }
  if (!err)
    err = text_messages(cfg, user, text.data, text.len, out);
  host_buf_free(&text);
  return err ? -1 : 0;
}

static int choice(const host_serve_config *cfg, const char *user,
                  const samvad_reply *reply, host_request_list *out,
                  int *shortened) {
  choice_style style = choose_style(reply);
  if (style == CHOICE_NUMBERED)
    return numbered(cfg, user, reply, out);
  const char *text = reply->text;
  size_t len = strlen(text);
  /* A text longer than an interactive body goes first as text messages;
   * its last part (the question) stays with the options. */
  size_t tail = host_text_tail(text, len, HOST_WA_BODY_MAX);
  size_t head = tail;
  while (head > 0 && (text[head - 1] == ' ' || text[head - 1] == '\n'))
    head--;
  if (head > 0 && text_messages(cfg, user, text, head, out))
    return -1;
  const char *body = text + tail;
  size_t body_len = len - tail;
  if (body_len == 0) { /* Meta requires a body */
    body = reply->lang == SAMVAD_LANG_HI ? "कृपया चुनें:" : "Please choose:";
    body_len = strlen(body);
  }
  return interactive(cfg, user, reply, style, body, body_len, out, shortened);
}

/* ---- Certificates -------------------------------------------------------------- */

/* The upload-then-send instruction for the sender (see wa_render.h). */
static int document(const host_serve_config *cfg, const char *user,
                    const samvad_document *doc, host_request_list *out) {
  char media_url[sizeof out->items[0].url], then_url[sizeof media_url];
  if (wa_url(cfg, "media", media_url, sizeof media_url) ||
      wa_url(cfg, "messages", then_url, sizeof then_url))
    return -1;
  host_buf then = {0};
  host_jw j;
  int err = j_begin(&j, user, "image");
  host_jw_open(&j, "image");
  host_jw_kv(&j, "id", "{media}");
  host_jw_kv(&j, "caption", doc->number);
  host_jw_close(&j);
  err = j_end(&j, &then) || err;

  char name[128];
  snprintf(name, sizeof name, "%s.png", doc->number);
  host_jw_init(&j);
  j.err |= err;
  host_jw_open(&j, NULL);
  host_jw_open(&j, "upload");
  host_jw_kv(&j, "qr", doc->qr);
  host_jw_kv(&j, "name", name);
  host_jw_kv(&j, "field", "file");
  host_jw_open(&j, "form");
  host_jw_kv(&j, "messaging_product", "whatsapp");
  host_jw_kv(&j, "type", "image/png");
  host_jw_close(&j);
  host_jw_close(&j);
  host_jw_kv(&j, "then_url", then_url);
  host_jw_s(&j, "then");
  host_jw_str(&j, then.data ? then.data : "", then.len);
  host_request *r = j.err ? NULL : host_request_add(out, media_url);
  if (!r)
    j.err = 1;
  err = j_end(&j, r ? &r->body : NULL);
  host_buf_free(&then);
  return err;
}

int host_wa_render(const host_serve_config *cfg, const char *user,
                   const samvad_reply *reply, host_request_list *out,
                   int *shortened) {
  int cut = 0;
  int err = 0;
  if (reply->option_count > 0)
    err = choice(cfg, user, reply, out, &cut);
  else if (reply->text && reply->text[0])
    err = text_messages(cfg, user, reply->text, strlen(reply->text), out);
  if (!err && reply->document)
    err = document(cfg, user, reply->document, out);
  if (shortened)
    *shortened = cut;
  return err ? -1 : 0;
}

/* ---- Template ------------------------------------------------------------------ */

int host_wa_render_template(const host_serve_config *cfg, const char *user,
                            const samvad_reply *reply,
                            host_request_list *out) {
  if (!cfg->wa_template || !cfg->wa_template[0])
    return -1;
  /* Meta refuses a parameter with newlines, tabs or more than four spaces
   * in a row: the notice goes on one line. */
  host_buf line = {0}, param = {0};
  int err = 0;
  for (const char *p = reply->text; !err && *p; p++) {
    char c = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
    if (c == ' ' && (line.len == 0 || line.data[line.len - 1] == ' '))
      continue;
    err = host_buf_append(&line, &c, 1);
  }
  while (!err && line.len > 0 && line.data[line.len - 1] == ' ')
    line.data[--line.len] = '\0';
  if (!err)
    err = host_text_shorten(line.len ? line.data : "-", line.len ? line.len : 1,
                            HOST_WA_TEMPLATE_PARAM_MAX, &param) < 0;
  host_jw j = {NULL, 1};
  if (!err)
    err = j_begin(&j, user, "template");
  host_jw_open(&j, "template");
  host_jw_kv(&j, "name", cfg->wa_template);
  host_jw_open(&j, "language");
  host_jw_kv(&j, "code", cfg->wa_template_lang && cfg->wa_template_lang[0]
                       ? cfg->wa_template_lang : "en");
  host_jw_close(&j);
  host_jw_array(&j, "components");
  host_jw_open(&j, NULL);
  host_jw_kv(&j, "type", "body");
  host_jw_array(&j, "parameters");
  host_jw_open(&j, NULL);
  host_jw_kv(&j, "type", "text");
  host_jw_kv(&j, "text", param.data ? param.data : "-");
  host_jw_close(&j);
  host_jw_array_end(&j);
  host_jw_close(&j);
  host_jw_array_end(&j);
  host_jw_close(&j);
  host_buf *dest = err ? NULL : new_message(cfg, out);
  if (!dest)
    j.err = 1;
  err = j_end(&j, dest) || err;
  host_buf_free(&line);
  host_buf_free(&param);
  if (!err && reply->document)
    err = document(cfg, user, reply->document, out);
  return err ? -1 : 0;
}
