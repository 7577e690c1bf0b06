/* replies_bytes.c - samvad_replies_save and samvad_replies_restore: what a
 * store keeps of a step's replies, so that a repeated delivery of a
 * message is answered with exactly the replies it got the first time. The
 * format (docs/sessions.md, "Replies as bytes") is versioned; restore
 * trusts nothing. */
#include "bytes.h"
#include "engine.h"

#define SV_REPLIES_VERSION 1
#define MAX_SHORT_BYTES 256            /* ids, flows, states, answer names */
#define MAX_TITLE_BYTES 1024           /* an option's title */
#define MAX_REPLY_COUNT 256

enum {
  R_FLOW = 1,
  R_STATE = 2,
  R_OPTIONS = 4,
  R_APPLICATION = 8,
  R_DOCUMENT = 16,
  R_ALL = 31
};
#define MAX_QR_BYTES 4096

int samvad_replies_save(const samvad_replies *r, unsigned char *buf,
                        size_t cap, size_t *len) {
  if (!r || !len || (!buf && cap))
    return SAMVAD_EINVAL;
  wr w = {buf, cap, 0};
  w_byte(&w, SV_REPLIES_VERSION);
  w_varint(&w, r->count);
  for (size_t i = 0; i < r->count; i++) {
    const samvad_reply *it = &r->items[i];
    w_byte(&w, (it->flow ? R_FLOW : 0) | (it->state ? R_STATE : 0) |
                   (it->options ? R_OPTIONS : 0) |
                   (it->application ? R_APPLICATION : 0) |
                   (it->document ? R_DOCUMENT : 0));
    w_byte(&w, it->lang);
    w_cstr(&w, it->text);
    if (it->flow)
      w_cstr(&w, it->flow);
    if (it->state)
      w_cstr(&w, it->state);
    if (it->options) {
      w_varint(&w, it->option_count);
      for (size_t k = 0; k < it->option_count; k++) {
        w_cstr(&w, it->options[k].id);
        w_cstr(&w, it->options[k].title);
      }
    }
    if (it->application) {
      const samvad_application *a = it->application;
      w_cstr(&w, a->id);
      w_cstr(&w, a->service);
      w_varint(&w, a->answer_count);
      for (size_t k = 0; k < a->answer_count; k++) {
        w_cstr(&w, a->answers[k].name);
        w_cstr(&w, a->answers[k].value);
      }
    }
    if (it->document) {
      w_cstr(&w, it->document->service);
      w_cstr(&w, it->document->number);
      w_cstr(&w, it->document->qr);
    }
  }
  *len = w.pos;
  if (w.pos > SAMVAD_MAX_REPLIES_BYTES)
    return SAMVAD_ELIMIT;
  return w.pos > cap ? SAMVAD_ENOSPC : SAMVAD_OK;
}

/* Copies a string read from the bytes into the replies' text buffer,
 * which restore sized to hold every string of the input. */
static const char *keep(samvad_replies *r, rd *rr, size_t max) {
  size_t n;
  const char *s = r_str(rr, max, &n);
  if (!s || memchr(s, '\0', n)) {
    rr->bad = true;
    return NULL;
  }
  char *d = r->text + r->text_len;
  memcpy(d, s, n);
  d[n] = '\0';
  r->text_len += n + 1;
  return d;
}

