/* test_store.c - the exactly-once step, the department's decision, replies
 * as bytes and retention, through the public API over a fake in-memory
 * backend that can refuse application numbers and fail on demand. The
 * SQLite backend is tested through the binary (tests/cli/store.sh). */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "engine_harness.h"
#include "samvad/cert.h"
#include "samvad/store.h"

#define FAKE_MAX 64

typedef struct blob {
  char key[2][300];
  unsigned char *bytes;
  size_t len;
} blob;

typedef struct fake {
  blob sessions[FAKE_MAX], messages[FAKE_MAX], notices[FAKE_MAX];
  blob certs[FAKE_MAX];
  size_t nsessions, nmessages, nnotices, ncerts;
  samvad_app_info apps[FAKE_MAX];
  char app_answers[FAKE_MAX][512];
  size_t napps;
  char audit[FAKE_MAX][128];
  size_t naudit;
  char last_reason[SAMVAD_MAX_REASON_BYTES + 1];
  int refuse_numbers;    /* application_create says EEXIST this often */
  const char *fail_op;   /* this op returns SAMVAD_ESTORE */
} fake;

static blob *find(blob *b, size_t n, const char *k0, const char *k1) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(b[i].key[0], k0) == 0 && strcmp(b[i].key[1], k1) == 0)
      return &b[i];
  return NULL;
}

static int put(blob *b, size_t *n, const char *k0, const char *k1,
               const unsigned char *bytes, size_t len) {
  blob *x = find(b, *n, k0, k1);
  if (!x) {
    if (*n == FAKE_MAX)
      return SAMVAD_ESTORE;
    x = &b[(*n)++];
    snprintf(x->key[0], sizeof x->key[0], "%s", k0);
    snprintf(x->key[1], sizeof x->key[1], "%s", k1);
    x->bytes = NULL;
  }
  free(x->bytes);
  x->bytes = malloc(len ? len : 1);
  memcpy(x->bytes, bytes, len);
  x->len = len;
  return 0;
}

static int get(const blob *x, unsigned char *buf, size_t cap, size_t *len) {
  if (!x)
    return SAMVAD_ENOTFOUND;
  *len = x->len;
  if (x->len > cap)
    return SAMVAD_ENOSPC;
  memcpy(buf, x->bytes, x->len);
  return 0;
}

#define FAIL_IF(f, op)                                                         \
  if ((f)->fail_op && strcmp((f)->fail_op, op) == 0)                           \
  return SAMVAD_ESTORE

static int f_session_load(void *ctx, const char *user, unsigned char *buf,
                          size_t cap, size_t *len) {
  fake *f = ctx;
  FAIL_IF(f, "session_load");
  return get(find(f->sessions, f->nsessions, user, ""), buf, cap, len);
}
static int f_session_save(void *ctx, const char *user,
                          const unsigned char *bytes, size_t len,
                          const char *flow, int64_t now) {
  fake *f = ctx;
  (void)flow;
  (void)now;
  FAIL_IF(f, "session_save");
  return put(f->sessions, &f->nsessions, user, "", bytes, len);
}
static int f_message_find(void *ctx, const char *user, const char *id,
                          unsigned char *buf, size_t cap, size_t *len) {
  fake *f = ctx;
  return get(find(f->messages, f->nmessages, user, id), buf, cap, len);
}
static int f_message_record(void *ctx, const char *user, const char *id,
                            const unsigned char *r, size_t len, int64_t now) {
  fake *f = ctx;
  (void)now;
  FAIL_IF(f, "message_record");
  return put(f->messages, &f->nmessages, user, id, r, len);
}
static int f_application_create(void *ctx, const char *user,
                                const samvad_application *app, int64_t now) {
  fake *f = ctx;
  (void)now;
  if (f->refuse_numbers > 0) {
    f->refuse_numbers--;
    return SAMVAD_EEXIST;
  }
  for (size_t i = 0; i < f->napps; i++)
    if (strcmp(f->apps[i].id, app->id) == 0)
      return SAMVAD_EEXIST;
  samvad_app_info *a = &f->apps[f->napps];
  snprintf(a->id, sizeof a->id, "%s", app->id);
  snprintf(a->service, sizeof a->service, "%s", app->service);
  snprintf(a->user, sizeof a->user, "%s", user);
  a->status = SAMVAD_APP_SUBMITTED;
  size_t o = 0;
  for (size_t k = 0; k < app->answer_count; k++)
    o += (size_t)snprintf(f->app_answers[f->napps] + o,
                          sizeof f->app_answers[0] - o, "%s=%s;",
                          app->answers[k].name, app->answers[k].value);
  f->napps++;
  return 0;
}
static int f_application_find(void *ctx, const char *id,
                              samvad_app_info *out) {
  fake *f = ctx;
  for (size_t i = 0; i < f->napps; i++)
    if (strcmp(f->apps[i].id, id) == 0) {
      *out = f->apps[i];
      return 0;
    }
  return SAMVAD_ENOTFOUND;
}
static int f_application_answers(void *ctx, const char *id,
                                 int (*each)(void *, const char *,
                                             const char *),
                                 void *arg) {
  fake *f = ctx;
  for (size_t i = 0; i < f->napps; i++) {
    if (strcmp(f->apps[i].id, id) != 0)
      continue;
    char copy[sizeof f->app_answers[0]];
    snprintf(copy, sizeof copy, "%s", f->app_answers[i]);
    for (char *p = copy, *semi; (semi = strchr(p, ';')); p = semi + 1) {
      *semi = '\0';
      char *eq = strchr(p, '=');
      *eq = '\0';
      int rc = each(arg, p, eq + 1);
      if (rc)
        return rc;
    }
    return 0;
  }
  return SAMVAD_ENOTFOUND;
}

