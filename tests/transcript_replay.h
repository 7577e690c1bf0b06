/* transcript_replay.h - steps every bundled transcript (the .chat files
 * under fsm-specs) through samvad_step, handing each step's replies to a
 * callback: the renderer and reply-merging tests check what they make of
 * every reply the bundled services can give. Citizens' lines ("> ...",
 * "[tap] id", "[media] file"), "@user" and "@after" are followed; what the
 * transcript expects is not (tests/cli and `samvad test` check that).
 * Include once, after cmocka.h. */
#ifndef SAMVAD_TESTS_TRANSCRIPT_REPLAY_H
#define SAMVAD_TESTS_TRANSCRIPT_REPLAY_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "samvad/samvad.h"

/* Called with each step's replies; returns nonzero to stop the replay. */
typedef int (*replay_step_fn)(const samvad_replies *replies, void *ctx);

typedef struct replay {
  const samvad_catalogue *cat;
  samvad_replies *replies;
  replay_step_fn fn;
  void *ctx;
  size_t files;
  int stop;
} replay;

static void replay_file(replay *rp, const char *path) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  samvad_session *session = NULL;
  char user[160] = "citizen", line[8192];
  int64_t now = 1768451400; /* 2026-01-15 10:00 IST */
  while (!rp->stop && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    char *p = line + strspn(line, " \t");
    if (strncmp(p, "@user ", 6) == 0 && strcmp(p + 6, user) != 0) {
      snprintf(user, sizeof user, "%s", p + 6);
      samvad_session_destroy(session); /* one citizen at a time suffices */
      session = NULL;
    } else if (strncmp(p, "@after ", 7) == 0) {
      for (char *q = p + 7; *q;) {
        long n = strtol(q, &q, 10);
        char u = *q ? *q++ : 's';
        now += n * (u == 'd' ? 86400 : u == 'h' ? 3600 : u == 'm' ? 60 : 1);
      }
    } else if (p[0] == '>' && p[1] == ' ') {
      if (!session)
        assert_int_equal(samvad_session_create(rp->cat, NULL, &session), 0);
      samvad_message m;
      memset(&m, 0, sizeof m);
      const char *arg = p + 2;
      if (strncmp(arg, "[tap] ", 6) == 0) {
        m.kind = SAMVAD_MSG_OPTION;
        m.option_id = arg + 6;
      } else if (strncmp(arg, "[media] ", 8) == 0) {
        m.kind = SAMVAD_MSG_MEDIA;
        m.media_id = arg + 8;
        m.media_mime = "image/jpeg";
      } else {
        m.kind = SAMVAD_MSG_TEXT;
        m.text = arg;
        m.text_len = strlen(arg);
      }
      if (samvad_step(rp->cat, session, &m, ++now, rp->replies) == 0)
        rp->stop = rp->fn(rp->replies, rp->ctx);
    }
  }
  samvad_session_destroy(session);
  fclose(f);
  rp->files++;
}

static void replay_dir(replay *rp, const char *dir) {
  struct dirent **names = NULL;
  int n = scandir(dir, &names, NULL, alphasort);
  for (int i = 0; i < n; i++) {
    const char *name = names[i]->d_name;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (!rp->stop && name[0] != '.' && stat(path, &st) == 0) {
      size_t len = strlen(name);
      if (S_ISDIR(st.st_mode))
        replay_dir(rp, path);
      else if (len > 5 && strcmp(name + len - 5, ".chat") == 0)
        replay_file(rp, path);
    }
    free(names[i]);
  }
  free(names);
}

/* Steps every transcript under dir against the specs there, handing fn
 * each step's replies; returns how many files were replayed. */
static size_t replay_specs(const char *dir, replay_step_fn fn, void *ctx) {
  samvad_catalogue *cat = NULL;
  char err[1024];
  assert_int_equal(samvad_catalogue_load_dir(dir, NULL, &cat, err, sizeof err),
                   0);
  replay rp = {.cat = cat, .fn = fn, .ctx = ctx};
  assert_int_equal(samvad_replies_create(NULL, &rp.replies), 0);
  replay_dir(&rp, dir);
  samvad_replies_destroy(rp.replies);
  samvad_catalogue_destroy(cat);
  return rp.files;
}

#endif
