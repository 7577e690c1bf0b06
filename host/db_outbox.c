/* db_outbox.c - the outbox of `samvad serve` (requests to send, each
 * citizen's in order, with retries, surviving a restart) and the highest
 * delivery status of each sent message: the second half of db_serve.h.
 * Each function runs inside the caller's transaction, if any, with a
 * statement cached in its slot (db_private.h). */
#include "db_private.h"
#include "db_serve.h"

#include <stdlib.h>
#include <string.h>

static int bind_text(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
           : sqlite3_bind_null(st, i);
}

/* Steps a bound statement that writes. */
static int write_row(host_db *db, sqlite3_stmt *st, int bind_rc) {
  int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

/* Inserts one request (transport, user, url, body, now: the parameters
 * of sql, in that order) with the statement of slot. */
static int insert_request(host_db *db, enum host_db_slot slot,
                          const char *sql, const char *transport,
                          const char *user, const char *url,
                          const unsigned char *body, size_t len, int64_t now) {
  sqlite3_stmt *st = host_db_stmt(db, slot, sql);
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, transport);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, user);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, url);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_blob64(st, 4, len ? (const void *)body : "", len,
                             SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 5, now);
  return write_row(db, st, rc);
}

int host_db_outbox_add(host_db *db, const char *transport, const char *user,
                       const char *url, const unsigned char *body, size_t len,
                       int64_t now) {
  return insert_request(
      db, HOST_DB_OUTBOX_ADD,
      "INSERT INTO outbox(transport, user, url, body, created_at, next_at)"
      " VALUES(?, ?, ?, ?, ?, ?5)",
      transport, user, url, body, len, now);
}

/* Copies a text column into a fixed field; 0, or -1 when it does not fit
 * (a row samvad did not write). */
