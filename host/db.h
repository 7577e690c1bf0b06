/* db.h - the host's durable store: one SQLite database (a file in WAL mode,
 * or ":memory:") behind libsamvad's samvad_store_ops, plus what the
 * binary's commands need beyond the library: transactions, the notice
 * queue, listings, retention, integrity checks and dumps.
 *
 * Error reporting: functions return 0 or a negative samvad error; the
 * SQLite description of the last failure is in host_db_errmsg and never
 * holds personal data (SQLite's messages name tables, not values). */
#ifndef SAMVAD_HOST_DB_H
#define SAMVAD_HOST_DB_H

#include <stdint.h>
#include <stdio.h>

#include "samvad/store.h"

#define HOST_DB_DEFAULT_PATH "samvad.db"
#define HOST_DB_DEFAULT_RETENTION_DAYS 30

typedef struct host_db host_db;

/* Opens path (":memory:" for a database that lives and dies with the
 * process), creating it with mode 0600 when missing, and runs the schema
 * migrations. A new database gets a random reference-number key, kept in
 * it. On failure prints "samvad: PATH: reason" to stderr and returns
 * HOST_EXIT_STORE (HOST_EXIT_IO when the folder cannot be written);
 * otherwise 0 and *out. A database written by a newer samvad (schema
 * version above ours) is refused, never downgraded. */
int host_db_open(const char *path, host_db **out);
void host_db_close(host_db *db);

/* The samvad_store over this database (owned by db). */
samvad_store *host_db_store(host_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. A commit's failure (disk full)
 * leaves nothing applied: the caller treats the batch as not processed. */
int host_db_begin(host_db *db);
int host_db_commit(host_db *db);
void host_db_rollback(host_db *db);

/* Commits on this connection stop waiting for the disk (WAL with
 * synchronous=NORMAL: a commit is safe from a crash of the process, and a
 * power cut may undo the last ones, never half of one). The caller then
 * calls host_db_sync before anything it committed leaves the process: an
 * answer to a webhook, a request sent. serve's store thread does, so that
 * one fsync covers a turn's intake and the stepping before it. */
int host_db_defer_sync(host_db *db);
/* Puts everything committed so far on disk (fdatasync of the WAL). 0, or
 * SAMVAD_ESTORE. A no-op for :memory:. */
int host_db_sync(host_db *db);

/* How many transactions this connection has committed; safe to read from
 * any thread. */
uint64_t host_db_commits(host_db *db);
/* A read-only descriptor of the write-ahead log, for a thread that syncs
 * it (serve_sync.c), or -1 (:memory:, or it cannot be opened). */
int host_db_wal_fd(host_db *db);

/* ---- Checkpoints off the writing thread (serve, db_checkpoint.c) ---------- */
typedef struct host_db_checkpointer host_db_checkpointer;
/* Opens a second connection to db's file for copying the write-ahead log
 * back (host_db_checkpointer_pass, on a thread of its own), and stops db's
 * own automatic checkpoints: from then on db only counts the log's length
 * (host_db_wal_frames) and the caller runs host_db_checkpoint_here. 0, or
 * an error (db unchanged). Close it before db. */
int host_db_checkpointer_open(host_db *db, host_db_checkpointer **out);
/* Copies what it can of the log into the database and syncs it, never
 * waiting for the writer: 1 when the whole log is copied, 0 when part is
 * (commits came meanwhile, or another pass held the lock), -1 on a
 * failure. */
int host_db_checkpointer_pass(host_db_checkpointer *c);
void host_db_checkpointer_close(host_db_checkpointer *c);
/* Frames in the log after db's last commit (it starts over after a pass
 * copied it all), once a checkpointer is open; else 0. */
int host_db_wal_frames(host_db *db);
/* A pass on db's own connection, between its transactions: it copies what
 * the checkpointer has not, so that the next commit starts the log over.
 * 1 when the whole log is copied, 0 when not (the checkpointer held the
 * lock), or SAMVAD_ESTORE. */
int host_db_checkpoint_here(host_db *db);

/* The last SQLite error, e.g. "database or disk is full"; "" when none. */
const char *host_db_errmsg(const host_db *db);

/* ---- Notices (replies that answer no message) ------------------------------ */
typedef struct host_notice {
  int64_t id;
  char user[SAMVAD_MAX_USER_ID_BYTES + 1];
  unsigned char *bytes; /* samvad_replies_save's bytes; malloc'd, caller frees */
  size_t len;
} host_notice;

/* The oldest undelivered notice with id > after_id, for user (or for
 * anyone when user is NULL). 0 and *out, or SAMVAD_ENOTFOUND. */
int host_db_notice_next(host_db *db, const char *user, int64_t after_id,
                        host_notice *out);
/* Marks a notice delivered (its own transaction when none is open). */
int host_db_notice_delivered(host_db *db, int64_t id, int64_t now);

/* ---- Listings, retention, checks ------------------------------------------- */
/* Prints applications, oldest first, filtered by service and status (each
 * may be NULL): a table for people (user ids masked) or, with json, one
 * JSON object per line (id, service, user, status, submitted, decided,
 * answers). */
int host_db_list_applications(host_db *db, const char *service,
                              const char *status, int json, FILE *out);

/* Prints one application's status history and audit trail. */
int host_db_show_application(host_db *db, const char *id, FILE *out);

typedef struct host_sweep_stats {
  size_t sessions_forgotten; /* abandoned applications whose answers went */
  size_t messages_pruned;    /* processed-message records past retention */
  size_t inbox_pruned;       /* serve: processed webhook events */
  size_t outbox_pruned;      /* serve: requests sent or given up on */
} host_sweep_stats;

/* Retention: sessions inside a service and untouched for retention
 * seconds lose their answers (samvad_session_forget, audited), and
 * processed-message records, delivered notices and serve's processed
 * webhook events, finished sends and their delivery reports older than
 * that are deleted. Submitted applications are kept. Runs in its own
 * transactions. */
int host_db_sweep(host_db *db, const samvad_catalogue *catalogue,
                  int64_t now, int64_t retention_seconds,
                  host_sweep_stats *stats);

/* Integrity: SQLite's integrity_check and foreign_key_check, the schema
 * version, every session's bytes restore against catalogue, every stored
 * reply decodes. Prints each problem to out; returns the number found (0
 * when sound) or a negative error when the check itself could not run. */
long host_db_check(host_db *db, const samvad_catalogue *catalogue, FILE *out);

/* Prints everything that defines the conversations' outcome, sorted, so
 * that two databases can be compared with diff: each session's bytes (hex),
 * each processed message with a hash of its replies, each application
 * with its status and answers. Personal data in full: for operators. */
int host_db_dump(host_db *db, FILE *out);

#endif
