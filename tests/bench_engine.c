/* bench_engine.c - the engine benchmark: drives complete marriage
 * applications through samvad_step (validation and bilingual rendering
 * included, no I/O), half in Hindi with Devanagari digits and half in
 * English, and prints steps per second on one core, the serialised session
 * size after the first seven answers, and the time to load all specs.
 *
 * The conversations are data: the files in tests/bench/ hold one message per line;
 * a line "#seven" marks the point after the seventh answer. */
#include "samvad/samvad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINES 128
#define LINE_BYTES 512

typedef struct script {
  char text[MAX_LINES][LINE_BYTES];
  size_t len[MAX_LINES];
  size_t count;
  size_t seven_at; /* messages sent when seven answers are in */
} script;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_script(const char *path, script *s) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return -1;
  }
  char line[LINE_BYTES];
  s->count = 0;
  s->seven_at = 0;
  while (fgets(line, sizeof line, f) && s->count < MAX_LINES) {
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (strcmp(line, "#seven") == 0) {
      s->seven_at = s->count;
      continue;
    }
    if (n == 0 || line[0] == '#')
      continue;
    memcpy(s->text[s->count], line, n + 1);
    s->len[s->count] = n;
    s->count++;
  }
  fclose(f);
  return s->count ? 0 : -1;
}

/* Runs one whole application; returns the number of steps, or -1 when the
 * conversation did not end with a submitted application. */
static long run_once(const samvad_catalogue *cat, const script *s,
                     samvad_replies *out, int64_t t0, size_t *seven_bytes) {
  samvad_session *session = NULL;
  if (samvad_session_create(cat, NULL, &session) != 0)
    return -1;
  int submitted = 0;
  for (size_t i = 0; i < s->count; i++) {
    samvad_message m = {.kind = SAMVAD_MSG_TEXT, .text = s->text[i],
                        .text_len = s->len[i]};
    if (samvad_step(cat, session, &m, t0 + (int64_t)i, out) != 0) {
      samvad_session_destroy(session);
      return -1;
    }
    for (size_t r = 0; r < samvad_replies_count(out); r++)
      if (samvad_replies_get(out, r)->application)
        submitted = 1;
    if (seven_bytes && i + 1 == s->seven_at) {
      unsigned char buf[SAMVAD_MAX_SESSION_BYTES];
      size_t len = 0;
      if (samvad_session_save(session, buf, sizeof buf, &len) == 0)
        *seven_bytes = len;
    }
  }
  samvad_session_destroy(session);
  return submitted ? (long)s->count : -1;
}

static void show_failure(const samvad_catalogue *cat, const script *s,
                         int64_t t0) {
  samvad_session *session = NULL;
  samvad_replies *out = NULL;
  if (samvad_session_create(cat, NULL, &session) != 0 ||
      samvad_replies_create(NULL, &out) != 0)
    return;
  for (size_t i = 0; i < s->count; i++) {
    samvad_message m = {.kind = SAMVAD_MSG_TEXT, .text = s->text[i],
                        .text_len = s->len[i]};
    fprintf(stderr, "> %s\n", s->text[i]);
    if (samvad_step(cat, session, &m, t0 + (int64_t)i, out) != 0)
      break;
    for (size_t r = 0; r < samvad_replies_count(out); r++)
      fprintf(stderr, "< %s\n", samvad_replies_get(out, r)->text);
  }
  samvad_replies_destroy(out);
  samvad_session_destroy(session);
}

int main(int argc, char **argv) {
  const char *specs = SAMVAD_SOURCE_DIR "/fsm-specs";
  double seconds = 3.0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--specs") == 0 && i + 1 < argc)
      specs = argv[++i];
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = atof(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_engine [--specs DIR] [--seconds S]\n");
      return 2;
    }
  }
  static script scripts[2];
  if (read_script(SAMVAD_SOURCE_DIR "/tests/bench/marriage-hi.txt", &scripts[0]) ||
      read_script(SAMVAD_SOURCE_DIR "/tests/bench/marriage-en.txt", &scripts[1]))
    return 1;

  /* Loading: the mean of many loads of every spec. */
  char err[4096];
  samvad_catalogue *cat = NULL;
  int loads = 0;
  double t = now_seconds();
  do {
    samvad_catalogue_destroy(cat);
    cat = NULL;
    if (samvad_catalogue_load_dir(specs, NULL, &cat, err, sizeof err) != 0) {
      fprintf(stderr, "cannot load %s:\n%s\n", specs, err);
      return 1;
    }
    loads++;
  } while (now_seconds() - t < 0.5);
  double load_ms = (now_seconds() - t) * 1000.0 / loads;

  samvad_replies *out = NULL;
  if (samvad_replies_create(NULL, &out) != 0)
    return 1;
  const int64_t t0 = 1772339400; /* 2026-03-01 10:00 IST, as the transcripts */
  size_t seven[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    if (run_once(cat, &scripts[k], out, t0, &seven[k]) < 0) {
      fprintf(stderr, "bench: the %s script does not submit an application:\n",
              k ? "English" : "Hindi");
      show_failure(cat, &scripts[k], t0);
      return 1;
    }
  }

  long steps = 0, apps = 0;
  t = now_seconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int batch = 0; batch < 100; batch++) {
      long n = run_once(cat, &scripts[apps & 1], out, t0, NULL);
      if (n < 0)
        return 1;
      steps += n;
      apps++;
    }
    elapsed = now_seconds() - t;
  }
  printf("marriage applications: %ld (half Hindi with Devanagari digits, half English)\n", apps);
  printf("steps: %ld in %.2f s = %.0f steps/s on one core\n", steps, elapsed,
         (double)steps / elapsed);
  printf("session after seven answers: %zu bytes (Hindi), %zu bytes (English)\n",
         seven[0], seven[1]);
  printf("load all specs: %.3f ms (mean of %d loads)\n", load_ms, loads);
  samvad_replies_destroy(out);
  samvad_catalogue_destroy(cat);
  return 0;
}
