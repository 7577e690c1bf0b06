/* db_private.h - what db.c, db_ops.c and db_admin.c share behind db.h: the
 * handle's layout, the cache of prepared statements and the mapping of
 * SQLite's result codes onto samvad errors. Nothing outside host/db*.c
 * includes it. */
#ifndef SAMVAD_HOST_DB_PRIVATE_H
#define SAMVAD_HOST_DB_PRIVATE_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <yajl/yajl_gen.h>

#include "db.h"

/* The schema version this samvad writes (PRAGMA user_version). */
#define HOST_DB_SCHEMA_VERSION 4
#define HOST_DB_STRINGIFY_(x) #x
#define HOST_DB_STRINGIFY(x) HOST_DB_STRINGIFY_(x)

/* One slot per statement the store runs. Each is prepared on first use and
 * kept until the database is closed, so that a message costs no parsing of
 * SQL; after each use it is reset (host_db_done). */
enum host_db_slot {
  HOST_DB_BEGIN,
  HOST_DB_COMMIT,
  HOST_DB_ROLLBACK,
  HOST_DB_SESSION_LOAD,
  HOST_DB_SESSION_SAVE,
  HOST_DB_MESSAGE_FIND,
  HOST_DB_MESSAGE_RECORD,
  HOST_DB_APP_CREATE,
  HOST_DB_APP_FIND,
  HOST_DB_APP_ANSWERS,
  HOST_DB_APP_UPDATE,
  HOST_DB_HISTORY_ADD,
  HOST_DB_CERT_RECORD,
  HOST_DB_AUDIT_ADD,
  HOST_DB_NOTICE_ADD,
  HOST_DB_NOTICE_NEXT_ANY,
  HOST_DB_NOTICE_NEXT_USER,
  HOST_DB_NOTICE_DELIVERED,
  HOST_DB_LIST_APPS,
  HOST_DB_SHOW_HISTORY,
  HOST_DB_SHOW_AUDIT,
  HOST_DB_SWEEP_SELECT,
  HOST_DB_SWEEP_UPDATE,
  HOST_DB_SWEEP_DELETE,
  HOST_DB_SWEEP_MESSAGES,
  HOST_DB_SWEEP_NOTICES,
  HOST_DB_DUMP_SESSIONS,
  HOST_DB_DUMP_MESSAGES,
  HOST_DB_DUMP_APPS,
  HOST_DB_DUMP_HISTORY,
  HOST_DB_DUMP_CERTS,
  HOST_DB_DUMP_AUDIT,
  HOST_DB_DUMP_NOTICES,
  /* samvad serve (db_inbox.c, db_outbox.c) */
  HOST_DB_INBOX_ADD,
  HOST_DB_INBOX_PENDING,
  HOST_DB_INBOX_DONE,
  HOST_DB_INBOUND_AT,
  HOST_DB_INBOUND_SEEN,
  HOST_DB_INBOX_PRUNE,
  HOST_DB_OUTBOX_ADD,
  HOST_DB_OUTBOX_DUE,
  HOST_DB_OUTBOX_SENT,
  HOST_DB_OUTBOX_RETRY,
  HOST_DB_OUTBOX_FAILED,
  HOST_DB_OUTBOX_COUNT,
  HOST_DB_DELIVERY_RECORD,
  HOST_DB_OUTBOX_PRUNE_BOUND,
  HOST_DB_DELIVERY_PRUNE,
  HOST_DB_OUTBOX_PRUNE,
  HOST_DB_OUTBOX_ERASE_LAST,
  HOST_DB_OUTBOX_LAST_ID,
  HOST_DB_OUTBOX_HOLD,
  HOST_DB_OUTBOX_HELD_COUNT,
  HOST_DB_OUTBOX_RELEASE,
  HOST_DB_OUTBOX_RELEASED,
  HOST_DB_HELD_PRUNE,
  HOST_DB_SLOT_COUNT
};

struct host_db {
  sqlite3 *sql;
  samvad_store *store;
  sqlite3_stmt *stmts[HOST_DB_SLOT_COUNT];
  yajl_gen gen;     /* reused to write answers as JSON */
  char *path;       /* as given, for messages and the mode check */
  char errmsg[256]; /* the last failure's description */
  atomic_uint_fast64_t commits; /* read by serve's sync thread */
  atomic_int wal_frames; /* the log's length after the last commit, once
                          * a checkpointer replaced SQLite's own */
};

/* The backend's functions over this database (db_ops.c). */
extern const samvad_store_ops host_db_ops;

/* The statement of slot, prepared from sql on first use; NULL on failure
 * (errmsg set). The caller binds, steps and then calls host_db_done. */
sqlite3_stmt *host_db_stmt(host_db *db, enum host_db_slot slot,
                           const char *sql);
/* Resets a statement and drops its bindings (borrowed strings). */
void host_db_done(sqlite3_stmt *stmt);

/* Records SQLite's description of the failure rc and returns the samvad
 * error for it: SAMVAD_EBUSY (locked), SAMVAD_EEXIST (a key is taken),
 * SAMVAD_ENOMEM, else SAMVAD_ESTORE. */
int host_db_fail(host_db *db, int rc);
/* Records a description of a failure that is not SQLite's. */
void host_db_set_error(host_db *db, const char *message);

/* Looks an application up by id into out (db_ops.c): 0, SAMVAD_ENOTFOUND
 * or an error. */
int host_db_app_find(host_db *db, const char *id, samvad_app_info *out);

#endif
