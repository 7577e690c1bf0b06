/* db.c - opening the host's SQLite database: creating the file privately,
 * the pragmas that make a commit durable, the schema migrations, the
 * reference-number key, the statement cache and transactions. The store's
 * reads and writes are in db_ops.c, the commands' queries in db_admin.c. */
#include "db_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "options.h"

/* Marks the file as samvad's ("SVAD"), so that a database of another
 * program given by mistake is refused rather than migrated. */
#define DB_APPLICATION_ID 0x53564144
#define DB_BUSY_TIMEOUT_MS 5000

/* The schema, one step per version: step i takes a database from version i
 * to i+1, in one transaction. Steps are never edited once released; a
 * change is a new step. */
static const char *const migrations[] = {
    /* 1: the first schema. */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE sessions(user TEXT PRIMARY KEY, bytes BLOB NOT NULL,"
    " flow TEXT, updated_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX sessions_abandoned ON sessions(updated_at)"
    " WHERE flow IS NOT NULL;"
    /* A rowid table: its rows carry kilobytes of replies, which a
     * WITHOUT ROWID table keyed by (user, message id) would insert at
     * random places, splitting and moving pages. */
    "CREATE TABLE messages(user TEXT NOT NULL, message_id TEXT NOT NULL,"
    " replies BLOB NOT NULL, at INTEGER NOT NULL,"
    " UNIQUE(user, message_id));"
    "CREATE INDEX messages_at ON messages(at);"
    "CREATE TABLE applications(id TEXT PRIMARY KEY, service TEXT NOT NULL,"
    " user TEXT NOT NULL, status TEXT NOT NULL"
    " CHECK(status IN ('submitted', 'approved', 'rejected')),"
    " answers TEXT NOT NULL, submitted_at INTEGER NOT NULL,"
    " decided_at INTEGER, reason TEXT);"
    "CREATE INDEX applications_listing ON applications(submitted_at);"
    "CREATE TABLE status_history(id INTEGER PRIMARY KEY,"
    " application TEXT NOT NULL REFERENCES applications(id),"
    " status TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT,"
    " at INTEGER NOT NULL);"
    "CREATE INDEX status_history_application"
    " ON status_history(application);"
    "CREATE TABLE certificates(number TEXT PRIMARY KEY,"
    " application TEXT NOT NULL REFERENCES applications(id),"
    " payload BLOB NOT NULL, issued_at INTEGER NOT NULL);"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " actor TEXT NOT NULL, action TEXT NOT NULL, application TEXT,"
    " detail TEXT);"
    "CREATE INDEX audit_application ON audit(application);"
    "CREATE TABLE notices(id INTEGER PRIMARY KEY, user TEXT NOT NULL,"
    " replies BLOB NOT NULL, created_at INTEGER NOT NULL,"
    " delivered_at INTEGER);"
    "CREATE INDEX notices_pending ON notices(id) WHERE delivered_at IS NULL;"
    "CREATE INDEX notices_pending_user ON notices(user, id)"
    " WHERE delivered_at IS NULL;",
    /* 2: samvad serve. The inbox holds every event a webhook accepted,
     * committed before the webhook answers 200, until it is processed;
     * the outbox every request to send, per citizen in order (rowid), with
     * its attempts; sent messages the highest delivery status reached. */
    "CREATE TABLE inbox(id INTEGER PRIMARY KEY, transport TEXT NOT NULL,"
    " user TEXT NOT NULL, event_id TEXT NOT NULL, at INTEGER NOT NULL,"
    " received_at INTEGER NOT NULL, event BLOB NOT NULL,"
    " processed_at INTEGER, UNIQUE(transport, event_id));"
    "CREATE INDEX inbox_pending ON inbox(id) WHERE processed_at IS NULL;"
    "CREATE INDEX inbox_last ON inbox(transport, user, at);"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, transport TEXT NOT NULL,"
    " user TEXT NOT NULL, url TEXT NOT NULL, body BLOB NOT NULL,"
    " created_at INTEGER NOT NULL, next_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL"
    " DEFAULT 'pending' CHECK(state IN ('pending', 'sent', 'failed')),"
    " sent_id TEXT, error TEXT, done_at INTEGER);"
    "CREATE INDEX outbox_pending ON outbox(user, id) WHERE state = 'pending';"
    "CREATE INDEX outbox_sent_id ON outbox(sent_id) WHERE sent_id IS NOT NULL;"
    "CREATE INDEX outbox_failed ON outbox(id) WHERE state = 'failed';"
    "CREATE TABLE deliveries(sent_id TEXT PRIMARY KEY, status TEXT NOT NULL"
    " CHECK(status IN ('sent', 'delivered', 'read', 'failed')),"
    " error TEXT, at INTEGER NOT NULL) WITHOUT ROWID;",
    /* 3: the senders read pending requests oldest first, whoever they are
     * for, so that a call costs what it returns, not the whole backlog;
     * nothing looks a request up by the id the platform gave it. When a
     * citizen last wrote (WhatsApp's 24-hour window) is kept in their
     * session's row, which each message rewrites anyway, rather than in
     * an index of the inbox by citizen: one page written less per message.
     * Sessions from before it have none: their notices go as templates. */
    "DROP INDEX outbox_sent_id;"
    "DROP INDEX outbox_pending;"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';"
    "DROP INDEX inbox_last;"
    "ALTER TABLE sessions ADD COLUMN inbound_at INTEGER;"
    /* What may only follow a template (a certificate after "approved",
     * outside WhatsApp's window) waits here until the citizen writes; then
     * it moves into the outbox, before the replies to what they wrote. */
    "CREATE TABLE outbox_held(id INTEGER PRIMARY KEY,"
    " transport TEXT NOT NULL, user TEXT NOT NULL, url TEXT NOT NULL,"
    " body BLOB NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE INDEX outbox_held_user ON outbox_held(transport, user, id);",
    /* 4: the same checks as comparisons. SQLite runs CHECK(x IN (a, b, c))
     * by building a temporary b-tree of the list (for three or more
     * values) at every insert and update of the row: 3.5 us each, and an
     * outbox row is written twice per reply, a delivery at every status
     * callback. The tables are copied whole; ids are kept. */
    "CREATE TABLE outbox_4(id INTEGER PRIMARY KEY, transport TEXT NOT NULL,"
    " user TEXT NOT NULL, url TEXT NOT NULL, body BLOB NOT NULL,"
    " created_at INTEGER NOT NULL, next_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL"
    " DEFAULT 'pending' CHECK(state = 'pending' OR state = 'sent'"
    " OR state = 'failed'),"
    " sent_id TEXT, error TEXT, done_at INTEGER);"
    "INSERT INTO outbox_4 SELECT id, transport, user, url, body, created_at,"
    " next_at, attempts, state, sent_id, error, done_at FROM outbox;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox_4 RENAME TO outbox;"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';"
    "CREATE INDEX outbox_failed ON outbox(id) WHERE state = 'failed';"
    "CREATE TABLE deliveries_4(sent_id TEXT PRIMARY KEY, status TEXT NOT NULL"
    " CHECK(status = 'sent' OR status = 'delivered' OR status = 'read'"
    " OR status = 'failed'),"
    " error TEXT, at INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO deliveries_4 SELECT sent_id, status, error, at"
    " FROM deliveries;"
    "DROP TABLE deliveries;"
    "ALTER TABLE deliveries_4 RENAME TO deliveries;",
};
#define DB_SCHEMA_VERSION HOST_DB_SCHEMA_VERSION
_Static_assert(sizeof migrations / sizeof migrations[0] == HOST_DB_SCHEMA_VERSION,
               "one migration step per schema version");

void host_db_set_error(host_db *db, const char *message) {
  snprintf(db->errmsg, sizeof db->errmsg, "%s", message);
}

int host_db_fail(host_db *db, int rc) {
  host_db_set_error(db, db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return SAMVAD_EBUSY;
  case SQLITE_NOMEM:
    return SAMVAD_ENOMEM;
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
      return SAMVAD_EEXIST;
    return SAMVAD_ESTORE;
  default:
    return SAMVAD_ESTORE;
  }
}

sqlite3_stmt *host_db_stmt(host_db *db, enum host_db_slot slot,
                           const char *sql) {
  if (!db->stmts[slot]) {
    int rc = sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &db->stmts[slot], NULL);
    if (rc != SQLITE_OK) {
      host_db_fail(db, rc);
      db->stmts[slot] = NULL;
    }
  }
  return db->stmts[slot];
}

