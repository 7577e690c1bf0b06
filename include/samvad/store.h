/* store.h - what a durable store gives libsamvad, and the exactly-once step
 * and the department's decision built on it.
 *
 * The library decides what is stored and when; a host decides where. A
 * host fills a samvad_store_ops table with functions over its database
 * (samvad's own binary uses SQLite; a state IT team may use PostgreSQL)
 * and wraps it in a samvad_store. The library then never does I/O itself:
 * every read and write goes through these functions.
 *
 * Transactions belong to the host. samvad_store_step and
 * samvad_store_decide must be called inside a transaction the host opened;
 * when they return 0 the host commits, and only then may it send the
 * replies. When they return an error the store may hold part of the
 * message's writes: the host rolls the transaction back. A host may put
 * several messages into one transaction (group commit) as long as it
 * writes no reply before that transaction committed. */
#ifndef SAMVAD_STORE_H
#define SAMVAD_STORE_H

#include "samvad/cert.h"
#include "samvad/samvad.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SAMVAD_MAX_REFERENCE_BYTES 32  /* an application id, with its NUL */
#define SAMVAD_MAX_SERVICE_ID_BYTES 64 /* a service id, without its NUL */
#define SAMVAD_MAX_REASON_BYTES 1024   /* a decision's reason */
#define SAMVAD_MAX_ACTOR_BYTES 128     /* who made a change */
#define SAMVAD_MAX_REPLIES_BYTES (1u << 20) /* saved replies of one step */
#define SAMVAD_REFERENCE_KEY_BYTES 16  /* the secret behind reference numbers */

/* ---- Applications ---------------------------------------------------------
 * An application is created "submitted" by the step that submits it; a
 * department then approves or rejects it, once. */
typedef enum samvad_app_status {
  SAMVAD_APP_SUBMITTED = 0,
  SAMVAD_APP_APPROVED = 1,
  SAMVAD_APP_REJECTED = 2
} samvad_app_status;

/* "submitted", "approved" or "rejected"; "unknown" for anything else. */
SAMVAD_API const char *samvad_app_status_name(samvad_app_status status);

/* Parses a status name; SAMVAD_EINVAL when it is none of the above. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_app_status_parse(const char *name, samvad_app_status *out);

/* What application_find gives back. Fixed arrays, so a backend fills it
 * without allocating; every string is NUL-terminated. */
typedef struct samvad_app_info {
  char id[SAMVAD_MAX_REFERENCE_BYTES];
  char service[SAMVAD_MAX_SERVICE_ID_BYTES + 1];
  char user[SAMVAD_MAX_USER_ID_BYTES + 1];
  samvad_app_status status;
} samvad_app_info;

/* One line of the audit trail: who did what to which application, when.
 * detail never holds personal data (no names, numbers or answers). */
typedef struct samvad_audit_event {
  int64_t time;            /* Unix seconds */
  const char *actor;       /* "citizen", a staff login, "csc:OPERATOR" */
  const char *action;      /* "submitted", "approved", "rejected", ... */
  const char *application; /* an application id, or NULL */
  const char *detail;      /* may be NULL */
} samvad_audit_event;

/* ---- The functions a backend provides --------------------------------------
 * Every function gets the ctx given to samvad_store_create. Strings and
 * byte ranges passed in are borrowed for the call only: a backend copies
 * what it keeps. Each returns 0 or a negative samvad error:
 *   SAMVAD_ENOTFOUND  nothing stored under that key (loads and finds)
 *   SAMVAD_ENOSPC     buf is too small; *len holds the size needed
 *   SAMVAD_EEXIST     application_create: the id is taken
 *   SAMVAD_EBUSY      the database is locked by another process
 *   SAMVAD_ESTORE     anything else (disk full, corrupt file, I/O error);
 *                     the backend keeps its own description for the host
 *   SAMVAD_ENOMEM     out of memory
 * "Loads" copy into the caller's buf of cap bytes and set *len. */