static int copy_column(sqlite3_stmt *st, int col, char *dst, size_t cap) {
  const unsigned char *s = sqlite3_column_text(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  if (!s || n >= cap)
    return -1;
  memcpy(dst, s, n);
  dst[n] = '\0';
  return 0;
}

/* The citizens a scan has met (busy ones first): an open-addressing set
 * of their ids, so that each row costs one look-up however many there
 * are (hundreds, with the senders' queue full). */
typedef struct user_set {
  const char **slot;
  size_t mask;
} user_set;

static size_t user_hash(const char *s) {
  size_t h = 14695981039346656037u; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

/* Adds user (kept by pointer: it must outlive the set); 1 when it was
 * already there. */
static int user_set_add(user_set *set, const char *user) {
  for (size_t i = user_hash(user) & set->mask;; i = (i + 1) & set->mask) {
    if (!set->slot[i]) {
      set->slot[i] = user;
      return 0;
    }
    if (strcmp(set->slot[i], user) == 0)
      return 1;
  }
}

int host_db_outbox_due(host_db *db, int64_t now, int64_t max_id,
                       const char *const *busy, size_t busy_count, size_t max,
                       host_outbox_item *items, size_t *n) {
  *n = 0;
  if (max == 0)
    return 0;
  /* Pending rows oldest first (the partial index outbox_pending), keeping
   * the first row met of each citizen, their head: the scan stops once max
   * heads are taken, so its cost follows max, not the backlog (a GROUP BY
   * over every pending row made each call slower as the outbox grew). A
   * head that is not due, or whose citizen is busy, holds back that
   * citizen's later rows. */
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_DUE,
      "SELECT id, transport, user, url, body, attempts, next_at FROM outbox"
      " WHERE state = 'pending' AND id <= ? ORDER BY id");
  if (!st)
    return SAMVAD_ESTORE;
  /* Citizens met are copied here (the row's text lasts one step). */
  size_t met_cap = 4 * max + 64, met_n = 0, cap = 64;
  while (cap < 2 * (busy_count + met_cap))
    cap *= 2;
  char(*met)[SAMVAD_MAX_USER_ID_BYTES + 1] = malloc(met_cap * sizeof *met);
  user_set set = {calloc(cap, sizeof *set.slot), cap - 1};
  int rc = sqlite3_bind_int64(st, 1, max_id), err = 0;
  if (!met || !set.slot)
    err = SAMVAD_ENOMEM;
  for (size_t i = 0; !err && i < busy_count; i++)
    (void)user_set_add(&set, busy[i]);
  if (rc != SQLITE_OK && !err)
    err = host_db_fail(db, rc);
  rc = SQLITE_DONE;
  while (!err && *n < max && met_n < met_cap &&
         (rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *user = sqlite3_column_text(st, 2);
    size_t ulen = (size_t)sqlite3_column_bytes(st, 2);
    if (!user || ulen > SAMVAD_MAX_USER_ID_BYTES)
      continue; /* not a row samvad wrote */
    memcpy(met[met_n], user, ulen + 1);
    if (user_set_add(&set, met[met_n]))
      continue; /* busy, or not this citizen's oldest */
    met_n++;
    if (sqlite3_column_int64(st, 6) > now)
      continue;
    host_outbox_item *it = &items[*n];
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(st, 0);
    if (copy_column(st, 1, it->transport, sizeof it->transport) ||
        copy_column(st, 2, it->user, sizeof it->user) ||
        copy_column(st, 3, it->url, sizeof it->url))
      continue;
    const void *body = sqlite3_column_blob(st, 4);
    it->len = (size_t)sqlite3_column_bytes(st, 4);
    it->body = malloc(it->len + 1);
    if (!it->body) {
      err = SAMVAD_ENOMEM;
      break;
    }
    if (it->len)
      memcpy(it->body, body, it->len);
    it->body[it->len] = '\0'; /* JSON bodies are read as C strings */
    it->attempts = sqlite3_column_int(st, 5);
    ++*n;
  }
  if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
    err = host_db_fail(db, rc);
  free(met);
  free(set.slot);
  host_db_done(st);
  if (err) {
    host_outbox_items_free(items, *n);
    *n = 0;
  }
  return err;
}

int host_db_outbox_hold(host_db *db, const char *transport, const char *user,
                        const char *url, const unsigned char *body,
                        size_t len, int64_t now) {
  return insert_request(
      db, HOST_DB_OUTBOX_HOLD,
      "INSERT INTO outbox_held(transport, user, url, body, created_at)"
      " VALUES(?, ?, ?, ?, ?)",
      transport, user, url, body, len, now);
}

/* The integer a statement without parameters returns. */
static int query_integer(host_db *db, enum host_db_slot slot, const char *sql,
                         int64_t *out) {
  sqlite3_stmt *st = host_db_stmt(db, slot, sql);
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  int err = rc == SQLITE_ROW ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

int host_db_outbox_held(host_db *db, size_t *count) {
  int64_t n = 0;
  int err = query_integer(db, HOST_DB_OUTBOX_HELD_COUNT,
                          "SELECT count(*) FROM outbox_held", &n);
  *count = (size_t)n;
  return err;
}

int host_db_outbox_release(host_db *db, const char *transport,
                           const char *user, int64_t now, size_t *moved) {
  *moved = 0;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_RELEASE,
      "INSERT INTO outbox(transport, user, url, body, created_at, next_at)"
      " SELECT transport, user, url, body, ?3, ?3 FROM outbox_held"
      " WHERE transport = ?1 AND user = ?2 ORDER BY id");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, transport);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, user);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 3, now);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  if (!err)
    *moved = (size_t)sqlite3_changes(db->sql);
  host_db_done(st);
  if (err || *moved == 0)
    return err;
  st = host_db_stmt(db, HOST_DB_OUTBOX_RELEASED,
                    "DELETE FROM outbox_held WHERE transport = ? AND user = ?");
  if (!st)
    return SAMVAD_ESTORE;
  rc = bind_text(st, 1, transport);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, user);
  return write_row(db, st, rc);
}

int host_db_outbox_last_id(host_db *db, int64_t *id) {
  return query_integer(db, HOST_DB_OUTBOX_LAST_ID,
                       "SELECT coalesce(max(id), 0) FROM outbox", id);
}

void host_outbox_items_free(host_outbox_item *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(items[i].body);
    items[i].body = NULL;
  }
}

int host_db_outbox_sent(host_db *db, int64_t id, const char *sent_id,
                        int64_t now) {
  /* The body (a reply: personal data) is not needed once sent; the row
   * stays to tie the platform's delivery reports to the request. */
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_SENT,
      "UPDATE outbox SET state = 'sent', sent_id = ?, done_at = ?,"
          " attempts = attempts + 1, error = NULL, body = x''"
          " WHERE id = ? AND state = 'pending'");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, sent_id && sent_id[0] ? sent_id : NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 2, now);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 3, id);
  return write_row(db, st, rc);
}

int host_db_outbox_retry(host_db *db, int64_t id, int64_t next_at,
                         const char *error) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_RETRY,
      "UPDATE outbox SET next_at = ?, error = ?, attempts = attempts + 1"
          " WHERE id = ? AND state = 'pending'");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_int64(st, 1, next_at);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, error);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 3, id);
  return write_row(db, st, rc);
}

int host_db_outbox_failed(host_db *db, int64_t id, const char *error,
                          int64_t now) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_FAILED,
      "UPDATE outbox SET state = 'failed', error = ?, done_at = ?,"
          " attempts = attempts + 1 WHERE id = ? AND state = 'pending'");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, error ? error : "failed");
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 2, now);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 3, id);
  return write_row(db, st, rc);
}

