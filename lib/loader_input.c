/* loader_input.c - compiles the "input" of an ask state: which options each
 * input type takes, their defaults and limits, date bounds ("1950-01-01",
 * "today", "today-60d", "today+1y") and age rules. */
#include "loader.h"

#include <string.h>

/* The options each type takes, besides "type". */
static const char *const *type_options(int type) {
  static const char *const length[] = {"min", "max", NULL};
  static const char *const date[] = {"min",     "max",     "min_age",
                                     "max_age", "age_on", NULL};
  static const char *const pin[] = {"delhi", NULL};
  static const char *const none[] = {NULL};
  switch (type) {
  case SV_IN_TEXT:
  case SV_IN_NAME:
  case SV_IN_INTEGER:
    return length;
  case SV_IN_DATE:
    return date;
  case SV_IN_PIN:
    return pin;
  default:
    return none;
  }
}

static bool listed(const char *k, const char *const *l) {
  for (; *l; l++)
    if (strcmp(k, *l) == 0)
      return true;
  return false;
}

/* "YYYY-MM-DD", "today", "today-60d", "today+1y". */
static bool parse_bound(const sv_json *j, sv_date_bound *out) {
  if (!j || j->type != SV_J_STR)
    return false;
  if (sv_iso_date(j->s, j->len, &out->days)) {
    out->kind = SV_BOUND_ABS;
    return true;
  }
  if (j->len < 5 || memcmp(j->s, "today", 5) != 0)
    return false;
  out->kind = SV_BOUND_TODAY;
  out->days = 0;
  if (j->len == 5)
    return true;
  const char *s = j->s + 5;
  size_t n = j->len - 5;
  if (n < 3 || (s[0] != '+' && s[0] != '-'))
    return false;
  char unit = s[n - 1];
  int32_t v = 0;
  for (size_t i = 1; i + 1 < n; i++) {
    if (s[i] < '0' || s[i] > '9' || i > 5)
      return false;
    v = v * 10 + (s[i] - '0');
  }
  if (unit == 'd' && v <= 100000)
    out->days = s[0] == '-' ? -v : v;
  else if (unit == 'y' && v <= 200) {
    out->kind = SV_BOUND_TODAY_YEARS;
    out->days = s[0] == '-' ? -v : v;
  } else
    return false;
  return true;
}

static void length_bounds(sv_build *b, const char *file, sv_path *p,
                          const sv_json *in, int64_t lo, int64_t hi,
                          int64_t dmin, int64_t dmax, sv_input *out) {
  out->min = dmin;
  out->max = dmax;
  const sv_json *v;
  size_t m;
  if ((v = sv_json_get(in, "min"))) {
    m = sv_path_key(p, "min");
    sv_read_int(b, file, p, v, lo, hi, &out->min);
    sv_path_pop(p, m);
  }
  if ((v = sv_json_get(in, "max"))) {
    m = sv_path_key(p, "max");
    sv_read_int(b, file, p, v, lo, hi, &out->max);
    sv_path_pop(p, m);
  }
  if (out->min > out->max) {
    m = sv_path_key(p, "max");
    sv_diag(b->L, file, sv_path_str(p), "max (%lld) is below min (%lld)",
            (long long)out->max, (long long)out->min);
    sv_path_pop(p, m);
  }
}

