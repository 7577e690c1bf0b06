/* serve_sync.c - the sync thread of `samvad serve` (serve_sync.h).
 * fdatasync on a descriptor of its own for the write-ahead log: Linux
 * writes back the file's data whichever descriptor wrote it, and SQLite
 * keeps the file (never truncated or deleted while serve has the database
 * open: no journal_size_limit, no TRUNCATE checkpoints). A commit whose
 * frames are only partly on disk when the power goes is rolled back by
 * SQLite's recovery (each frame's checksum covers those before it), and
 * nothing of it has left the process: its answers and sends wait here. */
#include "serve_sync.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct host_syncer {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  host_db *db;
  int fd;
  host_sync_done done;
  void *arg;
  host_sync_wait *head, *tail; /* under lock */
  int requested, stopping;     /* under lock */
  atomic_uint_fast64_t synced;
};

static void *sync_main(void *arg) {
  host_syncer *s = arg;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    while (!s->head && !s->requested && !s->stopping)
      pthread_cond_wait(&s->wake, &s->lock);
    if (!s->head && !s->requested && s->stopping)
      break;
    host_sync_wait *list = s->head;
    s->head = s->tail = NULL;
    s->requested = 0;
    pthread_mutex_unlock(&s->lock);
    /* Read before the fsync: every commit counted by now is complete in
     * the file, so the fsync covers it (and perhaps later ones). */
    uint64_t target = host_db_commits(s->db);
    int ok = fdatasync(s->fd) == 0;
    if (ok && target > atomic_load(&s->synced))
      atomic_store(&s->synced, target);
    for (host_sync_wait *w = list, *next; w; w = next) {
      next = w->next; /* w belongs to the callback from here on */
      s->done(s->arg, w, ok && w->seq <= target);
    }
    s->done(s->arg, NULL, ok);
    pthread_mutex_lock(&s->lock);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

int host_syncer_start(host_syncer **out, host_db *db, int wal_fd,
                      host_sync_done done, void *arg) {
  *out = NULL;
  host_syncer *s = calloc(1, sizeof *s);
  if (!s) {
    close(wal_fd);
    return -1;
  }
  s->db = db;
  s->fd = wal_fd;
  s->done = done;
  s->arg = arg;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->wake, NULL);
  if (pthread_create(&s->thread, NULL, sync_main, s) != 0) {
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    close(wal_fd);
    free(s);
    return -1;
  }
  *out = s;
  return 0;
}

uint64_t host_syncer_synced(host_syncer *s) {
  return atomic_load(&s->synced);
}

void host_syncer_wait(host_syncer *s, host_sync_wait *w) {
  w->next = NULL;
  pthread_mutex_lock(&s->lock);
  if (s->tail)
    s->tail->next = w;
  else
    s->head = w;
  s->tail = w;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
}

void host_syncer_request(host_syncer *s) {
  pthread_mutex_lock(&s->lock);
  s->requested = 1;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
}

void host_syncer_stop(host_syncer *s) {
  if (!s)
    return;
  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  s->requested = 1; /* one last fsync for whatever was committed */
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  pthread_join(s->thread, NULL);
  close(s->fd);
  pthread_cond_destroy(&s->wake);
  pthread_mutex_destroy(&s->lock);
  free(s);
}
