/* store.c - the exactly-once step and the department's decision over a
 * host's store (include/samvad/store.h). The library decides what is read
 * and written, in which order; the host's functions decide where, and its
 * transaction makes each message all-or-nothing. */
#include "engine.h"

#include <string.h>

#define MAX_REFERENCE_DRAWS 16 /* numbers drawn before giving up on one */

struct samvad_store {
  sv_alloc alloc;
  samvad_store_ops ops;
  void *ctx;
  unsigned char key[SAMVAD_REFERENCE_KEY_BYTES];
  bool has_key;
  bool has_lang; /* new sessions start in lang */
  bool no_message_log; /* the host applies each message once itself */
  samvad_lang lang;
  unsigned char *buf; /* scratch for loads and saves */
  size_t cap;
  char *abuf;         /* an application's answers, for its certificate */
  size_t acap;
};

static const char *const status_names[] = {"submitted", "approved",
                                           "rejected"};

const char *samvad_app_status_name(samvad_app_status status) {
  return (unsigned)status < 3 ? status_names[status] : "unknown";
}

int samvad_app_status_parse(const char *name, samvad_app_status *out) {
  for (unsigned i = 0; name && i < 3; i++)
    if (strcmp(name, status_names[i]) == 0) {
      *out = (samvad_app_status)i;
      return SAMVAD_OK;
    }
  return SAMVAD_EINVAL;
}

int samvad_store_create(const samvad_store_ops *ops, void *ctx,
                        const samvad_allocator *alloc, samvad_store **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (!ops || !ops->session_load || !ops->session_save ||
      !ops->message_find || !ops->message_record ||
      !ops->application_create || !ops->application_find ||
      !ops->application_answers ||
      !ops->application_update || !ops->certificate_record ||
      !ops->audit_append || !ops->notice_add)
    return SAMVAD_EINVAL;
  sv_alloc al;
  sv_alloc_init(&al, alloc);
  samvad_store *st = sv_malloc(&al, sizeof *st);
  if (!st)
    return SAMVAD_ENOMEM;
  memset(st, 0, sizeof *st);
  st->alloc = al;
  st->ops = *ops;
  st->ctx = ctx;
  *out = st;
  return SAMVAD_OK;
}

void samvad_store_destroy(samvad_store *st) {
  if (!st)
    return;
  sv_alloc al = st->alloc;
  sv_free(&al, st->buf);
  sv_free(&al, st->abuf);
  sv_free(&al, st);
}

void samvad_store_set_reference_key(
    samvad_store *st, const unsigned char key[SAMVAD_REFERENCE_KEY_BYTES]) {
  if (!st)
    return;
  st->has_key = key != NULL;
  if (key)
    memcpy(st->key, key, sizeof st->key);
}

void samvad_store_set_message_log(samvad_store *st, int keep) {
  if (st)
    st->no_message_log = !keep;
}

void samvad_store_set_new_session_lang(samvad_store *st, samvad_lang lang) {
  if (!st)
    return;
  st->has_lang = true;
  st->lang = lang;
}

static bool reserve(samvad_store *st, size_t n) {
  if (n <= st->cap)
    return true;
  size_t cap = st->cap ? st->cap : 4096;
  while (cap < n)
    cap *= 2;
  unsigned char *b = sv_realloc(&st->alloc, st->buf, cap);
  if (!b)
    return false;
  st->buf = b;
  st->cap = cap;
  return true;
}

static bool reserve_answers(samvad_store *st, size_t n) {
  if (n <= st->acap)
    return true;
  size_t cap = st->acap ? st->acap : 1024;
  while (cap < n)
    cap *= 2;
  char *b = sv_realloc(&st->alloc, st->abuf, cap);
  if (!b)
    return false;
  st->abuf = b;
  st->acap = cap;
  return true;
}

/* Loads into st->buf, growing it once when the backend says ENOSPC. */
static int load_message(samvad_store *st, const char *user, const char *id,
                        size_t *len) {
  if (!reserve(st, 4096))
    return SAMVAD_ENOMEM;
  int rc = st->ops.message_find(st->ctx, user, id, st->buf, st->cap, len);
  if (rc == SAMVAD_ENOSPC) {
    if (*len > SAMVAD_MAX_REPLIES_BYTES)
      return SAMVAD_ECORRUPT;
    if (!reserve(st, *len))
      return SAMVAD_ENOMEM;
    rc = st->ops.message_find(st->ctx, user, id, st->buf, st->cap, len);
  }
  return rc;
}