static void date_rules(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                       const sv_json *in, const uint64_t *avail,
                       sv_input *out) {
  sv_build *b = sc->b;
  const char *file = ps->file;
  static const char *const bk[2] = {"min", "max"};
  sv_date_bound *bounds[2] = {&out->date_min, &out->date_max};
  size_t m;
  sv_qbuf q;
  for (int k = 0; k < 2; k++) {
    const sv_json *v = sv_json_get(in, bk[k]);
    if (!v)
      continue;
    m = sv_path_key(p, bk[k]);
    if (!parse_bound(v, bounds[k]))
      sv_diag(b->L, file, sv_path_str(p),
              "invalid date bound %s (expected \"YYYY-MM-DD\", \"today\", "
              "\"today-30d\" or \"today+1y\")",
              v->type == SV_J_STR ? sv_quote(&q, v->s, v->len)
                                  : sv_json_type_name(v));
    sv_path_pop(p, m);
  }
  if (out->date_min.kind == SV_BOUND_ABS &&
      out->date_max.kind == SV_BOUND_ABS &&
      out->date_min.days > out->date_max.days) {
    m = sv_path_key(p, "max");
    sv_diag(b->L, file, sv_path_str(p), "max is before min");
    sv_path_pop(p, m);
  }
  static const char *const ak[2] = {"min_age", "max_age"};
  int16_t *ages[2] = {&out->min_age, &out->max_age};
  for (int k = 0; k < 2; k++) {
    const sv_json *v = sv_json_get(in, ak[k]);
    int64_t x;
    if (!v)
      continue;
    m = sv_path_key(p, ak[k]);
    if (sv_read_int(b, file, p, v, 0, 150, &x))
      *ages[k] = (int16_t)x;
    sv_path_pop(p, m);
  }
  if (out->min_age >= 0 && out->max_age >= 0 && out->min_age > out->max_age) {
    m = sv_path_key(p, "max_age");
    sv_diag(b->L, file, sv_path_str(p), "max_age is below min_age");
    sv_path_pop(p, m);
  }
  const sv_json *on = sv_json_get(in, "age_on");
  if (!on)
    return;
  m = sv_path_key(p, "age_on");
  if (out->min_age < 0 && out->max_age < 0)
    sv_diag(b->L, file, sv_path_str(p), "age_on without min_age or max_age");
  if (on->type != SV_J_STR) {
    sv_diag(b->L, file, sv_path_str(p),
            "expected \"today\" or the name of a date variable");
  } else if (strcmp(on->s, "today") != 0) {
    int v = sv_state_var(sc, ps, on->s, on->len);
    if (v < 0) {
      sv_diag(b->L, file, sv_path_str(p), "unknown variable %s%s",
              sv_quote(&q, on->s, on->len),
              v == -2 ? " (a block can only use the variables it saves)" : "");
    } else if (sc->vars[v].type != SV_IN_DATE) {
      sv_diag(b->L, file, sv_path_str(p),
              "variable \"%s\" is not a date (it is saved as %s)",
              sc->vars[v].name, sv_input_type_names[sc->vars[v].type]);
    } else {
      if (avail && !sv_bit_get(avail, (unsigned)v))
        sv_diag(b->L, file, sv_path_str(p),
                "variable \"%s\" is not set by any earlier state",
                sc->vars[v].name);
      out->age_on_var = (int16_t)v;
    }
  }
  sv_path_pop(p, m);
}

void sv_compile_input(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                      const uint64_t *avail, sv_input *out) {
  sv_build *b = sc->b;
  const sv_json *in = sv_json_get(ps->node, "input");
  int type = out->type;
  const char *const *opts = type_options(type);
  size_t m = sv_path_key(p, "input");
  for (uint32_t i = 0; i < in->n; i++) {
    const char *k = in->keys[i];
    if (strcmp(k, "type") == 0 || listed(k, opts))
      continue;
    size_t mk = sv_path_key(p, k);
    sv_qbuf q;
    bool other = listed(k, type_options(SV_IN_DATE)) ||
                 listed(k, type_options(SV_IN_PIN));
    if (other)
      sv_diag(b->L, ps->file, sv_path_str(p),
              "%s is not an option of a \"%s\" input",
              sv_quote(&q, k, in->key_lens[i]), sv_input_type_names[type]);
    else
      sv_diag(b->L, ps->file, sv_path_str(p), "unknown key %s",
              sv_quote(&q, k, in->key_lens[i]));
    sv_path_pop(p, mk);
  }
  switch (type) {
  case SV_IN_TEXT:
    length_bounds(b, ps->file, p, in, 0, 4096, 1, 500, out);
    break;
  case SV_IN_NAME:
    length_bounds(b, ps->file, p, in, 1, 200, 2, 100, out);
    break;
  case SV_IN_INTEGER:
    if (!sv_json_get(in, "min") || !sv_json_get(in, "max"))
      sv_diag(b->L, ps->file, sv_path_str(p),
              "an integer input needs \"min\" and \"max\"");
    length_bounds(b, ps->file, p, in, -1000000000000000LL,
                  1000000000000000LL, 0, 0, out);
    break;
  case SV_IN_DATE:
    date_rules(sc, ps, p, in, avail, out);
    break;
  case SV_IN_PIN: {
    const sv_json *d = sv_json_get(in, "delhi");
    if (d && d->type != SV_J_BOOL) {
      size_t md = sv_path_key(p, "delhi");
      sv_diag(b->L, ps->file, sv_path_str(p), "expected true or false");
      sv_path_pop(p, md);
    } else if (d && d->b) {
      out->flags |= SV_PIN_DELHI;
    }
    break;
  }
  default:
    break;
  }
  sv_path_pop(p, m);
}
