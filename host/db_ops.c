/* db_ops.c - libsamvad's store interface (samvad_store_ops) over the host's
 * SQLite database: each function is one or two cached statements. The
 * transaction around them is the caller's (see samvad/store.h). */
#include "db_private.h"

#include <yajl/yajl_tree.h>

#include <string.h>

/* Binds a string, or NULL as SQL NULL. The string is borrowed: statements
 * are reset and their bindings cleared before the function returns. */
static int bind_text(sqlite3_stmt *st, int i, const char *s) {
  return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
           : sqlite3_bind_null(st, i);
}

static int bind_blob(sqlite3_stmt *st, int i, const unsigned char *p,
                     size_t len) {
  /* A zero-length blob must still be a blob, not NULL. */
  return sqlite3_bind_blob64(st, i, len ? (const void *)p : "", len,
                             SQLITE_STATIC);
}

/* Steps a bound statement that writes; 0 or a samvad error. */
static int write_row(host_db *db, sqlite3_stmt *st, int bind_rc) {
  int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

/* Steps a bound statement that reads one blob (column 0) into buf. */
static int read_blob(host_db *db, sqlite3_stmt *st, int bind_rc,
                     unsigned char *buf, size_t cap, size_t *len) {
  int rc = bind_rc == SQLITE_OK ? sqlite3_step(st) : bind_rc;
  int err = 0;
  if (rc == SQLITE_ROW) {
    const void *p = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    *len = n;
    if (n > cap)
      err = SAMVAD_ENOSPC;
    else if (n)
      memcpy(buf, p, n);
  } else if (rc == SQLITE_DONE) {
    err = SAMVAD_ENOTFOUND;
  } else {
    err = host_db_fail(db, rc);
  }
  host_db_done(st);
  return err;
}

static int session_load(void *ctx, const char *user, unsigned char *buf,
                        size_t cap, size_t *len) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(db, HOST_DB_SESSION_LOAD,
                                  "SELECT bytes FROM sessions WHERE user = ?");
  if (!st)
    return SAMVAD_ESTORE;
  return read_blob(db, st, bind_text(st, 1, user), buf, cap, len);
}

static int session_save(void *ctx, const char *user,
                        const unsigned char *bytes, size_t len,
                        const char *flow, int64_t now) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_SESSION_SAVE,
      "INSERT INTO sessions(user, bytes, flow, updated_at) VALUES(?, ?, ?, ?)"
      " ON CONFLICT(user) DO UPDATE SET bytes = excluded.bytes,"
      " flow = excluded.flow, updated_at = excluded.updated_at");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, user);
  if (rc == SQLITE_OK)
    rc = bind_blob(st, 2, bytes, len);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, flow);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 4, now);
  return write_row(db, st, rc);
}

static int message_find(void *ctx, const char *user, const char *message_id,
                        unsigned char *buf, size_t cap, size_t *len) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_MESSAGE_FIND,
      "SELECT replies FROM messages WHERE user = ? AND message_id = ?");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, user);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, message_id);
  return read_blob(db, st, rc, buf, cap, len);
}

static int message_record(void *ctx, const char *user,
                          const char *message_id,
                          const unsigned char *replies, size_t len,
                          int64_t now) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_MESSAGE_RECORD,
      "INSERT INTO messages(user, message_id, replies, at) VALUES(?, ?, ?, ?)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, user);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, message_id);
  if (rc == SQLITE_OK)
    rc = bind_blob(st, 3, replies, len);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 4, now);
  return write_row(db, st, rc);
}

static void gen_string(yajl_gen g, const char *s) {
  if (s)
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
  else
    yajl_gen_null(g);
}

/* The answers as a JSON object, in the order they were given; the text
 * belongs to db->gen until its next use. */
static int answers_json(host_db *db, const samvad_application *app,
                        const unsigned char **json, size_t *len) {
  yajl_gen g = db->gen;
  yajl_gen_reset(g, NULL);
  yajl_gen_clear(g);
  yajl_gen_status s = yajl_gen_map_open(g);
  for (size_t i = 0; s == yajl_gen_status_ok && i < app->answer_count; i++) {
    gen_string(g, app->answers[i].name ? app->answers[i].name : "");
    gen_string(g, app->answers[i].value);
  }
  if (s == yajl_gen_status_ok)
    s = yajl_gen_map_close(g);
  if (s == yajl_gen_status_ok)
    s = yajl_gen_get_buf(g, json, len);
  if (s != yajl_gen_status_ok) {
    host_db_set_error(db, "cannot write the answers as JSON");
    return SAMVAD_ESTORE;
  }
  return 0;
}

/* Appends one line to an application's status history. */
static int history_add(host_db *db, const char *id, samvad_app_status status,
                       const char *actor, const char *reason, int64_t now) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_HISTORY_ADD,
      "INSERT INTO status_history(application, status, actor, reason, at)"
      " VALUES(?, ?, ?, ?, ?)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, id);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, samvad_app_status_name(status));
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, actor);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 4, reason);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 5, now);
  return write_row(db, st, rc);
}

static int application_create(void *ctx, const char *user,
                              const samvad_application *app, int64_t now) {
  host_db *db = ctx;
  const unsigned char *json;
  size_t json_len;
  int err = answers_json(db, app, &json, &json_len);
  if (err)
    return err;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_APP_CREATE,
      "INSERT INTO applications(id, service, user, status, answers,"
      " submitted_at) VALUES(?, ?, ?, 'submitted', ?, ?)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, app->id);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, app->service);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, user);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text64(st, 4, (const char *)json, json_len,
                             SQLITE_STATIC, SQLITE_UTF8);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 5, now);
  err = write_row(db, st, rc);
  if (!err)
    err = history_add(db, app->id, SAMVAD_APP_SUBMITTED, "citizen", NULL, now);
  return err;
}