static int f_application_update(void *ctx, const char *id,
                                samvad_app_status status, const char *reason,
                                const char *actor, int64_t now) {
  fake *f = ctx;
  (void)actor;
  (void)now;
  for (size_t i = 0; i < f->napps; i++)
    if (strcmp(f->apps[i].id, id) == 0) {
      f->apps[i].status = status;
      snprintf(f->last_reason, sizeof f->last_reason, "%s",
               reason ? reason : "");
      return 0;
    }
  return SAMVAD_ENOTFOUND;
}
static int f_certificate_record(void *ctx, const char *app, const char *n,
                                const unsigned char *p, size_t len,
                                int64_t now) {
  fake *f = ctx;
  (void)now;
  FAIL_IF(f, "certificate_record");
  return put(f->certs, &f->ncerts, n, app, p, len);
}
static int f_audit_append(void *ctx, const samvad_audit_event *e) {
  fake *f = ctx;
  if (f->naudit == FAKE_MAX)
    return SAMVAD_ESTORE;
  snprintf(f->audit[f->naudit++], sizeof f->audit[0], "%s %s %s", e->actor,
           e->action, e->application ? e->application : "-");
  return 0;
}
static int f_notice_add(void *ctx, const char *user, const unsigned char *r,
                        size_t len, int64_t now) {
  fake *f = ctx;
  char at[32];
  snprintf(at, sizeof at, "%lld", (long long)now);
  return put(f->notices, &f->nnotices, user, at, r, len);
}

static const samvad_store_ops fake_ops = {
    .session_load = f_session_load,
    .session_save = f_session_save,
    .message_find = f_message_find,
    .message_record = f_message_record,
    .application_create = f_application_create,
    .application_find = f_application_find,
    .application_answers = f_application_answers,
    .application_update = f_application_update,
    .certificate_record = f_certificate_record,
    .audit_append = f_audit_append,
    .notice_add = f_notice_add};

static void fake_free(fake *f) {
  blob *all[] = {f->sessions, f->messages, f->notices, f->certs};
  size_t ns[] = {f->nsessions, f->nmessages, f->nnotices, f->ncerts};
  for (int t = 0; t < 4; t++)
    for (size_t i = 0; i < ns[t]; i++)
      free(all[t][i].bytes);
  free(f);
}

static samvad_catalogue *g_cat;

static int setup(void **state) {
  (void)state;
  g_cat = h_load(NULL, NULL);
  return g_cat ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  samvad_catalogue_destroy(g_cat);
  return 0;
}

/* A citizen talking through the store. */
typedef struct sc {
  fake *f;
  samvad_store *st;
  samvad_replies *r;
  char user[32];
  int64_t now;
  int n;
  unsigned outcome;
  char all[16384];
} sc;

static void sc_collect(sc *c) {
  size_t o = 0;
  c->all[0] = '\0';
  for (size_t i = 0; i < samvad_replies_count(c->r); i++) {
    const samvad_reply *rep = samvad_replies_get(c->r, i);
    o += (size_t)snprintf(c->all + o, sizeof c->all - o, "%s\n", rep->text);
    if (o >= sizeof c->all)
      break;
  }
}

static int sc_send_id(sc *c, const char *id, const char *text) {
  samvad_message m = {.kind = SAMVAD_MSG_TEXT, .id = id, .text = text,
                      .text_len = strlen(text)};
  if (strncmp(text, "media:", 6) == 0)
    m = (samvad_message){.kind = SAMVAD_MSG_MEDIA, .id = id,
                         .media_id = text + 6, .media_mime = "image/jpeg"};
  int rc = samvad_store_step(c->st, g_cat, c->user, &m, c->now, c->r,
                             &c->outcome);
  sc_collect(c);
  return rc;
}

