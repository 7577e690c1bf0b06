/* loader_json.c - spec documents as trees: yajl's event parser feeds a
 * small tree builder (so the caller's allocator holds the tree and the
 * nesting depth is bounded), JSON paths for diagnostics, quoting, and the
 * strict ISO dates that specs write. */
#include "loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* ---- Paths ---------------------------------------------------------------- */

void sv_path_init(sv_path *p, const char *start) {
  p->len = 0;
  p->buf[0] = '\0';
  if (start) {
    size_t n = strlen(start);
    if (n >= SV_PATH_MAX)
      n = SV_PATH_MAX - 1;
    memcpy(p->buf, start, n);
    p->buf[n] = '\0';
    p->len = n;
  }
}

static void path_append(sv_path *p, const char *s, size_t n) {
  if (p->len + n >= SV_PATH_MAX) {
    n = SV_PATH_MAX - 1 - p->len;
    /* Never cut inside a UTF-8 character: a diagnostic stays valid text. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      n--;
  }
  memcpy(p->buf + p->len, s, n);
  p->len += n;
  p->buf[p->len] = '\0';
}

/* A key of visible characters (operators such as "==" and "!" included)
 * is written into a path as it is; a key with white space, a control
 * character, or a character that means something in a path or a
 * diagnostic (. : " \ [ ]) is quoted and escaped, so a diagnostic always
 * stays one unambiguous line. */
static bool plain_key(const char *key, size_t len) {
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)key[i];
    if (c < 0x21 || c == 0x7f || c == '.' || c == ':' || c == '"' ||
        c == '\\' || c == '[' || c == ']')
      return false;
  }
  return sv_utf8_valid(key, len);
}

size_t sv_path_key(sv_path *p, const char *key) {
  size_t mark = p->len;
  size_t len = strlen(key);
  if (p->len)
    path_append(p, ".", 1);
  if (plain_key(key, len)) {
    path_append(p, key, len);
  } else {
    sv_qbuf q;
    const char *quoted = sv_quote(&q, key, len);
    path_append(p, quoted, strlen(quoted));
  }
  return mark;
}

size_t sv_path_index(sv_path *p, size_t i) {
  size_t mark = p->len;
  /* By hand: paths are built for every element of every spec. */
  char tmp[32];
  size_t n = sizeof tmp;
  tmp[--n] = ']';
  do {
    tmp[--n] = (char)('0' + i % 10);
    i /= 10;
  } while (i);
  tmp[--n] = '[';
  path_append(p, tmp + n, sizeof tmp - n);
  return mark;
}

void sv_path_pop(sv_path *p, size_t mark) {
  if (mark < p->len) {
    p->len = mark;
    p->buf[mark] = '\0';
  }
}

const char *sv_path_str(const sv_path *p) { return p->len ? p->buf : "$"; }

/* ---- Quoting ---------------------------------------------------------------- */

const char *sv_quote(sv_qbuf *q, const char *s, size_t len) {
  size_t cap = sizeof q->b, o = 0;
  q->b[o++] = '"';
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    size_t n = 0;
    if (c == '"' || c == '\\') {
      esc[0] = '\\', esc[1] = (char)c, n = 2;
    } else if (c == '\n') {
      esc[0] = '\\', esc[1] = 'n', n = 2;
    } else if (c < 0x20 || c == 0x7f) {
      n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", c);
    } else if (c >= 0x80) {
      /* Copy a whole UTF-8 sequence or nothing, so a cut never leaves a
       * broken character in a diagnostic. */
      size_t k = 1;
      while (i + k < len && ((unsigned char)s[i + k] & 0xC0) == 0x80 && k < 4)
        k++;
      if (o + k + 5 > cap)
        goto cut;
      memcpy(q->b + o, s + i, k);
      o += k;
      i += k - 1;
      continue;
    } else {
      esc[0] = (char)c, n = 1;
    }
    if (o + n + 5 > cap)
      goto cut;
    memcpy(q->b + o, esc, n);
    o += n;
  }
  q->b[o++] = '"';
  q->b[o] = '\0';
  return q->b;
cut:
  memcpy(q->b + o, "...\"", 5);
  return q->b;
}

/* ---- Dates ---------------------------------------------------------------- */

