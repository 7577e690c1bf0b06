/* transcript_parse.c - reads a *.chat file into directives; the format is
 * specified in docs/transcripts.md. */
#include "transcript.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "samvad/samvad.h"
#include "timeparse.h"
#include "util.h"

static int is_space(char c) { return c == ' ' || c == '\t'; }

static char *skip_spaces(char *s) {
  while (is_space(*s))
    s++;
  return s;
}

static void trim_end(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (is_space(s[n - 1]) || s[n - 1] == '\r'))
    s[--n] = '\0';
}

/* Splits "word rest": NUL-terminates the first word and returns the rest
 * (spaces skipped). */
static char *split_word(char *s) {
  while (*s && !is_space(*s))
    s++;
  if (*s) {
    *s++ = '\0';
    s = skip_spaces(s);
  }
  return s;
}

/* Parses one line into *d; on a problem returns a message (static or in
 * msgbuf) and leaves *d to be ignored. */
static const char *parse_line(char *s, td_line *d, char *msgbuf,
                              size_t msgcap) {
  if (s[0] == '>') {
    if (s[1] && !is_space(s[1]))
      return "a citizen line starts with \"> \"";
    char *rest = skip_spaces(s + 1);
    if (strncmp(rest, "[tap]", 5) == 0) {
      d->kind = TD_TAP;
      d->arg = skip_spaces(rest + 5);
      if (!*d->arg)
        return "\"> [tap]\" needs an option id";
    } else if (strncmp(rest, "[media]", 7) == 0) {
      d->kind = TD_MEDIA;
      d->arg = skip_spaces(rest + 7);
      if (!*d->arg)
        return "\"> [media]\" needs a reference (a file path)";
    } else {
      d->kind = TD_SAY;
      d->arg = rest;
      if (strlen(rest) > SAMVAD_MAX_MESSAGE_BYTES)
        return "the message is longer than 4096 bytes";
    }
    return NULL;
  }
  if (s[0] == '<') {
    char *rest;
    if (s[1] == '~' || s[1] == '!') {
      d->kind = s[1] == '~' ? TD_MATCH : TD_ABSENT;
      rest = s + 2;
    } else {
      d->kind = TD_EXPECT;
      rest = s + 1;
    }
    if (*rest && !is_space(*rest))
      return "a bot line starts with \"< \", \"<~ \" or \"<! \"";
    d->arg = skip_spaces(rest);
    if (!*d->arg)
      return "an expectation needs a text or pattern";
    if (d->kind == TD_MATCH) {
      /* REG_NEWLINE: "." and "[^x]" stay within a line and ^ $ match at
       * line ends, as people expect of a line-based listing. */
      int rc = regcomp(&d->re, d->arg, REG_EXTENDED | REG_NEWLINE);
      if (rc != 0) {
        char why[160];
        regerror(rc, &d->re, why, sizeof why);
        snprintf(msgbuf, msgcap, "bad regular expression: %s", why);
        return msgbuf;
      }
    }
    return NULL;
  }
  if (s[0] == '@') {
    char *word = s + 1;
    char *rest = split_word(word);
    if (strcmp(word, "user") == 0) {
      d->kind = TD_USER;
      d->arg = rest;
      if (!*rest || *split_word(rest))
        return "@user takes one id";
      if (strlen(rest) > SAMVAD_MAX_USER_ID_BYTES)
        return "the user id is longer than 128 bytes";
    } else if (strcmp(word, "time") == 0) {
      d->kind = TD_TIME;
      d->arg = rest;
      if (host_time_parse(rest, HOST_IST_OFFSET_SECONDS, &d->num) != 0)
        return "@time takes YYYY-MM-DD HH:MM[:SS] with an optional Z or "
               "+HH:MM";
    } else if (strcmp(word, "after") == 0) {
      d->kind = TD_AFTER;
      d->arg = rest;
      if (host_duration_parse(rest, &d->num) != 0)
        return "@after takes a duration such as 90s, 30m, 2h, 3d or 1h30m";
    } else if (strcmp(word, "state") == 0) {
      d->kind = TD_STATE;
      d->arg = rest;
      d->arg2 = split_word(rest);
      if (!*d->arg || !*d->arg2 || *split_word(d->arg2))
        return "@state takes SERVICE STATE (\"- -\" outside a service)";
    } else {
      snprintf(msgbuf, msgcap, "unknown directive \"@%.40s\"", word);
      return msgbuf;
    }
    return NULL;
  }
  snprintf(msgbuf, msgcap,
           "unknown directive \"%.20s\" (a line starts with >, <, <~, <!, @ "
           "or #)",
           s);
  return msgbuf;
}

int host_transcript_parse(const char *path, transcript *t, FILE *err) {
  size_t len = 0;
  memset(t, 0, sizeof *t);
  t->path = path;
  int rc = host_read_file(path, HOST_TRANSCRIPT_MAX_BYTES, &t->text, &len);
  if (rc != 0) {
    fprintf(err, "%s: error: %s\n", path,
            rc == -2 ? "the transcript is larger than 4 MiB"
                     : strerror(errno));
    return -2;
  }
  if (memchr(t->text, '\0', len)) {
    fprintf(err, "%s: error: the file contains a NUL byte; a transcript is "
                 "text\n",
            path);
    host_transcript_free(t);
    return -1;
  }
  size_t cap = 1;
  for (size_t i = 0; i < len; i++)
    cap += t->text[i] == '\n';
  t->lines = calloc(cap, sizeof *t->lines);
  if (!t->lines) {
    fprintf(err, "%s: error: out of memory\n", path);
    host_transcript_free(t);
    return -2;
  }
  int bad = 0;
  unsigned lineno = 0;
  char *p = t->text;
  while (p && *p) {
    char *nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    lineno++;
    trim_end(p);
    char *s = skip_spaces(p);
    if (*s && *s != '#') {
      td_line *d = &t->lines[t->count];
      char msg[256];
      memset(d, 0, sizeof *d);
      d->line = lineno;
      const char *why = parse_line(s, d, msg, sizeof msg);
      if (why) {
        fprintf(err, "%s:%u: error: %s\n", path, lineno, why);
        bad = 1;
      } else {
        t->count++;
      }
    }
    p = nl ? nl + 1 : NULL;
  }
  if (bad) {
    host_transcript_free(t);
    return -1;
  }
  return 0;
}

void host_transcript_free(transcript *t) {
  for (size_t i = 0; i < t->count; i++)
    if (t->lines[i].kind == TD_MATCH)
      regfree(&t->lines[i].re);
  free(t->lines);
  free(t->text);
  t->lines = NULL;
  t->text = NULL;
  t->count = 0;
}