/* The user's session as stored, or a new one. *reset tells that stored
 * bytes did not restore. */
static int open_session(samvad_store *st, const samvad_catalogue *cat,
                        const char *user, samvad_session **out,
                        bool *reset) {
  size_t len = 0;
  *out = NULL;
  *reset = false;
  if (!reserve(st, SAMVAD_MAX_SESSION_BYTES))
    return SAMVAD_ENOMEM;
  int rc = st->ops.session_load(st->ctx, user, st->buf, st->cap, &len);
  if (rc == SAMVAD_OK) {
    rc = samvad_session_restore(cat, &st->alloc.a, st->buf, len, out);
    if (rc == SAMVAD_OK || rc == SAMVAD_ENOMEM)
      return rc;
    *reset = true;
  } else if (rc != SAMVAD_ENOTFOUND && rc != SAMVAD_ENOSPC) {
    return rc;
  } else if (rc == SAMVAD_ENOSPC) {
    *reset = true; /* larger than any session can be: not a session */
  }
  rc = samvad_session_create(cat, &st->alloc.a, out);
  if (rc == SAMVAD_OK && st->has_lang && !*reset)
    samvad_session_set_lang(*out, st->lang);
  return rc;
}

static int save_session(samvad_store *st, const char *user,
                        const samvad_session *s, int64_t now) {
  size_t len = 0;
  if (!reserve(st, SAMVAD_MAX_SESSION_BYTES))
    return SAMVAD_ENOMEM;
  int rc = samvad_session_save(s, st->buf, st->cap, &len);
  if (rc == SAMVAD_ENOSPC)
    return SAMVAD_ELIMIT;
  if (rc != SAMVAD_OK)
    return rc;
  return st->ops.session_save(st->ctx, user, st->buf, len,
                              samvad_session_flow(s), now);
}

static const samvad_application *submitted(const samvad_replies *r) {
  for (size_t i = 0; i < r->count; i++)
    if (r->items[i].application)
      return r->items[i].application;
  return NULL;
}

static int save_replies(samvad_store *st, const samvad_replies *r,
                        size_t *len) {
  int rc = samvad_replies_save(r, st->buf, st->cap, len);
  if (rc == SAMVAD_ENOSPC) {
    if (!reserve(st, *len))
      return SAMVAD_ENOMEM;
    rc = samvad_replies_save(r, st->buf, st->cap, len);
  }
  return rc;
}

static bool id_ok(const char *s, size_t max) {
  if (!s || !*s)
    return false;
  size_t n = strnlen(s, max + 1);
  return n <= max && sv_utf8_valid(s, n);
}

/* Steps the session and, when the step submits, creates the application,
 * drawing another number while the store says it is taken. */
static int step_and_submit(samvad_store *st, const samvad_catalogue *cat,
                           const char *user, const samvad_message *msg,
                           int64_t now, samvad_replies *out,
                           samvad_session **session, bool *reset) {
  for (uint32_t draw = 0;; draw++) {
    int rc = sv_step(cat, *session, msg, now, out,
                     st->has_key ? st->key : NULL, draw);
    if (rc != SAMVAD_OK)
      return rc;
    const samvad_application *app = submitted(out);
    if (!app)
      return SAMVAD_OK;
    rc = st->ops.application_create(st->ctx, user, app, now);
    if (rc == SAMVAD_OK) {
      samvad_audit_event ev = {now, "citizen", "submitted", app->id, NULL};
      return st->ops.audit_append(st->ctx, &ev);
    }
    if (rc != SAMVAD_EEXIST || draw + 1 == MAX_REFERENCE_DRAWS)
      return rc;
    /* Taken: step again from the session as it was. */
    samvad_session_destroy(*session);
    rc = open_session(st, cat, user, session, reset);
    if (rc != SAMVAD_OK)
      return rc;
  }
}

