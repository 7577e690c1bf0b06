/* expr.c - conditions: a subset of JSON Logic compiled at load time into a
 * flat node array (with its operands type-checked against the variables,
 * so a misspelt option id fails the load), and evaluated against a
 * session's answers. Evaluation never fails: an unset answer or a type
 * mismatch makes a comparison false. */
#include "loader.h"

#include <stdio.h>
#include <string.h>

/* A string constant that is an ISO date also holds the day in num; the
 * var field (unused by constants) marks it. */
#define CONST_IS_DATE 1

/* ---- Compilation ------------------------------------------------------------ */

enum { T_ANY = 0, T_BOOL, T_NUM, T_DATE, T_STR, T_OPT };
static const char *const type_names[] = {"a value", "a yes/no answer",
                                         "a number", "a date", "a string",
                                         "a choice"};

typedef struct cinfo {
  int type;
  int var;           /* T_OPT: the variable */
  bool literal;      /* a constant */
  bool date_literal; /* a string constant that is a date */
  const char *s;     /* string constant */
  uint32_t len;
} cinfo;

static int32_t compile(const sv_scope *sc, const sv_json *j, int depth,
                       cinfo *ci);

static int32_t push(const sv_scope *sc, sv_expr e, const int32_t *args,
                    size_t nargs) {
  sv_build *b = sc->b;
  e.nargs = (uint8_t)nargs;
  e.args = (uint32_t)b->arg_count;
  for (size_t k = 0; k < nargs; k++) {
    if (!sv_tmp_grow(b, (void **)&b->args, &b->arg_cap, b->arg_count,
                     sizeof *b->args))
      return -1;
    b->args[b->arg_count++] = (uint32_t)args[k];
  }
  if (!sv_tmp_grow(b, (void **)&b->exprs, &b->expr_cap, b->expr_count,
                   sizeof *b->exprs))
    return -1;
  b->exprs[b->expr_count] = e;
  return (int32_t)b->expr_count++;
}

static void err(const sv_scope *sc, const char *fmt, ...) SV_PRINTF(2, 3);
static void err(const sv_scope *sc, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  sv_diag(sc->b->L, sc->file, sv_path_str(sc->path), "%s", msg);
}

static int var_type(const sv_var *v) {
  if (v->type >= SV_IN__COUNT)
    return T_ANY; /* its input type is wrong: reported already */
  switch (v->type) {
  case SV_IN_CHOICE:
    return T_OPT;
  case SV_IN_YESNO:
    return T_BOOL;
  case SV_IN_DATE:
    return T_DATE;
  case SV_IN_INTEGER:
  case SV_IN_AADHAAR:
  case SV_IN_MOBILE:
  case SV_IN_PIN:
    return T_NUM;
  default:
    return T_STR;
  }
}

/* {"var": "name"} and {"set": "name"}: the variable, checked. */
static int var_ref(const sv_scope *sc, const sv_json *a) {
  if (a && a->type == SV_J_ARR && a->n == 1)
    a = a->items[0];
  if (!a || a->type != SV_J_STR) {
    err(sc, "expected a variable name");
    return -1;
  }
  int v = sc->lookup(sc, a->s, a->len);
  sv_qbuf q;
  if (v < 0) {
    err(sc, "unknown variable %s%s", sv_quote(&q, a->s, a->len),
        v == -2 ? " (a block can only use the variables it saves)" : "");
    return -1;
  }
  if (sc->avail && !sv_bit_get(sc->avail, (unsigned)v))
    err(sc, "variable \"%s\" is not set by any earlier state",
        sc->vars[v].name);
  return v;
}

static bool dateish(const cinfo *c) {
  return c->type == T_DATE || c->date_literal;
}