void host_db_done(sqlite3_stmt *stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

const char *host_db_errmsg(const host_db *db) { return db ? db->errmsg : ""; }

samvad_store *host_db_store(host_db *db) { return db->store; }

/* Runs a statement that returns nothing (or whose rows do not matter). */
static int run(host_db *db, enum host_db_slot slot, const char *sql) {
  sqlite3_stmt *st = host_db_stmt(db, slot, sql);
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_step(st);
  int err = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

int host_db_begin(host_db *db) {
  /* IMMEDIATE takes the write lock now: a second writer waits (busy
   * timeout) here rather than failing halfway through a step. */
  return run(db, HOST_DB_BEGIN, "BEGIN IMMEDIATE");
}

/* Rolls back after a failure, keeping the failure's description. */
static int undo(host_db *db, int err) {
  char keep[sizeof db->errmsg];
  memcpy(keep, db->errmsg, sizeof keep);
  host_db_rollback(db);
  memcpy(db->errmsg, keep, sizeof keep);
  return err;
}

int host_db_commit(host_db *db) {
  int err = run(db, HOST_DB_COMMIT, "COMMIT");
  if (err == 0)
    atomic_fetch_add(&db->commits, 1);
  /* A failed COMMIT may leave the transaction open; nothing of it is on
   * disk, and it must not be retried by the next message's COMMIT. */
  if (err != 0 && !sqlite3_get_autocommit(db->sql))
    undo(db, err);
  return err;
}

void host_db_rollback(host_db *db) {
  if (!sqlite3_get_autocommit(db->sql))
    (void)run(db, HOST_DB_ROLLBACK, "ROLLBACK");
}

uint64_t host_db_commits(host_db *db) { return atomic_load(&db->commits); }

int host_db_wal_fd(host_db *db) {
  const char *main_file = sqlite3_db_filename(db->sql, "main");
  const char *wal = main_file && *main_file ? sqlite3_filename_wal(main_file)
                                            : NULL;
  return wal && *wal ? open(wal, O_RDONLY | O_CLOEXEC) : -1;
}

/* ---- Opening ------------------------------------------------------------- */

/* The integer a PRAGMA returns, or an error. */
static int pragma_int(host_db *db, const char *sql, int *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      *out = sqlite3_column_int(st, 0);
      rc = SQLITE_OK;
    }
  }
  int err = rc == SQLITE_OK ? 0 : host_db_fail(db, rc);
  sqlite3_finalize(st);
  return err;
}

