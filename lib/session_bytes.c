/* session_bytes.c - samvad_session_save and samvad_session_restore: the
 * compact versioned byte encoding of a session (docs/sessions.md has the
 * format). Restore trusts nothing: every length, index, enum and string is
 * checked, and a session saved under a changed spec is mapped onto the new
 * one by name, or marked stale to start again. */
#include "bytes.h"
#include "engine.h"

#include <string.h>

#define SV_SESSION_VERSION 2 /* 2 added each application's status */

/* States and variables are written as their index plus 16 bits of a hash
 * of their name: compact, exact while the spec is unchanged, and after an
 * edit of the spec still found by name when their index moved. */
static uint16_t name_hash(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return (uint16_t)(h ^ (h >> 16));
}

static void w_ref(wr *w, size_t index, const char *name) {
  uint16_t h = name_hash(name);
  w_varint(w, index);
  w_byte(w, h & 0xFF);
  w_byte(w, h >> 8);
}

/* flags byte */
enum {
  F_LANG_EN = 1,
  F_LANG_CHOSEN = 2,
  F_IN_SERVICE = 4,
  F_EDITING = 8,
  F_STALE = 16,
  F_PHASE_SHIFT = 5
};

static const sv_option *var_options(const sv_service *svc, const sv_var *v,
                                    size_t *n) {
  *n = 0;
  if (v->state >= svc->state_count)
    return NULL;
  *n = svc->states[v->state].option_count;
  return svc->states[v->state].options;
}

int samvad_session_save(const samvad_session *s, unsigned char *buf,
                        size_t cap, size_t *len) {
  if (!s || !len || (!buf && cap))
    return SAMVAD_EINVAL;
  const samvad_catalogue *c = s->catalogue;
  wr w = {buf, cap, 0};
  bool in = s->service >= 0;
  w_byte(&w, SV_SESSION_VERSION);
  unsigned flags = (s->lang == SAMVAD_LANG_EN ? F_LANG_EN : 0) |
                   (s->lang_chosen ? F_LANG_CHOSEN : 0) |
                   (in ? F_IN_SERVICE : 0) |
                   (in && s->editing ? F_EDITING : 0) |
                   (s->stale ? F_STALE : 0) |
                   ((unsigned)s->phase << F_PHASE_SHIFT);
  w_byte(&w, flags);
  w_varint(&w, s->retries);
  w_zz(&w, s->expire_at);
  w_zz(&w, (int64_t)((uint64_t)s->expire_at - (uint64_t)s->idle_at));
  w_varint(&w, s->app_count);
  for (size_t k = 0; k < s->app_count; k++) {
    const sv_app_record *a = &s->apps[k];
    w_cstr(&w, a->service < c->service_count ? c->services[a->service].id
                                             : "");
    w_cstr(&w, a->ref);
    w_zz(&w, a->day);
    w_byte(&w, a->status);
  }
  if (in) {
    const sv_service *svc = &c->services[s->service];
    w_cstr(&w, svc->id);
    for (int b = 0; b < 4; b++)
      w_byte(&w, (svc->hash >> (8 * b)) & 0xFF);
    w_ref(&w, s->state, svc->states[s->state].name);
    if (s->editing)
      w_ref(&w, s->return_state, svc->states[s->return_state].name);
    w_varint(&w, s->answer_count);
    for (size_t k = 0; k < s->answer_count; k++) {
      uint16_t vi = s->answer_order[k];
      const sv_var *var = &svc->vars[vi];
      const sv_value *v = &s->values[vi];
      w_ref(&w, vi, var->name);
      w_byte(&w, v->kind);
      switch (v->kind) {
      case SV_VAL_INT:
      case SV_VAL_DATE:
        w_zz(&w, v->i);
        break;
      case SV_VAL_OPTION: {
        size_t n;
        const sv_option *o = var_options(svc, var, &n);
        w_cstr(&w, (o && v->i >= 0 && (size_t)v->i < n) ? o[v->i].id : "");
        break;
      }
      default:
        w_str(&w, v->s, v->len);
        break;
      }
    }
  }
  *len = w.pos;
  if (w.pos > cap)
    return SAMVAD_ENOSPC;
  return SAMVAD_OK;
}

/* An index and name hash (see w_ref). Returns the index of the state
 * (is_state) or variable it names in svc, or -1: the index when its name
 * still hashes the same, else the one entry whose name does. */