/* Can x be compared for equality with y? Reports why not. */
static bool comparable(const sv_scope *sc, const cinfo *x, const cinfo *y) {
  if (x->type == T_ANY || y->type == T_ANY)
    return true;
  if (y->type == T_OPT && x->type != T_OPT) {
    const cinfo *t = x;
    x = y;
    y = t;
  }
  sv_qbuf q;
  if (x->type == T_OPT && y->literal) {
    if (y->type != T_STR) {
      err(sc, "variable \"%s\" holds an option id: compare it with a string",
          sc->vars[x->var].name);
      return false;
    }
    const char *const *ids = sc->option_ids[x->var];
    for (uint16_t k = 0; ids && k < sc->option_counts[x->var]; k++)
      if (ids[k] && strlen(ids[k]) == y->len && memcmp(ids[k], y->s, y->len) == 0)
        return true;
    err(sc, "%s is not an option of variable \"%s\"",
        sv_quote(&q, y->s, y->len), sc->vars[x->var].name);
    return false;
  }
  if (x->type == T_OPT && y->type == T_OPT)
    return true;
  if (dateish(x) && dateish(y))
    return true;
  if (x->type == T_DATE || y->type == T_DATE) {
    const cinfo *o = x->type == T_DATE ? y : x;
    if (o->type == T_STR && o->literal)
      err(sc, "%s is not a date (YYYY-MM-DD)", sv_quote(&q, o->s, o->len));
    else
      err(sc, "cannot compare a date with %s", type_names[o->type]);
    return false;
  }
  if (x->type == y->type || (x->type == T_OPT && y->type == T_STR) ||
      (x->type == T_STR && y->type == T_OPT))
    return true;
  err(sc, "cannot compare %s with %s", type_names[x->type],
      type_names[y->type]);
  return false;
}

static bool orderable(const sv_scope *sc, const cinfo *x, const cinfo *y) {
  if ((x->type == T_ANY || x->type == T_NUM) &&
      (y->type == T_ANY || y->type == T_NUM))
    return true;
  if ((x->type == T_ANY || dateish(x)) && (y->type == T_ANY || dateish(y)))
    return true;
  err(sc, "cannot order %s and %s (numbers and dates only)",
      type_names[x->type], type_names[y->type]);
  return false;
}

typedef struct opdef {
  const char *name;
  uint8_t op;
} opdef;

static const opdef ops[] = {
    {"var", SV_OP_VAR},   {"set", SV_OP_SET},   {"today", SV_OP_TODAY},
    {"and", SV_OP_AND},   {"or", SV_OP_OR},     {"!", SV_OP_NOT},
    {"==", SV_OP_EQ},     {"!=", SV_OP_NE},     {"<", SV_OP_LT},
    {"<=", SV_OP_LE},     {">", SV_OP_GT},      {">=", SV_OP_GE},
    {"in", SV_OP_IN},     {"age", SV_OP_AGE},   {"days", SV_OP_DAYS},
};

