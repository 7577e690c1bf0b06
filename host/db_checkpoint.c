/* db_checkpoint.c - copying serve's write-ahead log back into the database
 * without stalling the store thread (db.h). SQLite's own checkpoint runs
 * inside the commit that crosses the limit, on the writing thread: a WAL
 * sync, thousands of pages copied, a sync of the database file, then a
 * sync of the log's new header at the next commit. In `samvad serve`
 * that held every webhook waiting for the store thread for 35-78 ms
 * about once a second under load. Here a second connection, on a thread
 * of its own, does the copying and the database sync (PASSIVE: it never
 * waits for the writer, and the writer never waits for it); the writer
 * then runs a last short pass over the few pages committed meanwhile,
 * which SQLite needs before it can start the log over. */
#include "db_private.h"

#include <stdlib.h>
#include <string.h>

struct host_db_checkpointer {
  sqlite3 *sql;
};

/* The WAL hook replaces SQLite's automatic checkpoints on the writer:
 * it only notes how long the log has grown. */
static int note_frames(void *arg, sqlite3 *sql, const char *name,
                       int frames) {
  (void)sql;
  if (strcmp(name, "main") == 0)
    atomic_store((atomic_int *)arg, frames);
  return SQLITE_OK;
}

int host_db_checkpointer_open(host_db *db, host_db_checkpointer **out) {
  *out = NULL;
  host_db_checkpointer *c = calloc(1, sizeof *c);
  if (!c)
    return SAMVAD_ENOMEM;
  /* The same file as db's connection: SQLite shares one set of locks per
   * file within a process, so this adds no lock of its own to lose. */
  int rc = sqlite3_open_v2(db->path, &c->sql, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(c->sql,
                      /* FULL: a pass syncs the log before it copies from
                       * it and the database once it has copied it all. */
                      "PRAGMA synchronous = FULL; PRAGMA cache_size = -1024;"
                      "PRAGMA journal_mode = WAL",
                      NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    host_db_set_error(db, c->sql ? sqlite3_errmsg(c->sql)
                                 : "cannot open a second connection");
    sqlite3_close(c->sql);
    free(c);
    return SAMVAD_ESTORE;
  }
  atomic_store(&db->wal_frames, 0);
  sqlite3_wal_hook(db->sql, note_frames, (void *)&db->wal_frames);
  *out = c;
  return 0;
}

/* A passive checkpoint on sql: 1 when the whole log is in the database
 * (and synced), 0 when commits came meanwhile or another pass held the
 * lock, -1 on failure. */
static int passive(sqlite3 *sql, int *copied) {
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(sql, "main", SQLITE_CHECKPOINT_PASSIVE,
                                     &log, &done);
  if (copied)
    *copied = done;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    return 0;
  if (rc != SQLITE_OK)
    return -1;
  return log >= 0 && done >= log;
}

int host_db_checkpointer_pass(host_db_checkpointer *c) {
  int copied = 0;
  int r = passive(c->sql, &copied);
  if (r != 0 || copied <= 0)
    return r;
  /* Part of the log copied, not yet synced (SQLite syncs the database
   * only when a pass copies everything): synced here, so that the
   * writer's last pass has little left to put on disk. */
  sqlite3_file *db_file = NULL;
  if (sqlite3_file_control(c->sql, "main", SQLITE_FCNTL_FILE_POINTER,
                           &db_file) != SQLITE_OK ||
      !db_file || !db_file->pMethods)
    return 0;
  return db_file->pMethods->xSync(db_file, SQLITE_SYNC_NORMAL) == SQLITE_OK
             ? 0
             : -1;
}

void host_db_checkpointer_close(host_db_checkpointer *c) {
  if (!c)
    return;
  /* db's connection is still open: closing this one deletes no log. */
  sqlite3_close(c->sql);
  free(c);
}

int host_db_wal_frames(host_db *db) { return atomic_load(&db->wal_frames); }

int host_db_checkpoint_here(host_db *db) {
  int r = passive(db->sql, NULL);
  if (r < 0) {
    host_db_set_error(db, sqlite3_errmsg(db->sql));
    return SAMVAD_ESTORE;
  }
  return r;
}