static int sc_send(sc *c, const char *text) {
  char id[32];
  snprintf(id, sizeof id, "m%d", ++c->n);
  c->now += 60;
  return sc_send_id(c, id, text);
}

static sc *sc_new(const char *user, const unsigned char *key) {
  sc *c = calloc(1, sizeof *c);
  c->f = calloc(1, sizeof *c->f);
  assert_int_equal(samvad_store_create(&fake_ops, c->f, NULL, &c->st), 0);
  if (key)
    samvad_store_set_reference_key(c->st, key);
  assert_int_equal(samvad_replies_create(NULL, &c->r), 0);
  snprintf(c->user, sizeof c->user, "%s", user);
  c->now = T0;
  return c;
}

static void sc_free(sc *c) {
  samvad_replies_destroy(c->r);
  samvad_store_destroy(c->st);
  fake_free(c->f);
  free(c);
}

/* The English happy path of the test permit, to its confirmation. */
static const char *const path[] = {
    "1", "1", "Ravi Kumar", "12/03/1995", "2", "yes", "H.No. 12, Gali 3",
    "110092", "media:photo-1.jpg", "2341 2341 2346"};

static const samvad_application *submit(sc *c) {
  for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
    assert_int_equal(sc_send(c, path[i]), 0);
  c->now += 60;
  samvad_message m = {.kind = SAMVAD_MSG_OPTION, .id = "confirm-1",
                      .option_id = "confirm"};
  assert_int_equal(
      samvad_store_step(c->st, g_cat, c->user, &m, c->now, c->r, NULL), 0);
  sc_collect(c);
  for (size_t i = 0; i < samvad_replies_count(c->r); i++)
    if (samvad_replies_get(c->r, i)->application)
      return samvad_replies_get(c->r, i)->application;
  fail_msg("no application submitted:\n%s", c->all);
  return NULL;
}

static void repeated_delivery_answers_the_same_and_changes_nothing(void **st) {
  (void)st;
  sc *c = sc_new("919800000001", NULL);
  assert_int_equal(sc_send(c, "hello"), 0);
  assert_int_equal(sc_send(c, "1"), 0);
  char first[sizeof c->all];
  strcpy(first, c->all);
  assert_int_equal(c->outcome, 0);
  blob *s = find(c->f->sessions, c->f->nsessions, c->user, "");
  assert_non_null(s);
  unsigned char before[4096];
  size_t before_len = s->len;
  memcpy(before, s->bytes, s->len);
  /* The same message id again, even at another time and with another
   * text: the stored replies, and the session untouched. */
  c->now += 3600;
  assert_int_equal(sc_send_id(c, "m2", "2"), 0);
  assert_int_equal(c->outcome, SAMVAD_STEP_REPEAT);
  assert_string_equal(c->all, first);
  s = find(c->f->sessions, c->f->nsessions, c->user, "");
  assert_int_equal(s->len, before_len);
  assert_memory_equal(s->bytes, before, before_len);
  assert_int_equal(c->f->nmessages, 2);
  /* Another user's message with the same id is a different message. */
  snprintf(c->user, sizeof c->user, "919800000002");
  assert_int_equal(sc_send_id(c, "m2", "hello"), 0);
  assert_int_equal(c->outcome, 0);
  assert_int_equal(c->f->nmessages, 3);
  sc_free(c);
}

/* A host that applies each message once itself (serve's inbox) turns the
 * log off: nothing is looked up or recorded, and the same id is stepped
 * again if the host lets it through. */
static void without_the_message_log_nothing_is_recorded(void **st) {
  (void)st;
  sc *c = sc_new("919800000005", NULL);
  samvad_store_set_message_log(c->st, 0);
  assert_int_equal(sc_send(c, "hello"), 0);
  assert_int_equal(sc_send_id(c, "m2", "1"), 0);
  char first[sizeof c->all];
  strcpy(first, c->all);
  assert_int_equal(sc_send_id(c, "m2", "1"), 0);
  assert_int_equal(c->outcome, 0);
  assert_int_equal(c->f->nmessages, 0);
  assert_string_not_equal(c->all, first); /* stepped again, inside */
  /* Back on, ids are looked up and recorded again. */
  samvad_store_set_message_log(c->st, 1);
  assert_int_equal(sc_send_id(c, "m9", "2"), 0);
  assert_int_equal(c->f->nmessages, 1);
  assert_int_equal(sc_send_id(c, "m9", "2"), 0);
  assert_int_equal(c->outcome, SAMVAD_STEP_REPEAT);
  sc_free(c);
}

