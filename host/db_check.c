/* db_check.c - looking after the database: the retention sweep that erases
 * the answers of abandoned applications, and the integrity check that
 * proves every stored session and reply can still be read. */
#include "db_private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yajl/yajl_tree.h>

#include "db_serve.h"
#include "util.h"

/* Abandoned sessions are handled this many at a time, each batch in its own
 * short transaction, so that a running gateway never waits long. */
#define SWEEP_BATCH 64
/* Processed-message records are deleted this many per transaction. */
#define PRUNE_BATCH 1000

/* ---- Retention --------------------------------------------------------------- */

typedef struct sweep_row {
  char *user;
  char *flow;
  unsigned char *bytes;
  size_t len;
} sweep_row;

static void free_rows(sweep_row *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(rows[i].user);
    free(rows[i].flow);
    free(rows[i].bytes);
  }
}

static char *dup_column(sqlite3_stmt *st, int col) {
  const char *s = (const char *)sqlite3_column_text(st, col);
  return s ? strdup(s) : NULL;
}

/* Reads the next batch of abandoned sessions after user `after` ("" at the
 * start) into rows; *n gets how many. */
static int sweep_select(host_db *db, int64_t cutoff, const char *after,
                        sweep_row *rows, size_t *n) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_SWEEP_SELECT,
      "SELECT user, flow, bytes FROM sessions WHERE flow IS NOT NULL"
      " AND updated_at < ? AND user > ? ORDER BY user LIMIT ?");
  if (!st)
    return SAMVAD_ESTORE;
  *n = 0;
  int rc = sqlite3_bind_int64(st, 1, cutoff);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int(st, 3, SWEEP_BATCH);
  int err = 0;
  while (!err && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    sweep_row *r = &rows[(*n)++];
    const void *bytes = sqlite3_column_blob(st, 2); /* before its length */
    r->len = (size_t)sqlite3_column_bytes(st, 2);
    r->user = dup_column(st, 0);
    r->flow = dup_column(st, 1);
    r->bytes = malloc(r->len ? r->len : 1);
    if (!r->user || !r->flow || !r->bytes) {
      host_db_set_error(db, "out of memory");
      err = SAMVAD_ENOMEM;
    } else if (r->len) {
      memcpy(r->bytes, bytes, r->len);
    }
    rc = SQLITE_OK;
  }
  if (!err && rc != SQLITE_OK && rc != SQLITE_DONE)
    err = host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

/* Replaces (bytes != NULL) or deletes one session row. */
static int sweep_write(host_db *db, const char *user,
                       const unsigned char *bytes, size_t len,
                       const char *flow) {
  sqlite3_stmt *st =
      bytes ? host_db_stmt(db, HOST_DB_SWEEP_UPDATE,
                           "UPDATE sessions SET bytes = ?2, flow = ?3"
                           " WHERE user = ?1")
            : host_db_stmt(db, HOST_DB_SWEEP_DELETE,
                           "DELETE FROM sessions WHERE user = ?1");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK && bytes)
    rc = sqlite3_bind_blob64(st, 2, bytes, len, SQLITE_STATIC);
  if (rc == SQLITE_OK && bytes)
    rc = flow ? sqlite3_bind_text(st, 3, flow, -1, SQLITE_STATIC)
              : sqlite3_bind_null(st, 3);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

/* Erases the answers in one abandoned session and audits it. A session that
 * no longer restores cannot be trimmed, so it is removed whole: the
 * citizen's next message starts afresh, as it would anyway. */
static int forget_one(host_db *db, const samvad_catalogue *catalogue,
                      const sweep_row *r, int64_t now) {
  samvad_session *session = NULL;
  unsigned char buf[SAMVAD_MAX_SESSION_BYTES];
  const char *detail = r->flow;
  int err;
  if (samvad_session_restore(catalogue, NULL, r->bytes, r->len, &session) !=
      0) {
    detail = "unreadable session removed";
    err = sweep_write(db, r->user, NULL, 0, NULL);
  } else {
    size_t len = 0;
    samvad_session_forget(session);
    err = samvad_session_save(session, buf, sizeof buf, &len);
    if (err)
      host_db_set_error(db, samvad_strerror(err));
    else
      err = sweep_write(db, r->user, buf, len, samvad_session_flow(session));
    samvad_session_destroy(session);
  }
  if (!err) {
    samvad_audit_event ev = {now, "retention", "answers_erased", NULL, detail};
    err = host_db_ops.audit_append(db, &ev);
  }
  return err;
}

