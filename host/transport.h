/* transport.h - what `samvad serve` needs from a messaging platform, so
 * that adding one (SMS, another chat app) is one new file implementing
 * this table: how its webhook proves who sent it, how its payloads become
 * normalised incoming messages, and how samvad's replies become the HTTP
 * requests that send them. host/serve*.c owns everything else (HTTP,
 * the store, the outbox, retries, metrics). Transports do no I/O. */
#ifndef SAMVAD_HOST_TRANSPORT_H
#define SAMVAD_HOST_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "reply_merge.h"
#include "samvad/samvad.h"
#include "util.h"

#define HOST_SENDERS_DEFAULT 256

/* The settings serve reads from --config FILE and the environment
 * (SAMVAD_* variables override the file). Strings are NUL-terminated and
 * owned by serve; a transport only reads them. Secrets never reach logs. */
typedef struct host_serve_config {
  const char *listen;          /* host:port, default 127.0.0.1:8080 */
  const char *specs, *db;      /* as for the other commands */
  const char *keys, *out;      /* certificates: key folder, PNG folder */
  size_t max_body_bytes;       /* default 4 MiB */
  int senders;                 /* requests in flight at once, default
                                  HOST_SENDERS_DEFAULT */
  /* WhatsApp Cloud API */
  const char *wa_phone_number_id, *wa_token, *wa_app_secret;
  const char *wa_verify_token, *wa_graph_url, *wa_graph_version;
  const char *wa_template;     /* template for notices outside 24 h */
  const char *wa_template_lang;/* its language code, default "en" */
  /* Telegram Bot API */
  const char *tg_token, *tg_secret, *tg_api_url;
} host_serve_config;

/* One incoming event, normalised. Strings point into the transport's
 * parse tree and live until the sink returns. */
typedef enum host_inbound_kind {
  HOST_IN_MESSAGE = 0, /* a citizen's message: msg is filled */
  HOST_IN_STATUS = 1,  /* a delivery report for a message samvad sent */
  HOST_IN_UNSUPPORTED = 2 /* a message type samvad does not take: the
                             citizen gets a polite bilingual answer */
} host_inbound_kind;

typedef struct host_inbound {
  host_inbound_kind kind;
  const char *user;       /* the platform's user id (WhatsApp: wa_id) */
  const char *id;         /* message id (wamid, Telegram update id) */
  int64_t time;           /* the platform's timestamp, Unix seconds */
  samvad_message msg;     /* HOST_IN_MESSAGE */
  const char *status;     /* HOST_IN_STATUS: sent, delivered, read, failed */
  const char *error;      /* HOST_IN_STATUS failed: the platform's reason */
  const char *callback;   /* Telegram: a callback query to acknowledge */
} host_inbound;

/* Receives each event of a payload; returns 0 to go on, non-zero to stop
 * (the payload is then refused, so the platform retries it). */
typedef int (*host_inbound_sink)(void *arg, const host_inbound *event);

/* One HTTP request to send: method POST, url (absolute), JSON body. */
typedef struct host_request {
  char url[512];
  host_buf body;
  const char *content_type;   /* "application/json" */
} host_request;

/* A reply rendered as the platform's requests, in order. Requests are
 * appended to out (the caller frees them). */
typedef struct host_request_list {
  host_request *items;
  size_t count, cap;
} host_request_list;

typedef struct host_transport {
  const char *name;   /* "whatsapp", "telegram": in logs, metrics, DB */
  const char *path;   /* its webhook path: "/webhook", "/telegram" */
  /* How much text one message carries: a step's replies are joined into
   * as few messages as fit (reply_merge.h). */
  host_merge_limits merge;
  /* Whether the config enables it (its secrets are set). */
  int (*enabled)(const host_serve_config *cfg);
  /* GET on path: the platform's handshake. Fills body (for 200) and
   * returns the HTTP status. query(name) reads a query parameter. NULL
   * when the platform has none (405). */
  int (*handshake)(const host_serve_config *cfg,
                   const char *(*query)(void *q, const char *name), void *q,
                   host_buf *body);
  /* POST on path, before anything is parsed: 0 when the request is
   * authentic (header(name) reads a request header), else the HTTP status
   * to answer (401). Constant-time comparisons only. */
  int (*authenticate)(const host_serve_config *cfg,
                      const char *(*header)(void *h, const char *name),
                      void *h, const unsigned char *body, size_t len);
  /* Parses an authentic body and calls sink for every event in it (every
   * entry, change, message and status: never only the first). Returns 0,
   * or 400 for a body that is not the platform's JSON. */
  int (*parse)(const host_serve_config *cfg, const unsigned char *body,
               size_t len, host_inbound_sink sink, void *arg);
  /* Renders one reply to user as requests, within every limit of the
   * platform (lengths counted in characters): choices as buttons, lists or
   * numbered text, long texts split at a sensible boundary, a document as
   * an image or document message (media uploaded first when needed: see
   * host/serve_send.c). *shortened tells that something was cut (logged).
   * Returns 0 or -1 (out of memory). */
  int (*render)(const host_serve_config *cfg, const char *user,
                const samvad_reply *reply, host_request_list *out,
                int *shortened);
  /* A notice outside the 24-hour window: the approved template naming
   * the event instead (WhatsApp); NULL when the platform has no window.
   * The template comes first; what follows it (a certificate) is held
   * until the citizen writes again, since the platform refuses anything
   * but a template until then. */
  int (*render_template)(const host_serve_config *cfg, const char *user,
                         const samvad_reply *reply, host_request_list *out);
  /* Reads the platform's answer to a sent request: 0 accepted (*sent_id
   * gets the platform's message id, up to cap bytes), 1 retry later (429,
   * 5xx; *retry_after seconds when the platform says), 2 permanent
   * failure (*error gets its description). */
  int (*outcome)(long http_status, const char *body, size_t len,
                 char *sent_id, size_t cap, int *retry_after, char *error,
                 size_t error_cap);
} host_transport;

extern const host_transport host_transport_whatsapp;
extern const host_transport host_transport_telegram;

/* host_request_list helpers (host/transport.c). */
host_request *host_request_add(host_request_list *list, const char *url);
void host_request_list_free(host_request_list *list);

#endif
