/* loader_util.c - the small tools every part of the loader's compile step
 * uses: scratch memory, string maps and interning, and the checks of keys,
 * bilingual texts, names and integers that report what is wrong. */
#include "loader.h"

#include <stdio.h>
#include <string.h>

/* ---- Scratch memory ----------------------------------------------------- */

void *sv_tmp_alloc(sv_build *b, size_t size) {
  void *p = sv_arena_alloc(&b->tmp, size);
  if (!p)
    b->L->oom = true;
  return p;
}

char *sv_tmp_printf(sv_build *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *p = sv_tmp_alloc(b, (size_t)n + 1);
  if (!p)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

bool sv_tmp_grow(sv_build *b, void **arr, size_t *cap, size_t count,
                 size_t elem) {
  if (count < *cap)
    return true;
  size_t ncap = *cap ? *cap * 2 : 16;
  void *p = sv_tmp_alloc(b, ncap * elem);
  if (!p)
    return false;
  if (count)
    memcpy(p, *arr, count * elem);
  *arr = p;
  *cap = ncap;
  return true;
}

/* ---- String maps ------------------------------------------------------- */

/* Eight bytes a round: every text of every spec is hashed when it is
 * interned, and prompts are long. */
static uint32_t hash_str(const char *s, size_t len) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
  }
  uint64_t w = 0;
  for (size_t k = 0; i < len; i++, k++)
    w |= (uint64_t)(unsigned char)s[i] << (8 * k);
  h = (h ^ w) * 0x94D049BB133111EBull;
  h ^= h >> 31;
  return (uint32_t)h;
}

int32_t sv_smap_get(const sv_smap *m, const char *s, size_t len) {
  if (!m->cap)
    return -1;
  uint32_t mask = m->cap - 1;
  for (uint32_t i = hash_str(s, len) & mask;; i = (i + 1) & mask) {
    if (!m->keys[i])
      return -1;
    if (m->lens[i] == len && memcmp(m->keys[i], s, len) == 0)
      return m->vals[i];
  }
}

static bool smap_resize(sv_build *b, sv_smap *m, uint32_t cap) {
  const char **keys = sv_tmp_alloc(b, cap * sizeof *keys);
  uint32_t *lens = sv_tmp_alloc(b, cap * sizeof *lens);
  int32_t *vals = sv_tmp_alloc(b, cap * sizeof *vals);
  if (!keys || !lens || !vals)
    return false;
  for (uint32_t j = 0; j < m->cap; j++) {
    if (!m->keys[j])
      continue;
    uint32_t i = hash_str(m->keys[j], m->lens[j]) & (cap - 1);
    while (keys[i])
      i = (i + 1) & (cap - 1);
    keys[i] = m->keys[j];
    lens[i] = m->lens[j];
    vals[i] = m->vals[j];
  }
  m->keys = keys;
  m->lens = lens;
  m->vals = vals;
  m->cap = cap;
  return true;
}

bool sv_smap_put(sv_build *b, sv_smap *m, const char *s, size_t len,
                 int32_t val) {
  if ((m->count + 1) * 2 > m->cap &&
      !smap_resize(b, m, m->cap ? m->cap * 2 : 32))
    return false;
  uint32_t mask = m->cap - 1;
  uint32_t i = hash_str(s, len) & mask;
  while (m->keys[i]) {
    if (m->lens[i] == len && memcmp(m->keys[i], s, len) == 0) {
      m->vals[i] = val;
      return true;
    }
    i = (i + 1) & mask;
  }
  m->keys[i] = s;
  m->lens[i] = (uint32_t)len;
  m->vals[i] = val;
  m->count++;
  return true;
}

const char *sv_intern(sv_build *b, const char *s, size_t len) {
  sv_smap *m = &b->strings;
  if ((m->count + 1) * 2 > m->cap &&
      !smap_resize(b, m, m->cap ? m->cap * 2 : 1024)) {
    b->L->oom = true;
    return NULL;
  }
  /* One hash: the free slot the search ends at is where a new string
   * goes. */
  uint32_t mask = m->cap - 1, i = hash_str(s, len) & mask;
  for (; m->keys[i]; i = (i + 1) & mask)
    if (m->lens[i] == len && memcmp(m->keys[i], s, len) == 0)
      return m->keys[i];
  char *copy = sv_arena_strndup(b->cat, s, len);
  if (!copy) {
    b->L->oom = true;
    return NULL;
  }
  m->keys[i] = copy;
  m->lens[i] = (uint32_t)len;
  m->vals[i] = 0;
  m->count++;
  return copy;
}

/* ---- Checks that report -------------------------------------------------- */

static bool in_list(const char *key, const char *const *list) {
  for (; list && *list; list++)
    if (strcmp(key, *list) == 0)
      return true;
  return false;
}

/* Edit distance, capped: enough to suggest the key a typo meant. */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 31 || lb > 31)
    return 99;
  size_t row[32];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      if (up + 1 < best)
        best = up + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static const char *suggest(const char *key, const char *const *a,
                           const char *const *b) {
  const char *best = NULL;
  size_t bd = 3;
  for (int k = 0; k < 2; k++)
    for (const char *const *l = k ? b : a; l && *l; l++) {
      size_t d = distance(key, *l);
      if (d < bd)
        bd = d, best = *l;
    }
  return best;
}

