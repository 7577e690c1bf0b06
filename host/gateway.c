/* gateway.c - `samvad gateway`: drives conversations through JSON lines on
 * stdin and stdout (format in gateway_proto.c, docs/cli.md), applying each
 * message exactly once through the durable store.
 *
 * Group commit: every line that has already arrived (up to a batch limit)
 * goes into one transaction, and the batch's replies are written only after
 * it committed, so a reply on stdout always means a stored step. When any
 * message of a batch fails, the batch is rolled back and run again one
 * message per transaction, so that one failure cannot sink the others.
 * While stdin is idle the gateway delivers notices (a department's decision
 * on an application) and runs the retention sweep every hour. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "approve.h"
#include "db.h"
#include "gateway_proto.h"
#include "linebuf.h"
#include "options.h"
#include "util.h"

#define GW_BATCH_MESSAGES 1024       /* lines in one transaction */
#define GW_BATCH_BYTES (1024 * 1024) /* bytes of lines in one transaction */
#define GW_IDLE_MS 500               /* notices are looked for this often */
#define GW_SWEEP_SECONDS (60 * 60)   /* how often retention runs */
#define GW_TOO_LONG SIZE_MAX         /* a batch line that was too long */

/* The lines of one batch, kept so that a failed batch can be run again. */
typedef struct gw_batch {
  host_buf text;  /* every line, each followed by a NUL */
  size_t *start;  /* each line's offset in text, or GW_TOO_LONG */
  size_t *len;    /* each line's length */
  size_t count;
  size_t cap;
} gw_batch;

typedef struct gateway {
  const samvad_catalogue *catalogue;
  host_db *db;
  samvad_store *store;
  samvad_replies *replies;
  yajl_gen gen;
  host_buf out;           /* replies waiting for their commit */
  host_buf log;           /* stderr lines waiting for their commit */
  gw_batch batch;
  int64_t notices_after;  /* notices up to this id were handled */
  int notice_error_shown; /* a failure to read notices was logged */
  int64_t retention_seconds;
  int64_t next_sweep;     /* monotonic seconds */
  int auto_approve;       /* --auto-approve */
  const char *keys;       /* the key folder, for certificates */
  const char *out_dir;    /* where certificates' PNGs go */
  samvad_replies *notice; /* an auto-approval's notice (queued) */
  char store_message[512];
} gateway;

static int batch_add(gw_batch *b, int got, const char *text, size_t len) {
  if (b->count == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    size_t *start = realloc(b->start, cap * sizeof *start);
    if (start)
      b->start = start;
    size_t *lens = start ? realloc(b->len, cap * sizeof *lens) : NULL;
    if (!lens)
      return -1;
    b->len = lens;
    b->cap = cap;
  }
  if (got == HOST_LINE_TOO_LONG) {
    b->start[b->count] = GW_TOO_LONG;
    b->len[b->count++] = 0;
    return 0;
  }
  b->start[b->count] = b->text.len;
  b->len[b->count] = len;
  if (host_buf_append(&b->text, text, len) != 0 ||
      host_buf_append(&b->text, "", 1) != 0)
    return -1;
  b->count++;
  return 0;
}

static void batch_reset(gw_batch *b) {
  host_buf_reset(&b->text);
  b->count = 0;
}

static void batch_free(gw_batch *b) {
  host_buf_free(&b->text);
  free(b->start);
  free(b->len);
}

static int parse_batch_line(const gw_batch *b, size_t i, host_gw_line *line) {
  if (b->start[i] == GW_TOO_LONG) {
    memset(line, 0, sizeof *line);
    line->error = (host_gw_error){"too_long",
                                  "a line is longer than 65536 bytes"};
    return HOST_GW_INVALID;
  }
  return host_gw_parse(b->text.data + b->start[i], b->len[i], line);
}

static void truncate_buf(host_buf *b, size_t len) {
  if (b->data) {
    b->len = len;
    b->data[len] = '\0';
  }
}

/* Steps one message inside the open transaction and renders its replies
 * into gw->out. Returns 0 or a samvad error (the caller rolls back). */
