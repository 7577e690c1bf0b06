/* serve_store.c - the store thread of `samvad serve`, the only thread that
 * uses the database. Each turn it first puts the webhook requests queued
 * meanwhile into the inbox (serve_intake.c; they are answered once the
 * sync thread's fsync covers them); then, in a second transaction, it
 * steps the events earlier turns committed, in arrival order, through the
 * store (replies go into the outbox, delivery reports are recorded)
 * together with what the senders report back; then it hands the senders
 * the rows that are on disk and due. A webhook thus waits for the intake
 * and its fsync only, and its conversation step happens after the answer.
 * While requests wait, stepping stops after a few milliseconds (once it
 * has kept pace with what came in), so that answers stay quick under load.
 * Every half second it also moves a department's decisions (notices) into
 * the outbox, and every hour it runs retention. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approve.h"
#include "serve_store_private.h"

/* After a commit that may have added outbox rows: remembers the newest
 * row, to be sent once that commit is on disk. */
static void rows_committed(host_serve *sv) {
  int64_t last = 0;
  if (host_db_outbox_last_id(sv->p.db, &last) != 0 ||
      sv->waiting_n == WAITING_COMMITS) {
    /* Cannot keep track: sync here, so that everything may go. */
    if (host_serve_sync_now(sv) == 0) {
      sv->waiting_n = 0;
      sv->sendable_id = INT64_MAX;
    }
    sv->fill_now = 1; /* the newest row is not known: look anyway */
    return;
  }
  sv->last_row_id = last;
  size_t i = (sv->waiting_at + sv->waiting_n++) % WAITING_COMMITS;
  sv->waiting[i].seq = host_db_commits(sv->p.db);
  sv->waiting[i].last_id = last;
}

/* The newest outbox row known to be on disk (every row when no commit
 * with rows waits for an fsync). */
static int64_t sendable(host_serve *sv) {
  uint64_t on_disk = host_serve_synced(sv);
  while (sv->waiting_n > 0 && sv->waiting[sv->waiting_at].seq <= on_disk) {
    sv->sendable_id = sv->waiting[sv->waiting_at].last_id;
    sv->waiting_at = (sv->waiting_at + 1) % WAITING_COMMITS;
    sv->waiting_n--;
  }
  return sv->waiting_n > 0 ? sv->sendable_id : INT64_MAX;
}

/* Steps the pending events that earlier turns committed, and records the
 * senders' outcomes, in one transaction. While jobs wait, stepping stops
 * once the budget is spent, but never before it has stepped as many
 * events as the last intake added (`incoming`), so the inbox cannot grow
 * without end. When anything fails, the events are stepped one per
 * transaction. Returns 0, or -1 when the store failed (tried again after
 * RETRY_US). */
static int step_round(host_serve *sv, size_t incoming, int unlimited) {
  host_inbox_item *items = sv->items;
  size_t n = 0, done = 0;
  int64_t start = host_serve_now_us();
  int rc = 0;
  if (sv->inbox_pending && start >= sv->retry_at) {
    rc = host_db_inbox_pending(sv->p.db, ROUND_EVENTS, items, &n);
    if (rc != 0) {
      host_serve_store_failed(sv, "inbox", rc);
      n = 0;
    } else if (n == 0) {
      sv->inbox_pending = 0;
    }
  }
  host_sender *sender = sv->p.sender;
  int outcomes = sender && host_sender_outcomes_waiting(sender);
  if (n == 0 && !outcomes)
    return rc == 0 ? 0 : -1;
  rc = host_db_begin(sv->p.db);
  if (rc == 0 && outcomes)
    rc = host_sender_record(sender, sv->p.db, (int64_t)time(NULL));
  while (rc == 0 && done < n) {
    if (!unlimited && done >= incoming && done > 0 &&
        atomic_load(&sv->queued) > 0 &&
        host_serve_now_us() - start > BUDGET_US)
      break;
    rc = host_serve_process_item(&sv->p, &items[done]);
    done += rc == 0;
  }
  if (rc == 0)
    rc = host_db_commit(sv->p.db);
  else
    host_db_rollback(sv->p.db);
  if (outcomes)
    host_sender_recorded(sender, rc == 0);
  if (rc == 0) {
    host_serve_log_flush(&sv->p.log);
    if (n < ROUND_EVENTS && done == n)
      sv->inbox_pending = 0;
  } else {
    host_buf_reset(&sv->p.log);
    sv->p.held = SIZE_MAX; /* a release may have been undone */
    /* One event per transaction, so that one failure cannot hold back the
     * others; an event that fails alone for what it is, not for the
     * store, is dropped with a log line rather than retried forever. */
    rc = 0;
    for (done = 0; done < n && rc == 0; done++)
      rc = host_serve_process_alone(&sv->p, &items[done]);
    if (rc != 0)
      host_serve_store_failed(sv, "process", rc);
  }
  host_inbox_items_free(items, n);
  if (done > 0)
    rows_committed(sv);
  sv->fill_now |= outcomes; /* their citizens' next rows may go */
  return rc == 0 ? 0 : -1;
}

