/* engine_harness.h - helpers shared by the engine and session tests: load a
 * spec folder (optionally with one text substitution, to fake an edited
 * spec), send messages at a controlled clock, and look at the replies the
 * way a transcript does (texts and numbered options, concatenated). */
#ifndef ENGINE_HARNESS_H
#define ENGINE_HARNESS_H

#include "samvad/samvad.h"
#include "test_files.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENGINE_SPECS SAMVAD_TEST_DIR "/engine-specs"
/* 2026-01-15 10:00 IST */
#define T0 ((int64_t)1768451400)


/* Replaces every occurrence of from by to (a fresh malloc'd string). */
static inline char *h_replace(const char *s, const char *from, const char *to) {
  size_t fl = strlen(from), tl = strlen(to), n = 0;
  for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
    n++;
  char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1);
  char *o = out;
  const char *p = s;
  for (const char *q = strstr(p, from); q; q = strstr(p, from)) {
    memcpy(o, p, (size_t)(q - p));
    o += q - p;
    memcpy(o, to, tl);
    o += tl;
    p = q + fl;
  }
  strcpy(o, p);
  return out;
}

static inline int h_add_file(samvad_loader *l, const char *dir, const char *name,
                      const char *from, const char *to) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len;
  char *json = test_read_file(path, &len);
  if (!json)
    return -1;
  if (from) {
    char *j2 = h_replace(json, from, to);
    free(json);
    json = j2;
    len = strlen(json);
  }
  int rc = samvad_loader_add(l, name, json, len);
  free(json);
  return rc;
}

/* Loads the engine test specs; with from/to, every file has from replaced
 * by to first. */
static inline samvad_catalogue *h_load_without(const char *skip, const char *from,
                                        const char *to) {
  samvad_loader *l = NULL;
  samvad_catalogue *cat = NULL;
  if (samvad_loader_create(NULL, &l) != 0)
    return NULL;
  const char *files[] = {"catalogue.json", "blocks/addr.json",
                         "test-permit.json", "other-service.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if ((!skip || strcmp(skip, files[i]) != 0) &&
        h_add_file(l, ENGINE_SPECS, files[i], from, to) != 0)
      goto fail;
  if (samvad_loader_finish(l, &cat) != 0)
    goto fail;
  samvad_loader_destroy(l);
  return cat;
fail:
  for (size_t i = 0; i < samvad_loader_diag_count(l); i++)
    fprintf(stderr, "%s\n", samvad_loader_diag(l, i));
  samvad_loader_destroy(l);
  return NULL;
}

static inline samvad_catalogue *h_load(const char *from, const char *to) {
  return h_load_without(NULL, from, to);
}

typedef struct h_chat {
  samvad_catalogue *cat;
  samvad_session *s;
  samvad_replies *r;
  int64_t now;
  int msg_no;
  char all[65536]; /* the last replies as the terminal shows them */
  int rc;
} h_chat;

static inline void h_collect(h_chat *c) {
  size_t o = 0;
  c->all[0] = '\0';
  for (size_t i = 0; i < samvad_replies_count(c->r); i++) {
    const samvad_reply *rep = samvad_replies_get(c->r, i);
    o += (size_t)snprintf(c->all + o, sizeof c->all - o, "%s\n", rep->text);
    for (size_t k = 0; k < rep->option_count && o < sizeof c->all; k++)
      o += (size_t)snprintf(c->all + o, sizeof c->all - o, "%zu. %s [%s]\n",
                            k + 1, rep->options[k].title, rep->options[k].id);
    if (o >= sizeof c->all)
      break;
  }
}

static inline int h_send(h_chat *c, const samvad_message *m) {
  c->rc = samvad_step(c->cat, c->s, m, c->now, c->r);
  c->now += 1;
  h_collect(c);
  return c->rc;
}