bool sv_iso_date(const char *s, size_t len, int32_t *days) {
  if (len != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (size_t i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
          (s[3] - '0');
  unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
  unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
  static const unsigned char dim[12] = {31, 29, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
  if (y < 1800 || m < 1 || m > 12 || d < 1 || d > dim[m - 1])
    return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap)
    return false;
  *days = sv_days_from_civil(y, m, d);
  return true;
}

/* ---- Tree building ---------------------------------------------------------- */

typedef struct frame {
  sv_json *node;
  sv_json **items;
  const char **keys;
  uint32_t *lens;
  uint32_t n, cap;
  size_t mark;          /* path length of the container itself */
  const char *key;      /* objects: the key whose value comes next */
  uint32_t key_len;
} frame;

typedef struct builder {
  sv_arena *arena;
  frame stack[SV_MAX_JSON_DEPTH];
  int depth;
  sv_json *root;
  bool oom;
  const char *err;      /* our own reason to stop, else yajl's */
  sv_path path;
} builder;

static bool grow(builder *bd, frame *f) {
  if (f->n < f->cap)
    return true;
  uint32_t cap = f->cap ? f->cap * 2 : 8;
  sv_json **items = sv_arena_alloc(bd->arena, cap * sizeof *items);
  if (!items)
    return false;
  if (f->n)
    memcpy(items, f->items, f->n * sizeof *items);
  f->items = items;
  if (f->node->type == SV_J_OBJ) {
    const char **keys = sv_arena_alloc(bd->arena, cap * sizeof *keys);
    uint32_t *lens = sv_arena_alloc(bd->arena, cap * sizeof *lens);
    if (!keys || !lens)
      return false;
    if (f->n) {
      memcpy(keys, f->keys, f->n * sizeof *keys);
      memcpy(lens, f->lens, f->n * sizeof *lens);
    }
    f->keys = keys;
    f->lens = lens;
  }
  f->cap = cap;
  return true;
}

/* Creates a node and hangs it under the open container. */
static sv_json *add(builder *bd, uint8_t type) {
  sv_json *j = sv_arena_alloc(bd->arena, sizeof *j);
  if (!j) {
    bd->oom = true;
    return NULL;
  }
  j->type = type;
  if (bd->depth == 0) {
    bd->root = j;
    return j;
  }
  frame *f = &bd->stack[bd->depth - 1];
  if (f->node->type == SV_J_ARR) {
    sv_path_pop(&bd->path, f->mark);
    sv_path_index(&bd->path, f->n);
  }
  if (!grow(bd, f)) {
    bd->oom = true;
    return NULL;
  }
  if (f->node->type == SV_J_OBJ) {
    f->keys[f->n] = f->key;
    f->lens[f->n] = f->key_len;
  }
  f->items[f->n++] = j;
  return j;
}

static int cb_null(void *ctx) { return add(ctx, SV_J_NULL) != NULL; }

static int cb_bool(void *ctx, int v) {
  sv_json *j = add(ctx, SV_J_BOOL);
  if (j)
    j->b = v != 0;
  return j != NULL;
}

static int cb_int(void *ctx, long long v) {
  sv_json *j = add(ctx, SV_J_INT);
  if (j)
    j->i = v;
  return j != NULL;
}

static int cb_double(void *ctx, double v) {
  sv_json *j = add(ctx, SV_J_DOUBLE);
  if (j)
    j->d = v;
  return j != NULL;
}

static const char *copy_str(builder *bd, const unsigned char *s, size_t len) {
  if (memchr(s, 0, len)) {
    bd->err = "a string contains a NUL character";
    return NULL;
  }
  if (len > UINT32_MAX) {
    bd->err = "a string is too long";
    return NULL;
  }
  char *p = sv_arena_strndup(bd->arena, (const char *)s, len);
  if (!p)
    bd->oom = true;
  return p;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len) {
  builder *bd = ctx;
  sv_json *j = add(bd, SV_J_STR);
  if (!j)
    return 0;
  j->s = copy_str(bd, s, len);
  j->len = (uint32_t)len;
  return j->s != NULL;
}

static int open_container(builder *bd, uint8_t type) {
  sv_json *j = add(bd, type);
  if (!j)
    return 0;
  if (bd->depth == SV_MAX_JSON_DEPTH) {
    bd->err = "nested more than 64 levels deep";
    return 0;
  }
  frame *f = &bd->stack[bd->depth++];
  memset(f, 0, sizeof *f);
  f->node = j;
  f->mark = bd->path.len;
  return 1;
}

static int cb_start_map(void *ctx) { return open_container(ctx, SV_J_OBJ); }
static int cb_start_array(void *ctx) { return open_container(ctx, SV_J_ARR); }

static int cb_key(void *ctx, const unsigned char *s, size_t len) {
  builder *bd = ctx;
  frame *f = &bd->stack[bd->depth - 1];
  sv_path_pop(&bd->path, f->mark);
  const char *k = copy_str(bd, s, len);
  if (!k)
    return 0;
  sv_path_key(&bd->path, k);
  f->key = k;
  f->key_len = (uint32_t)len;
  return 1;
}

static int close_container(void *ctx) {
  builder *bd = ctx;
  frame *f = &bd->stack[--bd->depth];
  f->node->items = f->items;
  f->node->keys = f->keys;
  f->node->key_lens = f->lens;
  f->node->n = f->n;
  sv_path_pop(&bd->path, f->mark);
  return 1;
}

static const yajl_callbacks callbacks = {
    cb_null,  cb_bool,      cb_int,          cb_double,
    NULL,     cb_string,    cb_start_map,    cb_key,
    close_container, cb_start_array, close_container};

/* Line and column (in characters) of byte offset off. */
static void line_col(const char *text, size_t off, size_t *line,
                     size_t *col) {
  size_t l = 1, start = 0;
  for (size_t i = 0; i < off; i++)
    if (text[i] == '\n')
      l++, start = i + 1;
  size_t c = 1;
  for (size_t i = start; i < off; i++)
    if (((unsigned char)text[i] & 0xC0) != 0x80)
      c++;
  *line = l;
  *col = c;
}

/* yajl's message without its "parse error: " / trailing newline. */
static void yajl_reason(yajl_handle h, const char *text, size_t len,
                        char *out, size_t cap) {
  unsigned char *e =
      yajl_get_error(h, 0, (const unsigned char *)text, len);
  const char *m = e ? (const char *)e : "syntax error";
  const char *colon = strstr(m, "error: ");
  if (colon)
    m = colon + 7;
  size_t n = strcspn(m, "\n");
  while (n && (m[n - 1] == '.' || m[n - 1] == ' '))
    n--;
  snprintf(out, cap, "%.*s", (int)n, m);
  if (e)
    yajl_free_error(h, e);
}

int sv_json_parse(sv_arena *arena, const char *text, size_t len,
                  sv_json **out, char *msg, size_t msgcap, char *path,
                  size_t pathcap) {
  builder bd;
  memset(&bd, 0, sizeof bd);
  bd.arena = arena;
  *out = NULL;
  msg[0] = '\0';
  path[0] = '\0';
  size_t skip = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
    skip = 3; /* editors on some systems start files with a BOM */
  /* yajl's own buffers come from libc: yajl cannot survive a failed
   * allocation inside itself, so the caller's allocator (which tests make
   * fail on purpose) only holds what we build. */
  yajl_handle h = yajl_alloc(&callbacks, NULL, &bd);
  if (!h)
    return SAMVAD_ENOMEM;
  /* Checking the whole text first (mostly ASCII, eight bytes at a time)
   * is cheaper than yajl checking every string; yajl, which is no stricter
   * than this check, still checks a text that fails it, and so reports
   * where. */
  if (sv_utf8_valid(text + skip, len - skip))
    yajl_config(h, yajl_dont_validate_strings, 1);
  yajl_status st =
      yajl_parse(h, (const unsigned char *)text + skip, len - skip);
  bool at_end = false; /* the text ended too soon */
  if (st == yajl_status_ok) {
    st = yajl_complete_parse(h);
    at_end = true;
  }
  int rc = 0;
  if (bd.oom) {
    rc = SAMVAD_ENOMEM;
  } else if (st != yajl_status_ok) {
    size_t off = at_end ? len : skip + yajl_get_bytes_consumed(h);
    if (off > len)
      off = len;
    size_t line, col;
    line_col(text, off, &line, &col);
    char reason[160];
    if (bd.err)
      snprintf(reason, sizeof reason, "%s", bd.err);
    else
      yajl_reason(h, text + skip, len - skip, reason, sizeof reason);
    snprintf(msg, msgcap, "invalid JSON at line %zu, column %zu: %s", line,
             col, reason);
    snprintf(path, pathcap, "%s", sv_path_str(&bd.path));
    rc = SAMVAD_ESPEC;
  } else {
    *out = bd.root;
  }
  yajl_free(h);
  return rc;
}

const sv_json *sv_json_get(const sv_json *obj, const char *key) {
  if (!obj || obj->type != SV_J_OBJ)
    return NULL;
  for (uint32_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

const char *sv_json_type_name(const sv_json *j) {
  static const char *const names[] = {"null",   "boolean", "integer",
                                      "number", "string",  "array",
                                      "object"};
  return j && j->type <= SV_J_OBJ ? names[j->type] : "nothing";
}

/* ---- Duplicate keys ----------------------------------------------------------
 * yajl accepts {"a": 1, "a": 2}; a spec must not, or the second silently
 * wins. Sorting the keys keeps this fast on very large objects. */

typedef struct keyref {
  const char *k;
  uint32_t len, idx;
} keyref;

static int keyref_cmp(const void *a, const void *b) {
  const keyref *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->k, y->k, n);
  if (c)
    return c;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Whether any object in j has a key twice. Most objects have a few keys:
 * comparing each pair is cheaper than sorting; large ones are sorted. */
static bool has_dups(sv_arena *scratch, const sv_json *j, bool *oom) {
  if (j->type == SV_J_ARR) {
    for (uint32_t i = 0; i < j->n; i++)
      if (has_dups(scratch, j->items[i], oom))
        return true;
    return false;
  }
  if (j->type != SV_J_OBJ)
    return false;
  if (j->n > 1 && j->n <= 16) {
    for (uint32_t i = 1; i < j->n; i++)
      for (uint32_t k = 0; k < i; k++)
        if (j->key_lens[i] == j->key_lens[k] &&
            memcmp(j->keys[i], j->keys[k], j->key_lens[i]) == 0)
          return true;
  } else if (j->n > 16) {
    keyref *refs = sv_arena_alloc(scratch, j->n * sizeof *refs);
    if (!refs) {
      *oom = true;
      return true;
    }
    for (uint32_t i = 0; i < j->n; i++)
      refs[i] = (keyref){j->keys[i], j->key_lens[i], i};
    qsort(refs, j->n, sizeof *refs, keyref_cmp);
    for (uint32_t i = 1; i < j->n; i++)
      if (refs[i].len == refs[i - 1].len &&
          memcmp(refs[i].k, refs[i - 1].k, refs[i].len) == 0)
        return true;
  }
  for (uint32_t i = 0; i < j->n; i++)
    if (has_dups(scratch, j->items[i], oom))
      return true;
  return false;
}

static bool report_dups(samvad_loader *L, sv_arena *scratch, const char *file,
                        const sv_json *j, sv_path *p);

bool sv_json_check_dups(samvad_loader *L, sv_arena *scratch, const char *file,
                        const sv_json *j, sv_path *p) {
  /* The usual case, no duplicates, is found without building paths;
   * only a document with one is walked again to say where. */
  bool oom = false;
  if (!has_dups(scratch, j, &oom))
    return true;
  if (oom) {
    L->oom = true;
    return false;
  }
  return report_dups(L, scratch, file, j, p);
}

static bool report_dups(samvad_loader *L, sv_arena *scratch, const char *file,
                        const sv_json *j, sv_path *p) {
  bool ok = true;
  if (j->type == SV_J_ARR) {
    for (uint32_t i = 0; i < j->n; i++) {
      size_t m = sv_path_index(p, i);
      ok &= report_dups(L, scratch, file, j->items[i], p);
      sv_path_pop(p, m);
    }
    return ok;
  }
  if (j->type != SV_J_OBJ)
    return true;
  if (j->n > 1) {
    keyref *refs = sv_arena_alloc(scratch, j->n * sizeof *refs);
    if (!refs) {
      L->oom = true;
      return false;
    }
    for (uint32_t i = 0; i < j->n; i++)
      refs[i] = (keyref){j->keys[i], j->key_lens[i], i};
    qsort(refs, j->n, sizeof *refs, keyref_cmp);
    for (uint32_t i = 1; i < j->n; i++) {
      if (refs[i].len == refs[i - 1].len &&
          memcmp(refs[i].k, refs[i - 1].k, refs[i].len) == 0) {
        size_t m = sv_path_key(p, refs[i].k);
        sv_qbuf q;
        sv_diag(L, file, sv_path_str(p), "duplicate key %s",
                sv_quote(&q, refs[i].k, refs[i].len));
        sv_path_pop(p, m);
        ok = false;
      }
    }
  }
  for (uint32_t i = 0; i < j->n; i++) {
    size_t m = sv_path_key(p, j->keys[i]);
    ok &= report_dups(L, scratch, file, j->items[i], p);
    sv_path_pop(p, m);
  }
  return ok;
}