static int step_message(gateway *gw, const host_gw_incoming *in) {
  unsigned outcome = 0;
  int rc = samvad_store_step(gw->store, gw->catalogue, in->from, &in->msg,
                             in->now, gw->replies, &outcome);
  if (rc != 0)
    return rc;
  if (outcome & SAMVAD_STEP_RESET) {
    char masked[80], line[160];
    host_mask_id(in->from, masked, sizeof masked);
    snprintf(line, sizeof line,
             "samvad gateway: the stored session of %s did not restore; "
             "started afresh\n",
             masked);
    if (host_buf_puts(&gw->log, line) != 0)
      return SAMVAD_ENOMEM;
  }
  if (host_gw_render_replies(gw->gen, &gw->out, in->from, in->id,
                             gw->replies, NULL) != 0)
    return SAMVAD_ENOMEM;
  /* --auto-approve: a submission is decided at once, in the same
   * transaction; its notice (and certificate) follows the commit like any
   * other. A repeated delivery was decided the first time. */
  const samvad_application *app = host_submitted(gw->replies);
  if (gw->auto_approve && app && !(outcome & SAMVAD_STEP_REPEAT)) {
    rc = host_decide(gw->db, gw->catalogue, gw->keys, app->id,
                     SAMVAD_APP_APPROVED, NULL, "auto-approve", in->now,
                     gw->notice);
    if (rc > 0) /* the key folder failed us after all: said why */
      rc = SAMVAD_ESTORE;
  }
  return rc;
}

/* The error line for a message whose own transaction failed. */
static host_gw_error failure(gateway *gw, int rc) {
  if (rc == SAMVAD_ELIMIT)
    return (host_gw_error){"too_long", samvad_strerror(rc)};
  if (rc == SAMVAD_EINVAL)
    return (host_gw_error){"bad_field", samvad_strerror(rc)};
  if (rc == SAMVAD_ENOMEM || rc == SAMVAD_EMISUSE)
    return (host_gw_error){"internal", samvad_strerror(rc)};
  const char *why = host_db_errmsg(gw->db);
  if (!why || !*why)
    why = samvad_strerror(rc);
  snprintf(gw->store_message, sizeof gw->store_message,
           "the message was not stored; send it again (%s)", why);
  return (host_gw_error){"store", gw->store_message};
}

/* Runs the whole batch in one transaction. Returns 0 when it committed
 * (gw->out holds every answer), else a samvad error after rolling back;
 * *busy tells that the database was locked by another process. */
static int run_together(gateway *gw, int *busy) {
  gw_batch *b = &gw->batch;
  int open = 0, rc = 0;
  for (size_t i = 0; i < b->count && rc == 0; i++) {
    host_gw_line line;
    int kind = parse_batch_line(b, i, &line);
    if (kind == HOST_GW_INVALID) {
      if (host_gw_render_error(gw->gen, &gw->out, line.id, line.error) != 0)
        rc = SAMVAD_ENOMEM;
    } else if (kind == HOST_GW_MESSAGE) {
      if (!open) {
        rc = host_db_begin(gw->db);
        open = rc == 0;
        *busy = rc == SAMVAD_EBUSY;
      }
      if (rc == 0)
        rc = step_message(gw, &line.in);
    }
    host_gw_line_free(&line);
  }
  if (rc == 0 && open)
    rc = host_db_commit(gw->db);
  if (rc != 0 && open)
    host_db_rollback(gw->db);
  return rc;
}

/* Runs the batch one message per transaction. Returns 0, or -1 when even
 * an error line could not be rendered (out of memory). Once the database
 * was found locked (busy), the batch's other messages are not tried:
 * each try would wait out the busy timeout again. */
static int run_one_by_one(gateway *gw, int busy) {
  gw_batch *b = &gw->batch;
  for (size_t i = 0; i < b->count; i++) {
    host_gw_line line;
    int kind = parse_batch_line(b, i, &line);
    int rc = 0;
    if (kind == HOST_GW_INVALID) {
      rc = host_gw_render_error(gw->gen, &gw->out, line.id, line.error);
    } else if (kind == HOST_GW_MESSAGE) {
      size_t out_mark = gw->out.len, log_mark = gw->log.len;
      int src = busy ? SAMVAD_EBUSY : host_db_begin(gw->db);
      busy = src == SAMVAD_EBUSY;
      if (src == 0) {
        src = step_message(gw, &line.in);
        if (src == 0)
          src = host_db_commit(gw->db);
        if (src != 0)
          host_db_rollback(gw->db);
      }
      if (src != 0) {
        truncate_buf(&gw->out, out_mark);
        truncate_buf(&gw->log, log_mark);
        rc = host_gw_render_error(gw->gen, &gw->out, line.in.id,
                                  failure(gw, src));
      }
    }
    host_gw_line_free(&line);
    if (rc != 0)
      return -1;
  }
  return 0;
}

