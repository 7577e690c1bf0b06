/* sessions.c - a chained hash table from user id to saved session bytes. */
#include "sessions.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  struct entry *next;
  char *user;
  unsigned char *bytes;
  size_t len;
  uint32_t hash;
} entry;

struct host_sessions {
  const samvad_catalogue *catalogue;
  entry **buckets;
  size_t nbuckets; /* a power of two */
  size_t count;
};

static uint32_t hash_user(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 16777619u;
  }
  return h;
}

host_sessions *host_sessions_create(const samvad_catalogue *catalogue) {
  host_sessions *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->catalogue = catalogue;
  s->nbuckets = 64;
  s->buckets = calloc(s->nbuckets, sizeof *s->buckets);
  if (!s->buckets) {
    free(s);
    return NULL;
  }
  return s;
}

void host_sessions_destroy(host_sessions *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->nbuckets; i++) {
    entry *e = s->buckets[i];
    while (e) {
      entry *next = e->next;
      free(e->user);
      free(e->bytes);
      free(e);
      e = next;
    }
  }
  free(s->buckets);
  free(s);
}

static entry *find(const host_sessions *s, const char *user, uint32_t h) {
  for (entry *e = s->buckets[h & (s->nbuckets - 1)]; e; e = e->next)
    if (e->hash == h && strcmp(e->user, user) == 0)
      return e;
  return NULL;
}

/* Doubles the table when it is three-quarters full; failure to grow only
 * makes chains longer, so it is not an error. */
static void maybe_grow(host_sessions *s) {
  if (s->count * 4 < s->nbuckets * 3)
    return;
  size_t n = s->nbuckets * 2;
  entry **b = calloc(n, sizeof *b);
  if (!b)
    return;
  for (size_t i = 0; i < s->nbuckets; i++) {
    entry *e = s->buckets[i];
    while (e) {
      entry *next = e->next;
      e->next = b[e->hash & (n - 1)];
      b[e->hash & (n - 1)] = e;
      e = next;
    }
  }
  free(s->buckets);
  s->buckets = b;
  s->nbuckets = n;
}

int host_sessions_open(host_sessions *s, const char *user,
                       samvad_session **out, int *restore_err) {
  entry *e = find(s, user, hash_user(user));
  if (restore_err)
    *restore_err = 0;
  *out = NULL;
  if (e) {
    int rc = samvad_session_restore(s->catalogue, NULL, e->bytes, e->len, out);
    if (rc == 0)
      return 0;
    if (rc == SAMVAD_ENOMEM)
      return rc;
    if (restore_err)
      *restore_err = rc;
  }
  return samvad_session_create(s->catalogue, NULL, out);
}

int host_sessions_save(host_sessions *s, const char *user,
                       const samvad_session *session) {
  unsigned char stack[2048];
  unsigned char *buf = stack;
  size_t len = 0;
  int rc = samvad_session_save(session, stack, sizeof stack, &len);
  if (rc == SAMVAD_ENOSPC) {
    if (len == 0 || len > SAMVAD_MAX_SESSION_BYTES)
      return SAMVAD_ELIMIT;
    buf = malloc(len);
    if (!buf)
      return SAMVAD_ENOMEM;
    rc = samvad_session_save(session, buf, len, &len);
  }
  if (rc != 0) {
    if (buf != stack)
      free(buf);
    return rc;
  }
  unsigned char *copy = buf;
  if (buf == stack) {
    copy = malloc(len ? len : 1);
    if (!copy)
      return SAMVAD_ENOMEM;
    memcpy(copy, stack, len);
  }
  uint32_t h = hash_user(user);
  entry *e = find(s, user, h);
  if (!e) {
    e = calloc(1, sizeof *e);
    char *name = strdup(user);
    if (!e || !name) {
      free(e);
      free(name);
      free(copy);
      return SAMVAD_ENOMEM;
    }
    e->user = name;
    e->hash = h;
    e->next = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = e;
    s->count++;
    maybe_grow(s);
  }
  free(e->bytes);
  e->bytes = copy;
  e->len = len;
  return 0;
}

size_t host_sessions_count(const host_sessions *s) { return s->count; }

size_t host_sessions_bytes(const host_sessions *s, const char *user) {
  entry *e = find(s, user, hash_user(user));
  return e ? e->len : 0;
}