static int exec(host_db *db, const char *sql) {
  int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? 0 : host_db_fail(db, rc);
}

int host_db_defer_sync(host_db *db) {
  return exec(db, "PRAGMA synchronous = NORMAL");
}

int host_db_sync(host_db *db) {
  /* The write-ahead log's file, through SQLite's own VFS: the same sync a
   * commit does under synchronous=FULL. None for :memory:. */
  sqlite3_file *wal = NULL;
  if (sqlite3_file_control(db->sql, "main", SQLITE_FCNTL_JOURNAL_POINTER,
                           &wal) != SQLITE_OK ||
      !wal || !wal->pMethods)
    return 0;
  int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK) {
    host_db_set_error(db, "the write-ahead log could not be synced to disk");
    return SAMVAD_ESTORE;
  }
  return 0;
}

/* Refuses a database that is not (or not yet) samvad's, or is newer than
 * this samvad; *version gets its schema version. */
static int check_identity(host_db *db, int *version) {
  int app_id = 0, tables = 0;
  int err = pragma_int(db, "PRAGMA application_id", &app_id);
  if (!err)
    err = pragma_int(db, "PRAGMA user_version", version);
  if (!err)
    err = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables);
  if (err)
    return err;
  if (app_id != DB_APPLICATION_ID && (app_id != 0 || tables > 0)) {
    host_db_set_error(db, "not a samvad database (it belongs to another "
                          "program)");
    return SAMVAD_ESTORE;
  }
  if (*version > DB_SCHEMA_VERSION) {
    snprintf(db->errmsg, sizeof db->errmsg,
             "written by a newer samvad (schema version %d; this samvad "
             "knows up to %d); not opened",
             *version, DB_SCHEMA_VERSION);
    return SAMVAD_ESTORE;
  }
  return 0;
}