typedef struct samvad_store_ops {
  /* The bytes of samvad_session_save last saved for user. */
  int (*session_load)(void *ctx, const char *user, unsigned char *buf,
                      size_t cap, size_t *len);
  /* Replaces user's session bytes. flow is the service the citizen is in
   * (NULL outside one), so that a backend can find abandoned applications
   * for retention without decoding sessions; now is the step's time. */
  int (*session_save)(void *ctx, const char *user, const unsigned char *bytes,
                      size_t len, const char *flow, int64_t now);
  /* The replies stored with a processed message (samvad_replies_save's
   * bytes), or SAMVAD_ENOTFOUND when (user, message_id) is new. */
  int (*message_find)(void *ctx, const char *user, const char *message_id,
                      unsigned char *buf, size_t cap, size_t *len);
  /* Records (user, message_id) as processed, with its replies. */
  int (*message_record)(void *ctx, const char *user, const char *message_id,
                        const unsigned char *replies, size_t len,
                        int64_t now);
  /* Creates an application, status submitted, from a submitting reply's
   * application (id, service, answers). SAMVAD_EEXIST when the id is
   * taken: the library then draws another number. */
  int (*application_create)(void *ctx, const char *user,
                            const samvad_application *app, int64_t now);
  /* Looks an application up by id. */
  int (*application_find)(void *ctx, const char *id, samvad_app_info *out);
  /* Calls each(arg, name, value) for every answer the application was
   * submitted with, in order; stops at and returns each's first non-zero
   * result. (Approval needs them for the certificate.) */
  int (*application_answers)(void *ctx, const char *id,
                             int (*each)(void *arg, const char *name,
                                         const char *value),
                             void *arg);
  /* Moves an application to status, appending to its status history who
   * (actor) did it, when, and why (reason, may be NULL). */
  int (*application_update)(void *ctx, const char *id,
                            samvad_app_status status, const char *reason,
                            const char *actor, int64_t now);
  /* Records a certificate issued for an application: its number and the
   * signed payload (the certificates module's bytes). */
  int (*certificate_record)(void *ctx, const char *application,
                            const char *number, const unsigned char *payload,
                            size_t len, int64_t now);
  /* Appends to the audit trail. */
  int (*audit_append)(void *ctx, const samvad_audit_event *event);
  /* Queues replies for user that answer no message (a decision's notice),
   * for the host's transports to deliver (samvad_replies_save's bytes). */
  int (*notice_add)(void *ctx, const char *user, const unsigned char *replies,
                    size_t len, int64_t now);
} samvad_store_ops;

/* ---- The store handle ------------------------------------------------------ */
typedef struct samvad_store samvad_store;

/* Wraps a backend. ops is copied; ctx is borrowed and must outlive the
 * store. Every function pointer must be set (SAMVAD_EINVAL otherwise).
 * alloc may be NULL. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_store_create(const samvad_store_ops *ops, void *ctx,
                    const samvad_allocator *alloc, samvad_store **out);
SAMVAD_API void samvad_store_destroy(samvad_store *store);

/* Sets the secret that reference numbers are derived from, so that nobody
 * can guess another citizen's number. A host generates it once per
 * database (randomly) and keeps it there. Without it the library's public
 * key is used, as samvad_step does: numbers are then reproducible by
 * anyone, which suits tests only. */
SAMVAD_API void
samvad_store_set_reference_key(samvad_store *store,
                               const unsigned char key[SAMVAD_REFERENCE_KEY_BYTES]);

/* Chooses the language of the sessions samvad_store_step creates for users
 * it has no session for (as samvad_session_set_lang does), instead of
 * detecting it from their first message: `samvad chat --lang`. Stored
 * sessions keep theirs. */
SAMVAD_API void samvad_store_set_new_session_lang(samvad_store *store,
                                                  samvad_lang lang);

/* Whether samvad_store_step keeps the processed-message log (it does
 * unless told otherwise): each message id looked up first, and recorded
 * with its replies after. A host whose own intake already applies each
 * message once may turn it off and save a write per message: samvad
 * serve's inbox refuses an id it has seen before the webhook is answered,
 * and marks the message processed in the transaction of its step. Off,
 * samvad_store_step calls neither message_find nor message_record and
 * never reports SAMVAD_STEP_REPEAT; message ids still go into reference
 * numbers. */
