/* chat.c - `samvad chat`: the conversation in a terminal, shown as a citizen
 * sees it on WhatsApp (choices as numbered lines). It also works with piped
 * input, echoing each line it reads, so a whole chat can be scripted. The
 * conversation lives in the durable store as user "terminal", so it goes
 * on where it stopped, and a department's decision on an application is
 * shown before the next prompt. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "approve.h"
#include "db.h"
#include "options.h"
#include "qr_out.h"
#include "render_text.h"
#include "util.h"

#define CHAT_MAX_LINE_BYTES (64 * 1024)
#define CHAT_USER "terminal"
/* Marks the bot's lines; plain characters, so it needs no colours. */
#define CHAT_BOT_PREFIX "  | "

static const char hint[] =
    "नमस्ते लिखकर शुरू करें; "
    "बाहर निकलने के लिए Ctrl-D दबाएँ। "
    "Type Hi to start; Ctrl-D to quit.\n";

typedef struct chat {
  const samvad_catalogue *catalogue;
  host_db *db;
  samvad_replies *replies;
  host_buf out;
  unsigned sent;         /* messages sent in this run, for their ids */
  int64_t notices_after; /* notices up to this id were shown */
  int auto_approve;      /* --auto-approve */
  const char *keys;      /* the key folder, for certificates */
  const char *out_dir;   /* where certificates' PNGs go */
  samvad_replies *notice;/* an auto-approval's notice (queued) */
} chat;

static int is_blank(const char *s) {
  return s[strspn(s, " \t")] == '\0';
}

/* A line is a file to send when it names an existing regular file and
 * looks like a path (a slash or a known extension), so that typing "1"
 * never sends a file that happens to be called "1". */
static int looks_like_file(const char *line) {
  struct stat st;
  int known = 0;
  host_guess_mime(line, &known);
  if (!strchr(line, '/') && !known)
    return 0;
  return stat(line, &st) == 0 && S_ISREG(st.st_mode);
}

static void to_message(char *line, samvad_message *msg) {
  memset(msg, 0, sizeof *msg);
  const char *media = NULL;
  if (strncmp(line, "[media]", 7) == 0)
    media = line + 7 + strspn(line + 7, " \t");
  else if (looks_like_file(line))
    media = line;
  if (media) {
    msg->kind = SAMVAD_MSG_MEDIA;
    msg->media_id = media;
    msg->media_mime = host_guess_mime(media, NULL);
  } else {
    msg->kind = SAMVAD_MSG_TEXT;
    msg->text = line;
    msg->text_len = strlen(line);
  }
}

/* Prints replies as the bot's lines and a blank line. -1 when out of
 * memory. */
static int show(chat *c) {
  host_buf_reset(&c->out);
  if (host_render_replies(c->replies, CHAT_BOT_PREFIX, "", &c->out) != 0)
    return -1;
  fputs(c->out.data ? c->out.data : "", stdout);
  putchar('\n');
  return 0;
}

/* A certificate in the replies: its QR code on the screen, where a phone
 * can scan it, and as a PNG file beside. */
static void show_document(chat *c) {
  char png[HOST_DOCUMENT_PATH_BYTES];
  const char *path = host_document_png(c->out_dir, c->replies, png, sizeof png);
  for (size_t i = 0; i < samvad_replies_count(c->replies); i++) {
    const samvad_document *doc = samvad_replies_get(c->replies, i)->document;
    if (!doc)
      continue;
    host_qr_print(doc->qr, stdout);
    printf(CHAT_BOT_PREFIX "%s\n", doc->qr);
    if (path)
      printf(CHAT_BOT_PREFIX "%s\n", path);
    putchar('\n');
  }
}

/* Shows the notices waiting for the terminal's user (a decision on an
 * application) and marks them delivered. */
static void show_notices(chat *c) {
  for (;;) {
    host_notice n;
    memset(&n, 0, sizeof n);
    int rc = host_db_notice_next(c->db, CHAT_USER, c->notices_after, &n);
    if (rc == SAMVAD_ENOTFOUND)
      return;
    if (rc != 0) {
      fprintf(stderr, "samvad chat: cannot read notices (%s)\n",
              host_db_errmsg(c->db));
      return;
    }
    c->notices_after = n.id;
    rc = samvad_replies_restore(c->replies, n.bytes, n.len);
    free(n.bytes);
    if (rc == 0 && show(c) != 0)
      rc = SAMVAD_ENOMEM;
    if (rc == 0)
      show_document(c);
    if (rc != 0) {
      fprintf(stderr, "samvad chat: a notice could not be shown (%s)\n",
              samvad_strerror(rc));
      continue;
    }
    if (host_db_notice_delivered(c->db, n.id, (int64_t)time(NULL)) != 0)
      fprintf(stderr, "samvad chat: a notice was shown but not marked "
                      "delivered (%s)\n",
              host_db_errmsg(c->db));
  }
}

/* Sends one line through the store, in its own transaction, and prints the
 * replies once it committed. Returns 0, or a samvad error. */