static int32_t compile_op(const sv_scope *sc, const sv_json *j, int depth,
                          cinfo *ci) {
  sv_qbuf q;
  if (j->n != 1) {
    err(sc, "a condition is an object with exactly one operator");
    return -1;
  }
  const char *name = j->keys[0];
  const sv_json *a = j->items[0];
  const opdef *od = NULL;
  for (size_t k = 0; k < sizeof ops / sizeof ops[0] && !od; k++)
    if (strcmp(ops[k].name, name) == 0)
      od = &ops[k];
  if (!od) {
    err(sc, "unknown operator %s", sv_quote(&q, name, j->key_lens[0]));
    return -1;
  }
  size_t mark = sv_path_key(sc->path, name);
  int32_t r = -1;
  sv_expr e = {.op = od->op};
  int32_t args[SV_MAX_IN_LIST + 1];
  cinfo ai[SV_MAX_IN_LIST + 1];
  memset(ai, 0, sizeof ai);
  switch (od->op) {
  case SV_OP_VAR:
  case SV_OP_SET: {
    int v = var_ref(sc, a);
    if (v < 0)
      break;
    e.var = (uint16_t)v;
    r = push(sc, e, NULL, 0);
    if (od->op == SV_OP_VAR) {
      ci->type = var_type(&sc->vars[v]);
      ci->var = v;
    } else {
      ci->type = T_BOOL;
    }
    break;
  }
  case SV_OP_TODAY:
    if (!(a->type == SV_J_NULL || (a->type == SV_J_ARR && a->n == 0))) {
      err(sc, "\"today\" takes no arguments: {\"today\": []}");
      break;
    }
    r = push(sc, e, NULL, 0);
    ci->type = T_DATE;
    break;
  case SV_OP_NOT: {
    const sv_json *x = a;
    size_t m = sc->path->len;
    if (a->type == SV_J_ARR) {
      if (a->n != 1) {
        err(sc, "\"!\" takes one argument");
        break;
      }
      m = sv_path_index(sc->path, 0);
      x = a->items[0];
    }
    args[0] = compile(sc, x, depth + 1, &ai[0]);
    sv_path_pop(sc->path, m);
    if (args[0] >= 0)
      r = push(sc, e, args, 1);
    ci->type = T_BOOL;
    break;
  }
  case SV_OP_AND:
  case SV_OP_OR: {
    if (a->type != SV_J_ARR || a->n == 0 || a->n > SV_MAX_IN_LIST) {
      err(sc, "expected an array of 1 to %d conditions", SV_MAX_IN_LIST);
      break;
    }
    bool ok = true;
    for (uint32_t k = 0; k < a->n; k++) {
      size_t m = sv_path_index(sc->path, k);
      args[k] = compile(sc, a->items[k], depth + 1, &ai[k]);
      ok &= args[k] >= 0;
      sv_path_pop(sc->path, m);
    }
    if (ok)
      r = push(sc, e, args, a->n);
    ci->type = T_BOOL;
    break;
  }
  case SV_OP_IN: {
    if (a->type != SV_J_ARR || a->n != 2 || a->items[1]->type != SV_J_ARR ||
        a->items[1]->n == 0 || a->items[1]->n > SV_MAX_IN_LIST) {
      err(sc, "expected [value, [1 to %d constants]]", SV_MAX_IN_LIST);
      break;
    }
    size_t m = sv_path_index(sc->path, 0);
    args[0] = compile(sc, a->items[0], depth + 1, &ai[0]);
    sv_path_pop(sc->path, m);
    bool ok = args[0] >= 0;
    const sv_json *list = a->items[1];
    m = sv_path_index(sc->path, 1);
    for (uint32_t k = 0; k < list->n; k++) {
      size_t mk = sv_path_index(sc->path, k);
      const sv_json *x = list->items[k];
      if (x->type != SV_J_STR && x->type != SV_J_INT && x->type != SV_J_BOOL) {
        err(sc, "expected a constant (string, whole number or boolean)");
        ok = false;
      } else {
        args[k + 1] = compile(sc, x, depth + 1, &ai[k + 1]);
        bool good = args[k + 1] >= 0;
        if (good && args[0] >= 0)
          good = comparable(sc, &ai[0], &ai[k + 1]);
        ok &= good;
      }
      sv_path_pop(sc->path, mk);
    }
    sv_path_pop(sc->path, m);
    if (ok)
      r = push(sc, e, args, list->n + 1);
    ci->type = T_BOOL;
    break;
  }
  default: { /* two operands: comparisons, age, days */
    if (a->type != SV_J_ARR || a->n != 2) {
      err(sc, "expected an array of two operands");
      break;
    }
    bool ok = true;
    for (uint32_t k = 0; k < 2; k++) {
      size_t m = sv_path_index(sc->path, k);
      args[k] = compile(sc, a->items[k], depth + 1, &ai[k]);
      ok &= args[k] >= 0;
      sv_path_pop(sc->path, m);
    }
    if (!ok)
      break;
    if (od->op == SV_OP_EQ || od->op == SV_OP_NE) {
      ok = comparable(sc, &ai[0], &ai[1]);
      ci->type = T_BOOL;
    } else if (od->op == SV_OP_AGE || od->op == SV_OP_DAYS) {
      for (int k = 0; k < 2 && ok; k++)
        if (ai[k].type != T_ANY && !dateish(&ai[k])) {
          err(sc, "\"%s\" takes two dates", name);
          ok = false;
        }
      ci->type = T_NUM;
    } else {
      ok = orderable(sc, &ai[0], &ai[1]);
      ci->type = T_BOOL;
    }
    if (ok)
      r = push(sc, e, args, 2);
  }
  }
  sv_path_pop(sc->path, mark);
  return r;
}

