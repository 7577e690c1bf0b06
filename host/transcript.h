/* transcript.h - *.chat transcripts (docs/transcripts.md): parsed into a
 * list of directives before anything runs, so a malformed file is reported
 * with every bad line and never half-run. */
#ifndef SAMVAD_HOST_TRANSCRIPT_H
#define SAMVAD_HOST_TRANSCRIPT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HOST_TRANSCRIPT_MAX_BYTES (4u << 20) /* one .chat file */

typedef enum td_kind {
  TD_USER,   /* @user ID */
  TD_TIME,   /* @time ...: num is the Unix time */
  TD_AFTER,  /* @after 2h: num is seconds */
  TD_SAY,    /* > text */
  TD_TAP,    /* > [tap] option_id */
  TD_MEDIA,  /* > [media] reference */
  TD_EXPECT, /* < text */
  TD_MATCH,  /* <~ pattern: re is compiled */
  TD_ABSENT, /* <! text */
  TD_STATE   /* @state SERVICE STATE: arg, arg2 ("-" for none) */
} td_kind;

typedef struct td_line {
  td_kind kind;
  unsigned line;  /* 1-based line number in the file */
  char *arg;      /* points into the transcript's text */
  char *arg2;     /* TD_STATE's state */
  int64_t num;    /* TD_TIME, TD_AFTER */
  regex_t re;     /* TD_MATCH only */
} td_line;

typedef struct transcript {
  const char *path;
  char *text;     /* the file, cut into NUL-terminated pieces */
  td_line *lines;
  size_t count;
} transcript;

/* Reads and parses path. Every malformed line is reported to err as
 * "path:line: error: ..." and the result is then -1 (t is freed). An
 * unreadable file is reported the same way and gives -2. */
int host_transcript_parse(const char *path, transcript *t, FILE *err);
void host_transcript_free(transcript *t);

#endif
