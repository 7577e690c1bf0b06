/* db_inbox.c - the inbox of `samvad serve` (schema version 2): every event a
 * webhook accepted, committed before the webhook answers 200 and keyed on
 * (transport, event id) so that a platform's redelivery is recognised,
 * then processed in arrival order by the store thread. A processed
 * event's bytes are dropped (the conversation lives in the session; a
 * message's text is personal data) and only its key and times stay, for
 * recognising redeliveries and for the 24-hour window, until retention
 * prunes them. Delivery reports are kept with an empty user, so that they
 * never count as the citizen writing. */
#include "db_private.h"

#include <stdlib.h>
#include <string.h>

#include "db_serve.h"
#include "serve.h"

int host_db_inbox_add(host_db *db, const char *transport, const char *user,
                      const char *event_id, int64_t at, int64_t received_at,
                      const unsigned char *event, size_t len) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_INBOX_ADD,
      "INSERT INTO inbox(transport, user, event_id, at, received_at, event)"
      " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(transport, event_id) DO NOTHING");
  if (!st)
    return SAMVAD_ESTORE;
  sqlite3_bind_text(st, 1, transport, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, event_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, at);
  sqlite3_bind_int64(st, 5, received_at);
  sqlite3_bind_blob(st, 6, event, (int)len, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  if (!err && sqlite3_changes(db->sql) == 0)
    err = SAMVAD_EEXIST;
  host_db_done(st);
  return err;
}

/* Copies a text column into a fixed array; -1 when it does not fit. */
static int copy_column(sqlite3_stmt *st, int col, char *out, size_t cap) {
  const unsigned char *s = sqlite3_column_text(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  if (!s || n >= cap)
    return -1;
  memcpy(out, s, n);
  out[n] = '\0';
  return 0;
}

int host_db_inbox_pending(host_db *db, size_t max, host_inbox_item *items,
                          size_t *n) {
  *n = 0;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_INBOX_PENDING,
      "SELECT id, transport, user, event_id, at, event FROM inbox"
      " WHERE processed_at IS NULL ORDER BY id LIMIT ?");
  if (!st)
    return SAMVAD_ESTORE;
  sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
  int err = 0, rc = SQLITE_DONE;
  while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    host_inbox_item *it = &items[*n];
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(st, 0);
    it->at = sqlite3_column_int64(st, 4);
    const void *event = sqlite3_column_blob(st, 5);
    it->len = (size_t)sqlite3_column_bytes(st, 5);
    if (copy_column(st, 1, it->transport, sizeof it->transport) != 0 ||
        copy_column(st, 2, it->user, sizeof it->user) != 0 ||
        copy_column(st, 3, it->event_id, sizeof it->event_id) != 0) {
      /* Written by this file within these limits: the row is damaged.
       * It is handed on empty, so that the caller marks it done. */
      it->transport[0] = it->user[0] = it->event_id[0] = '\0';
      it->len = 0;
    }
    it->event = malloc(it->len ? it->len : 1);
    if (!it->event) {
      err = SAMVAD_ENOMEM;
      break;
    }
    if (it->len)
      memcpy(it->event, event, it->len);
    ++*n;
  }
  if (!err && *n < max && rc != SQLITE_DONE)
    err = host_db_fail(db, rc);
  host_db_done(st);
  if (err) {
    host_inbox_items_free(items, *n);
    *n = 0;
  }
  return err;
}

void host_inbox_items_free(host_inbox_item *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(items[i].event);
    items[i].event = NULL;
  }
}

int host_db_inbox_done(host_db *db, int64_t id, int64_t now) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_INBOX_DONE,
      "UPDATE inbox SET processed_at = ?, event = x'' WHERE id = ?");
  if (!st)
    return SAMVAD_ESTORE;
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int64(st, 2, id);
  int rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

int host_db_inbound_seen(host_db *db, const char *user, int64_t at) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_INBOUND_SEEN,
      "UPDATE sessions SET inbound_at = ?2 WHERE user = ?1"
      " AND (inbound_at IS NULL OR inbound_at < ?2)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 2, at);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

int host_db_last_inbound(host_db *db, const char *user, int64_t *at) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_INBOUND_AT, "SELECT inbound_at FROM sessions WHERE user = ?");
  if (!st)
    return SAMVAD_ESTORE;
  sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int err;
  if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    *at = sqlite3_column_int64(st, 0);
    err = 0;
  } else {
    err = rc == SQLITE_ROW || rc == SQLITE_DONE ? SAMVAD_ENOTFOUND
                                                : host_db_fail(db, rc);
  }
  host_db_done(st);
  return err;
}

int host_db_inbox_prune(host_db *db, int64_t before, size_t *deleted) {
  *deleted = 0;
  int err = host_db_begin(db);
  if (err)
    return err;
  /* Events arrive in time order: the first one received since `before`
   * bounds the old ones, a rowid range rather than a scan of the whole
   * inbox every hour. */
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_INBOX_PRUNE,
      "DELETE FROM inbox WHERE processed_at IS NOT NULL AND id < coalesce("
      "(SELECT id FROM inbox WHERE received_at >= ?1 ORDER BY id LIMIT 1),"
      " (SELECT max(id) + 1 FROM inbox), 0)");
  if (!st) {
    host_db_rollback(db);
    return SAMVAD_ESTORE;
  }
  sqlite3_bind_int64(st, 1, before);
  int rc = sqlite3_step(st);
  err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  if (!err)
    *deleted = (size_t)sqlite3_changes(db->sql);
  host_db_done(st);
  if (!err)
    err = host_db_commit(db);
  else
    host_db_rollback(db);
  return err;
}
