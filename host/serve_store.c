/* serve_store.c - the store thread of `samvad serve`, the only thread that
 * uses the database. Each turn it first puts the webhook requests queued
 * meanwhile into the inbox, in a transaction of its own, and answers them
 * as soon as that commits (one fsync for many requests: group commit);
 * then, in a second transaction, it steps the events earlier turns
 * committed, in arrival order, through the exactly-once store (replies go
 * into the outbox, delivery reports are recorded) together with what the
 * senders report back; then it hands the senders the rows now due. A
 * webhook thus waits for the inbox commit only, and its conversation step
 * happens after the answer. While requests wait, stepping stops after a
 * few milliseconds (once it has kept pace with what came in), so that
 * answers stay quick under load.
 * Every half second it also moves a department's decisions (notices) into
 * the outbox, and every hour it runs retention. */
#define _GNU_SOURCE /* pthread_setname_np */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approve.h"
#include "serve.h"
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
  int fill_now;                     /* rows may be due: fill the senders */
  int synced_ready;                 /* under lock: an fsync finished */
  host_syncer *syncer;              /* NULL: this thread syncs itself */
  uint64_t self_synced;             /* without a syncer: commits on disk */
  /* Commits that added outbox rows and may not be on disk yet, oldest
   * first (a ring), each with the newest row it left: rows up to
   * sendable_id are on disk, and only those are sent. */
  struct { uint64_t seq; int64_t last_id; } waiting[WAITING_COMMITS];
  size_t waiting_at, waiting_n;
  int64_t sendable_id;
  int64_t retry_at, next_notice, next_count, next_sweep, next_fill;
  int64_t retention_seconds;
  int64_t drain_us;                 /* for the senders at shutdown */
};

/* ---- Intake -------------------------------------------------------------- */