static int r_ref(rd *r, const sv_service *svc, bool is_state) {
  uint64_t idx = r_varint(r);
  unsigned lo = r_byte(r), hi = r_byte(r);
  if (r->bad || !svc)
    return -1;
  uint16_t h = (uint16_t)(lo | hi << 8);
  size_t n = is_state ? svc->state_count : svc->var_count;
#define NAME_AT(k) (is_state ? svc->states[k].name : svc->vars[k].name)
  if (idx < n && name_hash(NAME_AT(idx)) == h)
    return (int)idx;
  int found = -1;
  for (size_t k = 0; k < n; k++)
    if (name_hash(NAME_AT(k)) == h) {
      if (found >= 0)
        return -1; /* ambiguous: better lost than wrong */
      found = (int)k;
    }
#undef NAME_AT
  return found;
}

#define NAME_MAX_BYTES 256
#define TEXT_MAX_BYTES (2 * SAMVAD_MAX_MESSAGE_BYTES)

static bool kind_fits(uint8_t type, uint8_t kind) {
  switch (type) {
  case SV_IN_INTEGER:
  case SV_IN_AADHAAR:
  case SV_IN_MOBILE:
  case SV_IN_PIN:
  case SV_IN_YESNO:
    return kind == SV_VAL_INT;
  case SV_IN_DATE:
    return kind == SV_VAL_DATE;
  case SV_IN_CHOICE:
    return kind == SV_VAL_OPTION;
  default:
    return kind == SV_VAL_STR;
  }
}

static bool waiting_kind(uint8_t k) {
  return k == SV_ST_ASK || k == SV_ST_CHOICE || k == SV_ST_SUMMARY;
}