static void submission_creates_the_application_once(void **st) {
  (void)st;
  sc *c = sc_new("919800000003", NULL);
  const samvad_application *app = submit(c);
  assert_int_equal(c->f->napps, 1);
  assert_string_equal(c->f->apps[0].id, app->id);
  assert_string_equal(c->f->apps[0].service, "test-permit");
  assert_string_equal(c->f->apps[0].user, "919800000003");
  assert_non_null(strstr(c->f->app_answers[0], "name=Ravi Kumar;"));
  sc_free(c);
}

static void audit_names_the_application(void **st) {
  (void)st;
  sc *c = sc_new("919800000004", NULL);
  const samvad_application *app = submit(c);
  char want[128];
  snprintf(want, sizeof want, "citizen submitted %s", app->id);
  assert_int_equal(c->f->naudit, 1);
  assert_string_equal(c->f->audit[0], want);
  /* The confirmation delivered again: the same number, no second
   * application, no second audit line. */
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", app->id);
  samvad_message m = {.kind = SAMVAD_MSG_OPTION, .id = "confirm-1",
                      .option_id = "confirm"};
  assert_int_equal(samvad_store_step(c->st, g_cat, c->user, &m, c->now + 5,
                                     c->r, &c->outcome),
                   0);
  assert_int_equal(c->outcome, SAMVAD_STEP_REPEAT);
  const samvad_reply *last = samvad_replies_get(c->r, 0);
  assert_non_null(last);
  int seen = 0;
  for (size_t i = 0; i < samvad_replies_count(c->r); i++) {
    const samvad_application *a = samvad_replies_get(c->r, i)->application;
    if (a) {
      seen = 1;
      assert_string_equal(a->id, ref);
      assert_true(a->answer_count > 3);
    }
  }
  assert_true(seen);
  assert_int_equal(c->f->napps, 1);
  assert_int_equal(c->f->naudit, 1);
  sc_free(c);
}

static void the_key_makes_numbers_unguessable(void **st) {
  (void)st;
  unsigned char k1[SAMVAD_REFERENCE_KEY_BYTES] = {1, 2, 3};
  unsigned char k2[SAMVAD_REFERENCE_KEY_BYTES] = {1, 2, 4};
  char a[3][SAMVAD_MAX_REFERENCE_BYTES];
  const unsigned char *keys[] = {NULL, k1, k2};
  for (int i = 0; i < 3; i++) {
    sc *c = sc_new("919800000005", keys[i]);
    snprintf(a[i], sizeof a[i], "%s", submit(c)->id);
    sc_free(c);
  }
  assert_string_not_equal(a[0], a[1]);
  assert_string_not_equal(a[1], a[2]);
  /* Same key, same conversation: the same number (replays are exact). */
  sc *c = sc_new("919800000005", k1);
  assert_string_equal(submit(c)->id, a[1]);
  sc_free(c);
}

