/* json_tree.c - yajl_tree's values built into an arena (json_tree.h).
 * Each value is placed when it begins, so that its parent can point at it;
 * the members of the containers open are gathered on one stack and copied
 * into the arena, in order, when their container closes. */
#include "json_tree.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

/* A block of the arena. The root is the first value placed in the first
 * block, right after its header: freeing finds the blocks from it. */
typedef struct block {
  struct block *next;
  size_t used, size;
  max_align_t align[]; /* the space */
} block;

typedef struct member {
  const char *key; /* NULL in an array */
  yajl_val value;
} member;

typedef struct open_container {
  yajl_val node;
  size_t first; /* its first member on the stack */
} open_container;

typedef struct builder {
  block *first, *last;
  member *members; /* of every container open, innermost last */
  size_t members_n, members_cap;
  open_container *open;
  size_t open_n, open_cap;
  unsigned max_depth;
  const char *key; /* read, its value not yet */
  yajl_val root;
  int failed;   /* out of memory */
  int too_deep; /* nested beyond max_depth */
} builder;

static block *new_block(size_t at_least) {
  size_t size = at_least < 4096 ? 4096 : at_least;
  block *b = malloc(sizeof *b + size);
  if (b) {
    b->next = NULL;
    b->used = 0;
    b->size = size;
  }
  return b;
}

static void *place(builder *bd, size_t n) {
  n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
  block *b = bd->last;
  if (b->size - b->used < n) {
    block *more = new_block(n > b->size ? n : 2 * b->size);
    if (!more) {
      bd->failed = 1;
      return NULL;
    }
    b->next = more;
    bd->last = b = more;
  }
  void *p = (char *)b->align + b->used;
  b->used += n;
  return p;
}

static char *place_text(builder *bd, const void *s, size_t n) {
  char *t = place(bd, n + 1);
  if (t) {
    memcpy(t, s, n);
    t[n] = '\0';
  }
  return t;
}

static int grow(void **items, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? 2 * *cap : 16;
  while (n < need)
    n *= 2;
  void *p = realloc(*items, n * size);
  if (!p)
    return -1;
  *items = p;
  *cap = n;
  return 0;
}

/* A value begins: placed, and made a member of the container open (or
 * the root). 0 when out of memory, which stops the parse. */
static yajl_val begin_value(builder *bd, yajl_type type) {
  yajl_val v = place(bd, sizeof *v);
  if (!v)
    return NULL;
  memset(v, 0, sizeof *v);
  v->type = type;
  if (bd->open_n == 0) {
    bd->root = v;
    return v;
  }
  if (grow((void **)&bd->members, &bd->members_cap, bd->members_n + 1,
           sizeof *bd->members)) {
    bd->failed = 1;
    return NULL;
  }
  bd->members[bd->members_n++] = (member){bd->key, v};
  bd->key = NULL;
  return v;
}

static int on_null(void *ctx) {
  return begin_value(ctx, yajl_t_null) != NULL;
}

static int on_boolean(void *ctx, int b) {
  return begin_value(ctx, b ? yajl_t_true : yajl_t_false) != NULL;
}

/* yajl's own integer reading (yajl_parse_integer, not exported), so that
 * the integer and its flag are what yajl_tree gives: digits only after
 * one sign, LLONG_MAX or LLONG_MIN and ERANGE past the range. */
static long long parse_integer(const char *s, size_t n, int *range) {
  const char *p = s, *end = s + n;
  long long r = 0;
  long sign = 1;
  if (p < end && *p == '-') {
    p++;
    sign = -1;
  }
  if (p < end && *p == '+')
    p++;
  for (; p < end; p++) {
    /* yajl tests r > LLONG_MAX / 10 + 7 and then overflows r * 10, which
     * wraps to a range error for every r above LLONG_MAX / 10: tested
     * here without the overflow. */
    if (*p < '0' || *p > '9' || r > LLONG_MAX / 10 ||
        LLONG_MAX - r * 10 < (*p - '0')) {
      *range = 1;
      return sign == 1 ? LLONG_MAX : LLONG_MIN;
    }
    r = r * 10 + (*p - '0');
  }
  return sign * r;
}