static int32_t compile(const sv_scope *sc, const sv_json *j, int depth,
                       cinfo *ci) {
  memset(ci, 0, sizeof *ci);
  if (depth > SAMVAD_MAX_EXPR_DEPTH) {
    err(sc, "condition nested deeper than %d levels", SAMVAD_MAX_EXPR_DEPTH);
    return -1;
  }
  sv_expr e;
  memset(&e, 0, sizeof e);
  ci->literal = true;
  switch (j->type) {
  case SV_J_BOOL:
    e.op = SV_OP_CONST_BOOL;
    e.num = j->b;
    ci->type = T_BOOL;
    return push(sc, e, NULL, 0);
  case SV_J_INT:
    e.op = SV_OP_CONST_NUM;
    e.num = j->i;
    ci->type = T_NUM;
    return push(sc, e, NULL, 0);
  case SV_J_STR: {
    e.op = SV_OP_CONST_STR;
    e.str = sv_intern(sc->b, j->s, j->len);
    if (!e.str)
      return -1;
    int32_t days;
    if (sv_iso_date(j->s, j->len, &days)) {
      e.var = CONST_IS_DATE;
      e.num = days;
      ci->date_literal = true;
    }
    ci->type = T_STR;
    ci->s = j->s;
    ci->len = j->len;
    return push(sc, e, NULL, 0);
  }
  case SV_J_OBJ:
    ci->literal = false;
    return compile_op(sc, j, depth, ci);
  case SV_J_DOUBLE:
    err(sc, "only whole numbers are allowed in conditions");
    return -1;
  default:
    err(sc, "expected a condition or a value, found %s",
        sv_json_type_name(j));
    return -1;
  }
}

int32_t sv_expr_compile(const sv_scope *sc, const sv_json *j) {
  cinfo ci;
  if (j->type != SV_J_OBJ) {
    err(sc, "expected a condition (an object such as {\"==\": [...]}), "
            "found %s",
        sv_json_type_name(j));
    return -1;
  }
  return compile(sc, j, 1, &ci);
}

/* ---- Evaluation ----------------------------------------------------------------- */

enum { V_NONE = 0, V_BOOL, V_NUM, V_DATE, V_STR };

typedef struct val {
  uint8_t k;
  bool date_ok; /* V_STR holding an ISO date: i is its day */
  int64_t i;
  const char *s;
  uint32_t len;
} val;

static val var_value(const sv_service *svc, uint16_t var,
                     const struct samvad_session *s) {
  val r = {0};
  if (!s || !s->values || var >= svc->var_count || var >= s->values_cap)
    return r;
  const sv_value *v = &s->values[var];
  const sv_var *sv = &svc->vars[var];
  switch (v->kind) {
  case SV_VAL_OPTION: {
    if (sv->state >= svc->state_count)
      return r;
    const sv_state *st = &svc->states[sv->state];
    if (v->i < 0 || v->i >= st->option_count)
      return r;
    r.k = V_STR;
    r.s = st->options[v->i].id;
    r.len = (uint32_t)strlen(r.s);
    return r;
  }
  case SV_VAL_INT:
    r.k = sv->type == SV_IN_YESNO ? V_BOOL : V_NUM;
    r.i = sv->type == SV_IN_YESNO ? v->i != 0 : v->i;
    return r;
  case SV_VAL_DATE:
    r.k = V_DATE;
    r.i = v->i;
    return r;
  case SV_VAL_STR:
    r.k = V_STR;
    r.s = v->s ? v->s : "";
    r.len = v->s ? v->len : 0;
    return r;
  default:
    return r;
  }
}

static bool truthy(val v) {
  switch (v.k) {
  case V_BOOL:
  case V_NUM:
    return v.i != 0;
  case V_DATE:
    return true;
  case V_STR:
    return v.len > 0;
  default:
    return false;
  }
}

