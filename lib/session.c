/* session.c - a citizen's session: creation, introspection, the answer
 * store the engine writes, and the undo copy that makes a failed step leave
 * no trace. The byte encoding is in session_bytes.c.
 *
 * Text answers live in text_buf; a value keeps its offset in `i` and a
 * pointer in `s`, and the pointers are rebased whenever the buffer moves,
 * so conditions and rendering can always read `s`. */
#include "engine.h"

#include <string.h>

size_t sv_session_slots(const samvad_catalogue *c) {
  size_t n = 1;
  for (size_t i = 0; i < c->service_count; i++)
    if (c->services[i].var_count > n)
      n = c->services[i].var_count;
  return n;
}

static void rebase(samvad_session *s) {
  for (size_t v = 0; v < s->values_cap; v++)
    if (s->values[v].kind == SV_VAL_STR)
      s->values[v].s = s->text_buf + s->values[v].i;
}

bool sv_session_reserve_text(samvad_session *s, size_t n) {
  if (n > UINT32_MAX / 4 || (size_t)s->text_len + n > UINT32_MAX / 2)
    return false;
  size_t want = (size_t)s->text_len + n;
  if (want <= s->text_cap)
    return true;
  size_t cap = s->text_cap ? s->text_cap : 256;
  while (cap < want)
    cap *= 2;
  char *p = sv_realloc(&s->alloc, s->text_buf, cap);
  if (!p)
    return false;
  s->text_buf = p;
  s->text_cap = (uint32_t)cap;
  rebase(s);
  return true;
}

void sv_session_compact(samvad_session *s) {
  /* Small buffers are not worth the scan: this runs before every step. */
  if (s->text_len <= 1024)
    return;
  size_t live = 0, nstr = 0;
  uint16_t idx[SAMVAD_MAX_VARS + 1];
  for (size_t v = 0; v < s->values_cap; v++)
    if (s->values[v].kind == SV_VAL_STR) {
      live += s->values[v].len + 1u;
      if (nstr < SAMVAD_MAX_VARS + 1)
        idx[nstr++] = (uint16_t)v;
    }
  if (s->text_len <= live + 512 && nstr > 0)
    return;
  /* In offset order, each value moves down or stays: memmove is safe. */
  for (size_t a = 1; a < nstr; a++) {
    uint16_t k = idx[a];
    size_t b = a;
    while (b > 0 && s->values[idx[b - 1]].i > s->values[k].i) {
      idx[b] = idx[b - 1];
      b--;
    }
    idx[b] = k;
  }
  uint32_t at = 0;
  for (size_t a = 0; a < nstr; a++) {
    sv_value *v = &s->values[idx[a]];
    memmove(s->text_buf + at, s->text_buf + v->i, v->len + 1u);
    v->i = at;
    v->s = s->text_buf + at;
    at += v->len + 1u;
  }
  s->text_len = at;
}

void sv_session_clear_answers(samvad_session *s) {
  for (size_t v = 0; v < s->values_cap; v++) {
    s->values[v].kind = SV_VAL_NONE;
    s->values[v].s = NULL;
  }
  s->answer_count = 0;
}

static void order_remove(samvad_session *s, uint16_t var) {
  for (size_t k = 0; k < s->answer_count; k++)
    if (s->answer_order[k] == var) {
      memmove(s->answer_order + k, s->answer_order + k + 1,
              (s->answer_count - k - 1) * sizeof *s->answer_order);
      s->answer_count--;
      return;
    }
}

void sv_session_drop_answer(samvad_session *s, uint16_t var) {
  if (var >= s->values_cap)
    return;
  s->values[var].kind = SV_VAL_NONE;
  s->values[var].s = NULL;
  order_remove(s, var);
}

void sv_session_set_answer(samvad_session *s, uint16_t var,
                           const sv_value *v) {
  if (var >= s->values_cap)
    return;
  sv_value nv = *v;
  if (nv.kind == SV_VAL_STR) {
    char *dst = s->text_buf + s->text_len;
    if (nv.s != dst)
      memmove(dst, nv.s, nv.len);
    dst[nv.len] = '\0';
    nv.i = s->text_len;
    nv.s = dst;
    s->text_len += nv.len + 1u;
  } else {
    nv.s = NULL;
    nv.len = 0;
  }
  s->values[var] = nv;
  order_remove(s, var);
  s->answer_order[s->answer_count++] = var;
}

