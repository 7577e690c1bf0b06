/* serve_send.c - the sending side of `samvad serve` (serve_send.h).
 *
 * Replies are rendered into the outbox inside the transaction that made
 * them. One thread speaks HTTP, many requests at once on one libcurl multi
 * handle (its connections kept alive), and never touches the database:
 * the store thread, its only user, hands it due rows (each citizen's
 * oldest, none of a citizen with a request not yet recorded, so replies
 * keep their order) and writes their outcomes in its next round's
 * transaction. One connection keeps one warm
 * page cache (SQLite drops a connection's cache whenever another one
 * writes), there is no second writer to wait for, and the outcomes share
 * the round's fsync.
 *
 * Outcomes: 2xx → sent, with the platform's id; 429, 5xx and network
 * errors → retried after 1, 2, 4 ... seconds (at most 5 minutes; never
 * sooner than Retry-After) plus jitter, up to a day of attempts; anything
 * else → failed, logged and counted. A certificate's row is an upload
 * instruction (wa_render.h), done here: the QR code is written as a PNG,
 * posted as multipart form data, then the message naming the media id.
 * A request cut short by shutdown stays pending and is sent again after
 * the restart (at least once: the platform may have seen it). */
#define _GNU_SOURCE /* pthread_setname_np */
#include "serve_send.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "options.h"
#include "serve.h"
#include "send_http.h"

/* Rows handed out beyond those in flight. The store thread fills the
 * queue once a turn, so it must hold a turn's worth of replies: with 64
 * the replies fell behind the acknowledgements at 256 connections. */
#define SEND_QUEUE 252
#define SEND_BACKOFF_MAX 300       /* seconds */
#define SEND_RETRY_AFTER_MAX 3600  /* a longer Retry-After is not believed */
#define SEND_ATTEMPTS_MAX 300      /* about a day at the longest backoff */
#define WINDOW_SECONDS (24 * 3600 - 600) /* WhatsApp's, with a margin */

/* ---- Into the outbox ------------------------------------------------------------ */

int host_outbox_enqueue(host_db *db, const host_transport *t,
                        const host_serve_config *cfg, host_metrics *m,
                        const char *user, const samvad_replies *replies,
                        int is_notice, int64_t now, size_t *held) {
  int use_template = 0;
  char masked[64];
  host_mask_id(user, masked, sizeof masked);
  if (is_notice && t->render_template) {
    int64_t at = 0;
    char key[SAMVAD_MAX_USER_ID_BYTES + 1];
    int err = host_store_user(t->name, user, key, sizeof key) != 0
                  ? SAMVAD_ENOTFOUND
                  : host_db_last_inbound(db, key, &at);
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
  /* A template names one event: notices outside the window go one by
   * one; anything else as few messages as fit. */
  host_merged merged = {0};
  if (!use_template && host_replies_merge(replies, &t->merge, &merged) != 0)
    return SAMVAD_ENOMEM;
  size_t count = use_template ? samvad_replies_count(replies) : merged.count;
  for (size_t i = 0; i < count; i++) {
    const samvad_reply *r = use_template ? samvad_replies_get(replies, i)
                                         : &merged.items[i].reply;
    host_request_list list = {0};
    int shortened = 0;
    int rc = use_template ? t->render_template(cfg, user, r, &list)
                          : t->render(cfg, user, r, &list, &shortened);
    int err = rc == 0 ? 0 : SAMVAD_ENOMEM;
    for (size_t k = 0; !err && k < list.count; k++) {
      host_request *q = &list.items[k];
      /* After a template only the citizen's answer opens the window. */
      int hold = use_template && k > 0;
      err = (hold ? host_db_outbox_hold : host_db_outbox_add)(
          db, t->name, user, q->url, (const unsigned char *)q->body.data,
          q->body.len, now);
      if (!err && hold && held)
        ++*held;
    }
    host_request_list_free(&list);
    if (err) {
      host_merged_free(&merged);
      return err;
    }
    if (shortened) {
      atomic_fetch_add(&m->shortened, 1);
      host_serve_log("reply_shortened", "transport=%s user=%s flow=%s "
                     "state=%s", t->name, masked, r->flow ? r->flow : "-",
                     r->state ? r->state : "-");
    }
  }
  host_merged_free(&merged);
  return 0;
}

/* ---- The sender ------------------------------------------------------------------- */

/* A slot's life: FREE → QUEUED (fill) → RUNNING (the loop) → DONE →
 * RECORDING (host_sender_record) → FREE (host_sender_recorded). Its
 * citizen counts as busy from QUEUED until FREE, so their next row is not
 * taken before this one's outcome is committed: replies keep their order. */
typedef enum {
  SLOT_FREE, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE, SLOT_RECORDING
} slot_state;

typedef struct slot {
  slot_state state;
  host_outbox_item item;
  host_send_result result;
  int gave_up;                /* retried for too long: now failed */
} slot;

struct host_sender {
  host_send_context ctx;      /* what the clients read (config, deadline) */
  host_metrics *m;
  pthread_mutex_t lock;
  CURLM *multi;               /* woken (curl_multi_wakeup) for new rows */
  host_send_http **clients;   /* one per request in flight */
  slot **running;             /* the row each client carries, or NULL */
  size_t *idle;               /* clients carrying no row (a stack) */
  size_t idle_n;
  slot **queued;              /* the loop's scratch: one per slot */
  size_t *fresh, *done;       /* the loop's scratch: one per client */
  size_t client_count;
  int stopping;
  void (*notify)(void *);     /* an outcome waits (called unlocked) */
  void *notify_arg;
  slot *slots;
  size_t slot_count;
  host_outbox_item *rows;     /* fill's scratch: one per slot */
  const char **busy;          /* fill's scratch: one per slot */
  slot **recording;           /* the outcomes being recorded */
  size_t recording_n;
  pthread_t thread;
  int started;
};

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
  /* Times are whole seconds read from a clock that is up to a second
   * further on: one more, so that at least retry_after seconds pass. */
  if (retry_after > 0 && delay <= retry_after)
    delay = retry_after + 1 + randombytes_uniform(2);
  return delay;
}