bool sv_check_keys(sv_build *b, const char *file, sv_path *p,
                   const sv_json *obj, const char *const *required,
                   const char *const *optional) {
  if (!obj || obj->type != SV_J_OBJ) {
    sv_diag(b->L, file, sv_path_str(p), "expected an object, found %s",
            sv_json_type_name(obj));
    return false;
  }
  for (uint32_t i = 0; i < obj->n; i++) {
    const char *k = obj->keys[i];
    if (in_list(k, required) || in_list(k, optional))
      continue;
    size_t m = sv_path_key(p, k);
    sv_qbuf q;
    const char *s = suggest(k, required, optional);
    if (s)
      sv_diag(b->L, file, sv_path_str(p), "unknown key %s (did you mean \"%s\"?)",
              sv_quote(&q, k, obj->key_lens[i]), s);
    else
      sv_diag(b->L, file, sv_path_str(p), "unknown key %s",
              sv_quote(&q, k, obj->key_lens[i]));
    sv_path_pop(p, m);
  }
  for (const char *const *r = required; r && *r; r++)
    if (!sv_json_get(obj, *r))
      sv_diag(b->L, file, sv_path_str(p), "missing key \"%s\"", *r);
  return true;
}

static bool blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return false;
  return true;
}

bool sv_read_text(sv_build *b, const char *file, sv_path *p,
                  const sv_json *j, const char *s[SAMVAD_LANG_COUNT],
                  size_t len[SAMVAD_LANG_COUNT]) {
  static const char *const langs[] = {"hi", "en", NULL};
  if (!j || j->type != SV_J_OBJ) {
    sv_diag(b->L, file, sv_path_str(p),
            "expected a text {\"en\": ..., \"hi\": ...}, found %s",
            sv_json_type_name(j));
    return false;
  }
  bool ok = true;
  for (uint32_t i = 0; i < j->n; i++) {
    if (in_list(j->keys[i], langs))
      continue;
    size_t m = sv_path_key(p, j->keys[i]);
    sv_qbuf q;
    sv_diag(b->L, file, sv_path_str(p),
            "unknown key %s (a text has \"en\" and \"hi\")",
            sv_quote(&q, j->keys[i], j->key_lens[i]));
    sv_path_pop(p, m);
    ok = false;
  }
  /* English first: diagnostics read in the order a reviewer checks. */
  for (int k = SAMVAD_LANG_COUNT - 1; k >= 0; k--) {
    const sv_json *t = sv_json_get(j, langs[k]);
    s[k] = NULL;
    len[k] = 0;
    if (!t) {
      sv_diag(b->L, file, sv_path_str(p), "missing translation \"%s\"",
              langs[k]);
      ok = false;
      continue;
    }
    size_t m = sv_path_key(p, langs[k]);
    if (t->type != SV_J_STR) {
      sv_diag(b->L, file, sv_path_str(p), "expected a string, found %s",
              sv_json_type_name(t));
      ok = false;
    } else if (blank(t->s, t->len)) {
      sv_diag(b->L, file, sv_path_str(p), "empty translation");
      ok = false;
    } else {
      s[k] = t->s;
      len[k] = t->len;
    }
    sv_path_pop(p, m);
  }
  return ok;
}

bool sv_plain_text(sv_build *b, const char *file, sv_path *p,
                   const sv_json *j, sv_text *out) {
  const char *s[SAMVAD_LANG_COUNT];
  size_t len[SAMVAD_LANG_COUNT];
  for (int k = 0; k < SAMVAD_LANG_COUNT; k++) {
    out->s[k] = b->empty;
    out->len[k] = 0;
  }
  if (!sv_read_text(b, file, p, j, s, len))
    return false;
  for (int k = 0; k < SAMVAD_LANG_COUNT; k++) {
    const char *x = sv_intern(b, s[k], len[k]);
    if (!x)
      return false;
    out->s[k] = x;
    out->len[k] = (uint32_t)len[k];
  }
  return true;
}

bool sv_valid_name(const char *s, size_t len, size_t max, bool dash) {
  if (len == 0 || len > max)
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == (dash ? '-' : '_')))
      return false;
  }
  return true;
}

const char *sv_fold_intern(sv_build *b, const char *file, sv_path *p,
                           const char *s, size_t len) {
  char *buf = sv_tmp_alloc(b, len + 1);
  if (!buf)
    return NULL;
  long n = sv_fold(s, len, buf, len + 1);
  if (n <= 0) {
    sv_diag(b->L, file, sv_path_str(p),
            n < 0 ? "cannot be folded for matching"
                  : "nothing left after removing spaces and punctuation");
    return NULL;
  }
  return sv_intern(b, buf, (size_t)n);
}

bool sv_read_int(sv_build *b, const char *file, sv_path *p,
                 const sv_json *j, int64_t lo, int64_t hi, int64_t *out) {
  if (!j || j->type != SV_J_INT || j->i < lo || j->i > hi) {
    sv_diag(b->L, file, sv_path_str(p),
            "expected a whole number from %lld to %lld",
            (long long)lo, (long long)hi);
    return false;
  }
  *out = j->i;
  return true;
}