/* Hands the senders what is due: after new rows reached the disk, after
 * outcomes freed their citizens, and every second for retries that fell
 * due. */
static void fill_senders(host_serve *sv, int64_t now) {
  if (!sv->p.sender)
    return;
  /* Nothing is sent before it is on disk: a power cut could otherwise
   * undo a step whose replies were already out. Rows waiting for an fsync
   * go once it is done (the sync thread wakes this one): the fsync of the
   * next intake when requests wait, else one asked for now. */
  int64_t max_id = sendable(sv);
  if (sv->waiting_n > 0) {
    if (!sv->syncer) {
      if (host_serve_sync_now(sv) != 0)
        host_serve_store_failed(sv, "sync", SAMVAD_ESTORE);
      max_id = sendable(sv);
    } else if (atomic_load(&sv->queued) == 0) {
      host_syncer_request(sv->syncer);
    }
  }
  /* Under load a commit always waits for its fsync, and a scan steps
   * over every row in flight: scanning twice a turn regardless was 18% of
   * this thread. */
  int64_t upto = max_id < sv->last_row_id ? max_id : sv->last_row_id;
  if (!sv->fill_now && upto <= sv->scanned_id && now < sv->next_fill)
    return;
  sv->fill_now = 0;
  sv->scanned_id = upto;
  sv->next_fill = now + FILL_EVERY_US;
  (void)host_sender_fill(sv->p.sender, sv->p.db, (int64_t)time(NULL),
                         max_id);
}

/* ---- Periodic work ------------------------------------------------------- */

static void count_outbox(host_serve *sv) {
  size_t pending = 0, failed = 0;
  if (host_db_outbox_counts(sv->p.db, &pending, &failed) == 0) {
    atomic_store(&sv->outbox_pending, pending);
    atomic_store(&sv->outbox_failed, failed);
  }
}

static void sweep(host_serve *sv) {
  host_sweep_stats st; /* host_db_sweep fills it */
  int64_t now = (int64_t)time(NULL);
  if (host_db_sweep(sv->p.db, sv->p.catalogue, now, sv->retention_seconds,
                    &st) != 0)
    host_serve_log("store_error", "stage=retention error=\"%s\"",
                   host_db_errmsg(sv->p.db));
  else if (st.sessions_forgotten || st.messages_pruned || st.inbox_pruned ||
           st.outbox_pruned)
    host_serve_log("retention",
                   "forgotten=%zu messages_pruned=%zu inbox_pruned=%zu "
                   "outbox_pruned=%zu",
                   st.sessions_forgotten, st.messages_pruned, st.inbox_pruned,
                   st.outbox_pruned);
}

/* Keeps the write-ahead log short without a long stall here: the
 * checkpoint thread copies it back as it grows, and once it holds
 * wal_pages this thread copies the few pages committed since, after
 * which the next commit starts the log over. Without a checkpointer the
 * length reads 0 and nothing happens here. */
static void keep_log_short(host_serve *sv) {
  int frames = host_db_wal_frames(sv->p.db);
  if (frames < sv->nudged_frames)
    sv->nudged_frames = 0; /* the log started over */
  int step = sv->wal_pages / 10;
  if (sv->checkpoint && frames >= sv->wal_pages / 5 &&
      frames - sv->nudged_frames >= step &&
      !host_checkpoint_busy(sv->checkpoint)) {
    sv->nudged_frames = frames;
    host_checkpoint_nudge(sv->checkpoint);
  }
  if (frames < sv->wal_pages ||
      (sv->checkpoint && host_checkpoint_busy(sv->checkpoint)) ||
      host_serve_now_us() < sv->checkpoint_retry_at)
    return;
  int r = host_db_checkpoint_here(sv->p.db);
  if (r == 1) {
    atomic_fetch_add(&sv->p.metrics->checkpoints_final, 1);
  } else if (r < 0) {
    /* A failing disk: once a retry period, not at every turn. */
    host_serve_log("store_error", "stage=checkpoint error=\"%s\"",
                   host_db_errmsg(sv->p.db));
    sv->checkpoint_retry_at = host_serve_now_us() + RETRY_US;
  }
}