SAMVAD_API void samvad_store_set_message_log(samvad_store *store, int keep);

/* ---- Exactly-once processing -----------------------------------------------
 * Applies one message from user exactly once. When message->id was already
 * processed for user, out gets the replies stored then and nothing
 * changes (SAMVAD_STEP_REPEAT). Otherwise the user's session is loaded
 * (created when there is none), stepped as samvad_step does, and saved;
 * the message id is recorded with the replies; a submitted application is
 * created (with a fresh number should its number be taken) and the
 * submission audited. A message without an id is processed every time.
 *
 * *outcome (may be NULL) receives SAMVAD_STEP_* bits. Returns 0 or an
 * error; on error the host rolls back (see the top of this header). */
#define SAMVAD_STEP_REPEAT 1u /* a repeated delivery: stored replies */
#define SAMVAD_STEP_RESET 2u  /* the stored session did not restore and a
                                 new one was started (the host logs it) */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_store_step(samvad_store *store, const samvad_catalogue *catalogue,
                  const char *user, const samvad_message *message,
                  int64_t now, samvad_replies *out, unsigned *outcome);

/* ---- The department's decision ---------------------------------------------
 * Approves or rejects a submitted application: records the new status with
 * actor and reason, audits it, marks it in the citizen's session (so that
 * "status" shows it), and queues a notice to the citizen in their
 * language (notice_add). The notice is also rendered into out, for a host
 * that wants to show it.
 *
 * An approval with an issuer, of a service whose spec declares a
 * certificate, also issues it: built from the application's answers
 * (samvad_cert_from_application, in the citizen's language), signed with
 * issuer->key under issuer->serial, recorded (certificate_record, with the
 * QR text as its payload), audited ("certificate_issued", detail the
 * number), and sent as a second notice reply whose document carries the
 * QR text. Without an issuer no certificate is issued.
 *
 * Errors: SAMVAD_ENOTFOUND (no such application), SAMVAD_ESTATE (already
 * decided), SAMVAD_EINVAL (decision is not approved or rejected, a
 * rejection without a reason, actor missing, an answer a certificate
 * cannot carry), SAMVAD_ELIMIT (reason or actor too long, a certificate
 * too big), SAMVAD_EEXIST (the serial's number is taken: draw another),
 * or a backend's error. */
typedef struct samvad_issuer {
  const samvad_cert_key *key; /* allowed this document type now */
  uint64_t serial;            /* random and non-zero, drawn by the host */
} samvad_issuer;

SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_store_decide(samvad_store *store, const samvad_catalogue *catalogue,
                    const char *application_id, samvad_app_status decision,
                    const char *reason, const char *actor,
                    const samvad_issuer *issuer, int64_t now,
                    samvad_replies *out);

/* ---- Replies as bytes ------------------------------------------------------
 * What a store keeps of a step's replies: compact, versioned, and restored
 * to an identical list (texts, languages, flows, states, options and any
 * application with its answers). Same conventions as
 * samvad_session_save: SAMVAD_ENOSPC with *len = size needed. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_replies_save(const samvad_replies *replies, unsigned char *buf,
                    size_t cap, size_t *len);
/* Replaces the contents of replies with the saved ones. Malformed bytes
 * give SAMVAD_ECORRUPT or SAMVAD_EVERSION and leave replies empty. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_replies_restore(samvad_replies *replies, const unsigned char *buf,
                       size_t len);

/* ---- Retention -------------------------------------------------------------
 * Drops the unfinished application's answers and returns the citizen to
 * the menu, keeping the language and the list of submitted applications.
 * A host calls it on sessions abandoned longer than its retention period,
 * then saves them. */
SAMVAD_API void samvad_session_forget(samvad_session *session);

#ifdef __cplusplus
}
#endif

#endif /* SAMVAD_STORE_H */
