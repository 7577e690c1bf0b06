/* replies.c - the reusable reply buffer of a step (samvad_replies_*) and the
 * builder the engine writes into. One text buffer holds the reply texts
 * that had to be composed, ids built for the step and answer values; the
 * rest points at the catalogue. The buffers are reserved before a step and
 * never move during it, so replies hold plain pointers; a step that needs
 * more room is undone and run again with bigger buffers (see engine.h).
 * Once the buffers have grown to a conversation's needs, a step allocates
 * nothing. */
#include "engine.h"

#include <string.h>

int samvad_replies_create(const samvad_allocator *alloc,
                          samvad_replies **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  sv_alloc al;
  sv_alloc_init(&al, alloc);
  samvad_replies *r = sv_malloc(&al, sizeof *r);
  if (!r)
    return SAMVAD_ENOMEM;
  memset(r, 0, sizeof *r);
  r->alloc = al;
  *out = r;
  return SAMVAD_OK;
}

void samvad_replies_destroy(samvad_replies *r) {
  if (!r)
    return;
  sv_alloc al = r->alloc;
  sv_free(&al, r->items);
  sv_free(&al, r->text);
  sv_free(&al, r->options);
  sv_free(&al, r->answers);
  sv_free(&al, r);
}

size_t samvad_replies_count(const samvad_replies *r) {
  return r ? r->count : 0;
}

const samvad_reply *samvad_replies_get(const samvad_replies *r, size_t i) {
  if (!r || i >= r->count)
    return NULL;
  return &r->items[i];
}

/* Grows *p (elements of size el) to at least want elements. */
static bool grow(const sv_alloc *al, void **p, size_t *cap, size_t want,
                 size_t el) {
  if (want <= *cap)
    return true;
  size_t n = *cap ? *cap : 8;
  while (n < want) {
    if (n > SIZE_MAX / 4 / el)
      return false;
    n *= 2;
  }
  void *q = sv_realloc(al, *p, n * el);
  if (!q)
    return false;
  *p = q;
  *cap = n;
  return true;
}

bool sv_out_grow(samvad_replies *r, const sv_out *o) {
  if (!o && r->cap >= 8 && r->text_cap >= 4096 && r->option_cap >= 16)
    return true; /* the usual step: grown already */
  size_t t = o && o->need_text > 4096 ? o->need_text : 4096;
  size_t i = o && o->need_items > 8 ? o->need_items : 8;
  size_t op = o && o->need_options > 16 ? o->need_options : 16;
  size_t a = o && o->need_answers > 0 ? o->need_answers : 0;
  return sv_replies_reserve(r, i, t, op, a);
}

bool sv_replies_reserve(samvad_replies *r, size_t items, size_t text,
                        size_t options, size_t answers) {
  return grow(&r->alloc, (void **)&r->items, &r->cap, items,
              sizeof *r->items) &&
         grow(&r->alloc, (void **)&r->text, &r->text_cap, text, 1) &&
         grow(&r->alloc, (void **)&r->options, &r->option_cap, options,
              sizeof *r->options) &&
         grow(&r->alloc, (void **)&r->answers, &r->answer_cap, answers,
              sizeof *r->answers);
}

void sv_out_init(sv_out *o, samvad_replies *r) {
  memset(o, 0, sizeof *o);
  o->r = r;
  r->count = 0;
  r->text_len = 0;
  r->option_count = 0;
  memset(&r->app, 0, sizeof r->app);
  memset(&r->doc, 0, sizeof r->doc);
}

/* Records that n more bytes were wanted (plus a NUL), and says whether
 * they fit. */
static bool room(sv_out *o, size_t n) {
  samvad_replies *r = o->r;
  if (o->overflow) {
    o->need_text += n + 1;
    return false;
  }
  if (r->text_len + n + 1 > r->text_cap) {
    o->overflow = true;
    o->need_text = 2 * (r->text_len + n + 1);
    return false;
  }
  return true;
}

static void raw_put(sv_out *o, const char *s, size_t n) {
  if (!room(o, n))
    return;
  memcpy(o->r->text + o->r->text_len, s, n);
  o->r->text_len += n;
}

/* A fixed text that is appended to becomes a composed one. */
static void unfix(sv_out *o) {
  const char *f = o->fixed;
  o->fixed = NULL;
  raw_put(o, f, strlen(f));
}

void sv_out_put_slow(sv_out *o, const char *s, size_t n) {
  if (n == 0)
    return;
  if (o->fixed)
    unfix(o);
  raw_put(o, s, n);
}

void sv_out_puts(sv_out *o, const char *s) {
  if (s)
    sv_out_put(o, s, strlen(s));
}

size_t sv_out_pos(sv_out *o) { return o->r->text_len; }

static void put_nul(sv_out *o) {
  if (room(o, 0))
    o->r->text[o->r->text_len++] = '\0';
}