/* -1, 0, 1, or 2 when the two cannot be compared. */
static int cmp(val a, val b) {
  if (a.k == V_NONE || b.k == V_NONE)
    return 2;
  int64_t x, y;
  if (a.k == V_STR && b.k == V_STR) {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.s, b.s, n);
    if (c == 0 && a.len != b.len)
      c = a.len < b.len ? -1 : 1;
    return c < 0 ? -1 : c > 0;
  }
  bool ad = a.k == V_DATE || (a.k == V_STR && a.date_ok);
  bool bd = b.k == V_DATE || (b.k == V_STR && b.date_ok);
  if ((a.k == V_DATE || b.k == V_DATE) && ad && bd) {
    x = a.i, y = b.i;
  } else if (a.k == b.k && (a.k == V_NUM || a.k == V_BOOL)) {
    x = a.i, y = b.i;
  } else {
    return 2;
  }
  return x < y ? -1 : x > y;
}

static val eval(const samvad_catalogue *c, const sv_service *svc, uint32_t idx,
                const struct samvad_session *s, int32_t today) {
  const sv_expr *e = &c->exprs[idx];
  const uint32_t *a = c->expr_args + e->args;
  val r = {0};
  switch (e->op) {
  case SV_OP_CONST_NUM:
    r.k = V_NUM;
    r.i = e->num;
    return r;
  case SV_OP_CONST_BOOL:
    r.k = V_BOOL;
    r.i = e->num != 0;
    return r;
  case SV_OP_CONST_STR:
    r.k = V_STR;
    r.s = e->str;
    r.len = (uint32_t)strlen(e->str);
    r.date_ok = e->var == CONST_IS_DATE;
    r.i = e->num;
    return r;
  case SV_OP_VAR:
    return var_value(svc, e->var, s);
  case SV_OP_TODAY:
    r.k = V_DATE;
    r.i = today;
    return r;
  case SV_OP_SET:
    r.k = V_BOOL;
    r.i = var_value(svc, e->var, s).k != V_NONE;
    return r;
  case SV_OP_AND:
  case SV_OP_OR: {
    bool want = e->op == SV_OP_OR;
    r.k = V_BOOL;
    r.i = !want;
    for (uint8_t k = 0; k < e->nargs; k++)
      if (truthy(eval(c, svc, a[k], s, today)) == want) {
        r.i = want;
        break;
      }
    return r;
  }
  case SV_OP_NOT:
    r.k = V_BOOL;
    r.i = e->nargs == 1 && !truthy(eval(c, svc, a[0], s, today));
    return r;
  case SV_OP_IN: {
    r.k = V_BOOL;
    if (e->nargs < 1)
      return r;
    val x = eval(c, svc, a[0], s, today);
    for (uint8_t k = 1; k < e->nargs && !r.i; k++)
      r.i = cmp(x, eval(c, svc, a[k], s, today)) == 0;
    return r;
  }
  case SV_OP_AGE:
  case SV_OP_DAYS: {
    if (e->nargs != 2)
      return r;
    val x = eval(c, svc, a[0], s, today), y = eval(c, svc, a[1], s, today);
    bool xd = x.k == V_DATE || (x.k == V_STR && x.date_ok);
    bool yd = y.k == V_DATE || (y.k == V_STR && y.date_ok);
    if (!xd || !yd)
      return r; /* unset or not dates: comparisons with it are false */
    r.k = V_NUM;
    r.i = e->op == SV_OP_AGE
              ? sv_years_between((int32_t)x.i, (int32_t)y.i)
              : y.i - x.i;
    return r;
  }
  default: { /* comparisons */
    r.k = V_BOOL;
    if (e->nargs != 2)
      return r;
    int d = cmp(eval(c, svc, a[0], s, today), eval(c, svc, a[1], s, today));
    if (d == 2)
      return r; /* unset or mismatched: false, whatever the operator */
    switch (e->op) {
    case SV_OP_EQ: r.i = d == 0; break;
    case SV_OP_NE: r.i = d != 0; break;
    case SV_OP_LT: r.i = d < 0; break;
    case SV_OP_LE: r.i = d <= 0; break;
    case SV_OP_GT: r.i = d > 0; break;
    case SV_OP_GE: r.i = d >= 0; break;
    default: break;
    }
    return r;
  }
  }
}

bool sv_expr_eval(const samvad_catalogue *c, const sv_service *svc,
                  int32_t cond, const struct samvad_session *s,
                  int32_t today) {
  if (cond < 0)
    return true;
  if (!c || !c->exprs || !svc)
    return false;
  return truthy(eval(c, svc, (uint32_t)cond, s, today));
}
