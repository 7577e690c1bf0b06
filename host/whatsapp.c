/* whatsapp.c - the WhatsApp Cloud API as a samvad transport (transport.h):
 * the webhook's verification handshake, the X-Hub-Signature-256 check
 * and the payload's events. Sending (render, templates, reading the Graph
 * API's answers) is in wa_render.c.
 *
 * A payload is read whole: every entry, every change, every message and
 * every status (Meta batches up to a thousand; a handler that read only
 * the first lost the rest). Text and tapped buttons or list rows drive the
 * conversation, images and documents go to the engine as media (it takes
 * them where a state asks for a document), reactions and system notes are
 * dropped, and any other type is HOST_IN_UNSUPPORTED. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "json_tree.h"
#include "transport.h"
#include "transport_util.h"
#include "wa_render.h"

#define WA_MAX_DEPTH 32          /* Meta's payloads nest 7 deep */
#define WA_MAX_CHALLENGE 256     /* hub.challenge echoed back */
#define WA_SIGNATURE_PREFIX "sha256="
#define WA_SIGNATURE_HEX 64

static int is_set(const char *s) { return s && *s; }

static int wa_enabled(const host_serve_config *cfg) {
  return is_set(cfg->wa_app_secret) && is_set(cfg->wa_token) &&
         is_set(cfg->wa_phone_number_id);
}

/* Equal strings, in time that depends on neither: both are hashed first,
 * so that their lengths leak nothing either. */
static int same_secret(const char *a, const char *b) {
  unsigned char ha[crypto_generichash_BYTES], hb[crypto_generichash_BYTES];
  crypto_generichash(ha, sizeof ha, (const unsigned char *)a, strlen(a), NULL,
                     0);
  crypto_generichash(hb, sizeof hb, (const unsigned char *)b, strlen(b), NULL,
                     0);
  return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

/* A challenge is echoed as text/plain: only a short printable token. */
static int plain_token(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > WA_MAX_CHALLENGE)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] <= ' ' || s[i] > '~')
      return 0;
  return 1;
}

static int wa_handshake(const host_serve_config *cfg,
                        const char *(*query)(void *q, const char *name),
                        void *q, host_buf *body) {
  const char *mode = query(q, "hub.mode");
  const char *token = query(q, "hub.verify_token");
  const char *challenge = query(q, "hub.challenge");
  if (!is_set(cfg->wa_verify_token) || !mode || !token || !challenge ||
      strcmp(mode, "subscribe") != 0 || !plain_token(challenge) ||
      !same_secret(token, cfg->wa_verify_token))
    return 403;
  return host_buf_puts(body, challenge) == 0 ? 200 : 500;
}

static int wa_authenticate(const host_serve_config *cfg,
                           const char *(*header)(void *h, const char *name),
                           void *h, const unsigned char *body, size_t len) {
  const char *sig = header(h, "X-Hub-Signature-256");
  size_t prefix = strlen(WA_SIGNATURE_PREFIX);
  if (!sig || strncmp(sig, WA_SIGNATURE_PREFIX, prefix) != 0 ||
      strlen(sig + prefix) != WA_SIGNATURE_HEX)
    return 401;
  char got[WA_SIGNATURE_HEX];
  for (size_t i = 0; i < WA_SIGNATURE_HEX; i++) {
    char c = sig[prefix + i];
    got[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
  }
  /* The app secret is not 32 bytes long: the init/update/final form takes
   * a key of any length. The raw body, never a re-serialisation: Meta
   * escapes non-ASCII and '/' on the wire. */
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  char want[WA_SIGNATURE_HEX + 1];
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)cfg->wa_app_secret,
                              strlen(cfg->wa_app_secret));
  crypto_auth_hmacsha256_update(&st, body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(want, sizeof want, mac, sizeof mac);
  int ok = sodium_memcmp(want, got, WA_SIGNATURE_HEX) == 0;
  sodium_memzero(&st, sizeof st);
  return ok ? 0 : 401;
}

/* ---- Reading a payload --------------------------------------------------- */

static yajl_val field(yajl_val obj, const char *key) {
  if (!YAJL_IS_OBJECT(obj))
    return NULL;
  for (size_t i = 0; i < obj->u.object.len; i++)
    if (strcmp(obj->u.object.keys[i], key) == 0)
      return obj->u.object.values[i];
  return NULL;
}

