/* send_http.c - one outbox row over HTTP with libcurl (send_http.h). The
 * rows hold no secret: the bearer token (WhatsApp) and the bot token in
 * the URL (Telegram) come from the config here, at send time, and never
 * reach a log (libcurl's error messages name the host, not the URL). */
#include "send_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "json_tree.h"
#include "options.h"
#include "qr_out.h"
#include "telegram.h"
#include "transport_util.h"

#define ANSWER_MAX (256 * 1024)  /* of an API's answer, the rest is dropped */
#define TIMEOUT_S 30L
#define CONNECT_TIMEOUT_S 10L
#define URL_MAX 1024
#define MEDIA_MARK "\"{media}\""

struct host_send_http {
  const host_send_context *ctx;
  CURL *curl;
  struct curl_slist *json_auth;  /* JSON + WhatsApp's bearer token */
  struct curl_slist *json_plain; /* JSON only (Telegram) */
  struct curl_slist *auth_only;  /* multipart sets its own type */
  struct curl_slist *plain;      /* multipart, no token (Telegram) */
  host_buf answer;
  char errbuf[CURL_ERROR_SIZE];
  /* The row under way, and what its second request needs. */
  const host_transport *t;
  int uploading;                 /* the request running is an upload */
  curl_mime *mime;               /* the upload's form */
  char png[URL_MAX];             /* the upload's file */
  int png_is_temporary;          /* removed once posted */
  host_buf then;                 /* the message shown after the upload */
  char then_url[URL_MAX];
};

int host_send_context_init(host_send_context *ctx,
                           const host_serve_config *cfg) {
  ctx->cfg = cfg;
  atomic_store(&ctx->deadline_us, 0);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "samvad serve: cannot initialise libcurl\n");
    ctx->cfg = NULL;
    return HOST_EXIT_IO;
  }
  const char *base = getenv("TMPDIR");
  char pattern[512];
  snprintf(pattern, sizeof pattern, "%s/samvad-send-XXXXXX",
           base && base[0] ? base : "/tmp");
  ctx->tmp_dir = NULL;
  if (mkdtemp(pattern) == NULL || !(ctx->tmp_dir = strdup(pattern))) {
    fprintf(stderr, "samvad serve: cannot create a temporary folder in %s: "
                    "%s\n", base && base[0] ? base : "/tmp", strerror(errno));
    curl_global_cleanup();
    ctx->cfg = NULL; /* nothing for host_send_context_free to undo */
    return HOST_EXIT_IO;
  }
  return 0;
}

void host_send_context_free(host_send_context *ctx) {
  if (!ctx->cfg)
    return;
  if (ctx->tmp_dir)
    rmdir(ctx->tmp_dir);
  free(ctx->tmp_dir);
  ctx->tmp_dir = NULL;
  curl_global_cleanup();
  ctx->cfg = NULL;
}

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

host_send_http *host_send_http_create(const host_send_context *ctx) {
  host_send_http *h = calloc(1, sizeof *h);
  if (!h)
    return NULL;
  h->ctx = ctx;
  h->curl = curl_easy_init();
  const char *token = ctx->cfg->wa_token;
  char auth[1024] = "";
  if (token && token[0])
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
  const char *json = "Content-Type: application/json";
  h->json_plain = curl_slist_append(NULL, json);
  h->json_auth = curl_slist_append(NULL, json);
  if (auth[0] && h->json_auth)
    h->json_auth = curl_slist_append(h->json_auth, auth);
  /* A list must not be empty: "Expect:" stops libcurl's 100-continue. */
  h->plain = curl_slist_append(NULL, "Expect:");
  h->auth_only = curl_slist_append(NULL, "Expect:");
  if (auth[0] && h->auth_only)
    h->auth_only = curl_slist_append(h->auth_only, auth);
  sodium_memzero(auth, sizeof auth);
  if (!h->curl || !h->json_plain || !h->json_auth || !h->auth_only ||
      !h->plain) {
    host_send_http_destroy(h);
    return NULL;
  }
  return h;
}

static void end_transfer(host_send_http *h);

void host_send_http_destroy(host_send_http *h) {
  if (!h)
    return;
  end_transfer(h);
  host_buf_free(&h->then);
  if (h->curl)
    curl_easy_cleanup(h->curl);
  curl_slist_free_all(h->json_auth);
  curl_slist_free_all(h->json_plain);
  curl_slist_free_all(h->auth_only);
  curl_slist_free_all(h->plain);
  host_buf_free(&h->answer);
  free(h);
}

CURL *host_send_http_handle(host_send_http *h) { return h->curl; }

/* ---- One HTTP request ----------------------------------------------------------- */

static size_t on_data(char *p, size_t size, size_t n, void *arg) {
  host_buf *b = arg;
  size_t len = size * n;
  size_t room = b->len < ANSWER_MAX ? ANSWER_MAX - b->len : 0;
  if (host_buf_append(b, p, len < room ? len : room) != 0)
    return 0;
  return len;
}