/* Deletes one batch of old rows with the statement of slot; *deleted gets
 * how many went. */
static int prune_batch(host_db *db, enum host_db_slot slot, const char *sql,
                       int64_t cutoff, size_t *deleted) {
  sqlite3_stmt *st = host_db_stmt(db, slot, sql);
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_int64(st, 1, cutoff);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int(st, 2, PRUNE_BATCH);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  *deleted = err ? 0 : (size_t)sqlite3_changes(db->sql);
  host_db_done(st);
  return err;
}

static int prune(host_db *db, enum host_db_slot slot, const char *sql,
                 int64_t cutoff, size_t *total) {
  size_t deleted;
  do {
    int err = host_db_begin(db);
    if (!err)
      err = prune_batch(db, slot, sql, cutoff, &deleted);
    if (!err)
      err = host_db_commit(db);
    if (err) {
      host_db_rollback(db);
      return err;
    }
    *total += deleted;
  } while (deleted == PRUNE_BATCH);
  return 0;
}

int host_db_sweep(host_db *db, const samvad_catalogue *catalogue,
                  int64_t now, int64_t retention_seconds,
                  host_sweep_stats *stats) {
  int64_t cutoff = now - retention_seconds;
  sweep_row rows[SWEEP_BATCH];
  char *after = strdup("");
  size_t n = 0;
  int err = after ? 0 : SAMVAD_ENOMEM;
  memset(stats, 0, sizeof *stats);
  do {
    if (!err)
      err = host_db_begin(db);
    if (!err)
      err = sweep_select(db, cutoff, after, rows, &n);
    for (size_t i = 0; !err && i < n; i++)
      err = forget_one(db, catalogue, &rows[i], now);
    if (!err)
      err = host_db_commit(db);
    if (!err && n > 0) {
      stats->sessions_forgotten += n;
      free(after);
      after = rows[n - 1].user;
      rows[n - 1].user = NULL;
    }
    free_rows(rows, n);
  } while (!err && n == SWEEP_BATCH);
  free(after);
  if (err) {
    host_db_rollback(db);
    return err;
  }
  /* The replies kept for repeated deliveries hold answers too. */
  err = prune(db, HOST_DB_SWEEP_MESSAGES,
              "DELETE FROM messages WHERE (user, message_id) IN"
              " (SELECT user, message_id FROM messages WHERE at < ? LIMIT ?)",
              cutoff, &stats->messages_pruned);
  size_t notices = 0;
  if (!err)
    err = prune(db, HOST_DB_SWEEP_NOTICES,
                "DELETE FROM notices WHERE id IN (SELECT id FROM notices"
                " WHERE delivered_at < ? LIMIT ?)",
                cutoff, &notices);
  /* serve's webhook events and sends hold what citizens wrote and what
   * they were told. */
  int64_t before = now - retention_seconds;
  if (!err)
    err = host_db_inbox_prune(db, before, &stats->inbox_pruned);
  if (!err)
    err = host_db_outbox_prune(db, before, &stats->outbox_pruned);
  /* Erased pages still sit in the write-ahead log until a checkpoint
   * copies them over; a busy reader may postpone it, which is harmless. */
  if (!err)
    (void)sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                    NULL, NULL);
  return err;
}

/* ---- Integrity ------------------------------------------------------------ */

typedef struct checker {
  host_db *db;
  const samvad_catalogue *catalogue;
  samvad_replies *replies;
  FILE *out;
  long problems;
} checker;

static void problem(checker *c, const char *what, const char *user,
                    const char *detail) {
  char masked[80] = "";
  if (user)
    host_mask_id(user, masked, sizeof masked);
  for (char *p = masked; *p; p++)
    if ((unsigned char)*p < 0x20)
      *p = '?';
  fprintf(c->out, "%s%s%s%s%s\n", what, user ? " of " : "", masked,
          detail ? ": " : "", detail ? detail : "");
  c->problems++;
}

/* Runs a query whose every row (first column as text) is a problem, except
 * a single "ok" row from integrity_check. */
static int rows_are_problems(checker *c, const char *sql, const char *what) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(c->db->sql, sql, -1, &st, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *s = (const char *)sqlite3_column_text(st, 0);
    if (!(s && strcmp(s, "ok") == 0))
      problem(c, what, NULL, s ? s : "?");
    rc = SQLITE_OK;
  }
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(c->db, rc);
  sqlite3_finalize(st);
  return err;
}

