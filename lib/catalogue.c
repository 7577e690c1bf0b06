/* catalogue.c - the compiled catalogue after loading: freeing it in one
 * call, read-only introspection for hosts, the name lookups the engine and
 * session restore use, and the meaning of date bounds. */
#include "internal.h"

#include <string.h>

void samvad_catalogue_destroy(samvad_catalogue *catalogue) {
  if (!catalogue)
    return;
  /* The catalogue lives inside its own arena: free from a copy. */
  sv_arena arena = catalogue->arena;
  sv_arena_free(&arena);
}

size_t samvad_catalogue_service_count(const samvad_catalogue *c) {
  return c ? c->service_count : 0;
}

int64_t samvad_catalogue_retention_seconds(const samvad_catalogue *c) {
  return c ? (int64_t)c->retention_seconds : 30 * 86400;
}

const char *samvad_catalogue_service_id(const samvad_catalogue *c, size_t i) {
  return c && i < c->service_count ? c->services[i].id : NULL;
}

const char *samvad_catalogue_service_title(const samvad_catalogue *c,
                                           size_t i, samvad_lang lang) {
  if (!c || i >= c->service_count || (unsigned)lang >= SAMVAD_LANG_COUNT)
    return NULL;
  return c->services[i].title.s[lang];
}

const char *samvad_catalogue_service_version(const samvad_catalogue *c,
                                             size_t i) {
  return c && i < c->service_count ? c->services[i].version : NULL;
}

static bool same(const char *name, const char *s, size_t len) {
  return strncmp(name, s, len) == 0 && name[len] == '\0';
}

int sv_find_service(const samvad_catalogue *c, const char *id, size_t len) {
  for (uint16_t i = 0; c && id && i < c->service_count; i++)
    if (same(c->services[i].id, id, len))
      return i;
  return -1;
}

int sv_find_state(const sv_service *s, const char *name, size_t len) {
  for (uint16_t i = 0; s && name && i < s->state_count; i++)
    if (same(s->states[i].name, name, len))
      return i;
  return -1;
}

int sv_find_var(const sv_service *s, const char *name, size_t len) {
  for (uint16_t i = 0; s && name && i < s->var_count; i++)
    if (same(s->vars[i].name, name, len))
      return i;
  return -1;
}

int32_t sv_bound_day(const sv_date_bound *b, int32_t today) {
  switch (b->kind) {
  case SV_BOUND_ABS:
    return b->days;
  case SV_BOUND_TODAY:
    return today + b->days;
  case SV_BOUND_TODAY_YEARS: {
    int y;
    unsigned m, d;
    sv_civil_from_days(today, &y, &m, &d);
    y += b->days;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
      d = 28;
    return sv_days_from_civil(y, m, d);
  }
  default:
    return today;
  }
}