void sv_out_close_text(sv_out *o) {
  if (!o->text_open)
    return;
  o->text_open = false;
  samvad_replies *r = o->r;
  if (o->overflow || r->count == 0)
    return;
  samvad_reply *it = &r->items[r->count - 1];
  if (o->fixed) {
    it->text = o->fixed;
    o->fixed = NULL;
    return;
  }
  put_nul(o);
  if (!o->overflow)
    it->text = r->text + o->text_start;
}

void sv_out_begin(sv_out *o, uint8_t lang, const char *flow,
                  const char *state) {
  samvad_replies *r = o->r;
  sv_out_close_text(o);
  o->opts_fixed = false;
  o->need_items = (o->need_items > r->count ? o->need_items : r->count) + 1;
  if (o->overflow || r->count == r->cap) {
    o->overflow = true;
    r->count++; /* counted, never written: only sizes matter now */
    o->text_open = true;
    return;
  }
  samvad_reply *it = &r->items[r->count++];
  it->text = "";
  it->lang = (samvad_lang)lang;
  it->flow = flow;
  it->state = state;
  it->options = NULL;
  it->option_count = 0;
  it->application = NULL;
  it->document = NULL;
  o->text_open = true;
  o->text_start = r->text_len;
}

static void add_option(sv_out *o, const char *id, const char *title);

/* Options added after a fixed array: the array is copied into the buffer
 * first, so that the reply's options stay one run. */
static void unfix_options(sv_out *o) {
  samvad_reply *it = &o->r->items[o->r->count - 1];
  const samvad_option *fx = it->options;
  size_t n = it->option_count;
  o->opts_fixed = false;
  it->options = NULL;
  it->option_count = 0;
  for (size_t k = 0; k < n; k++)
    add_option(o, fx[k].id, fx[k].title);
}

void sv_out_options_fixed(sv_out *o, const samvad_option *opts, size_t n) {
  sv_out_close_text(o);
  samvad_replies *r = o->r;
  if (r->count == 0 || n == 0)
    return;
  if (o->overflow || r->items[r->count - 1].option_count) {
    for (size_t k = 0; k < n; k++) /* counts, or keeps the run */
      sv_out_option(o, opts[k].id, opts[k].title);
    return;
  }
  samvad_reply *it = &r->items[r->count - 1];
  it->options = opts;
  it->option_count = n;
  o->opts_fixed = true;
}

static void add_option(sv_out *o, const char *id, const char *title) {
  samvad_replies *r = o->r;
  if (o->opts_fixed && !o->overflow)
    unfix_options(o);
  o->need_options = r->option_count + 1;
  if (o->overflow || r->option_count == r->option_cap) {
    o->overflow = true;
    r->option_count++;
    return;
  }
  samvad_reply *it = &r->items[r->count - 1];
  samvad_option *op = &r->options[r->option_count++];
  op->id = id;
  op->title = title ? title : "";
  if (it->option_count++ == 0)
    it->options = op;
}

samvad_option *sv_out_options_add(sv_out *o, size_t n) {
  sv_out_close_text(o);
  samvad_replies *r = o->r;
  if (r->count == 0 || n == 0)
    return NULL;
  if (o->opts_fixed && !o->overflow)
    unfix_options(o);
  o->need_options = r->option_count + n;
  if (o->overflow || r->option_cap - r->option_count < n) {
    o->overflow = true;
    r->option_count += n;
    return NULL;
  }
  samvad_reply *it = &r->items[r->count - 1];
  samvad_option *op = &r->options[r->option_count];
  r->option_count += n;
  if (it->option_count == 0)
    it->options = op;
  it->option_count += n;
  return op;
}

void sv_out_option(sv_out *o, const char *id, const char *title) {
  sv_out_close_text(o);
  if (o->r->count == 0)
    return;
  add_option(o, id, title);
}

void sv_out_application(sv_out *o, const char *ref, const char *service) {
  samvad_replies *r = o->r;
  sv_out_close_text(o);
  if (o->overflow || r->count == 0)
    return;
  size_t n = strlen(ref);
  if (n >= sizeof r->app_id)
    n = sizeof r->app_id - 1;
  memcpy(r->app_id, ref, n);
  r->app_id[n] = '\0';
  r->app.id = r->app_id;
  r->app.service = service;
  r->app.answers = r->answers;
  r->app.answer_count = 0;
  r->items[r->count - 1].application = &r->app;
}

void sv_out_app_answer(sv_out *o, const char *name, size_t value_off) {
  samvad_replies *r = o->r;
  put_nul(o);
  o->need_answers = r->app.answer_count + 1;
  if (o->overflow || r->app.answer_count == r->answer_cap) {
    o->overflow = true;
    r->app.answer_count++;
    return;
  }
  samvad_answer *a = &r->answers[r->app.answer_count++];
  a->name = name;
  a->value = r->text + value_off;
}

void sv_out_finish(sv_out *o) {
  sv_out_close_text(o);
  if (o->r->app.answer_count == 0)
    o->r->app.answers = NULL;
}
