/* db_serve.h - what `samvad serve` keeps in the database beyond the
 * library's store (schema version 2, host/db.c): the inbox of events a
 * webhook accepted (committed before it answers 200), the outbox of
 * requests to send (per citizen in order, with retries, surviving a
 * restart), and the highest delivery status of each sent message. Each
 * function runs inside the caller's transaction unless it says otherwise.
 * Returns 0 or a negative samvad error, as db.h. */
#ifndef SAMVAD_HOST_DB_SERVE_H
#define SAMVAD_HOST_DB_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* ---- Inbox (host/db_inbox.c) ------------------------------------------------ */
/* Records an event (its normalised bytes, see host/serve_event.c).
 * SAMVAD_EEXIST when (transport, event_id) is known: a redelivery, which
 * the webhook acknowledges without recording it again. */
int host_db_inbox_add(host_db *db, const char *transport, const char *user,
                      const char *event_id, int64_t at, int64_t received_at,
                      const unsigned char *event, size_t len);

typedef struct host_inbox_item {
  int64_t id;
  char transport[16];
  char user[SAMVAD_MAX_USER_ID_BYTES + 1];
  char event_id[257];
  int64_t at;
  unsigned char *event; /* malloc'd; host_inbox_items_free frees */
  size_t len;
} host_inbox_item;

/* Up to max unprocessed events, oldest first, into items (*n of them). */
int host_db_inbox_pending(host_db *db, size_t max, host_inbox_item *items,
                          size_t *n);
void host_inbox_items_free(host_inbox_item *items, size_t n);
int host_db_inbox_done(host_db *db, int64_t id, int64_t now);

/* WhatsApp's 24-hour window: records that the citizen whose session is
 * stored under `user` (host_store_user) wrote at `at`, in their session's
 * row (none yet: nothing to record, and no notice can be due), and reads
 * it back: SAMVAD_ENOTFOUND when unknown. */
int host_db_inbound_seen(host_db *db, const char *user, int64_t at);
int host_db_last_inbound(host_db *db, const char *user, int64_t *at);

/* ---- Outbox (host/db_outbox.c) ---------------------------------------------- */
int host_db_outbox_add(host_db *db, const char *transport, const char *user,
                       const char *url, const unsigned char *body, size_t len,
                       int64_t now);

typedef struct host_outbox_item {
  int64_t id;
  char transport[16];
  char user[SAMVAD_MAX_USER_ID_BYTES + 1];
  char url[512];
  unsigned char *body; /* malloc'd; host_outbox_items_free frees */
  size_t len;
  int attempts;
} host_outbox_item;

/* Sendable requests: for each citizen only the oldest pending one (so one
 * citizen's replies keep their order), due by now, with an id of at most
 * max_id (rows committed later are not yet on disk), skipping citizens in
 * busy (those with a request in flight; busy_count of them); at most max. */
int host_db_outbox_due(host_db *db, int64_t now, int64_t max_id,
                       const char *const *busy, size_t busy_count, size_t max,
                       host_outbox_item *items, size_t *n);
/* A request that may only follow a template, held until the citizen
 * writes again (host_db_outbox_release), for transport's user. */
int host_db_outbox_hold(host_db *db, const char *transport, const char *user,
                        const char *url, const unsigned char *body,
                        size_t len, int64_t now);
/* How many requests are held, for all citizens. */
int host_db_outbox_held(host_db *db, size_t *count);
/* Moves user's held requests, in order, into the outbox, due now;
 * *moved gets how many. Caller's transaction. */
int host_db_outbox_release(host_db *db, const char *transport,
                           const char *user, int64_t now, size_t *moved);
/* The newest row's id (0 when the outbox is empty). */
int host_db_outbox_last_id(host_db *db, int64_t *id);
void host_outbox_items_free(host_outbox_item *items, size_t n);
int host_db_outbox_sent(host_db *db, int64_t id, const char *sent_id,
                        int64_t now);
int host_db_outbox_retry(host_db *db, int64_t id, int64_t next_at,
                         const char *error);
int host_db_outbox_failed(host_db *db, int64_t id, const char *error,
                          int64_t now);
int host_db_outbox_counts(host_db *db, size_t *pending, size_t *failed);
/* Retention (called by host_db_sweep): deletes processed events received
 * before `before` (retention is at least a day, so the 24-hour window
 * never needs them); *deleted gets how many went. Own transaction. */
int host_db_inbox_prune(host_db *db, int64_t before, size_t *deleted);
/* Retention: deletes the held requests made before `before` and the rows
 * made before it that are done (sent or
 * failed: their bodies hold what citizens told us) and the delivery
 * reports of those sent; pending ones stay. *deleted gets how many rows
 * went. Own transaction. */
int host_db_outbox_prune(host_db *db, int64_t before, size_t *deleted);

/* ---- Delivery reports --------------------------------------------------------- */
/* Keeps the highest status reached (sent < delivered < read; failed is
 * kept with its error unless the message was already delivered or read). */
int host_db_delivery_record(host_db *db, const char *sent_id,
                            const char *status, const char *error, int64_t at);

#endif
