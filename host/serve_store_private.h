/* serve_store_private.h - the store thread's state, shared by its two
 * halves: serve_intake.c (webhook requests into the inbox, answered once
 * the fsync covers them) and serve_store.c (the thread itself, stepping,
 * feeding the senders, periodic work). Nothing else includes it. */
#ifndef SAMVAD_HOST_SERVE_STORE_PRIVATE_H
#define SAMVAD_HOST_SERVE_STORE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "serve.h"
#include "serve_checkpoint.h"
#include "serve_process.h"
#include "serve_sync.h"

#define ROUND_EVENTS 1024           /* events stepped in one transaction */
#define BUDGET_US 2000              /* stepping while requests wait */
#define FILL_EVERY_US 1000000       /* look for retries that fell due */
#define WAITING_COMMITS 256         /* commits with rows awaiting an fsync */
#define NOTICE_EVERY_US 500000      /* how often notices are looked for */
#define COUNT_EVERY_US 1000000      /* how often the outbox is counted */
#define SWEEP_EVERY_US (3600LL * 1000000)
#define RETRY_US 1000000            /* after a store failure */
#define STUCK_US (10LL * 1000000)   /* a round longer than this: unhealthy */

struct host_serve {
  host_serve_process p;             /* what stepping an event needs */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  host_serve_job *head, *tail;      /* queued requests (under lock) */
  int stopping;                     /* under lock */
  atomic_size_t queued;             /* jobs queued, read without the lock */
  atomic_int_fast64_t round_started;/* monotonic us; 0 between rounds */
  atomic_int dead;                  /* the thread has ended */
  atomic_size_t outbox_pending, outbox_failed;
  host_inbox_item items[ROUND_EVENTS]; /* one round's events */
  int sender_ready;                 /* under lock: an outcome waits */
  int inbox_pending;                /* events may wait in the inbox */
  int fill_now;                     /* outcomes freed citizens or slots */
  int synced_ready;                 /* under lock: an fsync finished */
  host_syncer *syncer;              /* NULL: this thread syncs itself */
  /* With a checkpointer (else SQLite checkpoints inside commits, and the
   * log's length reads 0): its thread (NULL if it could not start) is
   * nudged every tenth of wal_pages the log grows past a fifth of it, and
   * this thread runs the short last pass once the log holds wal_pages. */
  host_checkpoint *checkpoint;
  int wal_pages, nudged_frames;
  int64_t checkpoint_retry_at;      /* after a failed pass of this thread */
  uint64_t self_synced;             /* without a syncer: commits on disk */
  /* Commits that added outbox rows and may not be on disk yet, oldest
   * first (a ring), each with the newest row it left: rows up to
   * sendable_id are on disk, and only those are sent. */
  struct { uint64_t seq; int64_t last_id; } waiting[WAITING_COMMITS];
  size_t waiting_at, waiting_n;
  int64_t sendable_id;
  /* The newest outbox row committed, and the newest a due scan has
   * looked at: a scan finds nothing new unless newer rows are on disk,
   * outcomes came, or a retry may have fallen due. */
  int64_t last_row_id, scanned_id;
  int64_t retry_at, next_notice, next_count, next_sweep, next_fill;
  int64_t retention_seconds;
  int64_t drain_us;                 /* for the senders at shutdown */
};

/* ---- serve_intake.c ------------------------------------------------------ */
/* The jobs' events into the inbox, in a transaction of their own; they are
 * answered once that is on disk (by the sync thread, when there is one). */
void host_serve_intake(host_serve *sv, host_serve_job *jobs);
/* The sync thread's callback (serve_sync.h): answers what an fsync
 * covered, then wakes the store thread. */
void host_serve_on_synced(void *arg, host_sync_wait *w, int ok);
/* Puts what was committed on disk here and now. 0 or a samvad error. */
int host_serve_sync_now(host_serve *sv);
/* Every commit up to this count (host_db_commits) is on disk. */
uint64_t host_serve_synced(host_serve *sv);
/* Logs a store failure and puts the next try RETRY_US later. */
void host_serve_store_failed(host_serve *sv, const char *stage, int rc);
/* How many events the jobs carry. */
size_t host_serve_events_in(const host_serve_job *jobs);

#endif