static int on_number(void *ctx, const char *s, size_t n) {
  builder *bd = ctx;
  yajl_val v = begin_value(bd, yajl_t_number);
  char *text = v ? place_text(bd, s, n) : NULL;
  if (!text)
    return 0;
  v->u.number.r = text;
  int range = 0;
  v->u.number.i = parse_integer(text, n, &range); /* no NUL in a number */
  if (!range)
    v->u.number.flags |= YAJL_NUMBER_INT_VALID;
  char *end = NULL;
  errno = 0;
  v->u.number.d = strtod(text, &end);
  if (errno == 0 && end && *end == '\0')
    v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
  return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t n) {
  builder *bd = ctx;
  yajl_val v = begin_value(bd, yajl_t_string);
  char *text = v ? place_text(bd, s, n) : NULL;
  if (!text)
    return 0;
  v->u.string = text;
  return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t n) {
  builder *bd = ctx;
  bd->key = place_text(bd, s, n);
  return bd->key != NULL;
}

static int open_value(builder *bd, yajl_type type) {
  if (bd->max_depth && bd->open_n >= bd->max_depth) {
    bd->too_deep = 1;
    return 0;
  }
  yajl_val v = begin_value(bd, type);
  if (!v || grow((void **)&bd->open, &bd->open_cap, bd->open_n + 1,
                 sizeof *bd->open)) {
    bd->failed = 1;
    return 0;
  }
  bd->open[bd->open_n++] = (open_container){v, bd->members_n};
  return 1;
}

static int on_start_map(void *ctx) { return open_value(ctx, yajl_t_object); }
static int on_start_array(void *ctx) { return open_value(ctx, yajl_t_array); }

/* The container closes: its members move from the stack into the arena
 * (NULL arrays when it has none, as yajl_tree leaves them). */
static int on_end(void *ctx) {
  builder *bd = ctx;
  open_container c = bd->open[--bd->open_n];
  size_t n = bd->members_n - c.first;
  const member *m = n ? bd->members + c.first : NULL; /* none yet: NULL */
  yajl_val *values = NULL;
  if (n) {
    values = place(bd, n * sizeof *values);
    if (!values)
      return 0;
    for (size_t i = 0; i < n; i++)
      values[i] = m[i].value;
  }
  if (c.node->type == yajl_t_object) {
    const char **keys = NULL;
    if (n) {
      keys = place(bd, n * sizeof *keys);
      if (!keys)
        return 0;
      for (size_t i = 0; i < n; i++)
        keys[i] = m[i].key;
    }
    c.node->u.object.keys = keys;
    c.node->u.object.values = values;
    c.node->u.object.len = n;
  } else {
    c.node->u.array.values = values;
    c.node->u.array.len = n;
  }
  bd->members_n = c.first;
  return 1;
}

static const yajl_callbacks events = {
    on_null,      on_boolean, NULL,   NULL,           on_number, on_string,
    on_start_map, on_key,     on_end, on_start_array, on_end};

static void free_blocks(block *b) {
  while (b) {
    block *next = b->next;
    free(b);
    b = next;
  }
}

static void say(char *err, size_t err_size, const char *text) {
  if (!err || !err_size)
    return;
  size_t n = strcspn(text, "\n");
  if (n >= err_size)
    n = err_size - 1;
  memcpy(err, text, n);
  err[n] = '\0';
}

yajl_val host_json_tree_parse(const char *text, size_t len,
                              unsigned max_depth, char *err,
                              size_t err_size) {
  say(err, err_size, "");
  /* Values and strings take about three times the text; more blocks are
   * added if not. */
  builder bd = {0};
  bd.max_depth = max_depth;
  bd.first = bd.last = new_block(len < SIZE_MAX / 4 ? 3 * len + 256 : len);
  yajl_handle h = bd.first ? yajl_alloc(&events, NULL, &bd) : NULL;
  if (!h) {
    free_blocks(bd.first);
    say(err, err_size, "out of memory");
    return NULL;
  }
  yajl_config(h, yajl_allow_comments, 1); /* as yajl_tree_parse */
  yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse(h);
  if (st != yajl_status_ok || !bd.root) {
    if (bd.failed) {
      say(err, err_size, "out of memory");
    } else if (bd.too_deep) {
      say(err, err_size, "nested too deep");
    } else if (st == yajl_status_ok) {
      say(err, err_size, "no JSON value");
    } else {
      unsigned char *msg =
          yajl_get_error(h, 1, (const unsigned char *)text, len);
      say(err, err_size, msg ? (const char *)msg : "not valid JSON");
      if (msg)
        yajl_free_error(h, msg);
    }
    bd.root = NULL;
    free_blocks(bd.first);
  }
  yajl_free(h);
  free(bd.members);
  free(bd.open);
  return bd.root;
}

void host_json_tree_free(yajl_val root) {
  if (root)
    free_blocks((block *)((char *)root - offsetof(block, align)));
}
