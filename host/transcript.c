/* transcript.c - `samvad test`: runs *.chat transcripts against the specs.
 * Each file starts afresh (new sessions, user "citizen", 2026-01-15 10:00
 * IST) and every message goes through session save and restore, so the
 * transcripts exercise serialisation too. A mismatch prints where, what was
 * expected and what the bot said, and the run goes on with the next file. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"
#include "render_text.h"
#include "sessions.h"
#include "timeparse.h"
#include "transcript.h"
#include "util.h"

#define TEST_DEFAULT_USER "citizen"
#define TEST_MAX_DEPTH 16 /* folder nesting searched for transcripts */

typedef struct run {
  const samvad_catalogue *catalogue;
  const transcript *t;
  host_sessions *sessions;
  samvad_replies *replies;
  const char *user;
  int64_t now;
  host_buf got;       /* the replies to the last message, rendered */
  size_t cursor;      /* where the next "<" or "<~" starts looking */
  unsigned said_line; /* the line of the last message; 0 before any */
} run;

/* ---- collecting files ---------------------------------------------------- */

typedef struct file_list {
  char **items;
  size_t count, cap;
} file_list;

static int list_add(file_list *l, const char *path) {
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    char **p = realloc(l->items, cap * sizeof *p);
    if (!p)
      return -1;
    l->items = p;
    l->cap = cap;
  }
  if (!(l->items[l->count] = strdup(path)))
    return -1;
  l->count++;
  return 0;
}

static void list_free(file_list *l) {
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i]);
  free(l->items);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Adds every *.chat below dir; returns -1 after printing an error. */
static int walk(const char *dir, int depth, file_list *l) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "samvad test: %s: %s\n", dir, strerror(errno));
    return -1;
  }
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    size_t n = strlen(dir) + strlen(e->d_name) + 2;
    char *path = malloc(n);
    if (!path) {
      rc = -1;
      break;
    }
    snprintf(path, n, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode) && depth < TEST_MAX_DEPTH)
        rc = walk(path, depth + 1, l);
      else if (S_ISREG(st.st_mode) && ends_with(e->d_name, ".chat"))
        rc = list_add(l, path);
    }
    free(path);
  }
  closedir(d);
  return rc;
}

/* Files in the order given; each folder's transcripts sorted by path so a
 * run is reproducible. */
static int collect(char **paths, int n, file_list *l) {
  for (int i = 0; i < n; i++) {
    struct stat st;
    if (stat(paths[i], &st) != 0) {
      fprintf(stderr, "samvad test: %s: %s\n", paths[i], strerror(errno));
      return -1;
    }
    if (S_ISDIR(st.st_mode)) {
      size_t first = l->count;
      if (walk(paths[i], 0, l) != 0)
        return -1;
      if (l->count > first)
        qsort(l->items + first, l->count - first, sizeof *l->items, cmp_str);
    } else if (list_add(l, paths[i]) != 0) {
      return -1;
    }
  }
  return 0;
}

/* ---- reporting ----------------------------------------------------------- */

/* Lists what the bot said in reply to the last message, indented. Lines
 * already used up by earlier matches are marked ':' and the rest '|'. */
static void show_got(const run *r) {
  if (r->said_line == 0) {
    printf("  (the citizen has not sent anything yet, so the bot has said "
           "nothing)\n");
    return;
  }
  if (r->got.len == 0) {
    printf("  the bot did not reply to line %u\n", r->said_line);
    return;
  }
  printf("  the bot's replies to line %u:\n", r->said_line);
  const char *p = r->got.data;
  int marked = 0;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    size_t end = (size_t)(p - r->got.data) + n;
    int used = end < r->cursor;
    marked |= used;
    if (n == 0)
      printf("    %c\n", used ? ':' : '|');
    else
      printf("    %c %.*s\n", used ? ':' : '|', (int)n, p);
    p += n + (nl ? 1 : 0);
  }
  if (marked)
    printf("  (lines marked ':' were matched by earlier expectations; the "
           "search starts after them)\n");
}

static const char *or_dash(const char *s) { return s ? s : "-"; }

/* ---- running ------------------------------------------------------------- */

/* Sends the directive's message. Returns 0, or -1 after reporting. */
static int send_message(run *r, const td_line *d) {
  samvad_message msg;
  memset(&msg, 0, sizeof msg);
  if (d->kind == TD_SAY) {
    msg.kind = SAMVAD_MSG_TEXT;
    msg.text = d->arg;
    msg.text_len = strlen(d->arg);
  } else if (d->kind == TD_TAP) {
    msg.kind = SAMVAD_MSG_OPTION;
    msg.option_id = d->arg;
  } else {
    msg.kind = SAMVAD_MSG_MEDIA;
    msg.media_id = d->arg;
    msg.media_mime = host_guess_mime(d->arg, NULL);
  }
  samvad_session *session = NULL;
  int restore_err = 0;
  int rc = host_sessions_open(r->sessions, r->user, &session, &restore_err);
  if (restore_err) {
    printf("%s:%u: the saved session did not restore: %s\n", r->t->path,
           d->line, samvad_strerror(restore_err));
    samvad_session_destroy(session);
    return -1;
  }
  if (rc == 0)
    rc = samvad_step(r->catalogue, session, &msg, r->now, r->replies);
  if (rc == 0)
    rc = host_sessions_save(r->sessions, r->user, session);
  samvad_session_destroy(session);
  if (rc != 0) {
    printf("%s:%u: the engine refused the message: %s (%s)\n", r->t->path,
           d->line, samvad_strerror(rc), samvad_err_name(rc));
    return -1;
  }
  host_buf_reset(&r->got);
  if (host_render_replies(r->replies, "", NULL, &r->got) != 0 ||
      host_buf_append(&r->got, "", 0) != 0) {
    printf("%s:%u: out of memory\n", r->t->path, d->line);
    return -1;
  }
  r->cursor = 0;
  r->said_line = d->line;
  r->now += 1;
  return 0;
}

