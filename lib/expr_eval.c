/* expr_eval.c - evaluating the conditions that expr.c compiled against a
 * session's answers, on the engine's path for every transition. Evaluation
 * never fails: an unset answer or a type mismatch makes a comparison
 * false. */
#include "internal.h"

#include <string.h>

enum { V_NONE = 0, V_BOOL, V_NUM, V_DATE, V_STR };

typedef struct val {
  uint8_t k;
  bool date_ok; /* V_STR holding an ISO date: i is its day */
  int64_t i;
  const char *s;
  uint32_t len;
} val;

/* One evaluation: the catalogue, service, answers and day, passed down
 * the tree as one pointer. */
typedef struct ectx {
  const sv_expr *exprs;
  const uint32_t *args;
  const sv_service *svc;
  const struct samvad_session *s;
  int32_t today;
} ectx;

static void var_value(const ectx *x, uint16_t var, val *r) {
  const sv_service *svc = x->svc;
  const struct samvad_session *s = x->s;
  r->k = V_NONE;
  if (!s || !s->values || var >= svc->var_count || var >= s->values_cap)
    return;
  const sv_value *v = &s->values[var];
  const sv_var *sv = &svc->vars[var];
  switch (v->kind) {
  case SV_VAL_OPTION: {
    if (sv->state >= svc->state_count)
      return;
    const sv_state *st = &svc->states[sv->state];
    if (v->i < 0 || v->i >= st->option_count)
      return;
    r->k = V_STR;
    r->date_ok = false;
    r->s = st->options[v->i].id;
    r->len = (uint32_t)strlen(r->s);
    return;
  }
  case SV_VAL_INT:
    r->k = sv->type == SV_IN_YESNO ? V_BOOL : V_NUM;
    r->i = sv->type == SV_IN_YESNO ? v->i != 0 : v->i;
    return;
  case SV_VAL_DATE:
    r->k = V_DATE;
    r->i = v->i;
    return;
  case SV_VAL_STR:
    r->k = V_STR;
    r->date_ok = false;
    r->s = v->s ? v->s : "";
    r->len = v->s ? v->len : 0;
    return;
  default:
    return;
  }
}

static bool truthy(const val *v) {
  switch (v->k) {
  case V_BOOL:
  case V_NUM:
    return v->i != 0;
  case V_DATE:
    return true;
  case V_STR:
    return v->len > 0;
  default:
    return false;
  }
}

/* -1, 0, 1, or 2 when the two cannot be compared. */
static int cmp(const val *a, const val *b) {
  if (a->k == V_NONE || b->k == V_NONE)
    return 2;
  int64_t x, y;
  if (a->k == V_STR && b->k == V_STR) {
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c == 0 && a->len != b->len)
      c = a->len < b->len ? -1 : 1;
    return c < 0 ? -1 : c > 0;
  }
  bool ad = a->k == V_DATE || (a->k == V_STR && a->date_ok);
  bool bd = b->k == V_DATE || (b->k == V_STR && b->date_ok);
  if ((a->k == V_DATE || b->k == V_DATE) && ad && bd) {
    x = a->i, y = b->i;
  } else if (a->k == b->k && (a->k == V_NUM || a->k == V_BOOL)) {
    x = a->i, y = b->i;
  } else {
    return 2;
  }
  return x < y ? -1 : x > y;
}

/* SV_OP_OPT_IN and SV_OP_OPT_NOT_IN: false while the variable has no
 * option, as any comparison with an unset answer. */
static bool opt_test(const ectx *x, const sv_expr *e) {
  const sv_service *svc = x->svc;
  const struct samvad_session *s = x->s;
  if (!s || !s->values || e->var >= svc->var_count || e->var >= s->values_cap)
    return false;
  const sv_value *v = &s->values[e->var];
  uint16_t st = svc->vars[e->var].state;
  if (v->kind != SV_VAL_OPTION || st >= svc->state_count || v->i < 0 ||
      v->i >= svc->states[st].option_count)
    return false;
  bool in = v->i < 64 && ((uint64_t)e->num >> v->i & 1);
  return e->op == SV_OP_OPT_IN ? in : !in;
}

static bool test(const ectx *x, uint32_t idx);

/* The value of node idx. Conditions are computed by test() (the value
 * of a condition is whether it holds), operands here. */