/* One row's outcome into the database (inside the batch's transaction). */
static int record(host_db *db, slot *d, int64_t now) {
  host_outbox_item *it = &d->item;
  host_send_result *r = &d->result;
  d->gave_up = 0;
  switch (r->kind) {
  case HOST_SEND_SENT:
    return host_db_outbox_sent(db, it->id, r->sent_id, now);
  case HOST_SEND_RETRY:
    if (it->attempts + 1 >= SEND_ATTEMPTS_MAX) {
      d->gave_up = 1;
      return host_db_outbox_failed(db, it->id, r->error, now);
    }
    return host_db_outbox_retry(
        db, it->id, now + backoff(it->attempts + 1, r->retry_after),
        r->error);
  case HOST_SEND_FAILED:
    return host_db_outbox_failed(db, it->id, r->error, now);
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

/* Counts and logs an outcome once it is committed. */
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

int host_sender_record(host_sender *s, host_db *db, int64_t now) {
  /* The slots taken here are this thread's until host_sender_recorded:
   * the sending thread only looks at QUEUED and RUNNING ones. */
  pthread_mutex_lock(&s->lock);
  s->recording_n = 0;
  for (size_t i = 0; i < s->slot_count; i++)
    if (s->slots[i].state == SLOT_DONE) {
      s->slots[i].state = SLOT_RECORDING;
      s->recording[s->recording_n++] = &s->slots[i];
    }
  pthread_mutex_unlock(&s->lock);
  int err = 0;
  for (size_t i = 0; !err && i < s->recording_n; i++)
    err = record(db, s->recording[i], now);
  return err;
}

void host_sender_recorded(host_sender *s, int committed) {
  for (size_t i = 0; i < s->recording_n; i++) {
    if (committed)
      report(s, s->recording[i]);
    host_outbox_items_free(&s->recording[i]->item, 1);
  }
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0; i < s->recording_n; i++)
    s->recording[i]->state = SLOT_FREE;
  pthread_mutex_unlock(&s->lock);
  s->recording_n = 0;
}

int host_sender_outcomes_waiting(host_sender *s) {
  int any = 0;
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0; !any && i < s->slot_count; i++)
    any = s->slots[i].state == SLOT_DONE;
  pthread_mutex_unlock(&s->lock);
  return any;
}

int host_sender_idle(host_sender *s) {
  int idle = 1;
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0; idle && i < s->slot_count; i++)
    idle = s->slots[i].state == SLOT_FREE;
  pthread_mutex_unlock(&s->lock);
  return idle;
}

int host_sender_fill(host_sender *s, host_db *db, int64_t now,
                     int64_t max_id) {
  size_t free_count = 0, busy_count = 0;
  pthread_mutex_lock(&s->lock);
  if (s->stopping) {
    pthread_mutex_unlock(&s->lock);
    return 0;
  }
  for (size_t i = 0; i < s->slot_count; i++) {
    if (s->slots[i].state == SLOT_FREE)
      free_count++;
    else /* only the caller frees slots: the strings stay valid */
      s->busy[busy_count++] = s->slots[i].item.user;
  }
  pthread_mutex_unlock(&s->lock);
  if (free_count == 0)
    return 0;
  size_t n = 0;
  if (host_db_outbox_due(db, now, max_id, s->busy, busy_count, free_count,
                         s->rows, &n) != 0) {
    host_serve_log("store_error", "stage=outbox_due error=\"%s\"",
                   host_db_errmsg(db));
    return -1;
  }
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0, k = 0; i < n; i++) {
    while (s->slots[k].state != SLOT_FREE)
      k++;
    s->slots[k].item = s->rows[i]; /* the body moves into the slot */
    memset(&s->slots[k].result, 0, sizeof s->slots[k].result);
    s->slots[k].state = SLOT_QUEUED;
  }
  pthread_mutex_unlock(&s->lock);
  if (n > 0)
    curl_multi_wakeup(s->multi);
  return (int)n;
}