static int check_state(run *r, const td_line *d) {
  samvad_session *session = NULL;
  int restore_err = 0;
  int rc = host_sessions_open(r->sessions, r->user, &session, &restore_err);
  if (rc != 0 || restore_err) {
    printf("%s:%u: cannot open the session: %s\n", r->t->path, d->line,
           samvad_strerror(rc ? rc : restore_err));
    samvad_session_destroy(session);
    return -1;
  }
  const char *flow = or_dash(samvad_session_flow(session));
  const char *state = or_dash(samvad_session_state(session));
  int ok = strcmp(flow, d->arg) == 0 && strcmp(state, d->arg2) == 0;
  if (!ok) {
    printf("%s:%u: expected state %s %s, but the session is in %s %s\n",
           r->t->path, d->line, d->arg, d->arg2, flow, state);
    show_got(r);
  }
  samvad_session_destroy(session);
  return ok ? 0 : -1;
}

/* Runs one directive; returns -1 after reporting a failure. */
static int run_line(run *r, const td_line *d) {
  const char *text = r->got.data ? r->got.data : "";
  switch (d->kind) {
  case TD_USER:
    r->user = d->arg;
    return 0;
  case TD_TIME:
    r->now = d->num;
    return 0;
  case TD_AFTER:
    r->now += d->num;
    return 0;
  case TD_SAY:
  case TD_TAP:
  case TD_MEDIA:
    return send_message(r, d);
  case TD_STATE:
    return check_state(r, d);
  case TD_EXPECT: {
    const char *at = strstr(text + r->cursor, d->arg);
    if (at) {
      r->cursor = (size_t)(at - text) + strlen(d->arg);
      return 0;
    }
    printf("%s:%u: expected \"%s\"\n", r->t->path, d->line, d->arg);
    break;
  }
  case TD_MATCH: {
    regmatch_t m;
    int flags = r->cursor > 0 && text[r->cursor - 1] != '\n' ? REG_NOTBOL : 0;
    if (regexec(&d->re, text + r->cursor, 1, &m, flags) == 0) {
      r->cursor += (size_t)m.rm_eo;
      return 0;
    }
    printf("%s:%u: expected a match for /%s/\n", r->t->path, d->line, d->arg);
    break;
  }
  case TD_ABSENT:
    if (!strstr(text, d->arg))
      return 0;
    printf("%s:%u: expected no \"%s\", but the bot said it\n", r->t->path,
           d->line, d->arg);
    break;
  }
  show_got(r);
  return -1;
}

/* Runs one file; 0 when it passed. */
static int run_file(const samvad_catalogue *catalogue, const char *path,
                    samvad_replies *replies) {
  transcript t;
  if (host_transcript_parse(path, &t, stdout) != 0)
    return -1;
  run r = {catalogue, &t, host_sessions_create(catalogue), replies,
           TEST_DEFAULT_USER, 0, {0}, 0, 0};
  /* 2026-01-15 10:00 IST */
  r.now = host_days_from_civil(2026, 1, 15) * 86400 + 10 * 3600 -
          HOST_IST_OFFSET_SECONDS;
  int rc = 0;
  if (!r.sessions) {
    printf("%s: out of memory\n", path);
    rc = -1;
  }
  for (size_t i = 0; rc == 0 && i < t.count; i++)
    rc = run_line(&r, &t.lines[i]);
  host_buf_free(&r.got);
  host_sessions_destroy(r.sessions);
  host_transcript_free(&t);
  return rc;
}

int host_cmd_test(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(argc, argv, HOST_OPT_SPECS | HOST_OPT_POSITIONAL,
                              &o);
  if (rc != 0 || o.help) {
    if (rc == 0)
      host_print_help("test", stdout);
    host_options_free(&o);
    return rc;
  }
  const char *dir = host_specs_dir(&o);
  file_list files = {0};
  char *default_path[1] = {(char *)(uintptr_t)dir};
  if (collect(o.positional_count ? o.positional : default_path,
              o.positional_count ? o.positional_count : 1, &files) != 0) {
    list_free(&files);
    host_options_free(&o);
    return HOST_EXIT_IO;
  }
  samvad_catalogue *catalogue = NULL;
  rc = host_catalogue_load(dir, &catalogue);
  host_options_free(&o);
  if (rc != 0) {
    list_free(&files);
    return rc;
  }
  samvad_replies *replies = NULL;
  if (samvad_replies_create(NULL, &replies) != 0) {
    fprintf(stderr, "samvad test: out of memory\n");
    list_free(&files);
    samvad_catalogue_destroy(catalogue);
    return HOST_EXIT_IO;
  }
  size_t passed = 0, failed = 0;
  for (size_t i = 0; i < files.count; i++) {
    if (run_file(catalogue, files.items[i], replies) == 0)
      passed++;
    else
      failed++;
    fflush(stdout);
  }
  if (files.count == 0)
    fprintf(stderr, "samvad test: no transcripts (*.chat) found\n");
  printf("%zu passed, %zu failed\n", passed, failed);
  samvad_replies_destroy(replies);
  samvad_catalogue_destroy(catalogue);
  list_free(&files);
  if (fflush(stdout) != 0 || ferror(stdout))
    return HOST_EXIT_IO;
  return failed || files.count == 0 ? HOST_EXIT_FAILED : HOST_EXIT_OK;
}