static int decode(samvad_session *s, const unsigned char *buf, size_t len) {
  const samvad_catalogue *c = s->catalogue;
  rd r = {buf, len, 0, false};
  unsigned version = r_byte(&r);
  if (version != 1 && version != SV_SESSION_VERSION) /* 1 still restores */
    return r.bad ? SAMVAD_ECORRUPT : SAMVAD_EVERSION;
  unsigned flags = r_byte(&r);
  uint64_t retries = r_varint(&r);
  int64_t expire_at = r_zz(&r);
  int64_t idle_gap = r_zz(&r);
  uint64_t apps = r_varint(&r);
  unsigned phase = flags >> F_PHASE_SHIFT;
  bool in = flags & F_IN_SERVICE;
  if (r.bad || retries > 255 || apps > SV_MAX_APPLICATIONS ||
      phase > SV_PH__LAST || (in != (phase != SV_PH_IDLE)) ||
      ((flags & F_EDITING) && !in))
    return SAMVAD_ECORRUPT;
  s->lang = (flags & F_LANG_EN) ? SAMVAD_LANG_EN : SAMVAD_LANG_HI;
  s->lang_chosen = (flags & F_LANG_CHOSEN) ? 1 : 0;
  s->stale = (flags & F_STALE) ? 1 : 0;
  s->phase = (uint8_t)phase;
  s->retries = (uint8_t)retries;
  s->expire_at = expire_at;
  s->idle_at = (int64_t)((uint64_t)expire_at - (uint64_t)idle_gap);
  for (size_t k = 0; k < apps; k++) {
    size_t nid, nref;
    const char *id = r_str(&r, NAME_MAX_BYTES, &nid);
    const char *ref = r_str(&r, SV_REF_MAX - 1, &nref);
    int64_t day = r_zz(&r);
    unsigned status = version >= 2 ? r_byte(&r) : SAMVAD_APP_SUBMITTED;
    if (r.bad || nref == 0 || day < INT32_MIN || day > INT32_MAX ||
        status > SAMVAD_APP_REJECTED)
      return SAMVAD_ECORRUPT;
    for (size_t i = 0; i < nref; i++)
      if (ref[i] <= ' ' || ref[i] > '~')
        return SAMVAD_ECORRUPT;
    sv_app_record *a = &s->apps[s->app_count++];
    memcpy(a->ref, ref, nref);
    a->ref[nref] = '\0';
    int si = sv_find_service(c, id, nid);
    a->service = si < 0 ? UINT16_MAX : (uint16_t)si;
    a->day = (int32_t)day;
    a->status = (uint8_t)status;
  }
  if (!in) {
    s->service = -1;
    s->editing = 0;
    return r.pos == r.len ? SAMVAD_OK : SAMVAD_ECORRUPT;
  }
  size_t n;
  const char *id = r_str(&r, NAME_MAX_BYTES, &n);
  uint32_t hash = 0;
  for (int b = 0; b < 4; b++)
    hash |= (uint32_t)r_byte(&r) << (8 * b);
  if (r.bad)
    return SAMVAD_ECORRUPT;
  int si = sv_find_service(c, id, n);
  const sv_service *svc = si >= 0 ? &c->services[si] : NULL;
  /* Same spec: every name must resolve. Changed spec: keep what still
   * fits and restart the service if the citizen's place in it is gone. */
  bool same = svc && svc->hash == hash;
  bool lost = !svc;
  int state = r_ref(&r, svc, true);
  if (r.bad)
    return SAMVAD_ECORRUPT;
  if (state < 0 || !waiting_kind(svc->states[state].kind)) {
    if (same)
      return SAMVAD_ECORRUPT;
    lost = true;
  }
  int ret_state = -1;
  if (flags & F_EDITING) {
    ret_state = r_ref(&r, svc, true);
    if (r.bad)
      return SAMVAD_ECORRUPT;
    if (ret_state < 0 || svc->states[ret_state].kind != SV_ST_SUMMARY) {
      if (same)
        return SAMVAD_ECORRUPT;
      ret_state = -1;
    }
  }
  uint64_t count = r_varint(&r);
  if (r.bad || count > SAMVAD_MAX_VARS || (same && count > svc->var_count))
    return SAMVAD_ECORRUPT;
  s->service = (int16_t)(svc ? si : -1);
  s->state = (uint16_t)(state < 0 ? 0 : state);
  s->editing = ret_state >= 0 ? 1 : 0;
  s->return_state = (uint16_t)(ret_state < 0 ? 0 : ret_state);
  for (uint64_t k = 0; k < count; k++) {
    int vi = r_ref(&r, svc, false);
    unsigned kind = r_byte(&r);
    if (r.bad || kind == SV_VAL_NONE || kind > SV_VAL_STR)
      return SAMVAD_ECORRUPT;
    sv_value v = {.kind = (uint8_t)kind};
    bool keep = vi >= 0 && vi < s->values_cap &&
                kind_fits(svc->vars[vi].type, (uint8_t)kind) &&
                s->values[vi].kind == SV_VAL_NONE;
    if (kind == SV_VAL_INT || kind == SV_VAL_DATE) {
      v.i = r_zz(&r);
      if (kind == SV_VAL_DATE && (v.i < -1000000 || v.i > 3000000))
        keep = false, r.bad = same;
      if (vi >= 0 && svc->vars[vi].type == SV_IN_YESNO && v.i != 0 &&
          v.i != 1)
        keep = false, r.bad = same;
    } else if (kind == SV_VAL_OPTION) {
      const char *oid = r_str(&r, NAME_MAX_BYTES, &n);
      v.i = -1;
      if (keep) {
        size_t no;
        const sv_option *o = var_options(svc, &svc->vars[vi], &no);
        for (size_t j = 0; o && j < no; j++)
          if (strlen(o[j].id) == n && memcmp(o[j].id, oid, n) == 0)
            v.i = (int64_t)j;
      }
      if (v.i < 0)
        keep = false;
    } else {
      const char *t = r_str(&r, TEXT_MAX_BYTES, &n);
      if (!r.bad && keep) {
        if (!sv_session_reserve_text(s, n + 1))
          return SAMVAD_ENOMEM;
        v.s = t;
        v.len = (uint32_t)n;
      }
    }
    if (r.bad)
      return SAMVAD_ECORRUPT;
    if (!keep) {
      if (same)
        return SAMVAD_ECORRUPT;
      continue;
    }
    sv_session_set_answer(s, (uint16_t)vi, &v);
  }
  if (r.pos != r.len)
    return SAMVAD_ECORRUPT;
  if (lost) {
    sv_session_clear_answers(s);
    s->stale = 1;
    s->editing = 0;
    s->retries = 0;
    s->phase = svc ? SV_PH_ANSWERING : SV_PH_IDLE;
    if (!svc)
      s->service = -1;
    s->state = svc ? svc->start : 0;
  }
  return SAMVAD_OK;
}

int samvad_session_restore(const samvad_catalogue *catalogue,
                           const samvad_allocator *alloc,
                           const unsigned char *buf, size_t len,
                           samvad_session **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (!catalogue || (!buf && len))
    return SAMVAD_EINVAL;
  if (len > SAMVAD_MAX_SESSION_BYTES)
    return SAMVAD_ELIMIT;
  if (len == 0)
    return SAMVAD_ECORRUPT;
  samvad_session *s = NULL;
  int rc = sv_session_new(catalogue, alloc, &s);
  if (rc)
    return rc;
  rc = decode(s, buf, len);
  if (rc) {
    samvad_session_destroy(s);
    return rc;
  }
  *out = s;
  return SAMVAD_OK;
}