static void periodic(host_serve *sv, int64_t now) {
  if (now >= sv->next_notice) {
    sv->next_notice = now + NOTICE_EVERY_US;
    if (host_serve_deliver_notices(&sv->p) > 0)
      rows_committed(sv);
  }
  if (now >= sv->next_count) {
    sv->next_count = now + COUNT_EVERY_US;
    count_outbox(sv);
  }
  if (now >= sv->next_sweep) {
    sv->next_sweep = now + SWEEP_EVERY_US;
    sweep(sv);
  }
}

/* ---- The thread ---------------------------------------------------------- */

static int64_t next_deadline(const host_serve *sv) {
  int64_t t = sv->next_notice;
  if (sv->next_count < t)
    t = sv->next_count;
  if (sv->inbox_pending && sv->retry_at < t)
    t = sv->retry_at;
  if (sv->p.sender && sv->next_fill < t)
    t = sv->next_fill;
  return t;
}

/* Waits for work; returns the queued jobs (possibly none) and whether the
 * thread is to stop. */
static host_serve_job *wait_for_work(host_serve *sv, int *stopping) {
  pthread_mutex_lock(&sv->lock);
  for (;;) {
    int64_t now = host_serve_now_us();
    int64_t deadline = next_deadline(sv);
    if (sv->head || sv->stopping || sv->sender_ready || sv->synced_ready ||
        now >= deadline)
      break;
    if (sv->inbox_pending && now >= sv->retry_at)
      break;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t wait = deadline - now;
    ts.tv_sec += (time_t)(wait / 1000000);
    ts.tv_nsec += (long)(wait % 1000000) * 1000;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
  }
  host_serve_job *jobs = sv->head;
  sv->head = sv->tail = NULL;
  sv->sender_ready = 0; /* step_round looks for the outcomes themselves */
  sv->synced_ready = 0;  /* fill_senders compares the counts */
  atomic_store(&sv->queued, 0);
  *stopping = sv->stopping;
  pthread_mutex_unlock(&sv->lock);
  return jobs;
}

