/* serve_checkpoint.c - the checkpoint thread of `samvad serve`
 * (serve_checkpoint.h). The store thread nudges it as the write-ahead log
 * grows; each nudge is one passive pass (db_checkpoint.c), which copies
 * the log's pages into the database and syncs it without holding up a
 * commit. A failed pass is logged and left to the store thread's own pass,
 * which then copies what this one did not. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "serve_checkpoint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "serve.h"

struct host_checkpoint {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  host_db_checkpointer *c;
  host_metrics *metrics;
  int asked, stopping; /* under lock */
  atomic_int busy;     /* asked or under way */
  int failing;         /* the last pass failed (logged once) */
};

static void *checkpoint_main(void *arg) {
  host_checkpoint *k = arg;
  pthread_setname_np(pthread_self(), "samvad-ckpt");
  pthread_mutex_lock(&k->lock);
  for (;;) {
    while (!k->asked && !k->stopping)
      pthread_cond_wait(&k->wake, &k->lock);
    if (k->stopping)
      break;
    k->asked = 0;
    pthread_mutex_unlock(&k->lock);
    int r = host_db_checkpointer_pass(k->c);
    if (r >= 0)
      atomic_fetch_add(&k->metrics->checkpoints_background, 1);
    if (r < 0 && !k->failing)
      host_serve_log("store_error", "stage=checkpoint error=\"the "
                     "write-ahead log could not be copied back; the store "
                     "thread copies it\"");
    k->failing = r < 0;
    atomic_store(&k->busy, 0);
    pthread_mutex_lock(&k->lock);
  }
  pthread_mutex_unlock(&k->lock);
  return NULL;
}

int host_checkpoint_start(host_checkpoint **out, host_db_checkpointer *c,
                          host_metrics *metrics) {
  *out = NULL;
  host_checkpoint *k = calloc(1, sizeof *k);
  if (!k) {
    host_db_checkpointer_close(c);
    return -1;
  }
  k->c = c;
  k->metrics = metrics;
  pthread_mutex_init(&k->lock, NULL);
  pthread_cond_init(&k->wake, NULL);
  if (pthread_create(&k->thread, NULL, checkpoint_main, k) != 0) {
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->lock);
    host_db_checkpointer_close(c);
    free(k);
    return -1;
  }
  *out = k;
  return 0;
}

void host_checkpoint_nudge(host_checkpoint *k) {
  if (atomic_load(&k->busy))
    return;
  atomic_store(&k->busy, 1);
  pthread_mutex_lock(&k->lock);
  k->asked = 1;
  pthread_cond_signal(&k->wake);
  pthread_mutex_unlock(&k->lock);
}

int host_checkpoint_busy(host_checkpoint *k) { return atomic_load(&k->busy); }

void host_checkpoint_stop(host_checkpoint *k) {
  if (!k)
    return;
  pthread_mutex_lock(&k->lock);
  k->stopping = 1;
  pthread_cond_signal(&k->wake);
  pthread_mutex_unlock(&k->lock);
  pthread_join(k->thread, NULL);
  host_db_checkpointer_close(k->c);
  pthread_cond_destroy(&k->wake);
  pthread_mutex_destroy(&k->lock);
  free(k);
}