/* Calls check_row for each row of sql. */
static int each_row(checker *c, const char *sql,
                    void (*check_row)(checker *, sqlite3_stmt *)) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(c->db->sql, sql, -1, &st, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    check_row(c, st);
    rc = SQLITE_OK;
  }
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(c->db, rc);
  sqlite3_finalize(st);
  return err;
}

static void check_session(checker *c, sqlite3_stmt *st) {
  samvad_session *s = NULL;
  const void *bytes = sqlite3_column_blob(st, 1); /* before its length */
  size_t len = (size_t)sqlite3_column_bytes(st, 1);
  int rc = samvad_session_restore(c->catalogue, NULL, bytes, len, &s);
  if (rc != 0)
    problem(c, "the session", (const char *)sqlite3_column_text(st, 0),
            samvad_strerror(rc));
  samvad_session_destroy(s);
}

static void check_replies(checker *c, sqlite3_stmt *st) {
  const void *bytes = sqlite3_column_blob(st, 1); /* before its length */
  size_t len = (size_t)sqlite3_column_bytes(st, 1);
  int rc = samvad_replies_restore(c->replies, bytes, len);
  if (rc != 0)
    problem(c, (const char *)sqlite3_column_text(st, 2),
            (const char *)sqlite3_column_text(st, 0), samvad_strerror(rc));
}

static void check_answers(checker *c, sqlite3_stmt *st) {
  const char *text = (const char *)sqlite3_column_text(st, 1);
  yajl_val v = yajl_tree_parse(text ? text : "", NULL, 0);
  if (!YAJL_IS_OBJECT(v)) {
    char what[96];
    snprintf(what, sizeof what, "application %s",
             (const char *)sqlite3_column_text(st, 0));
    problem(c, what, NULL, "its answers are not a JSON object");
  }
  yajl_tree_free(v);
}

static void check_status(checker *c, sqlite3_stmt *st) {
  char what[96];
  snprintf(what, sizeof what, "application %s",
           (const char *)sqlite3_column_text(st, 0));
  problem(c, what, NULL, "its status is not the last in its history");
}

static void check_file_mode(checker *c) {
  struct stat st;
  if (strcmp(c->db->path, ":memory:") == 0 || stat(c->db->path, &st) != 0)
    return;
  if (st.st_mode & 077) {
    char detail[96];
    snprintf(detail, sizeof detail,
             "other users may open it (mode %04o; chmod 600 it)",
             (unsigned)(st.st_mode & 07777));
    problem(c, "the database file", NULL, detail);
  }
}

long host_db_check(host_db *db, const samvad_catalogue *catalogue, FILE *out) {
  checker c = {db, catalogue, NULL, out, 0};
  if (samvad_replies_create(NULL, &c.replies) != 0) {
    host_db_set_error(db, "out of memory");
    return SAMVAD_ENOMEM;
  }
  check_file_mode(&c);
  int err = rows_are_problems(&c, "PRAGMA integrity_check", "integrity");
  if (!err)
    err = rows_are_problems(
        &c, "SELECT \"table\" || ' row ' || rowid || ' refers to a missing '"
            " || parent FROM pragma_foreign_key_check",
        "references");
  if (!err)
    err = rows_are_problems(
        &c, "SELECT 'schema version ' || user_version FROM pragma_user_version"
            " WHERE user_version != "
            HOST_DB_STRINGIFY(HOST_DB_SCHEMA_VERSION),
        "schema");
  if (!err)
    err = rows_are_problems(
        &c, "SELECT 'missing or damaged' WHERE (SELECT length(value) FROM meta"
            " WHERE key = 'reference_key') IS NOT 16",
        "reference-number key");
  if (!err)
    err = each_row(&c, "SELECT user, bytes FROM sessions ORDER BY user",
                   check_session);
  if (!err)
    err = each_row(&c,
                   "SELECT user, replies, 'the stored replies of message '"
                   " || message_id FROM messages ORDER BY user, message_id",
                   check_replies);
  if (!err)
    err = each_row(&c,
                   "SELECT user, replies, 'notice ' || id FROM notices"
                   " ORDER BY id",
                   check_replies);
  if (!err)
    err = each_row(&c, "SELECT id, answers FROM applications ORDER BY id",
                   check_answers);
  if (!err)
    err = each_row(&c,
                   "SELECT a.id FROM applications a WHERE a.status IS NOT"
                   " (SELECT h.status FROM status_history h"
                   " WHERE h.application = a.id ORDER BY h.id DESC LIMIT 1)"
                   " ORDER BY a.id",
                   check_status);
  samvad_replies_destroy(c.replies);
  return err ? err : c.problems;
}