static void a_taken_number_is_drawn_again(void **st) {
  (void)st;
  sc *c = sc_new("919800000006", NULL);
  const char *plain = submit(c)->id;
  char first[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(first, sizeof first, "%s", plain);
  sc_free(c);

  c = sc_new("919800000006", NULL);
  c->f->refuse_numbers = 3;
  const samvad_application *app = submit(c);
  assert_string_not_equal(app->id, first);
  assert_int_equal(c->f->napps, 1);
  assert_string_equal(c->f->apps[0].id, app->id);
  /* The confirmation shown to the citizen names the number stored. */
  assert_non_null(strstr(c->all, app->id));
  sc_free(c);

  c = sc_new("919800000006", NULL);
  c->f->refuse_numbers = 1000;
  for (size_t i = 0; i < sizeof path / sizeof path[0]; i++)
    assert_int_equal(sc_send(c, path[i]), 0);
  samvad_message m = {.kind = SAMVAD_MSG_OPTION, .id = "confirm-1",
                      .option_id = "confirm"};
  assert_int_equal(
      samvad_store_step(c->st, g_cat, c->user, &m, c->now, c->r, NULL),
      SAMVAD_EEXIST);
  sc_free(c);
}

static void backend_failures_are_returned(void **st) {
  (void)st;
  const char *ops[] = {"session_load", "session_save", "message_record"};
  for (size_t i = 0; i < 3; i++) {
    sc *c = sc_new("919800000007", NULL);
    c->f->fail_op = ops[i];
    assert_int_equal(sc_send(c, "hello"), SAMVAD_ESTORE);
    sc_free(c);
  }
}

static void corrupt_session_starts_afresh(void **st) {
  (void)st;
  sc *c = sc_new("919800000008", NULL);
  assert_int_equal(sc_send(c, "hello"), 0);
  blob *s = find(c->f->sessions, c->f->nsessions, c->user, "");
  s->bytes[0] = 99; /* an unknown version */
  assert_int_equal(sc_send(c, "hello"), 0);
  assert_int_equal(c->outcome, SAMVAD_STEP_RESET);
  s = find(c->f->sessions, c->f->nsessions, c->user, "");
  assert_int_not_equal(s->bytes[0], 99);
  sc_free(c);
}

static void decisions_reach_the_citizen(void **st) {
  (void)st;
  sc *c = sc_new("919800000009", NULL);
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", submit(c)->id);
  samvad_replies *notice = NULL;
  assert_int_equal(samvad_replies_create(NULL, &notice), 0);

  assert_int_equal(samvad_store_decide(c->st, g_cat, "TP-2026-NOPE0000",
                                       SAMVAD_APP_APPROVED, NULL, "clerk", NULL,
                                       c->now, notice),
                   SAMVAD_ENOTFOUND);
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_REJECTED, NULL, "clerk", NULL,
                                       c->now, notice),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_SUBMITTED, NULL, "clerk", NULL,
                                       c->now, notice),
                   SAMVAD_EINVAL);
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_APPROVED, NULL, "", NULL,
                                       c->now, notice),
                   SAMVAD_EINVAL);
  assert_int_equal(c->f->nnotices, 0);
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_REJECTED,
                                       "Photo is not clear", "clerk", NULL,
                                       c->now + 100, notice),
                   0);
  assert_int_equal(c->f->apps[0].status, SAMVAD_APP_REJECTED);
  assert_string_equal(c->f->last_reason, "Photo is not clear");
  char want[128];
  snprintf(want, sizeof want, "clerk rejected %s", ref);
  assert_string_equal(c->f->audit[c->f->naudit - 1], want);
  /* The notice: in English (the citizen's language), naming the number
   * and the reason, queued for the citizen and also given back. */
  assert_int_equal(samvad_replies_count(notice), 1);
  const char *text = samvad_replies_get(notice, 0)->text;
  assert_non_null(strstr(text, "@notice_rejected"));
  assert_non_null(strstr(text, ref));
  assert_non_null(strstr(text, "Photo is not clear"));
  assert_null(strstr(text, ":हि"));
  assert_int_equal(c->f->nnotices, 1);
  assert_string_equal(c->f->notices[0].key[0], c->user);
  samvad_replies *queued = NULL;
  assert_int_equal(samvad_replies_create(NULL, &queued), 0);
  assert_int_equal(samvad_replies_restore(queued, c->f->notices[0].bytes,
                                          c->f->notices[0].len),
                   0);
  assert_string_equal(samvad_replies_get(queued, 0)->text, text);
  /* Decided once only. */
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_APPROVED, NULL, "clerk", NULL,
                                       c->now, notice),
                   SAMVAD_ESTATE);
  /* "status" shows the decision. */
  assert_int_equal(sc_send(c, "status"), 0);
  assert_non_null(strstr(c->all, "@status_rejected"));
  assert_null(strstr(c->all, "@status_submitted"));
  samvad_replies_destroy(queued);
  samvad_replies_destroy(notice);
  sc_free(c);
}

static void approval_in_hindi(void **st) {
  (void)st;
  sc *c = sc_new("919800000010", NULL);
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", submit(c)->id);
  assert_int_equal(sc_send(c, "हिंदी"), 0);
  samvad_replies *notice = NULL;
  assert_int_equal(samvad_replies_create(NULL, &notice), 0);
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_APPROVED, NULL, "clerk", NULL,
                                       c->now, notice),
                   0);
  const char *text = samvad_replies_get(notice, 0)->text;
  assert_non_null(strstr(text, "@notice_approved:हि"));
  assert_non_null(strstr(text, ref));
  assert_int_equal(sc_send(c, "status"), 0);
  assert_non_null(strstr(c->all, "@status_approved:हि"));
  samvad_replies_destroy(notice);
  sc_free(c);
}

/* A trust store that accepts key for document type 9 (the test permit). */
static samvad_trust *permit_trust(const samvad_cert_key *key,
                                  const samvad_cert_key *root) {
  samvad_trust_list list;
  memset(&list, 0, sizeof list);
  list.seq = 1;
  list.issued_at = T0 - 86400;
  list.key_count = 1;
  memcpy(list.keys[0].public_key, key->public_key, 32);
  list.keys[0].status = SAMVAD_KEY_ACTIVE;
  list.keys[0].not_before = T0 - 86400;
  list.keys[0].doc_type_count = 1;
  list.keys[0].doc_types[0] = 9;
  snprintf(list.keys[0].label, sizeof list.keys[0].label, "Test Office");
  unsigned char buf[SAMVAD_TRUST_LIST_MAX_BYTES];
  size_t len = 0;
  assert_int_equal(samvad_trust_list_sign(&list, root, buf, sizeof buf, &len,
                                          NULL),
                   0);
  samvad_trust *t = NULL;
  assert_int_equal(samvad_trust_create(NULL, &root->public_key, 1, &t), 0);
  assert_int_equal(samvad_trust_load_keys(t, buf, len), 0);
  assert_int_equal(samvad_trust_declare_catalogue(t, g_cat), 0);
  return t;
}

