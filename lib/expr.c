/* expr.c - conditions: a subset of JSON Logic compiled at load time into a
 * flat node array, with its operands type-checked against the variables,
 * so a misspelt option id fails the load. Evaluation is in expr_eval.c. */
#include "loader.h"

#include <stdio.h>
#include <string.h>


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

/* The bit of option literal y among the options of choice variable x,
 * or 0 (comparable() has reported an unknown option). */
static uint64_t option_bit(const sv_scope *sc, const cinfo *x,
                           const cinfo *y) {
  const char *const *ids = sc->option_ids[x->var];
  for (uint16_t k = 0; ids && k < sc->option_counts[x->var] && k < 64; k++)
    if (ids[k] && strlen(ids[k]) == y->len &&
        memcmp(ids[k], y->s, y->len) == 0)
      return (uint64_t)1 << k;
  return 0;
}

/* A choice variable compared with option ids, the commonest condition,
 * becomes one test of the chosen option's bit in a mask. */
static bool is_opt_var(const cinfo *c) {
  return c->type == T_OPT && !c->literal;
}
static bool is_str_lit(const cinfo *c) {
  return c->type == T_STR && c->literal;
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
    bool opt = ok && is_opt_var(&ai[0]);
    uint64_t mask = 0;
    for (uint32_t k = 0; opt && k < list->n; k++) {
      opt = is_str_lit(&ai[k + 1]);
      mask |= opt ? option_bit(sc, &ai[0], &ai[k + 1]) : 0;
    }
    if (opt) {
      e.op = SV_OP_OPT_IN;
      e.var = (uint16_t)ai[0].var;
      e.num = (int64_t)mask;
      r = push(sc, e, NULL, 0);
    } else if (ok) {
      r = push(sc, e, args, list->n + 1);
    }
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
    if (ok && (od->op == SV_OP_EQ || od->op == SV_OP_NE) &&
        (is_opt_var(&ai[0]) || is_opt_var(&ai[1])) &&
        (is_str_lit(&ai[0]) || is_str_lit(&ai[1]))) {
      const cinfo *x = is_opt_var(&ai[0]) ? &ai[0] : &ai[1];
      const cinfo *y = x == &ai[0] ? &ai[1] : &ai[0];
      e.op = od->op == SV_OP_EQ ? SV_OP_OPT_IN : SV_OP_OPT_NOT_IN;
      e.var = (uint16_t)x->var;
      e.num = (int64_t)option_bit(sc, x, y);
      r = push(sc, e, NULL, 0);
    } else if (ok) {
      r = push(sc, e, args, 2);
    }
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
      e.var = SV_CONST_IS_DATE;
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