int samvad_store_step(samvad_store *st, const samvad_catalogue *cat,
                      const char *user, const samvad_message *msg,
                      int64_t now, samvad_replies *out, unsigned *outcome) {
  if (outcome)
    *outcome = 0;
  if (!st || !cat || !msg || !out || !id_ok(user, SAMVAD_MAX_USER_ID_BYTES))
    return SAMVAD_EINVAL;
  if (msg->id && !id_ok(msg->id, 256))
    return SAMVAD_EINVAL;
  size_t len = 0;
  int rc;
  bool logged = msg->id && !st->no_message_log;
  if (logged) {
    rc = load_message(st, user, msg->id, &len);
    if (rc == SAMVAD_OK) {
      rc = samvad_replies_restore(out, st->buf, len);
      if (rc == SAMVAD_OK && outcome)
        *outcome |= SAMVAD_STEP_REPEAT;
      return rc;
    }
    if (rc != SAMVAD_ENOTFOUND)
      return rc;
  }
  samvad_session *session = NULL;
  bool reset = false;
  rc = open_session(st, cat, user, &session, &reset);
  if (rc == SAMVAD_OK)
    rc = step_and_submit(st, cat, user, msg, now, out, &session, &reset);
  if (rc == SAMVAD_OK)
    rc = save_session(st, user, session, now);
  samvad_session_destroy(session);
  if (rc == SAMVAD_OK && logged) {
    rc = save_replies(st, out, &len);
    if (rc == SAMVAD_OK)
      rc = st->ops.message_record(st->ctx, user, msg->id, st->buf, len, now);
  }
  if (rc == SAMVAD_OK && reset && outcome)
    *outcome |= SAMVAD_STEP_RESET;
  return rc;
}

/* The answers an application was submitted with, gathered through the
 * backend into the store's scratch memory. */
typedef struct answers_sink {
  samvad_store *st;
  size_t count, used;
  size_t name_at[SAMVAD_MAX_VARS], value_at[SAMVAD_MAX_VARS];
  int failed;
} answers_sink;

static int keep_answer(void *arg, const char *name, const char *value) {
  answers_sink *a = arg;
  size_t nl = strlen(name) + 1, vl = strlen(value) + 1;
  if (a->count == SAMVAD_MAX_VARS) {
    a->failed = SAMVAD_ELIMIT;
    return 1;
  }
  if (!reserve_answers(a->st, a->used + nl + vl)) {
    a->failed = SAMVAD_ENOMEM;
    return 1;
  }
  a->name_at[a->count] = a->used;
  memcpy(a->st->abuf + a->used, name, nl);
  a->used += nl;
  a->value_at[a->count++] = a->used;
  memcpy(a->st->abuf + a->used, value, vl);
  a->used += vl;
  return 0;
}

/* Signs the approved application's certificate and records it; *doc
 * points into number and qr (the caller's). */
static int issue_certificate(samvad_store *st, const samvad_catalogue *cat,
                             const samvad_app_info *info,
                             const samvad_issuer *issuer, samvad_lang lang,
                             const char *actor, int64_t now,
                             char number[SAMVAD_CERT_NUMBER_MAX_BYTES],
                             char qr[SAMVAD_CERT_MAX_TEXT_BYTES + 1],
                             samvad_document *doc) {
  answers_sink sink;
  memset(&sink, 0, sizeof sink);
  sink.st = st;
  int rc = st->ops.application_answers(st->ctx, info->id, keep_answer, &sink);
  if (sink.failed)
    return sink.failed;
  if (rc != SAMVAD_OK)
    return rc;
  samvad_answer answers[SAMVAD_MAX_VARS];
  for (size_t k = 0; k < sink.count; k++)
    answers[k] = (samvad_answer){st->abuf + sink.name_at[k],
                                 st->abuf + sink.value_at[k]};
  samvad_application app = {info->id, info->service, answers, sink.count};
  samvad_cert cert;
  rc = samvad_cert_from_application(cat, &app, lang, now, issuer->serial,
                                    &cert);
  if (rc != SAMVAD_OK)
    return rc;
  size_t len = 0;
  rc = samvad_cert_issue(&cert, issuer->key, 0, qr,
                         SAMVAD_CERT_MAX_TEXT_BYTES + 1, &len, NULL);
  if (rc != SAMVAD_OK)
    return rc;
  long si = samvad_catalogue_find_doc_type(cat, cert.doc_type);
  rc = samvad_cert_number_format(samvad_catalogue_cert_prefix(cat, (size_t)si),
                                 issuer->serial, number,
                                 SAMVAD_CERT_NUMBER_MAX_BYTES);
  if (rc != SAMVAD_OK)
    return rc;
  rc = st->ops.certificate_record(st->ctx, info->id, number,
                                  (const unsigned char *)qr, len, now);
  if (rc != SAMVAD_OK)
    return rc;
  samvad_audit_event ev = {now, actor, "certificate_issued", info->id,
                           number};
  rc = st->ops.audit_append(st->ctx, &ev);
  *doc = (samvad_document){samvad_catalogue_service_id(cat, (size_t)si),
                           number, qr};
  return rc;
}