/* Brings the schema to DB_SCHEMA_VERSION, one step per transaction, so a
 * crash between steps leaves a database at some whole version. An
 * up-to-date database is only read: opening one never waits for a writer. */
static int migrate(host_db *db) {
  int version = 0;
  int err = check_identity(db, &version);
  while (!err && version < DB_SCHEMA_VERSION) {
    err = exec(db, "BEGIN IMMEDIATE");
    if (err)
      return err;
    /* Read again under the write lock: another process may have migrated
     * while this one waited. */
    err = check_identity(db, &version);
    if (!err && version < DB_SCHEMA_VERSION) {
      err = exec(db, migrations[version]);
      char sql[64];
      if (!err && version == 0) {
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d",
                 DB_APPLICATION_ID);
        err = exec(db, sql);
      }
      if (!err) {
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
        err = exec(db, sql);
      }
      version++;
    }
    if (!err)
      err = exec(db, "COMMIT");
    if (err)
      return undo(db, err);
  }
  return err;
}

/* Reads the reference-number key into key: 0, SAMVAD_ENOTFOUND or an
 * error. */
static int read_reference_key(host_db *db, unsigned char *key) {
  sqlite3_stmt *st = NULL;
  int err = 0;
  int rc = sqlite3_prepare_v2(
      db->sql, "SELECT value FROM meta WHERE key = 'reference_key'", -1, &st,
      NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const void *value = sqlite3_column_blob(st, 0); /* before its length */
    if (sqlite3_column_bytes(st, 0) != SAMVAD_REFERENCE_KEY_BYTES) {
      host_db_set_error(db, "the reference-number key is damaged");
      err = SAMVAD_ESTORE;
    } else {
      memcpy(key, value, SAMVAD_REFERENCE_KEY_BYTES);
    }
  } else {
    err = rc == SQLITE_DONE ? SAMVAD_ENOTFOUND : host_db_fail(db, rc);
  }
  sqlite3_finalize(st);
  return err;
}

/* Creates the key (randomly) unless another process just did. */
static int create_reference_key(host_db *db, unsigned char *key) {
  int err = exec(db, "BEGIN IMMEDIATE");
  if (err)
    return err;
  err = read_reference_key(db, key);
  if (err == SAMVAD_ENOTFOUND) {
    sqlite3_stmt *st = NULL;
    randombytes_buf(key, SAMVAD_REFERENCE_KEY_BYTES);
    int rc = sqlite3_prepare_v2(
        db->sql, "INSERT INTO meta(key, value) VALUES('reference_key', ?)", -1,
        &st, NULL);
    if (rc == SQLITE_OK)
      rc = sqlite3_bind_blob(st, 1, key, SAMVAD_REFERENCE_KEY_BYTES,
                             SQLITE_STATIC);
    if (rc == SQLITE_OK)
      rc = sqlite3_step(st);
    err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
    sqlite3_finalize(st);
  }
  if (!err)
    err = exec(db, "COMMIT");
  return err ? undo(db, err) : 0;
}

/* Hands the database's reference-number key to the store, creating it the
 * first time. */
static int setup_reference_key(host_db *db) {
  unsigned char key[SAMVAD_REFERENCE_KEY_BYTES];
  int err = read_reference_key(db, key);
  if (err == SAMVAD_ENOTFOUND)
    err = create_reference_key(db, key);
  if (!err)
    samvad_store_set_reference_key(db->store, key);
  sodium_memzero(key, sizeof key);
  return err;
}

/* Creates the file with mode 0600 when missing, before SQLite opens it:
 * SQLite would create it with 0644 less the umask. */
static int create_private_file(const char *path) {
  /* An existing file is left to SQLite: closing a descriptor of it here
   * would drop every POSIX lock this process holds on it, those of the
   * process's other connections included (SQLite's WAL locks), and
   * another process could then checkpoint and delete the WAL in use. */
  struct stat st;
  if (stat(path, &st) == 0) {
    if (S_ISREG(st.st_mode))
      return 0;
    fprintf(stderr, "samvad: %s: not a regular file\n", path);
    return HOST_EXIT_IO;
  }
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return 0; /* created meanwhile (or a dangling link): SQLite decides */
  if (fd < 0) {
    int e = errno;
    fprintf(stderr, "samvad: %s: cannot open or create the database: %s\n",
            path, strerror(e));
    return HOST_EXIT_IO;
  }
  close(fd);
  return 0;
}

