/* send_http.h - one outbox row sent over HTTP (libcurl) by a sender thread
 * of `samvad serve` (serve_send.c): secrets added at send time (the
 * WhatsApp bearer token, Telegram's token in the URL), certificates
 * uploaded first (wa_render.h), and the platform's answer read by its
 * transport's outcome function. */
#ifndef SAMVAD_HOST_SEND_HTTP_H
#define SAMVAD_HOST_SEND_HTTP_H

#include <stdatomic.h>
#include <stdint.h>

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

/* One thread's HTTP client: a libcurl handle whose connections are kept
 * alive between requests. NULL when out of memory. */
typedef struct host_send_http host_send_http;
host_send_http *host_send_http_create(const host_send_context *ctx);
void host_send_http_destroy(host_send_http *h);

/* Sends item and fills *out. */
void host_send_http_perform(host_send_http *h, const host_outbox_item *item,
                            host_send_result *out);

#endif