/* The undo copy lives in the upper halves of values and answer_order. Only
 * the current service's slots can hold answers, so only those are copied. */
static size_t live_slots(const samvad_session *s) {
  const samvad_catalogue *c = s->catalogue;
  if (s->service < 0 || (size_t)s->service >= c->service_count)
    return 0;
  size_t n = c->services[s->service].var_count;
  return n < s->values_cap ? n : s->values_cap;
}

void sv_session_snapshot(samvad_session *s, samvad_session *hdr) {
  *hdr = *s;
  size_t n = live_slots(s);
  memcpy(s->values + s->values_cap, s->values, n * sizeof *s->values);
  memcpy(s->answer_order + s->values_cap, s->answer_order,
         s->answer_count * sizeof *s->answer_order);
}

void sv_session_rollback(samvad_session *s, const samvad_session *hdr) {
  size_t now_n = live_slots(s);
  for (size_t v = 0; v < now_n; v++)
    s->values[v].kind = SV_VAL_NONE;
  char *buf = s->text_buf;
  uint32_t cap = s->text_cap;
  *s = *hdr;
  /* Text reservations happen before the snapshot, so the buffer has not
   * moved; keep whatever it is now to be safe. */
  s->text_buf = buf;
  s->text_cap = cap;
  size_t n = live_slots(s);
  memcpy(s->values, s->values + s->values_cap, n * sizeof *s->values);
  memcpy(s->answer_order, s->answer_order + s->values_cap,
         s->answer_count * sizeof *s->answer_order);
  rebase(s);
}

/* ---- Public: create, destroy, introspection ------------------------------ */

int sv_session_new(const samvad_catalogue *c, const samvad_allocator *a,
                       samvad_session **out) {
  sv_alloc al;
  sv_alloc_init(&al, a);
  samvad_session *s = sv_malloc(&al, sizeof *s);
  if (!s)
    return SAMVAD_ENOMEM;
  memset(s, 0, sizeof *s);
  s->alloc = al;
  s->catalogue = c;
  s->lang = SAMVAD_LANG_EN;
  s->service = -1;
  size_t slots = sv_session_slots(c);
  s->values = sv_malloc(&al, 2 * slots * sizeof *s->values);
  s->answer_order = sv_malloc(&al, 2 * slots * sizeof *s->answer_order);
  s->text_cap = 256;
  s->text_buf = sv_malloc(&al, s->text_cap);
  if (!s->values || !s->answer_order || !s->text_buf) {
    samvad_session_destroy(s);
    return SAMVAD_ENOMEM;
  }
  memset(s->values, 0, 2 * slots * sizeof *s->values);
  s->values_cap = (uint16_t)slots;
  *out = s;
  return SAMVAD_OK;
}

int samvad_session_create(const samvad_catalogue *catalogue,
                          const samvad_allocator *alloc,
                          samvad_session **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (!catalogue)
    return SAMVAD_EINVAL;
  return sv_session_new(catalogue, alloc, out);
}

void samvad_session_destroy(samvad_session *s) {
  if (!s)
    return;
  sv_alloc al = s->alloc;
  sv_free(&al, s->values);
  sv_free(&al, s->answer_order);
  sv_free(&al, s->text_buf);
  sv_free(&al, s);
}

samvad_lang samvad_session_lang(const samvad_session *s) {
  return s && s->lang == SAMVAD_LANG_HI ? SAMVAD_LANG_HI : SAMVAD_LANG_EN;
}

const char *samvad_session_flow(const samvad_session *s) {
  if (!s || s->service < 0)
    return NULL;
  return s->catalogue->services[s->service].id;
}

const char *samvad_session_state(const samvad_session *s) {
  if (!s || s->service < 0)
    return NULL;
  return s->catalogue->services[s->service].states[s->state].name;
}

void samvad_session_set_lang(samvad_session *s, samvad_lang lang) {
  if (!s || (lang != SAMVAD_LANG_HI && lang != SAMVAD_LANG_EN))
    return;
  s->lang = (uint8_t)lang;
  s->lang_chosen = 1;
}
