/* serve_checkpoint.h - the thread of `samvad serve` that copies the
 * write-ahead log back into the database while the store thread goes on
 * (serve_checkpoint.c, over db_checkpoint.c). */
#ifndef SAMVAD_HOST_SERVE_CHECKPOINT_H
#define SAMVAD_HOST_SERVE_CHECKPOINT_H

#include "db.h"
#include "metrics.h"

typedef struct host_checkpoint host_checkpoint;

/* Starts the thread over c, which it then owns (closed by
 * host_checkpoint_stop, or here on failure). Each pass is counted in
 * metrics->checkpoints_background. 0, or -1. */
int host_checkpoint_start(host_checkpoint **out, host_db_checkpointer *c,
                          host_metrics *metrics);
/* Asks for a pass, unless one is asked for or under way. */
void host_checkpoint_nudge(host_checkpoint *k);
/* A pass is asked for or under way: the store thread's own pass would
 * find the lock taken. */
int host_checkpoint_busy(host_checkpoint *k);
/* Waits for the pass under way, then closes the connection. NULL is
 * fine. */
void host_checkpoint_stop(host_checkpoint *k);

#endif