/* The pragmas every connection needs: durability (a commit is on disk
 * before COMMIT returns, so a reply written after it survives power
 * loss), waiting for locks, and enforced references. */
static int configure(host_db *db, int in_memory) {
  sqlite3_extended_result_codes(db->sql, 1);
  sqlite3_busy_timeout(db->sql, DB_BUSY_TIMEOUT_MS);
  int err = exec(db, "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;"
                     "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL;"
                     /* 8 MiB of page cache, not more: when a page split
                      * reorders pages, SQLite parks one at page 262145,
                      * and the next commit then walks the cache's whole
                      * hash table (pcache1TruncateUnsafe). At 64 MiB that
                      * walk was 7% of serve's store thread, at 8 MiB 1.4%,
                      * with no more bytes read. A WAL copied back every
                      * 10000 pages: the gateway rewrites the same session
                      * pages all the time (twice the durable rate). */
                     "PRAGMA cache_size = -8192;"
                     "PRAGMA wal_autocheckpoint = 10000");
  if (err || in_memory)
    return err;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode = WAL", -1, &st,
                              NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char *mode = sqlite3_column_text(st, 0);
    rc = SQLITE_OK;
    if (!mode || strcmp((const char *)mode, "wal") != 0) {
      host_db_set_error(db, "cannot switch the database to WAL mode");
      err = SAMVAD_ESTORE;
    }
  }
  if (rc != SQLITE_OK)
    err = host_db_fail(db, rc);
  sqlite3_finalize(st);
  return err;
}

static int open_sqlite(host_db *db, const char *path) {
  /* SQLite counts every allocation under a global mutex unless told not
   * to; nothing reads the counts. Only possible before SQLite starts (the
   * first open, on the main thread), so a later call's refusal is fine. */
  static int configured;
  if (!configured) {
    configured = 1;
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  }
  int in_memory = strcmp(path, ":memory:") == 0;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (in_memory)
    flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path, &db->sql, flags, NULL);
  if (rc != SQLITE_OK)
    return host_db_fail(db, rc);
  int err = configure(db, in_memory);
  if (!err)
    err = migrate(db);
  if (!err)
    err = samvad_store_create(&host_db_ops, db, NULL, &db->store);
  if (!err)
    err = setup_reference_key(db);
  if (!err) {
    db->gen = yajl_gen_alloc(NULL);
    if (!db->gen) {
      host_db_set_error(db, "out of memory");
      err = SAMVAD_ENOMEM;
    }
  }
  return err;
}

int host_db_open(const char *path, host_db **out) {
  *out = NULL;
  if (sodium_init() < 0) {
    fprintf(stderr, "samvad: cannot initialise libsodium\n");
    return HOST_EXIT_STORE;
  }
  if (strcmp(path, ":memory:") != 0) {
    int rc = create_private_file(path);
    if (rc != 0)
      return rc;
  }
  host_db *db = calloc(1, sizeof *db);
  char *copy = strdup(path);
  if (!db || !copy) {
    free(db);
    free(copy);
    fprintf(stderr, "samvad: %s: out of memory\n", path);
    return HOST_EXIT_STORE;
  }
  db->path = copy;
  /* SQLite gives the -wal and -shm files the database's mode; the umask is
   * a second guard in case the file was created by someone else. */
  mode_t old_mask = umask(077);
  int err = open_sqlite(db, path);
  umask(old_mask);
  if (err == SAMVAD_EBUSY) {
    fprintf(stderr, "samvad: %s: the database is locked by another process "
                    "(waited 5 seconds)\n", path);
  } else if (err) {
    fprintf(stderr, "samvad: %s: %s\n", path,
            db->errmsg[0] ? db->errmsg : samvad_strerror(err));
  }
  if (err) {
    host_db_close(db);
    return HOST_EXIT_STORE;
  }
  db->errmsg[0] = '\0';
  *out = db;
  return 0;
}

void host_db_close(host_db *db) {
  if (!db)
    return;
  for (size_t i = 0; i < HOST_DB_SLOT_COUNT; i++)
    sqlite3_finalize(db->stmts[i]);
  samvad_store_destroy(db->store);
  if (db->gen)
    yajl_gen_free(db->gen);
  sqlite3_close(db->sql);
  free(db->path);
  free(db);
}
