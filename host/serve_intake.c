/* serve_intake.c - the first half of serve's store thread: the events of
 * the webhook requests queued meanwhile go into the inbox in a transaction
 * of their own (group commit), and each request is answered 200 once the
 * fsync that covers it is done (by the sync thread, serve_sync.c), or 503
 * when the store failed, so that the platform sends it again. */
#include <stdlib.h>
#include <string.h>

#include "serve_store_private.h"

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

void host_serve_store_failed(host_serve *sv, const char *stage, int rc) {
  const char *why = host_db_errmsg(sv->p.db);
  host_serve_log("store_error", "stage=%s error=\"%s\"", stage,
                 why[0] ? why : samvad_strerror(rc));
  sv->retry_at = host_serve_now_us() + RETRY_US;
}

/* Puts what was committed on disk here and now (commits do not wait for
 * it: see host_db_defer_sync). 0 or a samvad error. */
int host_serve_sync_now(host_serve *sv) {
  uint64_t committed = host_db_commits(sv->p.db);
  int rc = host_db_sync(sv->p.db);
  if (rc == 0)
    sv->self_synced = committed;
  return rc;
}

/* Every commit up to this count is on disk. */
uint64_t host_serve_synced(host_serve *sv) {
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
void host_serve_on_synced(void *arg, host_sync_wait *w, int ok) {
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
void host_serve_intake(host_serve *sv, host_serve_job *jobs) {
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
    rc = host_serve_sync_now(sv);
  }
  if (rc != 0)
    host_serve_store_failed(sv, "inbox", rc);
  answer_jobs(sv, jobs, rc, &c);
}

size_t host_serve_events_in(const host_serve_job *jobs) {
  size_t n = 0;
  for (; jobs; jobs = jobs->next)
    n += jobs->count;
  return n;
}