static int check_decision(const char *app_id, samvad_app_status decision,
                          const char *reason, const char *actor) {
  if (!app_id || !*app_id || !actor || !*actor ||
      (decision != SAMVAD_APP_APPROVED && decision != SAMVAD_APP_REJECTED))
    return SAMVAD_EINVAL;
  if (decision == SAMVAD_APP_REJECTED && (!reason || !*reason))
    return SAMVAD_EINVAL;
  if (strnlen(actor, SAMVAD_MAX_ACTOR_BYTES + 1) > SAMVAD_MAX_ACTOR_BYTES ||
      (reason &&
       strnlen(reason, SAMVAD_MAX_REASON_BYTES + 1) > SAMVAD_MAX_REASON_BYTES) ||
      strnlen(app_id, SAMVAD_MAX_REFERENCE_BYTES) >= SAMVAD_MAX_REFERENCE_BYTES)
    return SAMVAD_ELIMIT;
  if (!sv_utf8_valid(actor, strlen(actor)) ||
      (reason && !sv_utf8_valid(reason, strlen(reason))))
    return SAMVAD_EINVAL;
  return SAMVAD_OK;
}

int samvad_store_decide(samvad_store *st, const samvad_catalogue *cat,
                        const char *app_id, samvad_app_status decision,
                        const char *reason, const char *actor,
                        const samvad_issuer *issuer, int64_t now,
                        samvad_replies *out) {
  if (!st || !cat || !out)
    return SAMVAD_EINVAL;
  int rc = check_decision(app_id, decision, reason, actor);
  if (rc != SAMVAD_OK)
    return rc;
  if (issuer && (!issuer->key || !issuer->serial))
    return SAMVAD_EINVAL;
  samvad_app_info info;
  memset(&info, 0, sizeof info);
  rc = st->ops.application_find(st->ctx, app_id, &info);
  if (rc != SAMVAD_OK)
    return rc;
  if (info.status != SAMVAD_APP_SUBMITTED)
    return SAMVAD_ESTATE;
  rc = st->ops.application_update(st->ctx, app_id, decision, reason, actor,
                                  now);
  if (rc != SAMVAD_OK)
    return rc;
  samvad_audit_event ev = {now, actor, samvad_app_status_name(decision),
                           app_id, NULL};
  rc = st->ops.audit_append(st->ctx, &ev);
  if (rc != SAMVAD_OK)
    return rc;
  samvad_session *session = NULL;
  bool reset = false;
  rc = open_session(st, cat, info.user, &session, &reset);
  if (rc != SAMVAD_OK)
    return rc;
  /* Mark it, so "status" shows the decision; a session that no longer
   * lists the application (it keeps the last few) is left as it is. */
  if (sv_session_mark_application(session, app_id, decision))
    rc = save_session(st, info.user, session, now);
  char number[SAMVAD_CERT_NUMBER_MAX_BYTES];
  char qr[SAMVAD_CERT_MAX_TEXT_BYTES + 1];
  samvad_document doc;
  int si = sv_find_service(cat, info.service, strlen(info.service));
  bool certify = rc == SAMVAD_OK && issuer &&
                 decision == SAMVAD_APP_APPROVED && si >= 0 &&
                 cat->services[si].cert.doc_type != 0;
  if (certify)
    rc = issue_certificate(st, cat, &info, issuer,
                           samvad_session_lang(session), actor, now, number,
                           qr, &doc);
  if (rc == SAMVAD_OK)
    rc = sv_render_notice(cat, session, app_id, info.service, decision,
                          reason, certify ? &doc : NULL, out);
  samvad_session_destroy(session);
  size_t len = 0;
  if (rc == SAMVAD_OK)
    rc = save_replies(st, out, &len);
  if (rc == SAMVAD_OK)
    rc = st->ops.notice_add(st->ctx, info.user, st->buf, len, now);
  /* out gets its own copy of everything, as queued: the document's
   * strings were on this stack. */
  if (rc == SAMVAD_OK)
    rc = samvad_replies_restore(out, st->buf, len);
  return rc;
}