/* Writes what is in gw->out and flushes. -1 on a write error. */
static int write_out(gateway *gw) {
  if (gw->log.len)
    fputs(gw->log.data, stderr);
  host_buf_reset(&gw->log);
  if (gw->out.len &&
      fwrite(gw->out.data, 1, gw->out.len, stdout) != gw->out.len)
    return -1;
  host_buf_reset(&gw->out);
  return fflush(stdout) != 0 || ferror(stdout) ? -1 : 0;
}

/* Applies the batch and writes its answers. 0, or a HOST_EXIT code. */
static int run_batch(gateway *gw) {
  host_buf_reset(&gw->out);
  host_buf_reset(&gw->log);
  int busy = 0;
  if (run_together(gw, &busy) != 0) {
    host_buf_reset(&gw->out);
    host_buf_reset(&gw->log);
    if (run_one_by_one(gw, busy) != 0) {
      fprintf(stderr, "samvad gateway: out of memory\n");
      return HOST_EXIT_IO;
    }
  }
  batch_reset(&gw->batch);
  if (write_out(gw) != 0) {
    fprintf(stderr, "samvad gateway: cannot write standard output\n");
    return HOST_EXIT_IO;
  }
  return 0;
}

/* Writes every undelivered notice as reply lines with "in_reply_to": null,
 * then marks it delivered. A crash between the two delivers it again on
 * the next start: notices are delivered at least once. 0, or a HOST_EXIT
 * code when stdout fails. */
static int deliver_notices(gateway *gw) {
  for (;;) {
    host_notice n;
    memset(&n, 0, sizeof n);
    int rc = host_db_notice_next(gw->db, NULL, gw->notices_after, &n);
    if (rc == SAMVAD_ENOTFOUND)
      return 0;
    if (rc != 0) {
      if (!gw->notice_error_shown)
        fprintf(stderr, "samvad gateway: cannot read notices (%s)\n",
                host_db_errmsg(gw->db));
      gw->notice_error_shown = 1;
      return 0;
    }
    gw->notice_error_shown = 0;
    gw->notices_after = n.id;
    rc = samvad_replies_restore(gw->replies, n.bytes, n.len);
    free(n.bytes);
    if (rc != 0) {
      fprintf(stderr, "samvad gateway: notice %lld does not decode (%s); "
                      "skipped\n",
              (long long)n.id, samvad_strerror(rc));
      continue;
    }
    host_buf_reset(&gw->out);
    char png[HOST_DOCUMENT_PATH_BYTES];
    const char *png_path = host_document_png(gw->out_dir, gw->replies, png,
                                             sizeof png);
    if (host_gw_render_replies(gw->gen, &gw->out, n.user, NULL, gw->replies,
                               png_path) != 0) {
      fprintf(stderr, "samvad gateway: out of memory\n");
      return HOST_EXIT_IO;
    }
    if (write_out(gw) != 0) {
      fprintf(stderr, "samvad gateway: cannot write standard output\n");
      return HOST_EXIT_IO;
    }
    if (host_db_notice_delivered(gw->db, n.id, (int64_t)time(NULL)) != 0)
      fprintf(stderr, "samvad gateway: notice %lld was written but not "
                      "marked delivered (%s); it may be written again\n",
              (long long)n.id, host_db_errmsg(gw->db));
  }
}

static int64_t monotonic_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec;
}

/* Retention, at start and then every hour of wall time. */
static void maybe_sweep(gateway *gw) {
  int64_t t = monotonic_seconds();
  if (t < gw->next_sweep)
    return;
  gw->next_sweep = t + GW_SWEEP_SECONDS;
  host_sweep_stats st; /* host_db_sweep fills it */
  if (host_db_sweep(gw->db, gw->catalogue, (int64_t)time(NULL),
                    gw->retention_seconds, &st) != 0)
    fprintf(stderr, "samvad gateway: the retention sweep failed (%s); "
                    "it runs again in an hour\n",
            host_db_errmsg(gw->db));
  else if (st.sessions_forgotten || st.messages_pruned)
    fprintf(stderr, "samvad gateway: retention: erased the answers of %zu "
                    "abandoned applications, pruned %zu message records\n",
            st.sessions_forgotten, st.messages_pruned);
}