static const char *cert_field(const samvad_cert_result *r, uint8_t tag) {
  for (size_t k = 0; k < r->cert.field_count; k++)
    if (r->cert.fields[k].tag == tag)
      return r->cert.fields[k].value;
  return NULL;
}

static void approval_issues_the_certificate(void **st) {
  (void)st;
  sc *c = sc_new("919800000015", NULL);
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", submit(c)->id);
  uint8_t seed[SAMVAD_CERT_SEED_BYTES] = {7}, root_seed[32] = {8};
  samvad_cert_key key, root;
  assert_int_equal(samvad_cert_key_from_seed(seed, &key), 0);
  assert_int_equal(samvad_cert_key_from_seed(root_seed, &root), 0);
  samvad_issuer issuer = {&key, 0x0123456789ABCDEFull};
  samvad_replies *notice = NULL;
  assert_int_equal(samvad_replies_create(NULL, &notice), 0);
  int64_t now = c->now + 3600;
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref, SAMVAD_APP_APPROVED,
                                       NULL, "clerk", &issuer, now, notice),
                   0);
  /* The approval, then the certificate with its QR text. */
  assert_int_equal(samvad_replies_count(notice), 2);
  assert_non_null(strstr(samvad_replies_get(notice, 0)->text,
                         "@notice_approved"));
  assert_null(samvad_replies_get(notice, 0)->document);
  const samvad_reply *r = samvad_replies_get(notice, 1);
  assert_non_null(strstr(r->text, "@certificate_ready Test Permit TPC-"));
  const samvad_document *doc = r->document;
  assert_non_null(doc);
  assert_string_equal(doc->service, "test-permit");
  assert_int_equal(strncmp(doc->number, "TPC-", 4), 0);
  assert_non_null(strstr(r->text, doc->number));
  assert_int_equal(strncmp(doc->qr, "SV1:", 4), 0);
  /* Recorded under its number, audited, and queued exactly as returned. */
  assert_int_equal(c->f->ncerts, 1);
  assert_string_equal(c->f->certs[0].key[0], doc->number);
  assert_string_equal(c->f->certs[0].key[1], ref);
  assert_int_equal(c->f->certs[0].len, strlen(doc->qr));
  assert_memory_equal(c->f->certs[0].bytes, doc->qr, strlen(doc->qr));
  char want[128];
  snprintf(want, sizeof want, "clerk certificate_issued %s", ref);
  assert_string_equal(c->f->audit[c->f->naudit - 1], want);
  samvad_replies *queued = NULL;
  assert_int_equal(samvad_replies_create(NULL, &queued), 0);
  assert_int_equal(samvad_replies_restore(queued, c->f->notices[0].bytes,
                                          c->f->notices[0].len),
                   0);
  assert_string_equal(samvad_replies_get(queued, 1)->document->qr, doc->qr);
  /* Anyone holding the trust list verifies it and reads the answers. */
  samvad_trust *t = permit_trust(&key, &root);
  samvad_cert_result *res = malloc(sizeof *res);
  assert_int_equal(samvad_cert_verify(t, doc->qr, strlen(doc->qr), now + 60,
                                      res),
                   0);
  assert_int_equal(res->verdict, SAMVAD_CERT_VALID);
  assert_int_equal(res->cert.doc_type, 9);
  assert_true(res->cert.serial == 0x0123456789ABCDEFull);
  assert_true(res->cert.expires_at == now + 365 * 86400); /* a new permit */
  assert_string_equal(cert_field(res, SAMVAD_CERT_TAG_OFFICE),
                      "Test Office, Delhi");
  assert_string_equal(cert_field(res, SAMVAD_CERT_TAG_APPLICATION), ref);
  assert_string_equal(cert_field(res, 16), "Ravi Kumar");
  assert_string_equal(cert_field(res, 17), "new");
  assert_string_equal(cert_field(res, 144), "1995-03-12");
  /* A year and a day later it has expired. */
  assert_int_equal(samvad_cert_verify(t, doc->qr, strlen(doc->qr),
                                      now + 366 * 86400, res),
                   0);
  assert_int_equal(res->verdict, SAMVAD_CERT_EXPIRED);
  free(res);
  samvad_trust_destroy(t);
  samvad_replies_destroy(queued);
  samvad_replies_destroy(notice);
  sc_free(c);
}

