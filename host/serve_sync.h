/* serve_sync.h - the sync thread of `samvad serve`. The store thread
 * commits without waiting for the disk (host_db_defer_sync); this thread
 * puts the write-ahead log on disk (fdatasync) while the store thread goes
 * on stepping, then hands back what that fsync covered: the webhook
 * requests to answer, and the commits that may now be sent. So the store
 * thread never sits idle in an fsync, and one fsync covers every commit
 * made before it began (commits are counted by host_db_commits). */
#ifndef SAMVAD_HOST_SERVE_SYNC_H
#define SAMVAD_HOST_SERVE_SYNC_H

#include <stdint.h>

#include "db.h"

/* Something waiting for its commit to reach the disk: embedded first in
 * the caller's own structure. seq is host_db_commits just after its
 * commit. */
typedef struct host_sync_wait {
  struct host_sync_wait *next;
  uint64_t seq;
} host_sync_wait;

typedef struct host_syncer host_syncer;

/* Called on the sync thread after each fsync: for each waiter it covered
 * (ok 0 when the fsync failed: the caller must treat its commit as not
 * durable), then once with w NULL, when host_syncer_synced has moved. */
typedef void (*host_sync_done)(void *arg, host_sync_wait *w, int ok);

/* Starts the thread over wal_fd (owned from now on, closed by stop), the
 * write-ahead log of db. 0, or -1 (nothing started; the fd is closed). */
int host_syncer_start(host_syncer **out, host_db *db, int wal_fd,
                      host_sync_done done, void *arg);
/* Every commit up to this count (host_db_commits) is on disk. */
uint64_t host_syncer_synced(host_syncer *s);
/* Queues w (w->seq set by the caller) for the next fsync. */
void host_syncer_wait(host_syncer *s, host_sync_wait *w);
/* Asks for an fsync even when nothing waits (for rows to send). */
void host_syncer_request(host_syncer *s);
/* Syncs once more, hands back every waiter, joins the thread, frees. */
void host_syncer_stop(host_syncer *s);

#endif