/* Reads batches until the input ends. 0, or a HOST_EXIT code. */
static int serve(gateway *gw, host_linebuf *in) {
  for (;;) {
    char *text = NULL;
    size_t len = 0;
    int got = host_linebuf_read(in, GW_IDLE_MS, &text, &len);
    if (got == HOST_LINE_WAIT) {
      int rc = deliver_notices(gw);
      if (rc != 0)
        return rc;
      maybe_sweep(gw);
      continue;
    }
    if (got == HOST_LINE_EOF)
      return deliver_notices(gw);
    if (got == HOST_LINE_ERROR) {
      fprintf(stderr, "samvad gateway: cannot read standard input\n");
      return HOST_EXIT_IO;
    }
    /* Everything that has arrived joins this batch. */
    gw_batch *b = &gw->batch;
    int full = 0;
    while (!full) {
      if (batch_add(b, got, text, len) != 0) {
        fprintf(stderr, "samvad gateway: out of memory\n");
        return HOST_EXIT_IO;
      }
      full = b->count >= GW_BATCH_MESSAGES || b->text.len >= GW_BATCH_BYTES;
      if (!full) {
        got = host_linebuf_read(in, 0, &text, &len);
        /* End of input and errors come back on the next read. */
        full = got != HOST_LINE_OK && got != HOST_LINE_TOO_LONG;
      }
    }
    int rc = run_batch(gw);
    if (rc == 0)
      rc = deliver_notices(gw);
    if (rc != 0)
      return rc;
    maybe_sweep(gw);
  }
}

int host_cmd_gateway(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(
      argc, argv, HOST_OPT_SPECS | HOST_OPT_DB | HOST_OPT_KEYS | HOST_OPT_ISSUE,
      &o);
  if (rc != 0 || o.help) {
    if (rc == 0)
      host_print_help("gateway", stdout);
    host_options_free(&o);
    return rc;
  }
  samvad_catalogue *catalogue = NULL;
  host_db *db = NULL;
  rc = host_catalogue_load(host_specs_dir(&o), &catalogue);
  if (rc == 0)
    rc = host_db_open(o.db, &db);
  gateway gw;
  memset(&gw, 0, sizeof gw);
  gw.retention_seconds = catalogue ? host_retention_seconds(&o, catalogue) : 0;
  gw.auto_approve = o.auto_approve;
  gw.keys = o.keys;
  gw.out_dir = o.out;
  host_options_free(&o);
  if (rc == 0 && gw.auto_approve)
    rc = host_check_issuing(gw.keys, catalogue);
  if (rc != 0) {
    samvad_catalogue_destroy(catalogue);
    return rc;
  }
  gw.catalogue = catalogue;
  gw.db = db;
  gw.store = host_db_store(db);
  gw.gen = yajl_gen_alloc(NULL);
  host_linebuf *in = host_linebuf_create(STDIN_FILENO, HOST_GW_MAX_LINE_BYTES);
  if (!gw.gen || !in || samvad_replies_create(NULL, &gw.replies) != 0 ||
      samvad_replies_create(NULL, &gw.notice) != 0) {
    fprintf(stderr, "samvad gateway: out of memory\n");
    rc = HOST_EXIT_IO;
  } else {
    yajl_gen_config(gw.gen, yajl_gen_validate_utf8, 1);
    maybe_sweep(&gw);
    rc = deliver_notices(&gw);
    if (rc == 0)
      rc = serve(&gw, in);
  }
  host_linebuf_destroy(in);
  if (gw.gen)
    yajl_gen_free(gw.gen);
  samvad_replies_destroy(gw.replies);
  samvad_replies_destroy(gw.notice);
  host_buf_free(&gw.out);
  host_buf_free(&gw.log);
  batch_free(&gw.batch);
  host_db_close(db);
  samvad_catalogue_destroy(catalogue);
  return rc;
}