/* The inbox key and time of one event. */
static int inbox_row(const host_inbound *in, int64_t received_at,
                     char *event_id, size_t cap, const char **user,
                     int64_t *at) {
  int n = in->kind == HOST_IN_STATUS
              ? snprintf(event_id, cap, "%s/%s", in->id, in->status)
              : snprintf(event_id, cap, "%s", in->id);
  /* Statuses never count as the citizen writing (the 24-hour window). */
  *user = in->kind == HOST_IN_STATUS ? "" : in->user;
  /* The platform's time, unless it is in the future (a skewed clock). */
  *at = in->time > 0 && in->time <= received_at + 300 ? in->time
                                                      : received_at;
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int add_job(host_serve *sv, host_serve_job *job, size_t *messages,
                   size_t *statuses) {
  const unsigned char *p = (const unsigned char *)job->events.data;
  size_t at = 0;
  job->duplicates = 0;
  for (size_t i = 0; i < job->count; i++) {
    uint32_t len = (uint32_t)p[at] | (uint32_t)p[at + 1] << 8 |
                   (uint32_t)p[at + 2] << 16 | (uint32_t)p[at + 3] << 24;
    const unsigned char *bytes = p + at + 4;
    at += 4 + (size_t)len;
    host_inbound in;
    char event_id[257];
    const char *user;
    int64_t when;
    if (host_event_decode(bytes, len, &in) != 0 ||
        inbox_row(&in, job->received_at, event_id, sizeof event_id, &user,
                  &when) != 0)
      return SAMVAD_EINVAL; /* checked by the HTTP side: cannot happen */
    int rc = host_db_inbox_add(sv->p.db, job->transport->name, user, event_id,
                               when, job->received_at, bytes, len);
    if (rc == SAMVAD_EEXIST) {
      job->duplicates++;
      continue;
    }
    if (rc != 0)
      return rc;
    if (in.kind == HOST_IN_STATUS)
      ++*statuses;
    else
      ++*messages;
  }
  return 0;
}

/* What a round's intake added, counted once it is committed. */
typedef struct intake_counts {
  size_t messages, statuses, duplicates;
} intake_counts;

/* Adds every job's events to the inbox (caller's transaction). */
static int add_jobs(host_serve *sv, host_serve_job *jobs, intake_counts *c) {
  memset(c, 0, sizeof *c);
  for (host_serve_job *j = jobs; j; j = j->next) {
    int rc = add_job(sv, j, &c->messages, &c->statuses);
    if (rc != 0)
      return rc;
    c->duplicates += j->duplicates;
  }
  return 0;
}

/* Answers the jobs: 200 when their events are committed (rc 0), else 503,
 * so that the platform sends them again. */
static void answer_jobs(host_serve *sv, host_serve_job *jobs, int rc,
                        const intake_counts *c) {
  if (rc == 0) {
    host_metrics *m = sv->p.metrics;
    atomic_fetch_add(&m->messages_in, c->messages);
    atomic_fetch_add(&m->statuses_in, c->statuses);
    atomic_fetch_add(&m->duplicates_in, c->duplicates);
  }
  /* A job belongs to its HTTP request again once done is called. */
  for (host_serve_job *j = jobs, *next; j; j = next) {
    next = j->next;
    j->status = rc == 0 ? 200 : 503;
    j->done(j);
  }
}

static void store_failed(host_serve *sv, const char *stage, int rc) {
  const char *why = host_db_errmsg(sv->p.db);
  host_serve_log("store_error", "stage=%s error=\"%s\"", stage,
                 why[0] ? why : samvad_strerror(rc));
  sv->retry_at = host_serve_now_us() + RETRY_US;
}

/* Puts what was committed on disk here and now (commits do not wait for
 * it: see host_db_defer_sync). 0 or a samvad error. */
static int sync_now(host_serve *sv) {
  uint64_t committed = host_db_commits(sv->p.db);
  int rc = host_db_sync(sv->p.db);
  if (rc == 0)
    sv->self_synced = committed;
  return rc;
}

/* Every commit up to this count is on disk. */
static uint64_t synced(host_serve *sv) {
  uint64_t by_syncer = sv->syncer ? host_syncer_synced(sv->syncer) : 0;
  return by_syncer > sv->self_synced ? by_syncer : sv->self_synced;
}

/* Webhook requests whose events are committed, waiting for the fsync. */
typedef struct answer_batch {
  host_sync_wait wait; /* first: the sync thread hands it back */
  host_serve_job *jobs;
  intake_counts counts;
} answer_batch;

/* On the sync thread, after each fsync: answers the requests it covered,
 * then wakes the store thread, which may now send what it covered. */
static void on_synced(void *arg, host_sync_wait *w, int ok) {
  host_serve *sv = arg;
  if (w) {
    answer_batch *b = (answer_batch *)w;
    answer_jobs(sv, b->jobs, ok ? 0 : SAMVAD_ESTORE, &b->counts);
    free(b);
    return;
  }
  if (!ok)
    host_serve_log("store_error", "stage=sync error=\"the write-ahead log "
                   "could not be synced to disk\"");
  pthread_mutex_lock(&sv->lock);
  sv->synced_ready = 1;
  pthread_cond_signal(&sv->wake);
  pthread_mutex_unlock(&sv->lock);
}

/* The jobs' events into the inbox, in a transaction of their own; the
 * jobs are answered once that is on disk, by the sync thread (whose fsync
 * also covers what earlier turns stepped), while this thread goes on. */
static void intake(host_serve *sv, host_serve_job *jobs) {
  intake_counts c;
  int rc = host_db_begin(sv->p.db);
  if (rc == 0)
    rc = add_jobs(sv, jobs, &c);
  if (rc == 0)
    rc = host_db_commit(sv->p.db);
  else
    host_db_rollback(sv->p.db);
  if (rc == 0) {
    sv->inbox_pending |= c.messages + c.statuses > 0;
    answer_batch *b = sv->syncer ? malloc(sizeof *b) : NULL;
    if (b) {
      b->wait.seq = host_db_commits(sv->p.db);
      b->jobs = jobs;
      b->counts = c;
      host_syncer_wait(sv->syncer, &b->wait);
      return;
    }
    rc = sync_now(sv);
  }
  if (rc != 0)
    store_failed(sv, "inbox", rc);
  answer_jobs(sv, jobs, rc, &c);
}

static size_t events_in(const host_serve_job *jobs) {
  size_t n = 0;
  for (; jobs; jobs = jobs->next)
    n += jobs->count;
  return n;
}

/* After a commit that may have added outbox rows: remembers the newest
 * row, to be sent once that commit is on disk. */
static void rows_committed(host_serve *sv) {
  int64_t last = 0;
  sv->fill_now = 1;
  if (host_db_outbox_last_id(sv->p.db, &last) != 0 ||
      sv->waiting_n == WAITING_COMMITS) {
    /* Cannot keep track: sync here, so that everything may go. */
    if (sync_now(sv) == 0) {
      sv->waiting_n = 0;
      sv->sendable_id = INT64_MAX;
    }
    return;
  }
  size_t i = (sv->waiting_at + sv->waiting_n++) % WAITING_COMMITS;
  sv->waiting[i].seq = host_db_commits(sv->p.db);
  sv->waiting[i].last_id = last;
}

/* The newest outbox row known to be on disk (every row when no commit
 * with rows waits for an fsync). */
static int64_t sendable(host_serve *sv) {
  uint64_t on_disk = synced(sv);
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
      store_failed(sv, "inbox", rc);
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
      store_failed(sv, "process", rc);
  }
  host_inbox_items_free(items, n);
  if (done > 0)
    rows_committed(sv);
  sv->fill_now |= outcomes; /* their citizens' next rows may go */
  return rc == 0 ? 0 : -1;
}

