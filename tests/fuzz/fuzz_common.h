/* fuzz_common.h - what the libFuzzer targets share: reading fixtures, a
 * strict UTF-8 check, checks of every reply a step gives, and the
 * save -> restore -> save round trip that every session must survive.
 * A broken invariant aborts, so libFuzzer saves the input as a crash. */
#ifndef SAMVAD_FUZZ_COMMON_H
#define SAMVAD_FUZZ_COMMON_H

#include "samvad/samvad.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with a message: libFuzzer reports the abort as a crash and keeps
 * the input that caused it. */
#define FZ_CHECK(cond, ...)                                                    \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__,    \
              #cond);                                                          \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* Whether a finding already reported (its tag listed in
 * $SAMVAD_FUZZ_KNOWN, e.g. "diag-newline") is to be let through, so a long
 * run can look for new ones before the library is fixed. The regression
 * tests run without it. */
static inline int fz_known(const char *tag) {
  const char *k = getenv("SAMVAD_FUZZ_KNOWN");
  return k && strstr(k, tag) != NULL;
}

/* 2026-01-15 10:00 IST, the transcripts' starting clock. */
#define FZ_T0 ((int64_t)1768451400)

/* The folder of specs the session targets step through: the bundled
 * fsm-specs, or $SAMVAD_FUZZ_SPECS. */
static inline const char *fz_specs_dir(void) {
  const char *env = getenv("SAMVAD_FUZZ_SPECS");
  return env && *env ? env : SAMVAD_SOURCE_DIR "/fsm-specs";
}

/* Reads a whole file (NUL-terminated copy); exits when it cannot, since a
 * fuzzer without its fixtures would only test the error path. */
static inline char *fz_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n = -1;
  if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
      fread(buf, 1, (size_t)n, f) == (size_t)n) {
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
  }
  fprintf(stderr, "fuzz: cannot read fixture %s\n", path);
  exit(2);
}

/* Loads a spec folder once per process; exits on failure (the fixtures are
 * the project's own specs, so a failure is a broken checkout). */
static inline samvad_catalogue *fz_load_catalogue(const char *dir) {
  samvad_catalogue *cat = NULL;
  char err[2048];
  if (samvad_catalogue_load_dir(dir, NULL, &cat, err, sizeof err) != 0) {
    fprintf(stderr, "fuzz: cannot load %s:\n%s\n", dir, err);
    exit(2);
  }
  return cat;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
static inline int fz_utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    size_t k;
    unsigned min, cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      k = 1, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      k = 2, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      k = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return 0;
    }
    if (n - i <= k)
      return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((p[i + j] & 0xC0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += k + 1;
  }
  return 1;
}

/* A library string handed out to the caller: non-NULL, NUL-terminated
 * (ASan catches a read past the end) and valid UTF-8. */
static inline void fz_check_str(const char *s, const char *what) {
  FZ_CHECK(s != NULL, "%s is NULL", what);
  FZ_CHECK(fz_utf8_valid(s, strlen(s)), "%s is not valid UTF-8", what);
}

/* Every reply of a successful step must be well formed. */
static inline void fz_check_replies(const samvad_replies *r) {
  size_t n = samvad_replies_count(r);
  FZ_CHECK(n >= 1, "a successful step gave no reply");
  FZ_CHECK(samvad_replies_get(r, n) == NULL, "reply %zu past the end", n);
  for (size_t i = 0; i < n; i++) {
    const samvad_reply *y = samvad_replies_get(r, i);
    FZ_CHECK(y != NULL, "reply %zu is NULL", i);
    fz_check_str(y->text, "reply text");
    FZ_CHECK(y->lang == SAMVAD_LANG_HI || y->lang == SAMVAD_LANG_EN,
             "reply language %d", (int)y->lang);
    /* A service's introduction has a flow but no state yet. */
    FZ_CHECK(y->flow != NULL || y->state == NULL, "state %s outside a flow",
             y->state);
    if (y->flow)
      fz_check_str(y->flow, "reply flow");
    if (y->state)
      fz_check_str(y->state, "reply state");
    /* A summary offers one edit per answer, the menu one row a service. */
    FZ_CHECK(y->option_count <= SAMVAD_MAX_SPECS + SAMVAD_MAX_VARS + 1,
             "%zu options", y->option_count);
    FZ_CHECK((y->options == NULL) == (y->option_count == 0),
             "options %p with count %zu", (const void *)y->options,
             y->option_count);
    for (size_t k = 0; k < y->option_count; k++) {
      fz_check_str(y->options[k].id, "option id");
      fz_check_str(y->options[k].title, "option title");
      FZ_CHECK(y->options[k].id[0] != '\0', "empty option id");
    }
    if (y->application) {
      const samvad_application *a = y->application;
      fz_check_str(a->id, "application id");
      fz_check_str(a->service, "application service");
      FZ_CHECK(a->answer_count == 0 || a->answers, "answers NULL");
      for (size_t k = 0; k < a->answer_count; k++) {
        fz_check_str(a->answers[k].name, "answer name");
        fz_check_str(a->answers[k].value, "answer value");
      }
    }
  }
}