static void sender_notify(void *arg) {
  host_serve *sv = arg;
  pthread_mutex_lock(&sv->lock);
  sv->sender_ready = 1;
  pthread_cond_signal(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
}

/* After the inbox is done: lets the requests queued or in flight finish
 * (up to drain_us) and records their outcomes. */
static void drain_senders(host_serve *sv) {
  if (!sv->p.sender)
    return;
  host_sender_quiesce(sv->p.sender, (int)(sv->drain_us / 1000000));
  int64_t give_up = host_serve_now_us() + sv->drain_us + 5000000;
  while (!host_sender_idle(sv->p.sender) && host_serve_now_us() < give_up) {
    pthread_mutex_lock(&sv->lock);
    if (!sv->sender_ready) {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      ts.tv_nsec += 50 * 1000000L;
      if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
    }
    sv->sender_ready = 0;
    pthread_mutex_unlock(&sv->lock);
    sv->retry_at = 0;
    (void)step_round(sv, 0, 1);
  }
}

static void *store_thread(void *arg) {
  host_serve *sv = arg;
  pthread_setname_np(pthread_self(), "samvad-store"); /* for top -H */
  for (;;) {
    int stopping = 0;
    host_serve_job *jobs = wait_for_work(sv, &stopping);
    atomic_store(&sv->round_started, host_serve_now_us());
    size_t incoming = host_serve_events_in(jobs);
    if (jobs)
      host_serve_intake(sv, jobs);
    fill_senders(sv, host_serve_now_us()); /* what the last fsync covered */
    step_round(sv, incoming, stopping);
    int64_t now = host_serve_now_us();
    periodic(sv, now);
    fill_senders(sv, now);
    keep_log_short(sv);
    atomic_store(&sv->round_started, 0);
    if (stopping && !jobs)
      break;
  }
  /* Finish what the inbox holds, unless the store keeps failing. */
  for (int failures = 0; sv->inbox_pending && failures < 3;) {
    sv->retry_at = 0;
    failures += step_round(sv, 0, 1) != 0;
  }
  (void)host_serve_deliver_notices(&sv->p);
  drain_senders(sv);
  host_checkpoint_stop(sv->checkpoint);
  sv->checkpoint = NULL;
  host_syncer_stop(sv->syncer); /* answers what waits for its fsync */
  sv->syncer = NULL;
  if (host_serve_sync_now(sv) != 0)
    host_serve_store_failed(sv, "sync", SAMVAD_ESTORE);
  atomic_store(&sv->dead, 1);
  return NULL;
}

/* Checkpoints off this thread where a second connection opens (the
 * store thread still checkpoints if the thread cannot start). */
static void start_checkpoints(host_serve *sv, host_db *db, int wal_pages) {
  sv->wal_pages = wal_pages >= 100 ? wal_pages : 10000;
  host_db_checkpointer *c = NULL;
  if (!sv->syncer || host_db_checkpointer_open(db, &c) != 0) {
    host_serve_log("config_warning", "note=\"no checkpoint thread: SQLite "
                   "checkpoints inside commits\"");
    return;
  }
  if (host_checkpoint_start(&sv->checkpoint, c, sv->p.metrics) != 0)
    host_serve_log("config_warning", "note=\"no checkpoint thread: the "
                   "store thread checkpoints\"");
}

int host_serve_start(host_serve **out, const host_serve_settings *s,
                     const samvad_catalogue *catalogue, host_db *db,
                     const host_transport *const *transports, size_t count,
                     host_metrics *metrics, host_sender *sender) {
  *out = NULL;
  host_serve *sv = calloc(1, sizeof *sv);
  if (!sv)
    return -1;
  if (host_serve_process_init(&sv->p, &s->cfg, catalogue, db, transports,
                              count, metrics, sender) != 0) {
    free(sv);
    return -1;
  }
  sv->retention_seconds = s->retention_days
                              ? (int64_t)s->retention_days * 86400
                              : samvad_catalogue_retention_seconds(catalogue);
  sv->inbox_pending = 1; /* what a previous run left */
  sv->fill_now = 1;      /* and the outbox it left (synced below) */
  sv->sendable_id = INT64_MAX;
  sv->drain_us = (int64_t)HOST_SERVE_DRAIN_SECONDS * 1000000;
  pthread_mutex_init(&sv->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&sv->wake, &ca);
  pthread_condattr_destroy(&ca);
  /* Commits do not wait for the disk; a sync thread puts them there while
   * this one goes on, and answers and sends wait for it. Without one
   * (the log cannot be opened again), the store thread syncs itself. */
  if (host_db_defer_sync(db) != 0 || host_db_sync(db) != 0)
    host_serve_log("store_error", "stage=open error=\"%s\"",
                   host_db_errmsg(db));
  int wal = host_db_wal_fd(db);
  if (wal < 0 || host_syncer_start(&sv->syncer, db, wal, host_serve_on_synced, sv) != 0)
    host_serve_log("config_warning", "note=\"no sync thread: the store "
                   "thread syncs the log itself\"");
  start_checkpoints(sv, db, s->wal_pages);
  if (sender)
    host_sender_set_notify(sender, sender_notify, sv);
  if (pthread_create(&sv->thread, NULL, store_thread, sv) != 0) {
    if (sender)
      host_sender_set_notify(sender, NULL, NULL);
    host_checkpoint_stop(sv->checkpoint);
    host_syncer_stop(sv->syncer);
    host_serve_process_free(&sv->p);
    pthread_cond_destroy(&sv->wake);
    pthread_mutex_destroy(&sv->lock);
    free(sv);
    return -1;
  }
  *out = sv;
  return 0;
}

void host_serve_submit(host_serve *sv, host_serve_job *job) {
  job->next = NULL;
  pthread_mutex_lock(&sv->lock);
  if (sv->stopping || atomic_load(&sv->dead)) {
    pthread_mutex_unlock(&sv->lock);
    job->status = 503;
    job->done(job);
    return;
  }
  if (sv->tail)
    sv->tail->next = job;
  else
    sv->head = job;
  sv->tail = job;
  atomic_fetch_add(&sv->queued, 1);
  pthread_cond_signal(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
}

int host_serve_healthy(host_serve *sv) {
  if (atomic_load(&sv->dead))
    return -1;
  int64_t started = atomic_load(&sv->round_started);
  return started && host_serve_now_us() - started > STUCK_US ? -1 : 0;
}

void host_serve_outbox_counts(host_serve *sv, size_t *pending,
                              size_t *failed) {
  *pending = atomic_load(&sv->outbox_pending);
  *failed = atomic_load(&sv->outbox_failed);
}

void host_serve_stop(host_serve *sv) {
  if (!sv)
    return;
  pthread_mutex_lock(&sv->lock);
  sv->stopping = 1;
  pthread_cond_signal(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
  pthread_join(sv->thread, NULL);
  host_serve_process_free(&sv->p);
  pthread_cond_destroy(&sv->wake);
  pthread_mutex_destroy(&sv->lock);
  free(sv);
}
