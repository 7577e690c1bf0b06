/* send_http.h - one outbox row sent over HTTP (libcurl) by the sender
 * thread of `samvad serve` (serve_send.c): secrets added at send time (the
 * WhatsApp bearer token, Telegram's token in the URL), certificates
 * uploaded first (wa_render.h), and the platform's answer read by its
 * transport's outcome function. */
#ifndef SAMVAD_HOST_SEND_HTTP_H
#define SAMVAD_HOST_SEND_HTTP_H

#include <stdatomic.h>
#include <stdint.h>

#include <curl/curl.h>

#include "db_serve.h"
#include "transport.h"

/* What every sender thread shares (read-only but for the deadline). */
typedef struct host_send_context {
  const host_serve_config *cfg;
  char *tmp_dir;                   /* PNGs when cfg->out is not set */
  atomic_int_fast64_t deadline_us; /* monotonic; transfers still running
                                      after it are cut short (0: none) */
} host_send_context;

/* Initialises libcurl and a private temporary folder. 0, or a HOST_EXIT_*
 * code after printing why. */
int host_send_context_init(host_send_context *ctx,
                           const host_serve_config *cfg);
void host_send_context_free(host_send_context *ctx);

typedef enum host_send_kind {
  HOST_SEND_UNSENT = 0, /* not tried, or cut short by shutdown */
  HOST_SEND_SENT,       /* accepted: sent_id */
  HOST_SEND_RETRY,      /* 429, 5xx, network: retry_after (0: unknown) */
  HOST_SEND_FAILED      /* refused for good: error */
} host_send_kind;

typedef struct host_send_result {
  host_send_kind kind;
  long status;          /* the HTTP status; 0 when none came */
  int retry_after;      /* seconds, from the answer or its header */
  char sent_id[256];
  char error[512];      /* no secret, no message text */
} host_send_result;

/* One request at a time of the sender's event loop (serve_send.c): a
 * libcurl easy handle that the caller adds to its multi handle, which
 * keeps the connections alive between requests. A row may take two
 * requests (a certificate: the upload, then the message showing it).
 * NULL when out of memory. */
typedef struct host_send_http host_send_http;
host_send_http *host_send_http_create(const host_send_context *ctx);
void host_send_http_destroy(host_send_http *h);
/* The easy handle, owned by h: the caller adds it to its multi handle
 * after begin (or finish) returned 1, and removes it once done. */
CURL *host_send_http_handle(host_send_http *h);

/* Sets up item's first request. 1: the handle is ready to run; 0: *out
 * is already the outcome (nothing to send, or the row cannot go). item
 * must stay unchanged until the row's outcome is final. */
int host_send_http_begin(host_send_http *h, const host_outbox_item *item,
                         host_send_result *out);
/* The handle's transfer ended with rc (removed from the multi handle):
 * fills *out. 1: the row's next request is ready to run (out is
 * cleared); 0: *out is the outcome. */
int host_send_http_finish(host_send_http *h, CURLcode rc,
                          host_send_result *out);

#endif
