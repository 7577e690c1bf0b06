/* chat.c - `samvad chat`: the conversation in a terminal, shown as a citizen
 * sees it on WhatsApp (choices as numbered lines). It also works with piped
 * input, echoing each line it reads, so a whole chat can be scripted. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "render_text.h"
#include "sessions.h"
#include "util.h"

#define CHAT_MAX_LINE_BYTES (64 * 1024)
#define CHAT_USER "terminal"
/* Marks the bot's lines; plain characters, so it needs no colours. */
#define CHAT_BOT_PREFIX "  | "

static const char hint[] =
    "नमस्ते लिखकर शुरू करें; "
    "बाहर निकलने के लिए Ctrl-D दबाएँ। "
    "Type Hi to start; Ctrl-D to quit.\n";

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

/* Sends one line and prints the replies. Returns 0, or a samvad error. */
static int say(const samvad_catalogue *catalogue, host_sessions *sessions,
               samvad_replies *replies, const host_options *o, char *line,
               host_buf *out) {
  samvad_session *session = NULL;
  int fresh = host_sessions_bytes(sessions, CHAT_USER) == 0;
  int rc = host_sessions_open(sessions, CHAT_USER, &session, NULL);
  if (rc != 0)
    return rc;
  if (fresh && o->has_lang)
    samvad_session_set_lang(session, o->lang);
  samvad_message msg;
  to_message(line, &msg);
  rc = samvad_step(catalogue, session, &msg, (int64_t)time(NULL), replies);
  if (rc == 0)
    rc = host_sessions_save(sessions, CHAT_USER, session);
  samvad_session_destroy(session);
  if (rc != 0)
    return rc;
  host_buf_reset(out);
  if (host_render_replies(replies, CHAT_BOT_PREFIX, "", out) != 0)
    return SAMVAD_ENOMEM;
  fputs(out->data ? out->data : "", stdout);
  putchar('\n');
  return 0;
}

int host_cmd_chat(int argc, char **argv) {
  host_options o;
  int rc = host_options_parse(argc, argv, HOST_OPT_SPECS | HOST_OPT_LANG, &o);
  if (rc != 0 || o.help) {
    if (rc == 0)
      host_print_help("chat", stdout);
    host_options_free(&o);
    return rc;
  }
  samvad_catalogue *catalogue = NULL;
  rc = host_catalogue_load(host_specs_dir(&o), &catalogue);
  if (rc != 0) {
    host_options_free(&o);
    return rc;
  }
  host_sessions *sessions = host_sessions_create(catalogue);
  samvad_replies *replies = NULL;
  char *line = malloc(CHAT_MAX_LINE_BYTES + 1);
  host_buf out = {0};
  if (!sessions || !line || samvad_replies_create(NULL, &replies) != 0) {
    fprintf(stderr, "samvad chat: out of memory\n");
    rc = HOST_EXIT_IO;
    goto done;
  }
  int interactive = isatty(STDIN_FILENO);
  fputs(hint, stdout);
  putchar('\n');
  for (;;) {
    size_t len = 0;
    if (interactive) {
      fputs("> ", stdout);
      fflush(stdout);
    }
    int got = host_read_line(stdin, line, CHAT_MAX_LINE_BYTES + 1, &len);
    if (got == HOST_LINE_EOF) {
      if (interactive)
        putchar('\n');
      break;
    }
    if (got == HOST_LINE_ERROR) {
      fprintf(stderr, "samvad chat: cannot read standard input\n");
      rc = HOST_EXIT_IO;
      break;
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
    int src = say(catalogue, sessions, replies, &o, line, &out);
    if (src != 0)
      fprintf(stderr, "samvad chat: message not handled: %s\n",
              samvad_strerror(src));
    if (fflush(stdout) != 0 || ferror(stdout)) {
      fprintf(stderr, "samvad chat: cannot write standard output\n");
      rc = HOST_EXIT_IO;
      break;
    }
  }
done:
  if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
    rc = HOST_EXIT_IO;
  host_buf_free(&out);
  free(line);
  samvad_replies_destroy(replies);
  host_sessions_destroy(sessions);
  samvad_catalogue_destroy(catalogue);
  host_options_free(&o);
  return rc;
}
