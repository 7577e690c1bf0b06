/* db_admin.c - what the binary's commands read from the database beyond
 * the library's store: the notice queue the transports deliver, the
 * listing of applications for staff, one application's history, and the
 * dump that lets two databases be compared. */
#include "db_private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "util.h"

/* ---- Notices --------------------------------------------------------------- */

int host_db_notice_next(host_db *db, const char *user, int64_t after_id,
                        host_notice *out) {
  sqlite3_stmt *st =
      user ? host_db_stmt(db, HOST_DB_NOTICE_NEXT_USER,
                          "SELECT id, user, replies FROM notices"
                          " WHERE delivered_at IS NULL AND user = ?2"
                          " AND id > ?1 ORDER BY id LIMIT 1")
           : host_db_stmt(db, HOST_DB_NOTICE_NEXT_ANY,
                          "SELECT id, user, replies FROM notices"
                          " WHERE delivered_at IS NULL AND id > ?1"
                          " ORDER BY id LIMIT 1");
  if (!st)
    return SAMVAD_ESTORE;
  memset(out, 0, sizeof *out);
  int rc = sqlite3_bind_int64(st, 1, after_id);
  if (rc == SQLITE_OK && user)
    rc = sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = 0;
  if (rc == SQLITE_ROW) {
    const char *who = (const char *)sqlite3_column_text(st, 1);
    size_t who_len = (size_t)sqlite3_column_bytes(st, 1);
    const void *p = sqlite3_column_blob(st, 2); /* before its length */
    size_t n = (size_t)sqlite3_column_bytes(st, 2);
    out->id = sqlite3_column_int64(st, 0);
    out->bytes = malloc(n ? n : 1);
    if (!out->bytes) {
      host_db_set_error(db, "out of memory");
      err = SAMVAD_ENOMEM;
    } else if (!who || who_len >= sizeof out->user) {
      host_db_set_error(db, "a notice's row is damaged");
      err = SAMVAD_ESTORE;
    } else {
      memcpy(out->user, who, who_len + 1);
      if (n)
        memcpy(out->bytes, p, n);
      out->len = n;
    }
    if (err) {
      free(out->bytes);
      out->bytes = NULL;
    }
  } else if (rc == SQLITE_DONE) {
    err = SAMVAD_ENOTFOUND;
  } else {
    err = host_db_fail(db, rc);
  }
  host_db_done(st);
  return err;
}

int host_db_notice_delivered(host_db *db, int64_t id, int64_t now) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_NOTICE_DELIVERED,
      "UPDATE notices SET delivered_at = ? WHERE id = ?"
      " AND delivered_at IS NULL");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_int64(st, 1, now);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(st, 2, id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(st);
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

/* ---- Shared output helpers ---------------------------------------------- */

/* A time for people (local time, to the minute) or for programs (ISO 8601
 * in UTC). */
static void format_time(int64_t t, int iso, char *buf, size_t cap) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!(iso ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) ||
      strftime(buf, cap, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M",
               &tm) == 0)
    snprintf(buf, cap, "%lld", (long long)t);
}

/* Copies s for a terminal: control characters become '?', so that a
 * stored value cannot move the cursor or recolour an operator's screen. */
static void printable(const char *s, char *out, size_t cap) {
  size_t o = 0;
  for (; s && *s && o + 1 < cap; s++)
    out[o++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
  out[o] = '\0';
}

static const char *column_text(sqlite3_stmt *st, int col) {
  const unsigned char *s = sqlite3_column_text(st, col);
  return s ? (const char *)s : "";
}

static void gen_text(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_column(yajl_gen g, sqlite3_stmt *st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL)
    yajl_gen_null(g);
  else
    yajl_gen_string(g, sqlite3_column_text(st, col),
                    (size_t)sqlite3_column_bytes(st, col));
}

/* Writes a parsed JSON value back out (yajl_gen has no way to insert text
 * that is already JSON, and parsing it first proves it is). */
static void gen_value(yajl_gen g, yajl_val v) {
  if (YAJL_IS_STRING(v)) {
    gen_text(g, YAJL_GET_STRING(v));
  } else if (YAJL_IS_NUMBER(v)) {
    const char *n = YAJL_GET_NUMBER(v);
    yajl_gen_number(g, n, strlen(n));
  } else if (YAJL_IS_OBJECT(v)) {
    yajl_gen_map_open(g);
    for (size_t i = 0; i < v->u.object.len; i++) {
      gen_text(g, v->u.object.keys[i]);
      gen_value(g, v->u.object.values[i]);
    }
    yajl_gen_map_close(g);
  } else if (YAJL_IS_ARRAY(v)) {
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->u.array.len; i++)
      gen_value(g, v->u.array.values[i]);
    yajl_gen_array_close(g);
  } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
    yajl_gen_bool(g, YAJL_IS_TRUE(v));
  } else {
    yajl_gen_null(g);
  }
}

/* Writes the generated text as one line and empties the generator. */
static int flush_line(yajl_gen g, FILE *out) {
  const unsigned char *buf;
  size_t len;
  int rc = 0;
  if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
      fwrite(buf, 1, len, out) != len || putc('\n', out) == EOF)
    rc = -1;
  yajl_gen_clear(g);
  yajl_gen_reset(g, NULL);
  return rc;
}

