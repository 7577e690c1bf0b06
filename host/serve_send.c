/* serve_send.c - the sending side of `samvad serve` (serve_send.h).
 *
 * Replies are rendered into the outbox inside the transaction that made
 * them. One scheduler thread owns a database connection: it takes due
 * rows (each citizen's oldest, none of a citizen with a request still in
 * flight, so replies keep their order), hands them to worker threads that
 * only speak HTTP (libcurl, one kept-alive handle each), and writes their
 * outcomes back many at a time in one transaction, so sending costs one
 * fsync per batch rather than per message and the webhook's store thread
 * keeps the write lock for itself most of the time.
 *
 * Outcomes: 2xx → sent, with the platform's id; 429, 5xx and network
 * errors → retried after 1, 2, 4 ... seconds (at most 5 minutes; never
 * sooner than Retry-After) plus jitter, up to a day of attempts; anything
 * else → failed, logged and counted. A certificate's row is an upload
 * instruction (wa_render.h), done here: the QR code is written as a PNG,
 * posted as multipart form data, then the message naming the media id.
 * A request cut short by shutdown stays pending and is sent again after
 * the restart (at least once: the platform may have seen it). */
#include "serve_send.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "options.h"
#include "serve.h"
#include "send_http.h"

#define SEND_QUEUE 64              /* rows taken beyond one per worker */
#define SEND_TICK_US 1000000       /* look for due retries this often */
#define SEND_BACKOFF_MAX 300       /* seconds */
#define SEND_RETRY_AFTER_MAX 3600  /* a longer Retry-After is not believed */
#define SEND_ATTEMPTS_MAX 300      /* about a day at the longest backoff */
#define WINDOW_SECONDS (24 * 3600 - 600) /* WhatsApp's, with a margin */

/* ---- Into the outbox ------------------------------------------------------------ */

int host_outbox_enqueue(host_db *db, const host_transport *t,
                        const host_serve_config *cfg, host_metrics *m,
                        const char *user, const samvad_replies *replies,
                        int is_notice, int64_t now) {
  int use_template = 0;
  char masked[64];
  host_mask_id(user, masked, sizeof masked);
  if (is_notice && t->render_template) {
    int64_t at = 0;
    int err = host_db_last_inbound(db, t->name, user, &at);
    if (err != 0 && err != SAMVAD_ENOTFOUND)
      return err;
    use_template = err == SAMVAD_ENOTFOUND || now - at >= WINDOW_SECONDS;
    if (use_template && (!cfg->wa_template || !cfg->wa_template[0])) {
      host_serve_log("no_template", "transport=%s user=%s note=\"a notice "
                     "outside the 24-hour window is sent as is\"",
                     t->name, masked);
      use_template = 0;
    }
  }
  for (size_t i = 0; i < samvad_replies_count(replies); i++) {
    const samvad_reply *r = samvad_replies_get(replies, i);
    host_request_list list = {0};
    int shortened = 0;
    int rc = use_template ? t->render_template(cfg, user, r, &list)
                          : t->render(cfg, user, r, &list, &shortened);
    int err = rc == 0 ? 0 : SAMVAD_ENOMEM;
    for (size_t k = 0; !err && k < list.count; k++) {
      host_request *q = &list.items[k];
      err = host_db_outbox_add(db, t->name, user, q->url,
                               (const unsigned char *)q->body.data,
                               q->body.len, now);
    }
    host_request_list_free(&list);
    if (err)
      return err;
    if (shortened) {
      atomic_fetch_add(&m->shortened, 1);
      host_serve_log("reply_shortened", "transport=%s user=%s flow=%s "
                     "state=%s", t->name, masked, r->flow ? r->flow : "-",
                     r->state ? r->state : "-");
    }
  }
  return 0;
}

/* ---- The sender ------------------------------------------------------------------- */

typedef enum { SLOT_FREE, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE } slot_state;

typedef struct slot {
  slot_state state;
  host_outbox_item item;
  host_send_result result;
  int gave_up;                /* retried for too long: now failed */
} slot;

