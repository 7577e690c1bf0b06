/* serve_process.c - one inbox event through `samvad serve`'s store thread:
 * a citizen's message stepped exactly once (samvad_store_step keyed on the
 * platform's message id) with its replies rendered into the outbox in the
 * same transaction, a delivery report recorded, an unreadable message
 * type answered politely in both languages; and a department's notices
 * moved into the outbox. Nothing here sends: the senders do, after the
 * commit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approve.h"
#include "serve_process.h"
#include "telegram.h"

/* The answer to a voice note, a location, a sticker...: samvad reads
 * typed text, buttons, photos and documents. */
static const char unsupported_text[] =
    "माफ़ कीजिए, इस तरह का संदेश हम नहीं पढ़ सकते। कृपया अपना जवाब "
    "लिखकर भेजें, या दिए गए बटन में से चुनें।\n\n"
    "Sorry, we cannot read this kind of message. Please type your answer, "
    "or choose one of the buttons.";

int host_serve_process_init(host_serve_process *p,
                            const host_serve_config *cfg,
                            const samvad_catalogue *catalogue, host_db *db,
                            const host_transport *const *transports,
                            size_t count, host_metrics *metrics,
                            host_sender *sender) {
  memset(p, 0, sizeof *p);
  p->cfg = cfg;
  p->catalogue = catalogue;
  p->db = db;
  p->store = host_db_store(db);
  /* The inbox applies each message once: an id it has seen is refused
   * before the webhook is answered, and an event is marked processed in
   * the transaction of its step. The library's log of processed messages
   * would be a second copy of that, costing a write per message. */
  samvad_store_set_message_log(p->store, 0);
  p->transports = transports;
  p->count = count;
  p->metrics = metrics;
  p->sender = sender;
  if (host_db_outbox_held(db, &p->held) != 0)
    p->held = SIZE_MAX;
  return samvad_replies_create(NULL, &p->replies) == 0 ? 0 : -1;
}

void host_serve_process_free(host_serve_process *p) {
  samvad_replies_destroy(p->replies);
  host_buf_free(&p->log);
  p->replies = NULL;
}

static const host_transport *transport_named(const host_serve_process *p,
                                             const char *name) {
  for (size_t i = 0; i < p->count; i++)
    if (strcmp(p->transports[i]->name, name) == 0)
      return p->transports[i];
  return NULL;
}

/* Errors that say nothing about the event: try it again later. */
static int store_trouble(int rc) {
  return rc == SAMVAD_EBUSY || rc == SAMVAD_ESTORE || rc == SAMVAD_ENOMEM;
}

/* A platform's error text in a log line: no quotes or control bytes. */
static void log_safe(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (; in && *in && o + 1 < cap; in++)
    out[o++] = (*in == '"' || *in == '\\' || (unsigned char)*in < ' ')
                   ? ' '
                   : *in;
  out[o] = '\0';
}

/* Puts requests to the outbox, in order. */
static int add_requests(host_serve_process *p, const host_transport *t,
                        const char *user, const host_request_list *list,
                        int64_t now) {
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < list->count; i++)
    rc = host_db_outbox_add(p->db, t->name, user, list->items[i].url,
                            (const unsigned char *)list->items[i].body.data,
                            list->items[i].body.len, now);
  return rc;
}

/* Telegram shows a spinner on a tapped button until the bot answers the
 * callback query: that answer goes before the replies. */
static int answer_callback(host_serve_process *p, const host_transport *t,
                           const host_inbound *in, int64_t now) {
  host_request_list list;
  memset(&list, 0, sizeof list);
  int rc = host_tg_answer_callback(p->cfg, in->callback, &list) == 0
               ? add_requests(p, t, in->user, &list, now)
               : SAMVAD_ENOMEM;
  host_request_list_free(&list);
  return rc;
}

/* The citizen wrote: records it (WhatsApp's window) and moves what was
 * held for this moment into the outbox, ahead of the replies to come. */
static int citizen_wrote(host_serve_process *p, const host_transport *t,
                         const char *stored_user, const char *user,
                         int64_t at, int64_t now) {
  int rc = host_db_inbound_seen(p->db, stored_user, at);
  if (rc != 0 || p->held == 0 || !t->render_template)
    return rc;
  size_t moved = 0;
  rc = host_db_outbox_release(p->db, t->name, user, now, &moved);
  if (rc == 0 && moved > 0) {
    char masked[80];
    host_mask_id(user, masked, sizeof masked);
    host_serve_log_to(&p->log, "released", "transport=%s user=%s requests=%zu",
                      t->name, masked, moved);
    rc = host_db_outbox_held(p->db, &p->held);
  }
  return rc;
}

