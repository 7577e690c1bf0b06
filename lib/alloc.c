/* alloc.c - the allocator hook (the caller's functions or libc's) and the
 * bump arena that holds everything a catalogue owns, so that freeing a
 * catalogue is one call that cannot leak. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void *libc_malloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}

static void *libc_realloc(void *ctx, void *p, size_t n) {
  (void)ctx;
  return realloc(p, n);
}

static void libc_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

void sv_alloc_init(sv_alloc *out, const samvad_allocator *user) {
  if (user && user->malloc_fn && user->realloc_fn && user->free_fn) {
    out->a = *user;
  } else {
    out->a.malloc_fn = libc_malloc;
    out->a.realloc_fn = libc_realloc;
    out->a.free_fn = libc_free;
    out->a.ctx = NULL;
  }
}

void *sv_malloc(const sv_alloc *al, size_t n) {
  /* malloc(0) may return NULL, which callers would take for failure. */
  return al->a.malloc_fn(al->a.ctx, n ? n : 1);
}

void *sv_realloc(const sv_alloc *al, void *p, size_t n) {
  return al->a.realloc_fn(al->a.ctx, p, n ? n : 1);
}

void sv_free(const sv_alloc *al, void *p) {
  if (p)
    al->a.free_fn(al->a.ctx, p);
}

/* ---- Arena ------------------------------------------------------------ */

#define ARENA_ALIGN 16u          /* enough for any scalar we store */
#define ARENA_BLOCK 16384u       /* usual block size; larger requests get
                                    a block of their own */

struct sv_arena_block {
  sv_arena_block *next;
  size_t size; /* usable bytes after the header */
  size_t used;
  /* data follows, aligned */
};

#define HEADER_SIZE                                                           \
  ((sizeof(sv_arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

void sv_arena_init(sv_arena *arena, const sv_alloc *alloc) {
  arena->alloc = *alloc;
  arena->head = NULL;
  arena->used_total = 0;
}

void *sv_arena_alloc(sv_arena *arena, size_t size) {
  if (size == 0)
    size = 1;
  if (size > SIZE_MAX / 2)
    return NULL;
  size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  sv_arena_block *b = arena->head;
  if (!b || b->size - b->used < size) {
    size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    sv_arena_block *nb = sv_malloc(&arena->alloc, HEADER_SIZE + cap);
    if (!nb)
      return NULL;
    nb->size = cap;
    nb->used = 0;
    if (b && size > ARENA_BLOCK) {
      /* Keep filling the current block: put the big one behind it. */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      arena->head = nb;
    }
    b = nb;
  }
  void *p = (char *)b + HEADER_SIZE + b->used;
  b->used += size;
  arena->used_total += size;
  memset(p, 0, size);
  return p;
}

char *sv_arena_strndup(sv_arena *arena, const char *s, size_t len) {
  if (len == SIZE_MAX)
    return NULL;
  char *p = sv_arena_alloc(arena, len + 1);
  if (!p)
    return NULL;
  if (len)
    memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void sv_arena_free(sv_arena *arena) {
  /* The arena struct itself may live inside one of its blocks (a
   * catalogue does), so read everything needed before freeing. */
  sv_alloc al = arena->alloc;
  sv_arena_block *b = arena->head;
  arena->head = NULL;
  arena->used_total = 0;
  while (b) {
    sv_arena_block *next = b->next;
    sv_free(&al, b);
    b = next;
  }
}