int host_db_outbox_counts(host_db *db, size_t *pending, size_t *failed) {
  /* Pending rows through their partial index; failed ones are few. */
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_COUNT,
      "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'),"
      " (SELECT count(*) FROM outbox WHERE state = 'failed')");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_step(st);
  int err = 0;
  if (rc == SQLITE_ROW) {
    *pending = (size_t)sqlite3_column_int64(st, 0);
    *failed = (size_t)sqlite3_column_int64(st, 1);
  } else {
    err = host_db_fail(db, rc);
  }
  host_db_done(st);
  return err;
}

/* sent < failed < delivered < read: a failure report replaces "sent" but
 * never a delivery that already happened. */
#define DELIVERY_RANK(s)                                                      \
  "CASE " s " WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered'"      \
  " THEN 3 WHEN 'read' THEN 4 ELSE 0 END"

int host_db_delivery_record(host_db *db, const char *sent_id,
                            const char *status, const char *error,
                            int64_t at) {
  static const char *const known[] = {"sent", "delivered", "read", "failed"};
  int ok = 0;
  for (size_t i = 0; i < 4; i++)
    ok |= status && strcmp(status, known[i]) == 0;
  if (!ok || !sent_id || !sent_id[0])
    return SAMVAD_EINVAL;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_DELIVERY_RECORD,
      "INSERT INTO deliveries(sent_id, status, error, at)"
          " VALUES(?, ?, ?, ?) ON CONFLICT(sent_id) DO UPDATE SET"
          " status = excluded.status, error = excluded.error,"
          " at = excluded.at WHERE " DELIVERY_RANK("excluded.status")
          " > " DELIVERY_RANK("deliveries.status"));
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, sent_id);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, status);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, strcmp(status, "failed") == 0 ? error : NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 4, at);
  return write_row(db, st, rc);
}

/* Runs st, bound to bound, and adds the rows it changed to *changed. */
static int prune_step(host_db *db, sqlite3_stmt *st, int64_t bound,
                      size_t *changed) {
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_int64(st, 1, bound);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  if (!err && changed)
    *changed += (size_t)sqlite3_changes(db->sql);
  host_db_done(st);
  return err;
}

int host_db_outbox_prune(host_db *db, int64_t before, size_t *deleted) {
  *deleted = 0;
  /* Rows are added in time order, so the first row made since `before`
   * bounds the old ones: a rowid range, not a scan of the whole outbox
   * every hour (only the few old rows still pending are stepped over).
   * The newest row always stays (its content is erased below): an empty
   * table would give the next row id 1 again, and the store thread sends
   * rows by id up to the newest one known to be on disk. */
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_OUTBOX_PRUNE_BOUND,
      "SELECT coalesce((SELECT id FROM outbox WHERE created_at >= ?"
      " ORDER BY id LIMIT 1), (SELECT max(id) FROM outbox), 0)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_int64(st, 1, before);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int64_t bound = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  int err = rc == SQLITE_ROW ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  if (err)
    return err;
  err = host_db_begin(db);
  /* What was sent: its delivery reports first, found through the rows. */
  if (!err)
    err = prune_step(
        db, host_db_stmt(db, HOST_DB_DELIVERY_PRUNE,
                         "DELETE FROM deliveries WHERE sent_id IN (SELECT"
                         " sent_id FROM outbox WHERE id < ? AND state !="
                         " 'pending' AND sent_id IS NOT NULL)"),
        bound, NULL);
  /* Held ones the citizen never came back for (they hold a certificate:
   * personal data). */
  if (!err)
    err = prune_step(db, host_db_stmt(db, HOST_DB_HELD_PRUNE,
                                      "DELETE FROM outbox_held WHERE"
                                      " created_at < ?"),
                     before, deleted);
  if (!err)
    err = prune_step(db, host_db_stmt(db, HOST_DB_OUTBOX_PRUNE,
                                      "DELETE FROM outbox WHERE id < ? AND"
                                      " state != 'pending'"),
                     bound, deleted);
  if (!err)
    err = prune_step(db, host_db_stmt(db, HOST_DB_OUTBOX_ERASE_LAST,
                                      "UPDATE outbox SET body = x'', error ="
                                      " NULL WHERE id = (SELECT max(id) FROM"
                                      " outbox) AND state != 'pending' AND"
                                      " created_at < ?"),
                     before, NULL);
  if (!err)
    err = host_db_commit(db);
  else
    host_db_rollback(db);
  if (err)
    *deleted = 0;
  return err;
}