static inline int h_say_n(h_chat *c, const char *text, size_t len) {
  char id[32];
  snprintf(id, sizeof id, "m%d", ++c->msg_no);
  samvad_message m = {.kind = SAMVAD_MSG_TEXT, .id = id, .text = text,
                      .text_len = len};
  return h_send(c, &m);
}

static inline int h_say(h_chat *c, const char *text) {
  return h_say_n(c, text, strlen(text));
}

static inline int h_tap(h_chat *c, const char *option) {
  char id[32];
  snprintf(id, sizeof id, "m%d", ++c->msg_no);
  samvad_message m = {.kind = SAMVAD_MSG_OPTION, .id = id, .option_id = option};
  return h_send(c, &m);
}

static inline int h_media(h_chat *c, const char *ref) {
  char id[32];
  snprintf(id, sizeof id, "m%d", ++c->msg_no);
  samvad_message m = {.kind = SAMVAD_MSG_MEDIA, .id = id, .media_id = ref,
                      .media_mime = "image/jpeg"};
  return h_send(c, &m);
}

static inline int h_has(const h_chat *c, const char *needle) {
  return strstr(c->all, needle) != NULL;
}

static inline const samvad_reply *h_last(const h_chat *c) {
  size_t n = samvad_replies_count(c->r);
  return n ? samvad_replies_get(c->r, n - 1) : NULL;
}

static inline const samvad_application *h_app(const h_chat *c) {
  for (size_t i = 0; i < samvad_replies_count(c->r); i++)
    if (samvad_replies_get(c->r, i)->application)
      return samvad_replies_get(c->r, i)->application;
  return NULL;
}

static inline const char *h_answer(const samvad_application *a, const char *name) {
  for (size_t i = 0; a && i < a->answer_count; i++)
    if (strcmp(a->answers[i].name, name) == 0)
      return a->answers[i].value;
  return NULL;
}

static inline const char *h_state(const h_chat *c) {
  const char *s = samvad_session_state(c->s);
  return s ? s : "-";
}

/* The rest needs cmocka.h included first. */
#define SAY(c, t) assert_int_equal(h_say((c), (t)), 0)
#define TAP(c, t) assert_int_equal(h_tap((c), (t)), 0)
#define HAS(c, t)                                                              \
  do {                                                                         \
    if (!h_has((c), (t)))                                                      \
      fail_msg("expected \"%s\" in replies:\n%s", (t), (c)->all);              \
  } while (0)
#define HASNT(c, t)                                                            \
  do {                                                                         \
    if (h_has((c), (t)))                                                       \
      fail_msg("did not expect \"%s\" in replies:\n%s", (t), (c)->all);        \
  } while (0)
#define STATE(c, st) assert_string_equal(h_state(c), (st))

/* Answers of the English happy path, by the state that asks them; walks
 * from wherever the session is until stop is asked. */
static inline void walk_to(h_chat *c, const char *stop) {
  static const char *const steps[][2] = {
      {"-", "1"},
      {"choose_kind", "1"},
      {"ask_name", "Ravi Kumar"},
      {"ask_dob", "12/03/1995"},
      {"ask_count", "2"},
      {"ask_agree", "yes"},
      {"home/house", "H.No. 12, Gali 3"},
      {"home/pin", "110092"},
      {"ask_photo", NULL},
      {"ask_aadhaar", "2341 2341 2346"},
  };
  for (int guard = 0; guard < 20; guard++) {
    if (strcmp(h_state(c), stop) == 0)
      return;
    size_t i = 0;
    while (i < sizeof steps / sizeof steps[0] &&
           strcmp(steps[i][0], h_state(c)) != 0)
      i++;
    if (i == sizeof steps / sizeof steps[0])
      break;
    if (steps[i][1])
      SAY(c, steps[i][1]);
    else
      assert_int_equal(h_media(c, "photo-1.jpg"), 0);
  }
  fail_msg("walk_to(%s) ended at %s:\n%s", stop, h_state(c), c->all);
}

#endif