/* Shutdown: a transfer still running at the deadline is given up. */
static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
                       curl_off_t d) {
  (void)a, (void)b, (void)c, (void)d;
  const host_send_context *ctx = arg;
  int64_t deadline = atomic_load(&ctx->deadline_us);
  return deadline && mono_us() >= deadline;
}

/* Sets the handle up to POST body (or mime) to url; the caller's multi
 * handle runs it. body must live until the transfer ends. */
static void prepare(host_send_http *h, const char *url,
                    struct curl_slist *headers, const char *body, size_t len,
                    curl_mime *mime) {
  CURL *c = h->curl;
  host_buf_reset(&h->answer);
  h->errbuf[0] = '\0';
  curl_easy_reset(c); /* the multi handle keeps the connections */
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->answer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)h->ctx);
  if (mime) {
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  }
}

/* A finished transfer: 0 with out->status when an answer came (in
 * h->answer); -1 with out filled when none did. */
static int transfer_outcome(host_send_http *h, CURLcode rc,
                            host_send_result *out) {
  CURL *c = h->curl;
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    out->kind = HOST_SEND_UNSENT;
    snprintf(out->error, sizeof out->error, "cut short by shutdown");
    return -1;
  }
  if (rc != CURLE_OK) {
    out->kind = HOST_SEND_RETRY;
    out->status = 0;
    snprintf(out->error, sizeof out->error, "network: %s",
             h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
    return -1;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
  curl_off_t after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &after) == CURLE_OK &&
      after > 0)
    out->retry_after = after > 86400 ? 86400 : (int)after;
  return 0;
}

/* The transport's reading of the answer in h->answer. */
static void classify(host_send_http *h, const host_transport *t,
                     host_send_result *out) {
  int retry_after = 0;
  int r = t->outcome(out->status, h->answer.data ? h->answer.data : "",
                     h->answer.len, out->sent_id, sizeof out->sent_id,
                     &retry_after, out->error, sizeof out->error);
  out->kind = r == 0 ? HOST_SEND_SENT
                     : r == 1 ? HOST_SEND_RETRY : HOST_SEND_FAILED;
  if (retry_after > out->retry_after)
    out->retry_after = retry_after;
}

static void fail(host_send_result *out, host_send_kind kind, const char *why) {
  out->kind = kind;
  snprintf(out->error, sizeof out->error, "%s", why);
}

/* The upload's form and file, once it is over. */
static void end_upload(host_send_http *h) {
  if (h->mime)
    curl_mime_free(h->mime);
  h->mime = NULL;
  if (h->png_is_temporary)
    unlink(h->png);
  h->png_is_temporary = 0;
  h->uploading = 0;
}

/* Frees what the row's requests needed. */
static void end_transfer(host_send_http *h) {
  end_upload(h);
  host_buf_reset(&h->then);
  h->then_url[0] = '\0';
  h->t = NULL;
}

/* ---- Certificates: upload, then send ---------------------------------------------- */

/* A file name samvad wrote ("MC-0F3KZ8Q1W2ZNA.png"), nothing that could
 * leave the folder. */
static int safe_name(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > 100 || name[0] == '.')
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return 0;
  }
  return 1;
}

static int safe_media_id(const char *id) {
  return safe_name(id) || (id && id[0] && strspn(id, "0123456789") ==
                                               strlen(id));
}

/* Writes the QR code as a PNG and sets up its multipart upload; keeps the
 * message to send after it. 1 when the request is ready, 0 when *out is
 * final. */
static int begin_upload(host_send_http *h, const host_outbox_item *item,
                        const char *url, host_send_result *out) {
  static const char *const qr_path[] = {"upload", "qr", NULL};
  static const char *const name_path[] = {"upload", "name", NULL};
  static const char *const field_path[] = {"upload", "field", NULL};
  static const char *const form_path[] = {"upload", "form", NULL};
  static const char *const then_url_path[] = {"then_url", NULL};
  static const char *const then_path[] = {"then", NULL};
  yajl_val v = host_json_parse(item->body, item->len, item->len + 1, 8);
  const char *qr = host_json_get(v, qr_path);
  const char *name = host_json_get(v, name_path);
  const char *field = host_json_get(v, field_path);
  yajl_val form = yajl_tree_get(v, (const char **)form_path, yajl_t_object);
  const char *then_url = host_json_get(v, then_url_path);
  const char *then = host_json_get(v, then_path);
  const host_serve_config *cfg = h->ctx->cfg;
  const char *dir = cfg->out && cfg->out[0] ? cfg->out : h->ctx->tmp_dir;
  int ready = 0;
  if (!qr || !field || !safe_name(name) ||
      (then && (!then_url || !strstr(then, MEDIA_MARK) ||
                strlen(then_url) >= sizeof h->then_url))) {
    fail(out, HOST_SEND_FAILED, "malformed upload row");
    goto done;
  }
  snprintf(h->png, sizeof h->png, "%s/%s", dir, name);
  if ((mkdir(dir, 0755) != 0 && errno != EEXIST) ||
      host_qr_write_png(qr, h->png) != 0) {
    snprintf(out->error, sizeof out->error, "cannot write %.200s: %s", name,
             strerror(errno));
    out->kind = HOST_SEND_RETRY;
    goto done;
  }
  h->png_is_temporary = dir == h->ctx->tmp_dir;
  if (then && host_buf_puts(&h->then, then) != 0) {
    fail(out, HOST_SEND_RETRY, "out of memory");
    goto done;
  }
  if (then)
    snprintf(h->then_url, sizeof h->then_url, "%s", then_url);
  h->mime = curl_mime_init(h->curl);
  for (size_t i = 0; h->mime && form && i < form->u.object.len; i++) {
    const char *value = YAJL_GET_STRING(form->u.object.values[i]);
    curl_mimepart *part = curl_mime_addpart(h->mime);
    if (part && value) {
      curl_mime_name(part, form->u.object.keys[i]);
      curl_mime_data(part, value, CURL_ZERO_TERMINATED);
    }
  }
  curl_mimepart *file = h->mime ? curl_mime_addpart(h->mime) : NULL;
  if (!file) {
    fail(out, HOST_SEND_RETRY, "out of memory");
    goto done;
  }
  curl_mime_name(file, field);
  curl_mime_filedata(file, h->png);
  curl_mime_filename(file, name);
  curl_mime_type(file, "image/png");
  prepare(h, url,
          h->t == &host_transport_whatsapp ? h->auth_only : h->plain, NULL, 0,
          h->mime);
  h->uploading = 1;
  ready = 1;
done:
  host_json_tree_free(v);
  return ready;
}