static int say(chat *c, char *line) {
  samvad_message msg;
  to_message(line, &msg);
  int64_t now = (int64_t)time(NULL);
  /* Unique per message, so the store applies each once; the process id
   * keeps two chats started in the same second apart. */
  char id[96];
  snprintf(id, sizeof id, "chat-%lld-%ld-%u", (long long)now, (long)getpid(),
           ++c->sent);
  msg.id = id;
  unsigned outcome = 0;
  int rc = host_db_begin(c->db);
  if (rc == 0) {
    rc = samvad_store_step(host_db_store(c->db), c->catalogue, CHAT_USER,
                           &msg, now, c->replies, &outcome);
    const samvad_application *app =
        rc == 0 ? host_submitted(c->replies) : NULL;
    if (app && c->auto_approve && !(outcome & SAMVAD_STEP_REPEAT)) {
      /* Decided in the same transaction; the notice shows next. */
      rc = host_decide(c->db, c->catalogue, c->keys, app->id,
                       SAMVAD_APP_APPROVED, NULL, "auto-approve", now,
                       c->notice);
      if (rc > 0)
        rc = SAMVAD_ESTORE;
    }
    if (rc == 0)
      rc = host_db_commit(c->db);
    if (rc != 0)
      host_db_rollback(c->db);
  }
  if (rc != 0)
    return rc;
  if (outcome & SAMVAD_STEP_RESET)
    fprintf(stderr, "samvad chat: the stored conversation did not restore; "
                    "it starts afresh\n");
  return show(c) != 0 ? SAMVAD_ENOMEM : 0;
}

static void report_failure(chat *c, int rc) {
  if (rc == SAMVAD_ESTORE || rc == SAMVAD_EBUSY)
    fprintf(stderr, "samvad chat: the message was not stored; send it again "
                    "(%s)\n",
            host_db_errmsg(c->db));
  else
    fprintf(stderr, "samvad chat: message not handled: %s\n",
            samvad_strerror(rc));
}

static void sweep(chat *c, int64_t retention_seconds) {
  host_sweep_stats st; /* host_db_sweep fills it */
  if (host_db_sweep(c->db, c->catalogue, (int64_t)time(NULL),
                    retention_seconds, &st) != 0)
    fprintf(stderr, "samvad chat: the retention sweep failed (%s)\n",
            host_db_errmsg(c->db));
}

static int converse(chat *c, char *line) {
  int interactive = isatty(STDIN_FILENO);
  fputs(hint, stdout);
  putchar('\n');
  for (;;) {
    size_t len = 0;
    show_notices(c);
    if (interactive) {
      fputs("> ", stdout);
      fflush(stdout);
    }
    int got = host_read_line(stdin, line, CHAT_MAX_LINE_BYTES + 1, &len);
    if (got == HOST_LINE_EOF) {
      if (interactive)
        putchar('\n');
      return 0;
    }
    if (got == HOST_LINE_ERROR) {
      fprintf(stderr, "samvad chat: cannot read standard input\n");
      return HOST_EXIT_IO;
    }
    if (got == HOST_LINE_TOO_LONG) {
      fprintf(stderr, "samvad chat: that line is too long; not sent\n");
      continue;
    }
    if (memchr(line, '\0', len) || is_blank(line))
      continue;
    if (!interactive)
      printf("> %s\n", line);
    if (strncmp(line, "[media]", 7) == 0 && is_blank(line + 7)) {
      fprintf(stderr, "samvad chat: write [media] PATH to send a file\n");
      continue;
    }
    int src = say(c, line);
    if (src != 0)
      report_failure(c, src);
    if (fflush(stdout) != 0 || ferror(stdout)) {
      fprintf(stderr, "samvad chat: cannot write standard output\n");
      return HOST_EXIT_IO;
    }
  }
}

int host_cmd_chat(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(argc, argv,
                              HOST_OPT_SPECS | HOST_OPT_LANG | HOST_OPT_DB |
                                  HOST_OPT_KEYS | HOST_OPT_ISSUE,
                              &o);
  if (rc != 0 || o.help) {
    if (rc == 0)
      host_print_help("chat", stdout);
    host_options_free(&o);
    return rc;
  }
  chat c;
  memset(&c, 0, sizeof c);
  samvad_catalogue *catalogue = NULL;
  rc = host_catalogue_load(host_specs_dir(&o), &catalogue);
  c.auto_approve = o.auto_approve;
  c.keys = o.keys;
  c.out_dir = o.out;
  if (rc == 0 && c.auto_approve)
    rc = host_check_issuing(c.keys, catalogue);
  if (rc == 0)
    rc = host_db_open(o.db, &c.db);
  char *line = NULL;
  if (rc == 0) {
    c.catalogue = catalogue;
    if (o.has_lang)
      samvad_store_set_new_session_lang(host_db_store(c.db), o.lang);
    line = malloc(CHAT_MAX_LINE_BYTES + 1);
    if (!line || samvad_replies_create(NULL, &c.replies) != 0 ||
        samvad_replies_create(NULL, &c.notice) != 0) {
      fprintf(stderr, "samvad chat: out of memory\n");
      rc = HOST_EXIT_IO;
    } else {
      sweep(&c, host_retention_seconds(&o, catalogue));
      rc = converse(&c, line);
    }
  }
  if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
    rc = HOST_EXIT_IO;
  host_buf_free(&c.out);
  free(line);
  samvad_replies_destroy(c.replies);
  samvad_replies_destroy(c.notice);
  host_db_close(c.db);
  samvad_catalogue_destroy(catalogue);
  host_options_free(&o);
  return rc;
}