/* Hands the senders what is due: after new rows, after outcomes freed
 * their citizens, and every second for retries that fell due. */
static void fill_senders(host_serve *sv, int64_t now) {
  if (!sv->p.sender || (!sv->fill_now && now < sv->next_fill))
    return;
  /* Nothing is sent before it is on disk: a power cut could otherwise
   * undo a step whose replies were already out. Rows waiting for an fsync
   * go once it is done (the sync thread wakes this one): the fsync of the
   * next intake when requests wait, else one asked for now. */
  int64_t max_id = sendable(sv);
  if (sv->waiting_n > 0) {
    if (!sv->syncer) {
      if (sync_now(sv) != 0)
        store_failed(sv, "sync", SAMVAD_ESTORE);
      max_id = sendable(sv);
    } else if (atomic_load(&sv->queued) == 0) {
      host_syncer_request(sv->syncer);
    }
  }
  sv->fill_now = sv->waiting_n > 0;
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
    size_t incoming = events_in(jobs);
    if (jobs)
      intake(sv, jobs);
    fill_senders(sv, host_serve_now_us()); /* what the last fsync covered */
    step_round(sv, incoming, stopping);
    int64_t now = host_serve_now_us();
    periodic(sv, now);
    fill_senders(sv, now);
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
  host_syncer_stop(sv->syncer); /* answers what waits for its fsync */
  sv->syncer = NULL;
  if (sync_now(sv) != 0)
    store_failed(sv, "sync", SAMVAD_ESTORE);
  atomic_store(&sv->dead, 1);
  return NULL;
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
  if (wal < 0 || host_syncer_start(&sv->syncer, db, wal, on_synced, sv) != 0)
    host_serve_log("config_warning", "note=\"no sync thread: the store "
                   "thread syncs the log itself\"");
  if (sender)
    host_sender_set_notify(sender, sender_notify, sv);
  if (pthread_create(&sv->thread, NULL, store_thread, sv) != 0) {
    if (sender)
      host_sender_set_notify(sender, NULL, NULL);
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