/* Finishes a statement that was stepped until rc: 0 when it ran to its
 * end, else the error. */
static int finish_rows(host_db *db, sqlite3_stmt *st, int rc) {
  int err = rc == SQLITE_DONE ? 0 : host_db_fail(db, rc);
  host_db_done(st);
  return err;
}

/* ---- Listing ------------------------------------------------------------- */

static void list_json_row(yajl_gen g, sqlite3_stmt *st) {
  char when[32];
  yajl_gen_map_open(g);
  gen_text(g, "id");
  gen_column(g, st, 0);
  gen_text(g, "service");
  gen_column(g, st, 1);
  gen_text(g, "user");
  gen_column(g, st, 2);
  gen_text(g, "status");
  gen_column(g, st, 3);
  gen_text(g, "submitted");
  format_time(sqlite3_column_int64(st, 4), 1, when, sizeof when);
  gen_text(g, when);
  gen_text(g, "decided");
  if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
    yajl_gen_null(g);
  } else {
    format_time(sqlite3_column_int64(st, 5), 1, when, sizeof when);
    gen_text(g, when);
  }
  gen_text(g, "reason");
  gen_column(g, st, 6);
  gen_text(g, "answers");
  yajl_val answers = yajl_tree_parse(column_text(st, 7), NULL, 0);
  gen_value(g, answers); /* null when the stored text does not parse */
  yajl_tree_free(answers);
  yajl_gen_map_close(g);
}

static void list_table_row(FILE *out, sqlite3_stmt *st) {
  char id[SAMVAD_MAX_REFERENCE_BYTES], service[SAMVAD_MAX_SERVICE_ID_BYTES + 1];
  char masked[80], user[80], submitted[32], decided[32] = "-";
  printable(column_text(st, 0), id, sizeof id);
  printable(column_text(st, 1), service, sizeof service);
  host_mask_id(column_text(st, 2), masked, sizeof masked);
  printable(masked, user, sizeof user);
  format_time(sqlite3_column_int64(st, 4), 0, submitted, sizeof submitted);
  if (sqlite3_column_type(st, 5) != SQLITE_NULL)
    format_time(sqlite3_column_int64(st, 5), 0, decided, sizeof decided);
  fprintf(out, "%-20s %-24s %-14s %-10s %-17s %s\n", id, service, user,
          column_text(st, 3), submitted, decided);
}

int host_db_list_applications(host_db *db, const char *service,
                              const char *status, int json, FILE *out) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_LIST_APPS,
      "SELECT id, service, user, status, submitted_at, decided_at, reason,"
      " answers FROM applications WHERE (?1 IS NULL OR service = ?1)"
      " AND (?2 IS NULL OR status = ?2) ORDER BY submitted_at, id");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = service ? sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(st, 1);
  if (rc == SQLITE_OK)
    rc = status ? sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC)
                : sqlite3_bind_null(st, 2);
  size_t count = 0;
  int io = 0;
  if (!json && rc == SQLITE_OK)
    fprintf(out, "%-20s %-24s %-14s %-10s %-17s %s\n", "ID", "SERVICE", "USER",
            "STATUS", "SUBMITTED", "DECIDED");
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    count++;
    if (json) {
      list_json_row(db->gen, st);
      io |= flush_line(db->gen, out);
    } else {
      list_table_row(out, st);
    }
    rc = SQLITE_OK;
  }
  if (rc == SQLITE_OK)
    rc = SQLITE_DONE;
  if (!json && rc == SQLITE_DONE)
    fprintf(out, "%zu application%s\n", count, count == 1 ? "" : "s");
  int err = finish_rows(db, st, rc);
  if (!err && (io || ferror(out))) {
    host_db_set_error(db, "cannot write the listing");
    err = SAMVAD_EIO;
  }
  return err;
}

/* ---- One application ----------------------------------------------------- */

static int show_history(host_db *db, const char *id, FILE *out) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_SHOW_HISTORY,
      "SELECT at, status, actor, reason FROM status_history"
      " WHERE application = ? ORDER BY id");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  fputs("History:\n", out);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    char when[32], actor[SAMVAD_MAX_ACTOR_BYTES], reason[SAMVAD_MAX_REASON_BYTES];
    format_time(sqlite3_column_int64(st, 0), 0, when, sizeof when);
    printable(column_text(st, 2), actor, sizeof actor);
    printable(column_text(st, 3), reason, sizeof reason);
    fprintf(out, "  %s  %-10s by %s%s%s\n", when, column_text(st, 1), actor,
            reason[0] ? ": " : "", reason);
    rc = SQLITE_OK;
  }
  return finish_rows(db, st, rc == SQLITE_OK ? SQLITE_DONE : rc);
}

