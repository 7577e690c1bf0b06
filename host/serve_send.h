/* serve_send.h - the sending side of `samvad serve`: replies rendered into
 * the outbox inside the transaction that produced them, and sender threads
 * that deliver the outbox over libcurl (one request in flight per citizen,
 * so their replies keep their order; 429 and 5xx retried with exponential
 * backoff and jitter; permanent errors recorded). Pending sends survive a
 * restart: they are rows of the outbox. */
#ifndef SAMVAD_HOST_SERVE_SEND_H
#define SAMVAD_HOST_SERVE_SEND_H

#include "db_serve.h"
#include "metrics.h"
#include "transport.h"

/* Renders replies to user through t and adds the requests to the outbox
 * (caller's transaction). A notice (in_reply_to NULL) to a WhatsApp user
 * who has not written for 24 hours goes as the configured template.
 * Returns 0 or a samvad error. */
int host_outbox_enqueue(host_db *db, const host_transport *t,
                        const host_serve_config *cfg, host_metrics *m,
                        const char *user, const samvad_replies *replies,
                        int is_notice, int64_t now);

typedef struct host_sender host_sender;

/* Starts cfg->senders threads with their own database connection (path).
 * 0, or a HOST_EXIT_* code after printing why. */
int host_sender_start(const host_serve_config *cfg, const char *db_path,
                      host_metrics *m, host_sender **out);
/* New rows are in the outbox: look now rather than at the next tick. */
void host_sender_wake(host_sender *s);
/* Stops taking new work, waits up to drain_seconds for requests in flight
 * (what is not sent stays in the outbox), joins the threads, frees. */
void host_sender_stop(host_sender *s, int drain_seconds);

#endif
