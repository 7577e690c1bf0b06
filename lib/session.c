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
  char *p;
  if (s->text_own) {
    p = sv_realloc(&s->alloc, s->text_buf, cap);
  } else {
    /* The first buffer lives in the session's own allocation. */
    p = sv_malloc(&s->alloc, cap);
    if (p && s->text_len)
      memcpy(p, s->text_buf, s->text_len);
  }
  if (!p)
    return false;
  s->text_buf = p;
  s->text_cap = (uint32_t)cap;
  s->text_own = 1;
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

/* Keeps the old value of slot v for the undo copy, before its first
 * change in this step. */
static inline void touch(samvad_session *s, size_t v) {
  uint64_t bit = (uint64_t)1 << (v & 63);
  if (!(s->dirty[v >> 6] & bit)) {
    s->dirty[v >> 6] |= bit;
    s->values[s->values_cap + v] = s->values[v];
  }
}

void sv_session_clear_answers(samvad_session *s) {
  s->pruned = 0;
  s->forward = 0;
  /* Only the slots in answer_order can hold a value (see
   * sv_session_set_answer), so a short form clears quickly. */
  for (size_t k = 0; k < s->answer_count; k++) {
    size_t v = s->answer_order[k];
    if (v < s->values_cap && s->values[v].kind != SV_VAL_NONE) {
      touch(s, v);
      s->values[v].kind = SV_VAL_NONE;
      s->values[v].s = NULL;
    }
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
  s->pruned = 0;
  s->forward = 0;
  touch(s, var);
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
  s->pruned = 0;
  touch(s, var);
  /* A variable is in answer_order exactly when it has a value: a first
   * answer needs no search. */
  if (s->values[var].kind != SV_VAL_NONE)
    order_remove(s, var);
  s->values[var] = nv;
  s->answer_order[s->answer_count++] = var;
}

/* The undo copy: the session's fields, the answer order (in the upper half
 * of answer_order) and, slot by slot as they change, the old values (in
 * the upper half of values). A step changes a few slots; copying all of
 * them every step would cost more than the step. */
void sv_session_snapshot(samvad_session *s, samvad_session *hdr) {
  memset(s->dirty, 0, sizeof s->dirty);
  memcpy(hdr, s, offsetof(samvad_session, apps));
  memcpy(s->answer_order + s->values_cap, s->answer_order,
         s->answer_count * sizeof *s->answer_order);
}

void sv_session_rollback(samvad_session *s, const samvad_session *hdr,
                         bool apps_saved) {
  for (size_t w = 0; w < sizeof s->dirty / sizeof s->dirty[0]; w++)
    for (uint64_t d = s->dirty[w]; d; d &= d - 1) {
      size_t v = w * 64 + (size_t)__builtin_ctzll(d);
      if (v < s->values_cap)
        s->values[v] = s->values[s->values_cap + v];
    }
  char *buf = s->text_buf;
  uint32_t cap = s->text_cap;
  uint8_t own = s->text_own;
  memcpy(s, hdr, offsetof(samvad_session, apps));
  if (apps_saved)
    memcpy(s->apps, hdr->apps, sizeof s->apps);
  /* Text reservations happen before the snapshot, so the buffer has not
   * moved; keep whatever it is now to be safe. */
  s->text_buf = buf;
  s->text_cap = cap;
  s->text_own = own;
  memcpy(s->answer_order, s->answer_order + s->values_cap,
         s->answer_count * sizeof *s->answer_order);
  rebase(s);
}

/* ---- Public: create, destroy, introspection ------------------------------ */

/* One allocation holds the session, its value slots (twice: the upper
 * half keeps the undo copy), the answer order (twice too) and a first
 * text buffer, so creating a session is one call to the allocator. The
 * buffer holds the text answers of a whole application (names, places,
 * addresses: well under 1 KB) with room for the reservation a step makes,
 * so that answering never allocates; longer texts grow it. */
enum { FIRST_TEXT_CAP = 2048 };

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

int sv_session_new(const samvad_catalogue *c, const samvad_allocator *a,
                   samvad_session **out) {
  sv_alloc al;
  sv_alloc_init(&al, a);
  size_t slots = sv_session_slots(c);
  size_t at_values = align8(sizeof(samvad_session));
  size_t at_order = at_values + 2 * slots * sizeof(sv_value);
  size_t at_text = at_order + 2 * slots * sizeof(uint16_t);
  char *block = sv_malloc(&al, at_text + FIRST_TEXT_CAP);
  if (!block)
    return SAMVAD_ENOMEM;
  samvad_session *s = (samvad_session *)(void *)block;
  memset(s, 0, sizeof *s);
  s->alloc = al;
  s->catalogue = c;
  s->lang = SAMVAD_LANG_EN;
  s->service = -1;
  s->values = (sv_value *)(void *)(block + at_values);
  s->answer_order = (uint16_t *)(void *)(block + at_order);
  s->text_buf = block + at_text;
  s->text_cap = FIRST_TEXT_CAP;
  /* Only the live half needs values; the undo half is written before it
   * is read. */
  memset(s->values, 0, slots * sizeof *s->values);
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
  if (s->text_own)
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

void sv_session_to_menu(samvad_session *s) {
  sv_session_clear_answers(s);
  s->service = -1;
  s->state = 0;
  s->return_state = 0;
  s->phase = SV_PH_IDLE;
  s->editing = 0;
  s->retries = 0;
}

void samvad_session_forget(samvad_session *s) {
  if (!s)
    return;
  sv_session_to_menu(s);
  s->stale = 0;
  s->idle_at = 0;
  s->expire_at = 0;
}