struct host_sender {
  host_send_context ctx;      /* what the workers read (config, deadline) */
  host_metrics *m;
  host_db *db;                /* the scheduler's connection */
  pthread_mutex_t lock;
  pthread_cond_t work;        /* workers wait here for queued slots */
  pthread_cond_t sched;       /* the scheduler waits here */
  int stopping, woken;
  slot *slots;
  size_t slot_count;
  pthread_t scheduler;
  pthread_t *workers;
  int worker_count;           /* started */
};

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void wait_until(pthread_cond_t *c, pthread_mutex_t *m, int64_t at_us) {
  struct timespec ts;
  ts.tv_sec = (time_t)(at_us / 1000000);
  ts.tv_nsec = (long)(at_us % 1000000) * 1000;
  pthread_cond_timedwait(c, m, &ts);
}

/* Seconds before attempt number `attempts` + 1: doubling from 1 s, capped,
 * with up to half again of jitter so that many retries do not return in
 * step; never sooner than the platform asked. */
static int64_t backoff(int attempts, int retry_after) {
  int64_t delay = SEND_BACKOFF_MAX;
  if (attempts <= 9)
    delay = (int64_t)1 << (attempts > 0 ? attempts - 1 : 0);
  if (delay > SEND_BACKOFF_MAX)
    delay = SEND_BACKOFF_MAX;
  delay += randombytes_uniform((uint32_t)(delay / 2 + 1));
  if (retry_after > SEND_RETRY_AFTER_MAX)
    retry_after = SEND_RETRY_AFTER_MAX;
  if (retry_after > delay)
    delay = retry_after + randombytes_uniform(2);
  return delay;
}

/* One row's outcome into the database (inside the batch's transaction). */
static int record(host_sender *s, slot *d, int64_t now) {
  host_outbox_item *it = &d->item;
  host_send_result *r = &d->result;
  d->gave_up = 0;
  switch (r->kind) {
  case HOST_SEND_SENT:
    return host_db_outbox_sent(s->db, it->id, r->sent_id, now);
  case HOST_SEND_RETRY:
    if (it->attempts + 1 >= SEND_ATTEMPTS_MAX) {
      d->gave_up = 1;
      return host_db_outbox_failed(s->db, it->id, r->error, now);
    }
    return host_db_outbox_retry(
        s->db, it->id, now + backoff(it->attempts + 1, r->retry_after),
        r->error);
  case HOST_SEND_FAILED:
    return host_db_outbox_failed(s->db, it->id, r->error, now);
  default: /* cut short by shutdown: left as it was */
    return 0;
  }
}

/* A platform's error text fit for a log value in quotes. */
static void log_safe(char *text) {
  for (char *p = text; *p; p++)
    if (*p == '"' || *p == '\\' || (unsigned char)*p < ' ')
      *p = ' ';
}

/* Counts and logs outcomes once they are committed. */
static void report(host_sender *s, slot *d) {
  int gave_up = d->gave_up;
  host_outbox_item *it = &d->item;
  host_send_result *r = &d->result;
  char masked[64];
  host_mask_id(it->user, masked, sizeof masked);
  log_safe(r->error);
  if (r->kind == HOST_SEND_SENT) {
    atomic_fetch_add(&s->m->messages_out, 1);
  } else if (r->kind == HOST_SEND_RETRY && !gave_up) {
    atomic_fetch_add(&s->m->send_retries, 1);
    host_serve_log("send_retry", "transport=%s user=%s outbox=%lld "
                   "attempt=%d status=%ld error=\"%s\"", it->transport,
                   masked, (long long)it->id, it->attempts + 1, r->status,
                   r->error);
  } else if (r->kind == HOST_SEND_RETRY || r->kind == HOST_SEND_FAILED) {
    atomic_fetch_add(&s->m->send_failures, 1);
    host_serve_log("send_failed", "transport=%s user=%s outbox=%lld "
                   "attempts=%d status=%ld error=\"%s\"%s", it->transport,
                   masked, (long long)it->id, it->attempts + 1, r->status,
                   r->error, gave_up ? " gave_up=1" : "");
  }
}

/* Writes a batch of outcomes in one transaction (a few tries when the
 * database is busy), then counts and logs them. */
