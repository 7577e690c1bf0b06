/* serve_send.h - the sending side of `samvad serve`: replies rendered into
 * the outbox inside the transaction that produced them, and a sending
 * thread that delivers the outbox over libcurl (one request in flight per
 * citizen, so their replies keep their order; 429 and 5xx retried with
 * exponential backoff and jitter; permanent errors recorded). Pending sends survive a
 * restart: they are rows of the outbox. */
#ifndef SAMVAD_HOST_SERVE_SEND_H
#define SAMVAD_HOST_SERVE_SEND_H

#include "db_serve.h"
#include "metrics.h"
#include "transport.h"

/* Renders replies to user through t and adds the requests to the outbox
 * (caller's transaction). A notice (in_reply_to NULL) to a WhatsApp user
 * who has not written for 24 hours goes as the configured template, and
 * what follows the template (a certificate) is held for their next
 * message; *held (may be NULL) counts the requests held. Returns 0 or a
 * samvad error. */
int host_outbox_enqueue(host_db *db, const host_transport *t,
                        const host_serve_config *cfg, host_metrics *m,
                        const char *user, const samvad_replies *replies,
                        int is_notice, int64_t now, size_t *held);

typedef struct host_sender host_sender;

/* Starts the sending thread, which speaks HTTP only, cfg->senders
 * requests at once. It never touches the database: the caller's store
 * thread hands it due rows (host_sender_fill) and records what became of
 * them (host_sender_record, then host_sender_recorded). 0, or a
 * HOST_EXIT_* code after printing why. */
int host_sender_start(const host_serve_config *cfg, host_metrics *m,
                      host_sender **out);
/* notify(arg) is called from the sending thread, without the sender's
 * lock, each time outcomes wait to be recorded. */
void host_sender_set_notify(host_sender *s, void (*notify)(void *),
                            void *arg);
/* Whether outcomes wait to be recorded. */
int host_sender_outcomes_waiting(host_sender *s);
/* Writes the waiting outcomes into the outbox (caller's transaction):
 * sent, to retry later, or failed. 0 or a samvad error. */
int host_sender_record(host_sender *s, host_db *db, int64_t now);
/* After the caller's commit (committed 1: counted and logged) or rollback
 * (0: the rows stay pending and are sent again, at least once): frees the
 * recorded requests, so their citizens' next rows may go. */
void host_sender_recorded(host_sender *s, int committed);
/* Hands due rows with an id up to max_id (those on disk) to the senders
 * (reads db, outside a transaction), as many as there are free slots.
 * The count handed, or -1 (logged) after a database failure. */
int host_sender_fill(host_sender *s, host_db *db, int64_t now,
                     int64_t max_id);
/* Whether nothing is queued, in flight or waiting to be recorded. */
int host_sender_idle(host_sender *s);
/* Takes no more rows; rows queued are left unsent once drain_seconds
 * have passed, and so are transfers still running then. Returns at once:
 * the caller records outcomes until host_sender_idle. */
void host_sender_quiesce(host_sender *s, int drain_seconds);
/* Joins the sending thread and frees. Outcomes not recorded are lost:
 * those rows are still pending and go again after a restart (at least
 * once). */
void host_sender_stop(host_sender *s);

#endif