static void a_failed_certificate_decides_nothing_visible(void **st) {
  (void)st;
  sc *c = sc_new("919800000016", NULL);
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", submit(c)->id);
  uint8_t seed[SAMVAD_CERT_SEED_BYTES] = {7};
  samvad_cert_key key;
  assert_int_equal(samvad_cert_key_from_seed(seed, &key), 0);
  samvad_issuer issuer = {&key, 42};
  samvad_replies *notice = NULL;
  assert_int_equal(samvad_replies_create(NULL, &notice), 0);
  c->f->fail_op = "certificate_record";
  /* The backend refuses: the error comes back for the host to roll back,
   * and no notice was queued. */
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref, SAMVAD_APP_APPROVED,
                                       NULL, "clerk", &issuer, c->now, notice),
                   SAMVAD_ESTORE);
  assert_int_equal(c->f->nnotices, 0);
  samvad_issuer no_serial = {&key, 0};
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref, SAMVAD_APP_APPROVED,
                                       NULL, "clerk", &no_serial, c->now,
                                       notice),
                   SAMVAD_EINVAL);
  samvad_replies_destroy(notice);
  sc_free(c);
}

static void limits_on_decisions(void **st) {
  (void)st;
  sc *c = sc_new("919800000011", NULL);
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", submit(c)->id);
  samvad_replies *notice = NULL;
  assert_int_equal(samvad_replies_create(NULL, &notice), 0);
  char *big = malloc(SAMVAD_MAX_REASON_BYTES + 2);
  memset(big, 'x', SAMVAD_MAX_REASON_BYTES + 1);
  big[SAMVAD_MAX_REASON_BYTES + 1] = '\0';
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_REJECTED, big, "clerk", NULL,
                                       c->now, notice),
                   SAMVAD_ELIMIT);
  assert_int_equal(samvad_store_decide(c->st, g_cat, ref,
                                       SAMVAD_APP_REJECTED, "bad \xff utf8",
                                       "clerk", NULL, c->now, notice),
                   SAMVAD_EINVAL);
  assert_int_equal(c->f->apps[0].status, SAMVAD_APP_SUBMITTED);
  free(big);
  samvad_replies_destroy(notice);
  sc_free(c);
}

/* Saves r, restores the bytes into a fresh buffer and checks that saving
 * that gives the same bytes; returns the size. */
static size_t round_trip(const samvad_replies *r, unsigned char *buf,
                         size_t cap) {
  size_t len = 0, len2 = 0;
  assert_int_equal(samvad_replies_save(r, buf, cap, &len), 0);
  samvad_replies *back = NULL;
  assert_int_equal(samvad_replies_create(NULL, &back), 0);
  assert_int_equal(samvad_replies_restore(back, buf, len), 0);
  unsigned char *again = malloc(len);
  assert_int_equal(samvad_replies_save(back, again, len, &len2), 0);
  assert_int_equal(len2, len);
  assert_memory_equal(again, buf, len);
  assert_int_equal(samvad_replies_count(back), samvad_replies_count(r));
  for (size_t i = 0; i < samvad_replies_count(r); i++) {
    const samvad_reply *a = samvad_replies_get(r, i);
    const samvad_reply *b = samvad_replies_get(back, i);
    assert_string_equal(a->text, b->text);
    assert_int_equal(a->lang, b->lang);
    assert_int_equal(a->option_count, b->option_count);
    assert_int_equal(a->flow == NULL, b->flow == NULL);
    assert_int_equal(a->state == NULL, b->state == NULL);
    assert_int_equal(a->application == NULL, b->application == NULL);
  }
  free(again);
  samvad_replies_destroy(back);
  return len;
}