static void value(const ectx *x, uint32_t idx, val *r) {
  const sv_expr *e = &x->exprs[idx];
  const uint32_t *a = x->args + e->args;
  switch (e->op) {
  case SV_OP_CONST_NUM:
    r->k = V_NUM;
    r->i = e->num;
    return;
  case SV_OP_CONST_BOOL:
    r->k = V_BOOL;
    r->i = e->num != 0;
    return;
  case SV_OP_CONST_STR:
    r->k = V_STR;
    r->s = e->str;
    r->len = (uint32_t)strlen(e->str);
    r->date_ok = e->var == SV_CONST_IS_DATE;
    r->i = e->num;
    return;
  case SV_OP_VAR:
    var_value(x, e->var, r);
    return;
  case SV_OP_TODAY:
    r->k = V_DATE;
    r->i = x->today;
    return;
  case SV_OP_AGE:
  case SV_OP_DAYS: {
    r->k = V_NONE;
    if (e->nargs != 2)
      return;
    val p, q;
    value(x, a[0], &p);
    value(x, a[1], &q);
    bool pd = p.k == V_DATE || (p.k == V_STR && p.date_ok);
    bool qd = q.k == V_DATE || (q.k == V_STR && q.date_ok);
    if (!pd || !qd)
      return; /* unset or not dates: comparisons with it are false */
    r->k = V_NUM;
    r->i = e->op == SV_OP_AGE
               ? sv_years_between((int32_t)p.i, (int32_t)q.i)
               : q.i - p.i;
    return;
  }
  default:
    r->k = V_BOOL;
    r->i = test(x, idx);
    return;
  }
}

static bool test(const ectx *x, uint32_t idx) {
  const sv_expr *e = &x->exprs[idx];
  const uint32_t *a = x->args + e->args;
  switch (e->op) {
  case SV_OP_OPT_IN:
  case SV_OP_OPT_NOT_IN:
    return opt_test(x, e);
  case SV_OP_SET: {
    val v;
    var_value(x, e->var, &v);
    return v.k != V_NONE;
  }
  case SV_OP_AND:
    for (uint8_t k = 0; k < e->nargs; k++)
      if (!test(x, a[k]))
        return false;
    return true;
  case SV_OP_OR:
    for (uint8_t k = 0; k < e->nargs; k++)
      if (test(x, a[k]))
        return true;
    return false;
  case SV_OP_NOT:
    return e->nargs == 1 && !test(x, a[0]);
  case SV_OP_IN: {
    if (e->nargs < 1)
      return false;
    val v, w;
    value(x, a[0], &v);
    for (uint8_t k = 1; k < e->nargs; k++) {
      value(x, a[k], &w);
      if (cmp(&v, &w) == 0)
        return true;
    }
    return false;
  }
  case SV_OP_EQ:
  case SV_OP_NE:
  case SV_OP_LT:
  case SV_OP_LE:
  case SV_OP_GT:
  case SV_OP_GE: {
    if (e->nargs != 2)
      return false;
    val v, w;
    value(x, a[0], &v);
    value(x, a[1], &w);
    int d = cmp(&v, &w);
    if (d == 2)
      return false; /* unset or mismatched: false, whatever the operator */
    switch (e->op) {
    case SV_OP_EQ: return d == 0;
    case SV_OP_NE: return d != 0;
    case SV_OP_LT: return d < 0;
    case SV_OP_LE: return d <= 0;
    case SV_OP_GT: return d > 0;
    default: return d >= 0;
    }
  }
  case SV_OP_CONST_NUM:
  case SV_OP_CONST_BOOL:
  case SV_OP_CONST_STR:
  case SV_OP_VAR:
  case SV_OP_TODAY:
  case SV_OP_AGE:
  case SV_OP_DAYS: {
    val v;
    value(x, idx, &v);
    return truthy(&v);
  }
  default:
    return false;
  }
}

bool sv_expr_eval(const samvad_catalogue *c, const sv_service *svc,
                  int32_t cond, const struct samvad_session *s,
                  int32_t today) {
  if (cond < 0)
    return true;
  if (!c || !c->exprs || !svc)
    return false;
  ectx x = {c->exprs, c->expr_args, svc, s, today};
  return test(&x, (uint32_t)cond);
}