/* After the upload: the message that shows the media, with its id. 1 when
 * that request is ready, 0 when *out is final. */
static int begin_then(host_send_http *h, host_send_result *out) {
  char media[sizeof out->sent_id];
  snprintf(media, sizeof media, "%s", out->sent_id);
  if (!safe_media_id(media)) {
    fail(out, HOST_SEND_FAILED, "the upload's answer has no usable media id");
    return 0;
  }
  /* The finished body replaces the template in h->then, where it lives
   * until its transfer ends. */
  host_buf body = {0};
  const char *then = h->then.data;
  const char *mark = strstr(then, MEDIA_MARK);
  if (host_buf_append(&body, then, (size_t)(mark - then)) ||
      host_buf_puts(&body, "\"") || host_buf_puts(&body, media) ||
      host_buf_puts(&body, "\"") ||
      host_buf_puts(&body, mark + strlen(MEDIA_MARK))) {
    host_buf_free(&body);
    fail(out, HOST_SEND_RETRY, "out of memory");
    return 0;
  }
  host_buf_free(&h->then);
  h->then = body;
  memset(out, 0, sizeof *out);
  prepare(h, h->then_url, h->json_auth, h->then.data, h->then.len, NULL);
  return 1;
}

/* ---- A row ------------------------------------------------------------------------ */

/* The row's URL with the secret it needs: Telegram's token in place of
 * its mark. -1 when that token is not configured. */
static int expand_url(const host_serve_config *cfg, const char *url,
                      char *out, size_t cap) {
  const char *mark = strstr(url, HOST_TG_TOKEN_MARK);
  if (!mark) {
    snprintf(out, cap, "%s", url);
    return 0;
  }
  if (!cfg->tg_token || !cfg->tg_token[0])
    return -1;
  int n = snprintf(out, cap, "%.*s%s%s", (int)(mark - url), url,
                   cfg->tg_token, mark + strlen(HOST_TG_TOKEN_MARK));
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int host_send_http_begin(host_send_http *h, const host_outbox_item *item,
                         host_send_result *out) {
  memset(out, 0, sizeof *out);
  end_transfer(h);
  h->t = strcmp(item->transport, host_transport_whatsapp.name) == 0
             ? &host_transport_whatsapp
         : strcmp(item->transport, host_transport_telegram.name) == 0
             ? &host_transport_telegram
             : NULL;
  if (!h->t) {
    fail(out, HOST_SEND_FAILED, "unknown transport");
    return 0;
  }
  char url[URL_MAX];
  if (expand_url(h->ctx->cfg, item->url, url, sizeof url) != 0) {
    /* A config mistake: the row waits for a restart with the token. */
    fail(out, HOST_SEND_RETRY, "no token configured for this transport");
    return 0;
  }
  int ready = 1;
  if (item->len > 10 && memcmp(item->body, "{\"upload\":", 10) == 0) {
    ready = begin_upload(h, item, url, out);
  } else {
    prepare(h, url, h->t == &host_transport_whatsapp ? h->json_auth
                                                     : h->json_plain,
            (const char *)item->body, item->len, NULL);
  }
  sodium_memzero(url, sizeof url); /* libcurl keeps its own copy */
  if (!ready)
    end_transfer(h);
  return ready;
}

int host_send_http_finish(host_send_http *h, CURLcode rc,
                          host_send_result *out) {
  int answered = transfer_outcome(h, rc, out) == 0;
  if (answered)
    classify(h, h->t, out);
  if (h->uploading) {
    end_upload(h);
    if (answered && out->kind == HOST_SEND_SENT && h->then.len > 0 &&
        begin_then(h, out))
      return 1;
  }
  end_transfer(h);
  return 0;
}