static void replies_bytes_round_trip_and_reject_garbage(void **st) {
  (void)st;
  sc *c = sc_new("919800000012", NULL);
  unsigned char buf[16384];
  assert_int_equal(sc_send(c, "hello"), 0); /* options: the menu */
  round_trip(c->r, buf, sizeof buf);
  submit(c); /* an application with answers */
  size_t len = round_trip(c->r, buf, sizeof buf);
  size_t need = 0;
  assert_int_equal(samvad_replies_save(c->r, buf, len - 1, &need),
                   SAMVAD_ENOSPC);
  assert_int_equal(need, len);
  samvad_replies *r = NULL;
  assert_int_equal(samvad_replies_create(NULL, &r), 0);
  /* Every truncation fails cleanly and leaves no replies. */
  for (size_t n = 0; n < len; n++) {
    int rc = samvad_replies_restore(r, buf, n);
    assert_true(rc == SAMVAD_ECORRUPT || rc == SAMVAD_EVERSION);
    assert_int_equal(samvad_replies_count(r), 0);
  }
  /* Random byte flips: fail cleanly, or restore to something that saves. */
  unsigned seed = 7;
  unsigned char *bad = malloc(len);
  for (int t = 0; t < 5000; t++) {
    memcpy(bad, buf, len);
    seed = seed * 1103515245u + 12345u;
    bad[(seed >> 8) % len] ^= (unsigned char)(1u << ((seed >> 4) & 7));
    int rc = samvad_replies_restore(r, bad, len);
    if (rc == 0) {
      size_t l2 = 0;
      assert_int_equal(samvad_replies_save(r, buf + len, sizeof buf - len, &l2), 0);
    } else {
      assert_int_equal(samvad_replies_count(r), 0);
    }
  }
  bad[0] = 2;
  assert_int_equal(samvad_replies_restore(r, buf, 0), SAMVAD_ECORRUPT);
  memcpy(bad, buf, len);
  bad[0] = 9;
  assert_int_equal(samvad_replies_restore(r, bad, len), SAMVAD_EVERSION);
  free(bad);
  samvad_replies_destroy(r);
  sc_free(c);
}

static void forget_keeps_language_and_applications(void **st) {
  (void)st;
  sc *c = sc_new("919800000013", NULL);
  char ref[SAMVAD_MAX_REFERENCE_BYTES];
  snprintf(ref, sizeof ref, "%s", submit(c)->id);
  for (size_t i = 0; i < 4; i++) /* a second application, half done */
    assert_int_equal(sc_send(c, path[i]), 0);
  blob *b = find(c->f->sessions, c->f->nsessions, c->user, "");
  samvad_session *s = NULL;
  assert_int_equal(samvad_session_restore(g_cat, NULL, b->bytes, b->len, &s),
                   0);
  assert_non_null(samvad_session_flow(s));
  samvad_session_forget(s);
  assert_null(samvad_session_flow(s));
  assert_null(samvad_session_state(s));
  assert_int_equal(samvad_session_lang(s), SAMVAD_LANG_EN);
  unsigned char buf[1024];
  size_t len = 0;
  assert_int_equal(samvad_session_save(s, buf, sizeof buf, &len), 0);
  assert_null(memmem(buf, len, "Ravi", 4)); /* the answers are gone */
  assert_non_null(memmem(buf, len, ref, strlen(ref)));
  samvad_session_destroy(s);
  sc_free(c);
}

static void bad_arguments(void **st) {
  (void)st;
  samvad_store *s = NULL;
  samvad_store_ops ops = fake_ops;
  ops.notice_add = NULL;
  assert_int_equal(samvad_store_create(&ops, NULL, NULL, &s), SAMVAD_EINVAL);
  assert_null(s);
  sc *c = sc_new("919800000014", NULL);
  char big[SAMVAD_MAX_USER_ID_BYTES + 2];
  memset(big, '9', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  snprintf(c->user, sizeof c->user, "%s", "");
  assert_int_equal(sc_send(c, "hi"), SAMVAD_EINVAL);
  samvad_message m = {.kind = SAMVAD_MSG_TEXT, .id = "x", .text = "hi",
                      .text_len = 2};
  assert_int_equal(samvad_store_step(c->st, g_cat, big, &m, T0, c->r, NULL),
                   SAMVAD_EINVAL);
  assert_string_equal(samvad_app_status_name(SAMVAD_APP_APPROVED),
                      "approved");
  samvad_app_status status;
  assert_int_equal(samvad_app_status_parse("rejected", &status), 0);
  assert_int_equal(status, SAMVAD_APP_REJECTED);
  assert_int_equal(samvad_app_status_parse("maybe", &status), SAMVAD_EINVAL);
  sc_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(repeated_delivery_answers_the_same_and_changes_nothing),
      cmocka_unit_test(without_the_message_log_nothing_is_recorded),
      cmocka_unit_test(submission_creates_the_application_once),
      cmocka_unit_test(audit_names_the_application),
      cmocka_unit_test(the_key_makes_numbers_unguessable),
      cmocka_unit_test(a_taken_number_is_drawn_again),
      cmocka_unit_test(backend_failures_are_returned),
      cmocka_unit_test(corrupt_session_starts_afresh),
      cmocka_unit_test(decisions_reach_the_citizen),
      cmocka_unit_test(approval_in_hindi),
      cmocka_unit_test(approval_issues_the_certificate),
      cmocka_unit_test(a_failed_certificate_decides_nothing_visible),
      cmocka_unit_test(limits_on_decisions),
      cmocka_unit_test(replies_bytes_round_trip_and_reject_garbage),
      cmocka_unit_test(forget_keeps_language_and_applications),
      cmocka_unit_test(bad_arguments),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