static int by_row(const void *a, const void *b) {
  int64_t x = (*(slot *const *)a)->item.id, y = (*(slot *const *)b)->item.id;
  return (x > y) - (x < y);
}

/* Gives idle clients the oldest queued rows (under the lock); returns how
 * many, their clients in fresh. After the shutdown's deadline rows are
 * not started but marked unsent (they stay pending): *unsent counts them.
 * *finished: stopping, and nothing is queued or in flight; *stopping: as
 * host_sender_quiesce set it. */
static size_t take_queued(host_sender *s, size_t *fresh, size_t *unsent,
                          int *finished, int *stopping) {
  int64_t deadline = atomic_load(&s->ctx.deadline_us);
  int late = deadline && mono_us() >= deadline;
  size_t queued = 0, n = 0;
  for (size_t i = 0; i < s->slot_count; i++)
    if (s->slots[i].state == SLOT_QUEUED)
      s->queued[queued++] = &s->slots[i];
  if (late) {
    for (size_t i = 0; i < queued; i++) {
      s->queued[i]->result.kind = HOST_SEND_UNSENT;
      s->queued[i]->state = SLOT_DONE;
    }
    *unsent = queued;
    queued = 0;
  }
  if (queued > s->idle_n)
    qsort(s->queued, queued, sizeof *s->queued, by_row);
  for (; n < queued && s->idle_n > 0; n++) {
    size_t c = s->idle[--s->idle_n];
    s->queued[n]->state = SLOT_RUNNING;
    s->running[c] = s->queued[n];
    fresh[n] = c;
  }
  *finished = s->stopping && s->idle_n == s->client_count;
  *stopping = s->stopping;
  return n;
}

/* Outcomes are final: their slots wait to be recorded. */
static void finish_slots(host_sender *s, const size_t *done, size_t n,
                         size_t unsent) {
  if (n == 0 && unsent == 0)
    return;
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0; i < n; i++) {
    s->running[done[i]]->state = SLOT_DONE;
    s->running[done[i]] = NULL;
    s->idle[s->idle_n++] = done[i];
  }
  void (*notify)(void *) = s->notify;
  void *notify_arg = s->notify_arg;
  pthread_mutex_unlock(&s->lock);
  if (notify)
    notify(notify_arg);
}

/* Runs client c's prepared request on the multi handle; 0 when it could
 * not be added (the row's outcome is then final). */
static int run_request(host_sender *s, size_t c, slot *job) {
  CURL *easy = host_send_http_handle(s->clients[c]);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)(uintptr_t)c);
  if (curl_multi_add_handle(s->multi, easy) == CURLM_OK)
    return 1;
  (void)host_send_http_finish(s->clients[c], CURLE_OUT_OF_MEMORY,
                              &job->result);
  return 0;
}

/* Starts the row on client c; 0 when its outcome is already final. */
static int start_row(host_sender *s, size_t c, slot *job) {
  return host_send_http_begin(s->clients[c], &job->item, &job->result) &&
         run_request(s, c, job);
}

/* The transfers that ended: their rows' outcomes, or their next request
 * (a certificate's message, after its upload). */
static size_t collect(host_sender *s, size_t *done) {
  size_t n = 0;
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(s->multi, &left))) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result;
    void *private_data = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private_data);
    size_t c = (size_t)(uintptr_t)private_data;
    curl_multi_remove_handle(s->multi, easy);
    slot *job = s->running[c];
    if (host_send_http_finish(s->clients[c], rc, &job->result) &&
        run_request(s, c, job))
      continue; /* the certificate's message, after its upload */
    done[n++] = c;
  }
  return n;
}

/* The event loop: every request in flight at once on one multi handle.
 * A platform far away takes about 150 ms to answer, so the reply rate is
 * at most the requests in flight / that time: hundreds are needed, which
 * threads waiting each on its own answer could not give.
 * (curl_multi_socket_action over epoll cost more CPU here: an epoll_ctl
 * for each change of a transfer's socket.) */