static int show_audit(host_db *db, const char *id, FILE *out) {
  sqlite3_stmt *st = host_db_stmt(
      db, HOST_DB_SHOW_AUDIT,
      "SELECT at, actor, action, detail FROM audit WHERE application = ?"
      " ORDER BY id");
  if (!st)
    return SAMVAD_ESTORE;
  int rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  fputs("Audit trail:\n", out);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    char when[32], actor[SAMVAD_MAX_ACTOR_BYTES], action[64], detail[256];
    format_time(sqlite3_column_int64(st, 0), 0, when, sizeof when);
    printable(column_text(st, 1), actor, sizeof actor);
    printable(column_text(st, 2), action, sizeof action);
    printable(column_text(st, 3), detail, sizeof detail);
    fprintf(out, "  %s  %-10s by %s%s%s\n", when, action, actor,
            detail[0] ? ": " : "", detail);
    rc = SQLITE_OK;
  }
  return finish_rows(db, st, rc == SQLITE_OK ? SQLITE_DONE : rc);
}

int host_db_show_application(host_db *db, const char *id, FILE *out) {
  samvad_app_info info;
  int err = host_db_app_find(db, id, &info);
  if (err)
    return err;
  char masked[80], user[80];
  host_mask_id(info.user, masked, sizeof masked);
  printable(masked, user, sizeof user);
  fprintf(out, "%s  %s  citizen %s  %s\n", info.id, info.service, user,
          samvad_app_status_name(info.status));
  err = show_history(db, id, out);
  if (!err)
    err = show_audit(db, id, out);
  return err;
}

/* ---- Dump ------------------------------------------------------------------ */

/* Each dump query gives a kind and its columns; blobs in column "bytes"
 * positions are written in hex (sessions) or as a hash (replies). */
typedef struct dump_query {
  enum host_db_slot slot;
  const char *kind;
  const char *sql;
  int blob_col;  /* a blob column, or -1 */
  int blob_hash; /* write the blob's hash rather than its bytes */
} dump_query;

static const dump_query dump_queries[] = {
    {HOST_DB_DUMP_SESSIONS, "session",
     "SELECT user, flow, bytes FROM sessions ORDER BY user", 2, 0},
    {HOST_DB_DUMP_MESSAGES, "message",
     "SELECT user, message_id, replies FROM messages ORDER BY user,"
     " message_id",
     2, 1},
    {HOST_DB_DUMP_APPS, "application",
     "SELECT id, service, user, status, reason, answers FROM applications"
     " ORDER BY id",
     -1, 0},
    {HOST_DB_DUMP_HISTORY, "history",
     "SELECT application, status, actor, reason FROM status_history"
     " ORDER BY application, id",
     -1, 0},
    {HOST_DB_DUMP_CERTS, "certificate",
     "SELECT number, application, payload FROM certificates ORDER BY number",
     2, 1},
    {HOST_DB_DUMP_AUDIT, "audit",
     "SELECT application, action, actor, detail FROM audit"
     " ORDER BY application, action, actor, detail",
     -1, 0},
    {HOST_DB_DUMP_NOTICES, "notice",
     "SELECT user, replies FROM notices ORDER BY user, id", 1, 1},
};

static void gen_blob(yajl_gen g, sqlite3_stmt *st, int col, int hash,
                     char *hex, size_t hex_cap) {
  const unsigned char *p = sqlite3_column_blob(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  if (hash) {
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest, p, n, NULL, 0);
    sodium_bin2hex(hex, hex_cap, digest, sizeof digest);
    gen_text(g, hex);
  } else if (2 * n + 1 <= hex_cap) {
    sodium_bin2hex(hex, hex_cap, p, n);
    gen_text(g, hex);
  } else {
    gen_text(g, "(too large)");
  }
}

static int dump_one(host_db *db, const dump_query *q, char *hex,
                    size_t hex_cap, FILE *out) {
  sqlite3_stmt *st = host_db_stmt(db, q->slot, q->sql);
  if (!st)
    return SAMVAD_ESTORE;
  int rc, io = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    yajl_gen g = db->gen;
    yajl_gen_array_open(g);
    gen_text(g, q->kind);
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      if (c == q->blob_col)
        gen_blob(g, st, c, q->blob_hash, hex, hex_cap);
      else
        gen_column(g, st, c);
    }
    yajl_gen_array_close(g);
    io |= flush_line(g, out);
  }
  int err = finish_rows(db, st, rc);
  if (!err && io) {
    host_db_set_error(db, "cannot write the dump");
    err = SAMVAD_EIO;
  }
  return err;
}

int host_db_dump(host_db *db, FILE *out) {
  size_t hex_cap = 2 * SAMVAD_MAX_SESSION_BYTES + 1;
  char *hex = malloc(hex_cap);
  if (!hex) {
    host_db_set_error(db, "out of memory");
    return SAMVAD_ENOMEM;
  }
  /* One read transaction, so that the dump is a single snapshot even while
   * a gateway writes. */
  int err = sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
                ? 0
                : host_db_fail(db, sqlite3_errcode(db->sql));
  fprintf(out, "[\"schema\",%d]\n", HOST_DB_SCHEMA_VERSION);
  for (size_t i = 0; !err && i < sizeof dump_queries / sizeof dump_queries[0];
       i++)
    err = dump_one(db, &dump_queries[i], hex, hex_cap, out);
  host_db_rollback(db);
  free(hex);
  return err;
}
