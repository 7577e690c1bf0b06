/* serve_process.h - what the store thread of `samvad serve` does with one
 * event from the inbox, and with a department's notices: the step through
 * the exactly-once store, the delivery report, the polite answer to what
 * samvad cannot read, and the replies into the outbox. */
#ifndef SAMVAD_HOST_SERVE_PROCESS_H
#define SAMVAD_HOST_SERVE_PROCESS_H

#include "serve.h"

typedef struct host_serve_process {
  const host_serve_config *cfg;
  const samvad_catalogue *catalogue;
  host_db *db;
  samvad_store *store;
  const host_transport *const *transports; /* the enabled ones */
  size_t count;
  host_metrics *metrics;
  host_sender *sender;      /* may be NULL (nothing is woken) */
  samvad_replies *replies;  /* reused for every step and notice */
  host_buf log;             /* lines written once their commit is done */
  int64_t notices_after;    /* notices up to this id were looked at */
  int notice_error_shown;   /* a failure to read notices was logged */
  size_t held;              /* requests held for a citizen's next message
                               (outbox_held); SIZE_MAX: not known */
} host_serve_process;

int host_serve_process_init(host_serve_process *p,
                            const host_serve_config *cfg,
                            const samvad_catalogue *catalogue, host_db *db,
                            const host_transport *const *transports,
                            size_t count, host_metrics *metrics,
                            host_sender *sender);
void host_serve_process_free(host_serve_process *p);

/* Handles one inbox event inside the caller's transaction and marks it
 * done. 0, or a samvad error (the caller rolls back). */
int host_serve_process_item(host_serve_process *p,
                            const host_inbox_item *item);

/* The same in a transaction of its own. An event that fails for what it
 * is (not for the store) is marked done and logged as dropped, so that it
 * cannot hold back the inbox. 0, or the store's error (nothing changed;
 * try again later). */
int host_serve_process_alone(host_serve_process *p,
                             const host_inbox_item *item);

/* Moves undelivered notices of the served platforms' citizens into the
 * outbox, each marked delivered in the same transaction. Returns how many
 * were moved. */
int host_serve_deliver_notices(host_serve_process *p);

#endif