static void *sender_main(void *arg) {
  host_sender *s = arg;
  pthread_setname_np(pthread_self(), "samvad-send"); /* for top -H */
  size_t *fresh = s->fresh, *done = s->done;
  for (;;) {
    int finished = 0, stopping = 0;
    size_t n_done = 0, unsent = 0;
    pthread_mutex_lock(&s->lock);
    size_t n = take_queued(s, fresh, &unsent, &finished, &stopping);
    pthread_mutex_unlock(&s->lock);
    if (finished) {
      finish_slots(s, done, 0, unsent); /* rows left unsent at the end */
      break;
    }
    for (size_t i = 0; i < n; i++)
      if (!start_row(s, fresh[i], s->running[fresh[i]]))
        done[n_done++] = fresh[i];
    int still = 0;
    curl_multi_perform(s->multi, &still);
    n_done += collect(s, done + n_done);
    finish_slots(s, done, n_done, unsent);
    /* Woken by curl_multi_wakeup for new rows and at shutdown; a short
     * wait while stopping, for the deadline. */
    curl_multi_poll(s->multi, NULL, 0, stopping ? 100 : 1000, NULL);
  }
  return NULL;
}

static void destroy(host_sender *s) {
  for (size_t i = 0; s->slots && i < s->slot_count; i++)
    host_outbox_items_free(&s->slots[i].item, 1);
  for (size_t c = 0; s->clients && c < s->client_count; c++)
    host_send_http_destroy(s->clients[c]);
  if (s->multi)
    curl_multi_cleanup(s->multi);
  free(s->clients);
  free(s->running);
  free(s->idle);
  free(s->queued);
  free(s->fresh);
  free(s->done);
  free(s->slots);
  free(s->rows);
  free(s->busy);
  free(s->recording);
  host_send_context_free(&s->ctx);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

int host_sender_start(const host_serve_config *cfg, host_metrics *m,
                      host_sender **out) {
  *out = NULL;
  host_sender *s = calloc(1, sizeof *s);
  if (!s)
    return HOST_EXIT_STORE;
  s->m = m;
  pthread_mutex_init(&s->lock, NULL);
  s->client_count =
      (size_t)(cfg->senders > 0 ? cfg->senders : HOST_SENDERS_DEFAULT);
  s->slot_count = s->client_count + SEND_QUEUE;
  s->slots = calloc(s->slot_count, sizeof *s->slots);
  s->rows = calloc(s->slot_count, sizeof *s->rows);
  s->busy = calloc(s->slot_count, sizeof *s->busy);
  s->recording = calloc(s->slot_count, sizeof *s->recording);
  s->clients = calloc(s->client_count, sizeof *s->clients);
  s->running = calloc(s->client_count, sizeof *s->running);
  s->idle = calloc(s->client_count, sizeof *s->idle);
  s->queued = calloc(s->slot_count, sizeof *s->queued);
  s->fresh = calloc(s->client_count, sizeof *s->fresh);
  s->done = calloc(s->client_count, sizeof *s->done);
  int rc = !s->slots || !s->rows || !s->busy || !s->recording ||
                   !s->clients || !s->running || !s->idle || !s->queued ||
                   !s->fresh || !s->done
               ? HOST_EXIT_STORE
               : 0;
  if (!rc)
    rc = host_send_context_init(&s->ctx, cfg);
  if (!rc && !(s->multi = curl_multi_init()))
    rc = HOST_EXIT_STORE;
  for (size_t c = 0; !rc && c < s->client_count; c++) {
    if (!(s->clients[c] = host_send_http_create(&s->ctx)))
      rc = HOST_EXIT_STORE;
    s->idle[s->idle_n++] = c;
  }
  if (rc) {
    if (rc == HOST_EXIT_STORE)
      fprintf(stderr, "samvad serve: out of memory for the senders\n");
    destroy(s);
    return rc;
  }
  if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
    fprintf(stderr, "samvad serve: cannot start the sending thread\n");
    destroy(s);
    return HOST_EXIT_IO;
  }
  s->started = 1;
  *out = s;
  return 0;
}

void host_sender_set_notify(host_sender *s, void (*notify)(void *),
                            void *arg) {
  pthread_mutex_lock(&s->lock);
  s->notify = notify;
  s->notify_arg = arg;
  pthread_mutex_unlock(&s->lock);
}

void host_sender_quiesce(host_sender *s, int drain_seconds) {
  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  atomic_store(&s->ctx.deadline_us,
               mono_us() + (int64_t)(drain_seconds > 0 ? drain_seconds : 0) *
                               1000000);
  pthread_mutex_unlock(&s->lock);
  curl_multi_wakeup(s->multi);
}

void host_sender_stop(host_sender *s) {
  if (!s)
    return;
  host_sender_quiesce(s, 0);
  if (s->started)
    pthread_join(s->thread, NULL);
  destroy(s);
}
