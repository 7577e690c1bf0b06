/* serve.h - what the files of `samvad serve` share: its settings, the
 * normalised events kept in the inbox, the store thread that commits and
 * processes them, the HTTP front and the log. The transports' contract is
 * transport.h, the sending side serve_send.h.
 *
 *   HTTP threads (serve_http.c)        store thread (serve_store.c)
 *   check, parse, encode events  --->  each round, one transaction:
 *   suspend the connection             step earlier rounds' events
 *                                      (replies into the outbox), add
 *                                      the queued events to the inbox,
 *   answer 200 (or 503)          <---  COMMIT; resume the connections;
 *                                      wake the senders (serve_send.c) */
#ifndef SAMVAD_HOST_SERVE_H
#define SAMVAD_HOST_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "db_serve.h"
#include "metrics.h"
#include "serve_send.h"
#include "transport.h"

/* ---- Settings (serve_config.c) ------------------------------------------- */
#define HOST_SERVE_MAX_BODY_DEFAULT (4u * 1024 * 1024)

typedef struct host_serve_settings {
  host_serve_config cfg;  /* what the transports and the senders read */
  long retention_days;    /* 0: the catalogue's */
  int http_threads;       /* libmicrohttpd's polling threads */
  int wal_pages;          /* the write-ahead log starts over past this */
  char *owned[32];        /* the strings cfg points to (freed at the end) */
  int owned_count;
  int help;               /* --help was given */
} host_serve_settings;

/* Reads serve's argv (argv[0] is "serve"), the --config file and the
 * SAMVAD_* environment (options > environment > file > defaults) into s.
 * 0, or a HOST_EXIT_* code after printing why. */
int host_serve_settings_load(int argc, char **argv, host_serve_settings *s);
void host_serve_settings_free(host_serve_settings *s);

/* ---- Logs (serve.c) ------------------------------------------------------ */
/* Writes one line to stderr: "ts=2026-03-01T04:30:00.123Z event=NAME "
 * and the printf-style rest. Callers mask user ids (host_mask_id) and
 * never pass a secret or a message's text. */
void host_serve_log(const char *event, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same line appended to into, for a thread that writes its lines
 * together after a commit (stderr directly when into is NULL or full). */
void host_serve_log_to(host_buf *into, const char *event, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));
/* Writes and empties lines gathered by host_serve_log_to. */
void host_serve_log_flush(host_buf *lines);

/* Microseconds of a monotonic clock. */
int64_t host_serve_now_us(void);

/* ---- Events (serve_event.c) ---------------------------------------------- */
/* The bytes of one normalised event in the inbox: every string of a
 * host_inbound, so that the store thread can step it after a restart. */
int host_event_encode(const host_inbound *in, host_buf *out);
/* Decodes bytes (kept alive by the caller: the strings point into them)
 * into *in. -1 when they are not an event this samvad wrote. */
int host_event_decode(const unsigned char *bytes, size_t len,
                      host_inbound *in);

/* Checks an event from a transport against samvad's limits before it is
 * queued: NULL when it can be kept, else why not (for the log). A text
 * longer than the library takes is cut at a character boundary (*cut). */
const char *host_event_check(host_inbound *in, int *cut);

/* The id the store keeps a citizen's conversation under: WhatsApp users
 * by their wa_id (as the gateway's), others as "NAME:ID" so that two
 * platforms' numeric ids never meet. */
int host_store_user(const char *transport, const char *user, char *out,
                    size_t cap);
/* The reverse, for notices: the transport (among those given) and the
 * platform's user id of a store user id; NULL when none of them (an id
 * without a prefix is WhatsApp's only when it is all digits). */
const host_transport *host_store_user_parse(const host_transport *const *ts,
                                            size_t count, const char *id,
                                            const char **user);

/* ---- The store thread (serve_store.c) ------------------------------------ */
/* How long a SIGTERM waits for webhook requests and sends in progress. */
#define HOST_SERVE_DRAIN_SECONDS 10

/* One webhook request's events waiting for their commit. */
typedef struct host_serve_job {
  struct host_serve_job *next;
  const host_transport *transport;
  host_buf events;        /* each event: 4-byte length, then its bytes */
  size_t count;           /* events in it */
  int64_t received_at;    /* Unix seconds */
  void (*done)(struct host_serve_job *job); /* called once committed */
  void *arg;              /* for done */
  int status;             /* set before done: 200, or 503 */
  size_t duplicates;      /* events the inbox already had */
} host_serve_job;

typedef struct host_serve host_serve;

/* Starts the store thread over db (used by no other thread: it also feeds
 * the sender and records its outcomes). 0 or -1. */
int host_serve_start(host_serve **out, const host_serve_settings *s,
                     const samvad_catalogue *catalogue, host_db *db,
                     const host_transport *const *transports, size_t count,
                     host_metrics *metrics, host_sender *sender);
/* Queues a job; its done callback runs on the store thread (or at once
 * with 503 when stopping). */
void host_serve_submit(host_serve *sv, host_serve_job *job);
/* 0 when the store thread is working normally, -1 when it has been busy
 * with one round for over 10 s or has stopped (GET /healthz: 503). */
int host_serve_healthy(host_serve *sv);
/* The outbox gauges, as last counted by the store thread. */
void host_serve_outbox_counts(host_serve *sv, size_t *pending,
                              size_t *failed);
/* Commits what is queued, processes the whole inbox, lets the sender
 * finish what it holds (up to HOST_SERVE_DRAIN_SECONDS) recording the
 * outcomes, stops the thread and frees. The sender is stopped after. */
void host_serve_stop(host_serve *sv);

/* ---- HTTP (serve_http.c) ------------------------------------------------- */
typedef struct host_http host_http;

/* Listens on s->cfg.listen; the address really bound (port 0 gives a free
 * port) goes into bound. 0, or a HOST_EXIT_* code after printing why. */
int host_http_start(host_http **out, const host_serve_settings *s,
                    host_serve *sv, const host_transport *const *transports,
                    size_t count, host_metrics *metrics, char *bound,
                    size_t bound_cap);
/* Stops accepting connections; requests still arriving on open ones get
 * 503. Then waits up to seconds for requests in progress to be answered. */
void host_http_quiesce(host_http *h, int seconds);
void host_http_stop(host_http *h);

/* ---- The command (serve.c) ----------------------------------------------- */
int host_cmd_serve(int argc, char **argv);
extern const char host_serve_help[];

#endif