static int decode(samvad_replies *r, rd *rr) {
  if (r_byte(rr) != SV_REPLIES_VERSION)
    return rr->bad ? SAMVAD_ECORRUPT : SAMVAD_EVERSION;
  uint64_t count = r_varint(rr);
  if (rr->bad || count > MAX_REPLY_COUNT || count > r->cap)
    return SAMVAD_ECORRUPT;
  for (size_t i = 0; i < count; i++) {
    unsigned flags = r_byte(rr);
    unsigned lang = r_byte(rr);
    if (rr->bad || flags > R_ALL || lang >= SAMVAD_LANG_COUNT)
      return SAMVAD_ECORRUPT;
    samvad_reply *it = &r->items[r->count++];
    memset(it, 0, sizeof *it);
    it->lang = (samvad_lang)lang;
    it->text = keep(r, rr, SAMVAD_MAX_REPLIES_BYTES);
    if (flags & R_FLOW)
      it->flow = keep(r, rr, MAX_SHORT_BYTES);
    if (flags & R_STATE)
      it->state = keep(r, rr, MAX_SHORT_BYTES);
    if (rr->bad)
      return SAMVAD_ECORRUPT;
    if (flags & R_OPTIONS) {
      uint64_t n = r_varint(rr);
      if (rr->bad || n == 0 || n > r->option_cap - r->option_count)
        return SAMVAD_ECORRUPT;
      samvad_option *op = &r->options[r->option_count];
      r->option_count += (size_t)n;
      it->options = op;
      it->option_count = (size_t)n;
      for (size_t k = 0; k < n; k++) {
        op[k].id = keep(r, rr, MAX_SHORT_BYTES);
        op[k].title = keep(r, rr, MAX_TITLE_BYTES);
      }
    }
    if (flags & R_APPLICATION) {
      /* One step submits at most one application. */
      if (r->app.id)
        return SAMVAD_ECORRUPT;
      const char *id = keep(r, rr, SV_REF_MAX - 1);
      const char *service = keep(r, rr, SAMVAD_MAX_SERVICE_ID_BYTES);
      uint64_t n = r_varint(rr);
      if (rr->bad || !id || !service || n > r->answer_cap)
        return SAMVAD_ECORRUPT;
      memcpy(r->app_id, id, strlen(id) + 1);
      r->app.id = r->app_id;
      r->app.service = service;
      r->app.answers = n ? r->answers : NULL;
      r->app.answer_count = (size_t)n;
      for (size_t k = 0; k < n; k++) {
        r->answers[k].name = keep(r, rr, MAX_SHORT_BYTES);
        r->answers[k].value = keep(r, rr, SAMVAD_MAX_REPLIES_BYTES);
      }
      it->application = &r->app;
    }
    if (flags & R_DOCUMENT) {
      if (r->doc.qr) /* one certificate per list, as one application */
        return SAMVAD_ECORRUPT;
      r->doc.service = keep(r, rr, SAMVAD_MAX_SERVICE_ID_BYTES);
      r->doc.number = keep(r, rr, MAX_SHORT_BYTES);
      r->doc.qr = keep(r, rr, MAX_QR_BYTES);
      if (rr->bad)
        return SAMVAD_ECORRUPT;
      it->document = &r->doc;
    }
    if (rr->bad)
      return SAMVAD_ECORRUPT;
  }
  return rr->pos == rr->len ? SAMVAD_OK : SAMVAD_ECORRUPT;
}

int samvad_replies_restore(samvad_replies *r, const unsigned char *buf,
                           size_t len) {
  if (!r || (!buf && len))
    return SAMVAD_EINVAL;
  r->count = 0;
  r->text_len = 0;
  r->option_count = 0;
  memset(&r->app, 0, sizeof r->app);
  memset(&r->doc, 0, sizeof r->doc);
  if (len > SAMVAD_MAX_REPLIES_BYTES)
    return SAMVAD_ELIMIT;
  /* A string's NUL in the buffer takes the place of its length byte in
   * the input, so the input's size bounds the text; an option or answer
   * takes at least two bytes, a reply three. */
  if (!sv_replies_reserve(r, len / 3 + 1, len + 1, len / 2 + 1, len / 2 + 1))
    return SAMVAD_ENOMEM;
  rd rr = {buf, len, 0, false};
  int rc = decode(r, &rr);
  if (rc != SAMVAD_OK) {
    r->count = 0;
    r->text_len = 0;
    r->option_count = 0;
    memset(&r->app, 0, sizeof r->app);
    memset(&r->doc, 0, sizeof r->doc);
  }
  return rc;
}