/* Copies a column's text into a fixed field; 0 when it fits. */
static int copy_column(sqlite3_stmt *st, int col, char *dst, size_t cap) {
  const unsigned char *s = sqlite3_column_text(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  if (!s || n >= cap)
    return -1;
  memcpy(dst, s, n);
  dst[n] = '\0';
  return 0;
}

int host_db_app_find(host_db *db, const char *id, samvad_app_info *out) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_APP_FIND,
      "SELECT id, service, user, status FROM applications WHERE id = ?");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = 0;
  if (rc == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    const char *status = (const char *)sqlite3_column_text(st, 3);
    if (copy_column(st, 0, out->id, sizeof out->id) != 0 ||
        copy_column(st, 1, out->service, sizeof out->service) != 0 ||
        copy_column(st, 2, out->user, sizeof out->user) != 0 || !status ||
        samvad_app_status_parse(status, &out->status) != 0) {
      host_db_set_error(db, "an application's row is damaged");
      err = SAMVAD_ESTORE;
    }
  } else if (rc == SQLITE_DONE) {
    err = SAMVAD_ENOTFOUND;
  } else {
    err = host_db_fail(db, rc);
  }
  host_db_done(st);
  return err;
}

static int application_find(void *ctx, const char *id, samvad_app_info *out) {
  return host_db_app_find(ctx, id, out);
}

/* The answers were stored as a JSON object of strings (answers_json);
 * anything else in the column means the row was damaged. */
static int application_answers(void *ctx, const char *id,
                               int (*each)(void *arg, const char *name,
                                           const char *value),
                               void *arg) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_APP_ANSWERS, "SELECT answers FROM applications WHERE id = ?");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = 0;
  if (rc == SQLITE_ROW) {
    const char *json = (const char *)sqlite3_column_text(st, 0);
    yajl_val root = json ? yajl_tree_parse(json, NULL, 0) : NULL;
    if (!YAJL_IS_OBJECT(root)) {
      host_db_set_error(db, "an application's answers are damaged");
      err = SAMVAD_ESTORE;
    }
    for (size_t i = 0; !err && i < root->u.object.len; i++) {
      const char *value = YAJL_GET_STRING(root->u.object.values[i]);
      if (!value) {
        host_db_set_error(db, "an application's answers are damaged");
        err = SAMVAD_ESTORE;
      } else if ((rc = each(arg, root->u.object.keys[i], value)) != 0) {
        err = rc;
      }
    }
    yajl_tree_free(root);
  } else if (rc == SQLITE_DONE) {
    err = SAMVAD_ENOTFOUND;
  } else {
    err = host_db_fail(db, rc);
  }
  host_db_done(st);
  return err;
}

static int application_update(void *ctx, const char *id,
                              samvad_app_status status, const char *reason,
                              const char *actor, int64_t now) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_APP_UPDATE,
      "UPDATE applications SET status = ?, decided_at = ?, reason = ?"
      " WHERE id = ?");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, samvad_app_status_name(status));
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 2, now);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, reason);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 4, id);
  int err = write_row(db, st, rc);
  if (!err && sqlite3_changes(db->sql) == 0)
    err = SAMVAD_ENOTFOUND;
  if (!err)
    err = history_add(db, id, status, actor, reason, now);
  return err;
}

static int certificate_record(void *ctx, const char *application,
                              const char *number,
                              const unsigned char *payload, size_t len,
                              int64_t now) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_CERT_RECORD,
      "INSERT INTO certificates(number, application, payload, issued_at)"
      " VALUES(?, ?, ?, ?)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, number);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, application);
  if (rc == SQLITE_OK)
    rc = bind_blob(st, 3, payload, len);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 4, now);
  return write_row(db, st, rc);
}

static int audit_append(void *ctx, const samvad_audit_event *event) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_AUDIT_ADD,
      "INSERT INTO audit(at, actor, action, application, detail)"
      " VALUES(?, ?, ?, ?, ?)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_int64(st, 1, event->time);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 2, event->actor ? event->actor : "");
  if (rc == SQLITE_OK)
    rc = bind_text(st, 3, event->action ? event->action : "");
  if (rc == SQLITE_OK)
    rc = bind_text(st, 4, event->application);
  if (rc == SQLITE_OK)
    rc = bind_text(st, 5, event->detail);
  return write_row(db, st, rc);
}

static int notice_add(void *ctx, const char *user,
                      const unsigned char *replies, size_t len, int64_t now) {
  host_db *db = ctx;
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_NOTICE_ADD,
      "INSERT INTO notices(user, replies, created_at) VALUES(?, ?, ?)");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = bind_text(st, 1, user);
  if (rc == SQLITE_OK)
    rc = bind_blob(st, 2, replies, len);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 3, now);
  return write_row(db, st, rc);
}

const samvad_store_ops host_db_ops = {
    .session_load = session_load,
    .session_save = session_save,
    .message_find = message_find,
    .message_record = message_record,
    .application_create = application_create,
    .application_find = application_find,
    .application_answers = application_answers,
    .application_update = application_update,
    .certificate_record = certificate_record,
    .audit_append = audit_append,
    .notice_add = notice_add,
};