static void apply(host_sender *s, slot **done, size_t n) {
  int err = 0;
  for (int tries = 0; tries < 3; tries++) {
    int64_t now = (int64_t)time(NULL);
    err = host_db_begin(s->db);
    for (size_t i = 0; !err && i < n; i++)
      err = record(s, done[i], now);
    if (!err)
      err = host_db_commit(s->db);
    else
      host_db_rollback(s->db);
    if (!err)
      break;
  }
  if (err) {
    /* The rows stay pending: sent ones will go again (at least once). */
    host_serve_log("store_error", "stage=outbox error=\"%s\"",
                   host_db_errmsg(s->db)[0] ? host_db_errmsg(s->db)
                                            : samvad_strerror(err));
    return;
  }
  for (size_t i = 0; i < n; i++)
    report(s, done[i]);
}

/* Fills free slots with due rows; returns how many were queued, or -1
 * after a database failure. Called and returns with the lock held. */
static int fetch(host_sender *s, host_outbox_item *rows, const char **busy) {
  size_t free_count = 0, busy_count = 0;
  for (size_t i = 0; i < s->slot_count; i++) {
    if (s->slots[i].state == SLOT_FREE)
      free_count++;
    else /* only this thread frees slots: the strings stay valid */
      busy[busy_count++] = s->slots[i].item.user;
  }
  if (free_count == 0)
    return 0;
  pthread_mutex_unlock(&s->lock);
  size_t n = 0;
  int err = host_db_outbox_due(s->db, (int64_t)time(NULL), busy, busy_count,
                               free_count, rows, &n);
  pthread_mutex_lock(&s->lock);
  if (err) {
    host_serve_log("store_error", "stage=outbox_due error=\"%s\"",
                   host_db_errmsg(s->db));
    return -1;
  }
  for (size_t i = 0, k = 0; i < n; i++) {
    while (s->slots[k].state != SLOT_FREE)
      k++;
    s->slots[k].item = rows[i]; /* the body moves into the slot */
    memset(&s->slots[k].result, 0, sizeof s->slots[k].result);
    s->slots[k].state = SLOT_QUEUED;
  }
  if (n > 0)
    pthread_cond_broadcast(&s->work);
  return (int)n;
}

static void *scheduler_main(void *arg) {
  host_sender *s = arg;
  host_outbox_item *rows = calloc(s->slot_count, sizeof *rows);
  const char **busy = calloc(s->slot_count, sizeof *busy);
  slot **done = calloc(s->slot_count, sizeof *done);
  int64_t next_look = 0;
  if (!rows || !busy || !done)
    host_serve_log("store_error", "stage=outbox error=\"out of memory: "
                   "nothing is sent until a restart\"");
  pthread_mutex_lock(&s->lock);
  while (rows && busy && done) {
    size_t n = 0;
    for (size_t i = 0; i < s->slot_count; i++)
      if (s->slots[i].state == SLOT_DONE)
        done[n++] = &s->slots[i];
    if (n > 0) {
      pthread_mutex_unlock(&s->lock);
      apply(s, done, n);
      pthread_mutex_lock(&s->lock);
      for (size_t i = 0; i < n; i++) {
        host_outbox_items_free(&done[i]->item, 1);
        done[i]->state = SLOT_FREE;
      }
    }
    if (s->stopping) {
      size_t used = 0;
      for (size_t i = 0; i < s->slot_count; i++)
        used += s->slots[i].state != SLOT_FREE;
      if (used == 0)
        break;
      if (n == 0)
        wait_until(&s->sched, &s->lock, mono_us() + 50000);
      continue;
    }
    /* A finished row may have made its citizen's next one due. */
    int64_t now = mono_us();
    if (s->woken || n > 0 || now >= next_look) {
      s->woken = 0;
      int got = fetch(s, rows, busy);
      next_look = now + SEND_TICK_US;
      if (got > 0)
        continue;
    }
    int any_done = 0;
    for (size_t i = 0; i < s->slot_count; i++)
      any_done |= s->slots[i].state == SLOT_DONE;
    if (!any_done && !s->woken && !s->stopping)
      wait_until(&s->sched, &s->lock, next_look);
  }
  pthread_mutex_unlock(&s->lock);
  free(rows);
  free(busy);
  free(done);
  return NULL;
}