static int step_message(host_serve_process *p, const host_transport *t,
                        const host_inbound *in, int64_t at, int64_t now) {
  char user[SAMVAD_MAX_USER_ID_BYTES + 1], masked[80];
  if (host_store_user(t->name, in->user, user, sizeof user) != 0)
    return SAMVAD_ELIMIT;
  unsigned outcome = 0;
  int rc = samvad_store_step(p->store, p->catalogue, user, &in->msg, at,
                             p->replies, &outcome);
  if (rc != 0)
    return rc;
  host_mask_id(in->user, masked, sizeof masked);
  if (outcome & SAMVAD_STEP_RESET)
    host_serve_log_to(&p->log, "session_reset",
                      "transport=%s user=%s reason=\"the stored session did "
                      "not restore; started afresh\"",
                      t->name, masked);
  rc = citizen_wrote(p, t, user, in->user, at, now);
  /* A repeat was answered when it was first processed. */
  if (rc == 0 && !(outcome & SAMVAD_STEP_REPEAT)) {
    if (in->callback && t == &host_transport_telegram)
      rc = answer_callback(p, t, in, now);
    if (rc == 0)
      rc = host_outbox_enqueue(p->db, t, p->cfg, p->metrics, in->user,
                               p->replies, 0, now, NULL);
  }
  size_t n = samvad_replies_count(p->replies);
  const samvad_reply *last = n ? samvad_replies_get(p->replies, n - 1) : NULL;
  static const char *const kinds[] = {"text", "option", "media"};
  host_serve_log_to(&p->log, "message",
                    "transport=%s user=%s kind=%s replies=%zu flow=%s "
                    "state=%s%s",
                    t->name, masked, kinds[in->msg.kind], n,
                    last && last->flow ? last->flow : "-",
                    last && last->state ? last->state : "-",
                    outcome & SAMVAD_STEP_REPEAT ? " repeat=1" : "");
  return rc;
}

static int answer_unsupported(host_serve_process *p, const host_transport *t,
                              const host_inbound *in, int64_t at,
                              int64_t now) {
  /* A sticker opens WhatsApp's 24-hour window as well as a text does. */
  char user[SAMVAD_MAX_USER_ID_BYTES + 1];
  if (host_store_user(t->name, in->user, user, sizeof user) == 0) {
    int rc = citizen_wrote(p, t, user, in->user, at, now);
    if (rc != 0)
      return rc;
  }
  samvad_reply reply;
  memset(&reply, 0, sizeof reply);
  reply.text = unsupported_text;
  reply.lang = SAMVAD_LANG_HI;
  host_request_list list;
  memset(&list, 0, sizeof list);
  int shortened = 0;
  int rc = t->render(p->cfg, in->user, &reply, &list, &shortened) == 0
               ? add_requests(p, t, in->user, &list, now)
               : SAMVAD_ENOMEM;
  host_request_list_free(&list);
  if (rc == 0 && in->callback && t == &host_transport_telegram)
    rc = answer_callback(p, t, in, now);
  char masked[80];
  host_mask_id(in->user, masked, sizeof masked);
  host_serve_log_to(&p->log, "message",
                    "transport=%s user=%s kind=unsupported replies=1",
                    t->name, masked);
  return rc;
}

static int record_status(host_serve_process *p, const host_transport *t,
                         const host_inbound *in, int64_t at) {
  int rc = host_db_delivery_record(p->db, in->id, in->status, in->error, at);
  if (rc == 0 && strcmp(in->status, "failed") == 0) {
    char masked[80], error[512];
    host_mask_id(in->user ? in->user : "", masked, sizeof masked);
    log_safe(in->error ? in->error : "unknown", error, sizeof error);
    host_serve_log_to(&p->log, "delivery_failed",
                      "transport=%s user=%s error=\"%s\"", t->name, masked,
                      error);
  }
  return rc;
}

/* Handles the event without marking it done. */
static int handle(host_serve_process *p, const host_inbox_item *item,
                  int64_t now) {
  host_inbound in;
  const host_transport *t = transport_named(p, item->transport);
  if (!t)
    return SAMVAD_EINVAL; /* the transport was switched off since */
  if (host_event_decode(item->event, item->len, &in) != 0)
    return SAMVAD_ECORRUPT;
  switch (in.kind) {
  case HOST_IN_MESSAGE:
    return step_message(p, t, &in, item->at, now);
  case HOST_IN_STATUS:
    return record_status(p, t, &in, item->at);
  default:
    return answer_unsupported(p, t, &in, item->at, now);
  }
}