static const char *text_at(yajl_val obj, const char *key) {
  yajl_val v = field(obj, key);
  return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static yajl_val array_at(yajl_val obj, const char *key) {
  yajl_val v = field(obj, key);
  return YAJL_IS_ARRAY(v) ? v : NULL;
}

/* Meta's timestamps are Unix seconds as a string; 0 when unreadable. */
static int64_t time_at(yajl_val obj, const char *key) {
  yajl_val v = field(obj, key);
  if (YAJL_IS_INTEGER(v))
    return YAJL_GET_INTEGER(v);
  const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
  if (!s || !*s)
    return 0;
  char *end = NULL;
  long long t = strtoll(s, &end, 10);
  return *end == '\0' && t > 0 ? (int64_t)t : 0;
}

/* Fills the message part of in from one messages[] item. Returns 1 when
 * it is an event, 0 for a type that needs no answer. */
static int read_message(yajl_val m, host_inbound *in) {
  const char *type = text_at(m, "type");
  samvad_message *msg = &in->msg;
  in->kind = HOST_IN_MESSAGE;
  if (!type)
    type = "";
  if (strcmp(type, "text") == 0 && text_at(field(m, "text"), "body")) {
    msg->kind = SAMVAD_MSG_TEXT;
    msg->text = text_at(field(m, "text"), "body");
    msg->text_len = strlen(msg->text);
    return 1;
  }
  if (strcmp(type, "interactive") == 0) {
    yajl_val i = field(m, "interactive");
    const char *itype = text_at(i, "type");
    if (itype && (strcmp(itype, "button_reply") == 0 ||
                  strcmp(itype, "list_reply") == 0)) {
      msg->kind = SAMVAD_MSG_OPTION;
      msg->option_id = text_at(field(i, itype), "id");
      return 1;
    }
  }
  if (strcmp(type, "button") == 0) { /* a template's quick reply */
    yajl_val b = field(m, "button");
    const char *payload = text_at(b, "payload");
    if (payload && *payload) {
      msg->kind = SAMVAD_MSG_OPTION;
      msg->option_id = payload;
      return 1;
    }
    if (text_at(b, "text")) {
      msg->kind = SAMVAD_MSG_TEXT;
      msg->text = text_at(b, "text");
      msg->text_len = strlen(msg->text);
      return 1;
    }
  }
  if (strcmp(type, "image") == 0 || strcmp(type, "document") == 0) {
    yajl_val media = field(m, type);
    msg->kind = SAMVAD_MSG_MEDIA;
    msg->media_id = text_at(media, "id");
    msg->media_mime = text_at(media, "mime_type");
    msg->media_caption = text_at(media, "caption");
    return 1;
  }
  /* A reaction, a system note (a changed number) or the chat being opened
   * is nothing the citizen asked: answering would be noise. */
  if (strcmp(type, "reaction") == 0 || strcmp(type, "system") == 0 ||
      strcmp(type, "request_welcome") == 0)
    return 0;
  memset(msg, 0, sizeof *msg);
  in->kind = HOST_IN_UNSUPPORTED;
  return 1;
}

static int read_messages(yajl_val value, host_inbound_sink sink, void *arg) {
  yajl_val list = array_at(value, "messages");
  for (size_t i = 0; list && i < list->u.array.len; i++) {
    yajl_val m = list->u.array.values[i];
    host_inbound in;
    memset(&in, 0, sizeof in);
    in.user = text_at(m, "from");
    if (!in.user) /* a citizen with a username and no phone number */
      in.user = text_at(m, "user_id");
    in.id = text_at(m, "id");
    in.time = time_at(m, "timestamp");
    if (!read_message(m, &in))
      continue;
    in.msg.id = in.id;
    int rc = sink(arg, &in);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int read_statuses(yajl_val value, host_inbound_sink sink, void *arg) {
  yajl_val list = array_at(value, "statuses");
  for (size_t i = 0; list && i < list->u.array.len; i++) {
    yajl_val s = list->u.array.values[i];
    host_inbound in;
    memset(&in, 0, sizeof in);
    in.kind = HOST_IN_STATUS;
    in.user = text_at(s, "recipient_id");
    in.id = text_at(s, "id");
    in.time = time_at(s, "timestamp");
    in.status = text_at(s, "status");
    char error[512];
    yajl_val errors = array_at(s, "errors");
    if (errors && errors->u.array.len > 0) {
      yajl_val e = errors->u.array.values[0];
      yajl_val code = field(e, "code");
      const char *title = text_at(e, "title");
      const char *details = text_at(field(e, "error_data"), "details");
      snprintf(error, sizeof error, "%lld %s%s%s",
               YAJL_IS_INTEGER(code) ? (long long)YAJL_GET_INTEGER(code) : 0LL,
               title ? title : "", details ? ": " : "",
               details ? details : "");
      in.error = error;
    }
    int rc = sink(arg, &in);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* Returns 0, 400 for a body that is not a WhatsApp payload (not JSON,
 * nested too deep, no "entry" list), or the sink's non-zero answer (the
 * request is then refused and Meta sends it again). */
static int wa_parse(const host_serve_config *cfg, const unsigned char *body,
                    size_t len, host_inbound_sink sink, void *arg) {
  yajl_val root = host_json_parse(body, len, cfg->max_body_bytes,
                                  WA_MAX_DEPTH);
  yajl_val entries = array_at(root, "entry");
  int rc = entries ? 0 : 400;
  for (size_t e = 0; rc == 0 && e < entries->u.array.len; e++) {
    yajl_val changes = array_at(entries->u.array.values[e], "changes");
    for (size_t c = 0; rc == 0 && changes && c < changes->u.array.len; c++) {
      yajl_val change = changes->u.array.values[c];
      const char *name = text_at(change, "field");
      if (!name || strcmp(name, "messages") != 0)
        continue; /* account updates, templates' reviews, ... */
      yajl_val value = field(change, "value");
      rc = read_messages(value, sink, arg);
      if (rc == 0)
        rc = read_statuses(value, sink, arg);
    }
  }
  host_json_tree_free(root);
  return rc;
}

const host_transport host_transport_whatsapp = {
    .name = "whatsapp",
    .path = "/webhook",
    .merge = {HOST_WA_TEXT_MAX, HOST_WA_BODY_MAX},
    .enabled = wa_enabled,
    .handshake = wa_handshake,
    .authenticate = wa_authenticate,
    .parse = wa_parse,
    .render = host_wa_render,
    .render_template = host_wa_render_template,
    .outcome = host_wa_outcome,
};