/* Saves a session into buf (SAMVAD_MAX_SESSION_BYTES), checking the
 * ENOSPC contract on the way: asking with no room reports the size, and
 * that size is then exactly enough. */
static inline size_t fz_save(const samvad_session *s, unsigned char *buf) {
  size_t need = 0, len = 0;
  int rc = samvad_session_save(s, NULL, 0, &need);
  FZ_CHECK(rc == SAMVAD_ENOSPC, "save with cap 0: %s", samvad_err_name(rc));
  FZ_CHECK(need > 0 && need <= SAMVAD_MAX_SESSION_BYTES, "need %zu", need);
  rc = samvad_session_save(s, buf, need, &len);
  FZ_CHECK(rc == SAMVAD_OK, "save: %s", samvad_err_name(rc));
  FZ_CHECK(len == need, "saved %zu, announced %zu", len, need);
  return len;
}

/* Restores bytes that the library itself saved: this must succeed, and
 * saving the result must give the same bytes. Returns the session. */
static inline samvad_session *fz_roundtrip(const samvad_catalogue *cat,
                                           const unsigned char *bytes,
                                           size_t len) {
  static unsigned char again[SAMVAD_MAX_SESSION_BYTES];
  samvad_session *s = NULL;
  int rc = samvad_session_restore(cat, NULL, bytes, len, &s);
  FZ_CHECK(rc == SAMVAD_OK && s, "restoring saved bytes: %s",
           samvad_err_name(rc));
  size_t len2 = fz_save(s, again);
  FZ_CHECK(len2 == len && memcmp(again, bytes, len) == 0,
           "save -> restore -> save differs (%zu vs %zu bytes)", len, len2);
  return s;
}

/* Two reply buffers from the same step on equal sessions must match. */
static inline void fz_same_replies(const samvad_replies *a,
                                   const samvad_replies *b) {
  size_t n = samvad_replies_count(a);
  FZ_CHECK(n == samvad_replies_count(b), "%zu vs %zu replies", n,
           samvad_replies_count(b));
  for (size_t i = 0; i < n; i++) {
    const samvad_reply *x = samvad_replies_get(a, i);
    const samvad_reply *y = samvad_replies_get(b, i);
    FZ_CHECK(strcmp(x->text, y->text) == 0, "reply %zu: \"%s\" vs \"%s\"", i,
             x->text, y->text);
    FZ_CHECK(x->lang == y->lang, "reply %zu language", i);
    FZ_CHECK((x->flow == NULL) == (y->flow == NULL) &&
                 (!x->flow || strcmp(x->flow, y->flow) == 0),
             "reply %zu flow", i);
    FZ_CHECK((x->state == NULL) == (y->state == NULL) &&
                 (!x->state || strcmp(x->state, y->state) == 0),
             "reply %zu state", i);
    FZ_CHECK(x->option_count == y->option_count, "reply %zu options", i);
    for (size_t k = 0; k < x->option_count; k++)
      FZ_CHECK(strcmp(x->options[k].id, y->options[k].id) == 0 &&
                   strcmp(x->options[k].title, y->options[k].title) == 0,
               "reply %zu option %zu", i, k);
    FZ_CHECK((x->application == NULL) == (y->application == NULL),
             "reply %zu application", i);
    if (x->application)
      FZ_CHECK(strcmp(x->application->id, y->application->id) == 0,
               "reply %zu reference", i);
  }
}

#endif