int host_serve_process_item(host_serve_process *p,
                            const host_inbox_item *item) {
  int64_t now = (int64_t)time(NULL);
  int rc = handle(p, item, now);
  return rc == 0 ? host_db_inbox_done(p->db, item->id, now) : rc;
}

int host_serve_process_alone(host_serve_process *p,
                             const host_inbox_item *item) {
  int64_t now = (int64_t)time(NULL);
  int rc = host_db_begin(p->db);
  if (rc != 0)
    return rc;
  int why = handle(p, item, now);
  rc = why;
  if (why != 0 && !store_trouble(why)) {
    /* Dropped: only its being done is kept. */
    host_db_rollback(p->db);
    p->held = SIZE_MAX; /* a release may have been undone */
    host_buf_reset(&p->log);
    rc = host_db_begin(p->db);
    if (rc != 0)
      return rc;
  }
  if (rc == 0 || !store_trouble(rc))
    rc = host_db_inbox_done(p->db, item->id, now);
  if (rc == 0)
    rc = host_db_commit(p->db);
  else
    host_db_rollback(p->db);
  if (rc != 0) {
    host_buf_reset(&p->log);
    p->held = SIZE_MAX;
    return rc;
  }
  host_serve_log_flush(&p->log);
  if (why != 0)
    host_serve_log("dropped", "transport=%s inbox=%lld reason=\"%s\"",
                   item->transport, (long long)item->id,
                   samvad_strerror(why));
  return 0;
}

/* One notice into the outbox, marked delivered in the same transaction. */
static int move_notice(host_serve_process *p, const host_transport *t,
                       const char *user, int64_t id, int64_t now) {
  int rc = host_db_begin(p->db);
  if (rc != 0)
    return rc;
  rc = host_outbox_enqueue(p->db, t, p->cfg, p->metrics, user, p->replies, 1,
                           now, &p->held);
  if (rc == 0)
    rc = host_db_notice_delivered(p->db, id, now);
  if (rc == 0)
    rc = host_db_commit(p->db);
  else
    host_db_rollback(p->db);
  if (rc != 0)
    p->held = SIZE_MAX; /* counted, perhaps, and undone */
  return rc;
}

int host_serve_deliver_notices(host_serve_process *p) {
  int moved = 0;
  for (int k = 0; k < 64; k++) {
    host_notice n;
    memset(&n, 0, sizeof n);
    int rc = host_db_notice_next(p->db, NULL, p->notices_after, &n);
    if (rc == SAMVAD_ENOTFOUND)
      break;
    if (rc != 0) {
      if (!p->notice_error_shown)
        host_serve_log("store_error", "stage=notices error=\"%s\"",
                       host_db_errmsg(p->db));
      p->notice_error_shown = 1;
      break;
    }
    p->notice_error_shown = 0;
    const char *user = NULL;
    const host_transport *t =
        host_store_user_parse(p->transports, p->count, n.user, &user);
    rc = t ? samvad_replies_restore(p->replies, n.bytes, n.len) : 0;
    free(n.bytes);
    if (!t) { /* the terminal's or a gateway's: theirs to deliver */
      p->notices_after = n.id;
      continue;
    }
    if (rc != 0) {
      host_serve_log("notice_skipped", "notice=%lld reason=\"%s\"",
                     (long long)n.id, samvad_strerror(rc));
      p->notices_after = n.id;
      continue;
    }
    char png[HOST_DOCUMENT_PATH_BYTES];
    host_document_png(p->cfg->out, p->replies, png, sizeof png);
    rc = move_notice(p, t, user, n.id, (int64_t)time(NULL));
    if (store_trouble(rc)) { /* looked at again next time */
      host_serve_log("store_error", "stage=notice notice=%lld error=\"%s\"",
                     (long long)n.id, host_db_errmsg(p->db));
      break;
    }
    p->notices_after = n.id;
    if (rc != 0) {
      host_serve_log("notice_skipped", "notice=%lld reason=\"%s\"",
                     (long long)n.id, samvad_strerror(rc));
      continue;
    }
    char masked[80];
    host_mask_id(user, masked, sizeof masked);
    host_serve_log("notice", "transport=%s user=%s replies=%zu", t->name,
                   masked, samvad_replies_count(p->replies));
    moved++;
  }
  return moved;
}