/* The queued slot with the oldest row, or NULL. */
static slot *next_queued(host_sender *s) {
  slot *best = NULL;
  for (size_t i = 0; i < s->slot_count; i++)
    if (s->slots[i].state == SLOT_QUEUED &&
        (!best || s->slots[i].item.id < best->item.id))
      best = &s->slots[i];
  return best;
}

static void *worker_main(void *arg) {
  host_sender *s = arg;
  host_send_http *http = host_send_http_create(&s->ctx);
  pthread_mutex_lock(&s->lock);
  for (;;) {
    slot *job = next_queued(s);
    if (!job) {
      if (s->stopping)
        break;
      pthread_cond_wait(&s->work, &s->lock);
      continue;
    }
    job->state = SLOT_RUNNING;
    int64_t deadline = atomic_load(&s->ctx.deadline_us);
    pthread_mutex_unlock(&s->lock);
    if (!http || (deadline && mono_us() >= deadline))
      job->result.kind = http ? HOST_SEND_UNSENT : HOST_SEND_RETRY;
    else
      host_send_http_perform(http, &job->item, &job->result);
    if (!http)
      snprintf(job->result.error, sizeof job->result.error,
               "cannot create an HTTP client");
    pthread_mutex_lock(&s->lock);
    job->state = SLOT_DONE;
    pthread_cond_signal(&s->sched);
  }
  pthread_mutex_unlock(&s->lock);
  host_send_http_destroy(http);
  return NULL;
}

static void destroy(host_sender *s) {
  host_db_close(s->db);
  for (size_t i = 0; s->slots && i < s->slot_count; i++)
    host_outbox_items_free(&s->slots[i].item, 1);
  free(s->slots);
  free(s->workers);
  host_send_context_free(&s->ctx);
  pthread_cond_destroy(&s->work);
  pthread_cond_destroy(&s->sched);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

int host_sender_start(const host_serve_config *cfg, const char *db_path,
                      host_metrics *m, host_sender **out) {
  *out = NULL;
  if (strcmp(db_path, ":memory:") == 0) {
    fprintf(stderr, "samvad serve: sending needs a database file, not "
                    ":memory:\n");
    return HOST_EXIT_USAGE;
  }
  host_sender *s = calloc(1, sizeof *s);
  if (!s)
    return HOST_EXIT_STORE;
  s->m = m;
  int workers = cfg->senders > 0 ? cfg->senders : 4;
  s->slot_count = (size_t)workers + SEND_QUEUE;
  s->slots = calloc(s->slot_count, sizeof *s->slots);
  s->workers = calloc((size_t)workers, sizeof *s->workers);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->work, NULL);
  pthread_cond_init(&s->sched, &attr);
  pthread_condattr_destroy(&attr);
  int rc = !s->slots || !s->workers ? HOST_EXIT_STORE : 0;
  if (!rc)
    rc = host_send_context_init(&s->ctx, cfg);
  if (!rc)
    rc = host_db_open(db_path, &s->db);
  if (rc) {
    destroy(s);
    return rc;
  }
  for (int i = 0; i < workers; i++) {
    if (pthread_create(&s->workers[i], NULL, worker_main, s) != 0)
      break;
    s->worker_count++;
  }
  if (s->worker_count == 0 ||
      pthread_create(&s->scheduler, NULL, scheduler_main, s) != 0) {
    fprintf(stderr, "samvad serve: cannot start the sending threads\n");
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->worker_count; i++)
      pthread_join(s->workers[i], NULL);
    destroy(s);
    return HOST_EXIT_IO;
  }
  *out = s;
  return 0;
}

void host_sender_wake(host_sender *s) {
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->woken = 1;
  pthread_cond_signal(&s->sched);
  pthread_mutex_unlock(&s->lock);
}

void host_sender_stop(host_sender *s, int drain_seconds) {
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  atomic_store(&s->ctx.deadline_us,
               mono_us() + (int64_t)(drain_seconds > 0 ? drain_seconds : 0) *
                               1000000);
  pthread_cond_broadcast(&s->work);
  pthread_cond_broadcast(&s->sched);
  pthread_mutex_unlock(&s->lock);
  for (int i = 0; i < s->worker_count; i++)
    pthread_join(s->workers[i], NULL);
  pthread_join(s->scheduler, NULL);
  destroy(s);
}
