/* loader_state.c - compiles one state: its kind and keys, the variable it
 * saves (renamed inside blocks), texts with their {placeholders} checked
 * and rewritten, typed inputs with their bounds, options, and transitions
 * with compiled conditions. */
#include "loader.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    [SV_ST_ASK] = "ask",       [SV_ST_CHOICE] = "choice",
    [SV_ST_SUMMARY] = "summary", [SV_ST_BRANCH] = "branch",
    [SV_ST_INFORM] = "inform", [SV_ST_SUBMIT] = "submit",
    [SV_ST_END] = "end"};

static const char *const *const kind_required[] = {
    [SV_ST_ASK] = (const char *const[]){"type", "prompt", "input", "save",
                                        "label", "next", NULL},
    [SV_ST_CHOICE] = (const char *const[]){"type", "prompt", "options", "save",
                                           "label", "next", NULL},
    [SV_ST_SUMMARY] = (const char *const[]){"type", "prompt", "next", NULL},
    [SV_ST_BRANCH] = (const char *const[]){"type", "next", NULL},
    [SV_ST_INFORM] = (const char *const[]){"type", "prompt", "next", NULL},
    [SV_ST_SUBMIT] = (const char *const[]){"type", "prompt", "next", NULL},
    [SV_ST_END] = (const char *const[]){"type", "prompt", NULL}};

static const char *const help_key[] = {"help", NULL};
static const char *const next_key[] = {"next", NULL};

static void set_empty(sv_build *b, sv_text *t) {
  for (int k = 0; k < SAMVAD_LANG_COUNT; k++) {
    t->s[k] = b->empty;
    t->len[k] = 0;
  }
}

/* ---- Pass 1: kind, variable, input type, option ids ------------------------ */

static void read_option_ids(sv_svc *sc, sv_pstate *ps, sv_path *p) {
  static const char *const keys[] = {"id", "title", NULL};
  sv_build *b = sc->b;
  const sv_json *opts = sv_json_get(ps->node, "options");
  if (!opts)
    return;
  size_t m = sv_path_key(p, "options");
  if (opts->type != SV_J_ARR || opts->n == 0 ||
      opts->n > SAMVAD_MAX_OPTIONS) {
    sv_diag(b->L, ps->file, sv_path_str(p),
            "expected an array of 1 to %d options", SAMVAD_MAX_OPTIONS);
    sv_path_pop(p, m);
    return;
  }
  ps->opt_ids = sv_tmp_alloc(b, opts->n * sizeof *ps->opt_ids);
  if (!ps->opt_ids)
    return;
  ps->opt_count = (uint16_t)opts->n;
  for (uint32_t k = 0; k < opts->n; k++) {
    size_t mk = sv_path_index(p, k);
    const sv_json *o = opts->items[k];
    if (sv_check_keys(b, ps->file, p, o, keys, NULL)) {
      const sv_json *id = sv_json_get(o, "id");
      size_t mi = sv_path_key(p, "id");
      sv_qbuf q;
      if (id && (id->type != SV_J_STR ||
                 !sv_valid_name(id->s, id->len, SV_MAX_OPTION_ID, false))) {
        sv_diag(b->L, ps->file, sv_path_str(p),
                "an option id is 1 to %d characters a-z, 0-9 and _",
                SV_MAX_OPTION_ID);
      } else if (id) {
        bool dup = false;
        for (uint32_t j = 0; j < k && !dup; j++)
          dup = ps->opt_ids[j] && strcmp(ps->opt_ids[j], id->s) == 0;
        if (dup)
          sv_diag(b->L, ps->file, sv_path_str(p), "duplicate option id %s",
                  sv_quote(&q, id->s, id->len));
        else
          ps->opt_ids[k] = sv_intern(b, id->s, id->len);
      }
      sv_path_pop(p, mi);
    }
    sv_path_pop(p, mk);
  }
  sv_path_pop(p, m);
}

static int input_type(const char *s) {
  for (int t = 0; t < SV_IN__COUNT; t++)
    if (t != SV_IN_CHOICE && sv_input_type_names[t] &&
        strcmp(s, sv_input_type_names[t]) == 0)
      return t;
  return -1;
}

static void register_var(sv_svc *sc, size_t i, sv_path *p,
                         const sv_json *save) {
  sv_build *b = sc->b;
  sv_pstate *ps = &sc->st[i];
  sv_qbuf q;
  size_t m = sv_path_key(p, "save");
  if (save->type != SV_J_STR ||
      !sv_valid_name(save->s, save->len, SV_MAX_NAME, false)) {
    sv_diag(b->L, ps->file, sv_path_str(p),
            "a variable name is 1 to %d characters a-z, 0-9 and _",
            SV_MAX_NAME);
    sv_path_pop(p, m);
    return;
  }
  const char *name = save->s;
  if (ps->use)
    name = sv_tmp_printf(b, "%.*s_%s", (int)ps->use->as_len, ps->use->as,
                         save->s);
  if (!name || !(name = sv_intern(b, name, strlen(name)))) {
    sv_path_pop(p, m);
    return;
  }
  int32_t v = sv_smap_get(&sc->var_names, name, strlen(name));
  uint8_t type = ps->kind == SV_ST_CHOICE ? SV_IN_CHOICE : ps->itype;
  if (v < 0) {
    if (sc->var_count == SAMVAD_MAX_VARS) {
      sv_diag(b->L, ps->file, sv_path_str(p), "more than %d variables",
              SAMVAD_MAX_VARS);
      sv_path_pop(p, m);
      return;
    }
    v = (int32_t)sc->var_count++;
    sv_var *var = &sc->vars[v];
    var->name = name;
    var->type = type;
    var->state = (uint16_t)i;
    var->masked = type == SV_IN_AADHAAR || type == SV_IN_MOBILE ||
                  type == SV_IN_NAME;
    sc->var_opts[v] = ps->opt_ids;
    sc->var_opt_counts[v] = ps->opt_count;
    if (!sv_smap_put(b, &sc->var_names, name, strlen(name), v))
      return;
  } else {
    /* One variable, one question: "back" and a correction at the summary
     * go to the state that saves a variable, which must be unambiguous. */
    sv_diag(b->L, ps->file, sv_path_str(p),
            "variable %s is already saved by state \"%s\"",
            sv_quote(&q, name, strlen(name)), sc->st[sc->vars[v].state].name);
  }
  ps->var = (int16_t)v;
  sv_path_pop(p, m);
}

void sv_state_pass1(sv_svc *sc, size_t i) {
  sv_build *b = sc->b;
  sv_pstate *ps = &sc->st[i];
  sv_path p;
  sv_path_init(&p, ps->path);
  sv_qbuf q;
  ps->kind = SV_KIND_BROKEN;
  ps->itype = 0xff;
  if (!ps->use && !sv_valid_name(ps->local, strlen(ps->local), SV_MAX_NAME,
                                 false))
    sv_diag(b->L, ps->file, sv_path_str(&p),
            "a state name is 1 to %d characters a-z, 0-9 and _", SV_MAX_NAME);
  if (!ps->node || ps->node->type != SV_J_OBJ) {
    sv_diag(b->L, ps->file, sv_path_str(&p), "expected an object, found %s",
            sv_json_type_name(ps->node));
    return;
  }
  const sv_json *type = sv_json_get(ps->node, "type");
  if (!type) {
    sv_diag(b->L, ps->file, sv_path_str(&p), "missing key \"type\"");
    return;
  }
  size_t m = sv_path_key(&p, "type");
  int kind = -1;
  for (int k = 0; type->type == SV_J_STR && k <= SV_ST_END; k++)
    if (strcmp(type->s, kind_names[k]) == 0)
      kind = k;
  if (type->type == SV_J_STR && strcmp(type->s, "use") == 0) {
    sv_diag(b->L, ps->file, sv_path_str(&p),
            "a block cannot use another block");
    return;
  }
  if (kind < 0) {
    sv_diag(b->L, ps->file, sv_path_str(&p),
            "unknown state type %s (expected ask, choice, summary, branch, "
            "inform, submit, end or use)",
            type->type == SV_J_STR ? sv_quote(&q, type->s, type->len)
                                   : sv_json_type_name(type));
    return;
  }
  sv_path_pop(&p, m);
  ps->kind = (uint8_t)kind;
  const char *const *opt =
      kind == SV_ST_ASK || kind == SV_ST_CHOICE ? help_key
      : kind == SV_ST_END                       ? next_key
                                                : NULL;
  sv_check_keys(b, ps->file, &p, ps->node, kind_required[kind], opt);
  if (kind == SV_ST_END && sv_json_get(ps->node, "next")) {
    m = sv_path_key(&p, "next");
    sv_diag(b->L, ps->file, sv_path_str(&p), "an end state has no next");
    sv_path_pop(&p, m);
  }
  if (kind == SV_ST_ASK) {
    const sv_json *in = sv_json_get(ps->node, "input");
    const sv_json *it = in ? sv_json_get(in, "type") : NULL;
    m = sv_path_key(&p, "input");
    if (in && in->type != SV_J_OBJ) {
      sv_diag(b->L, ps->file, sv_path_str(&p), "expected an object, found %s",
              sv_json_type_name(in));
    } else if (in && !it) {
      sv_diag(b->L, ps->file, sv_path_str(&p), "missing key \"type\"");
    } else if (it) {
      int t = it->type == SV_J_STR ? input_type(it->s) : -1;
      size_t mt = sv_path_key(&p, "type");
      if (t < 0)
        sv_diag(b->L, ps->file, sv_path_str(&p),
                it->type == SV_J_STR && strcmp(it->s, "choice") == 0
                    ? "unknown input type %s (options are asked with a "
                      "choice state)"
                    : "unknown input type %s",
                it->type == SV_J_STR ? sv_quote(&q, it->s, it->len)
                                     : sv_json_type_name(it));
      else
        ps->itype = (uint8_t)t;
      sv_path_pop(&p, mt);
    }
    sv_path_pop(&p, m);
  }
  if (kind == SV_ST_CHOICE)
    read_option_ids(sc, ps, &p);
  const sv_json *save = sv_json_get(ps->node, "save");
  if (save && (kind == SV_ST_ASK || kind == SV_ST_CHOICE))
    register_var(sc, i, &p, save);
}

/* ---- Texts and placeholders --------------------------------------------------- */

typedef struct strbuf {
  char *p;
  size_t len, cap;
} strbuf;

static bool put(sv_build *b, strbuf *sb, const char *s, size_t n) {
  while (sb->len + n + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap * 2 : 256;
    char *np = sv_tmp_alloc(b, cap);
    if (!np)
      return false;
    if (sb->len)
      memcpy(np, sb->p, sb->len);
    sb->p = np;
    sb->cap = cap;
  }
  memcpy(sb->p + sb->len, s, n);
  sb->len += n;
  sb->p[sb->len] = '\0';
  return true;
}

/* Length of a placeholder name at s ({name}), or 0 if s is no
 * placeholder: a brace that does not enclose a name is plain text. */
static size_t placeholder(const char *s, size_t len) {
  if (len < 3 || s[0] != '{')
    return 0;
  size_t n = 1;
  while (n < len && n <= 64 &&
         ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
          s[n] == '_'))
    n++;
  return n > 1 && n < len && s[n] == '}' ? n - 1 : 0;
}

/* Checks and rewrites the placeholders of one language's text. */
static const char *rewrite(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                           int lang, const char *s, size_t len,
                           const uint64_t *avail, size_t *out_len) {
  sv_build *b = sc->b;
  strbuf sb = {0};
  size_t i = 0;
  if (!put(b, &sb, "", 0))
    return NULL;
  while (i < len) {
    size_t n = placeholder(s + i, len - i);
    if (!n) {
      /* Copy up to the next brace in one go. */
      const char *brace = memchr(s + i + 1, '{', len - i - 1);
      size_t run = brace ? (size_t)(brace - (s + i)) : len - i;
      if (!put(b, &sb, s + i, run))
        return NULL;
      i += run;
      continue;
    }
    const char *name = s + i + 1;
    bool ok = true;
    if (n == 5 && memcmp(name, "label", 5) == 0) {
      if (ps->use)
        ok = put(b, &sb, ps->use->label[lang], ps->use->label_len[lang]);
      else {
        sv_diag(b->L, ps->file, sv_path_str(p),
                "{label} can only be used inside a block");
        ok = put(b, &sb, s + i, n + 2);
      }
    } else if (n == 7 && memcmp(name, "service", 7) == 0) {
      ok = put(b, &sb, s + i, n + 2);
    } else if (n == 9 && memcmp(name, "reference", 9) == 0) {
      if (avail && !sv_bit_get(avail, SV_BIT_SUBMITTED))
        sv_diag(b->L, ps->file, sv_path_str(p),
                "{reference} can only be used in a submit state or after one");
      ok = put(b, &sb, s + i, n + 2);
    } else {
      int v = sv_state_var(sc, ps, name, n);
      sv_qbuf q;
      if (v == -2) {
        sv_diag(b->L, ps->file, sv_path_str(p),
                "unknown variable %s in {%.*s} (a block can only use the "
                "variables it saves)",
                sv_quote(&q, name, n), (int)n, name);
        ok = put(b, &sb, s + i, n + 2);
      } else if (v < 0) {
        sv_diag(b->L, ps->file, sv_path_str(p),
                "unknown variable %s in {%.*s}", sv_quote(&q, name, n),
                (int)n, name);
        ok = put(b, &sb, s + i, n + 2);
      } else {
        const char *full = sc->vars[v].name;
        if (avail && !sv_bit_get(avail, (unsigned)v))
          sv_diag(b->L, ps->file, sv_path_str(p),
                  "variable \"%s\" in {%.*s} is not set by any earlier state",
                  full, (int)n, name);
        ok = put(b, &sb, "{", 1) && put(b, &sb, full, strlen(full)) &&
             put(b, &sb, "}", 1);
      }
    }
    if (!ok)
      return NULL;
    i += n + 2;
  }
  *out_len = sb.len;
  return sv_intern(b, sb.p, sb.len);
}

/* Compiles the text at key (optional: absent leaves it empty). */
static void state_text(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                       const char *key, const uint64_t *avail, sv_text *out) {
  sv_build *b = sc->b;
  set_empty(b, out);
  const sv_json *j = sv_json_get(ps->node, key);
  if (!j)
    return;
  size_t m = sv_path_key(p, key);
  const char *s[SAMVAD_LANG_COUNT];
  size_t len[SAMVAD_LANG_COUNT];
  if (sv_read_text(b, ps->file, p, j, s, len)) {
    for (int k = 0; k < SAMVAD_LANG_COUNT; k++) {
      size_t ml = sv_path_key(p, k == SAMVAD_LANG_HI ? "hi" : "en");
      size_t n = 0;
      const char *t = rewrite(sc, ps, p, k, s[k], len[k], avail, &n);
      if (t) {
        out->s[k] = t;
        out->len[k] = (uint32_t)n;
      }
      sv_path_pop(p, ml);
    }
  }
  sv_path_pop(p, m);
}

/* ---- Options ---------------------------------------------------------------- */

static void compile_options(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                            const uint64_t *avail, sv_state *out) {
  sv_build *b = sc->b;
  const sv_json *opts = sv_json_get(ps->node, "options");
  if (!opts || !ps->opt_ids)
    return;
  sv_option *o = sv_arena_alloc(b->cat, ps->opt_count * sizeof *o);
  if (!o) {
    b->L->oom = true;
    return;
  }
  size_t m = sv_path_key(p, "options");
  for (uint16_t k = 0; k < ps->opt_count; k++) {
    size_t mk = sv_path_index(p, k);
    o[k].id = ps->opt_ids[k] ? ps->opt_ids[k] : b->empty;
    set_empty(b, &o[k].title);
    o[k].folded[0] = o[k].folded[1] = b->empty;
    const sv_json *item = opts->items[k];
    if (item->type == SV_J_OBJ && sv_json_get(item, "title")) {
      sv_pstate tmp = *ps;
      tmp.node = item;
      state_text(sc, &tmp, p, "title", avail, &o[k].title);
      size_t mt = sv_path_key(p, "title");
      for (int l = 0; l < SAMVAD_LANG_COUNT && o[k].title.len[l]; l++) {
        size_t ml = sv_path_key(p, l == SAMVAD_LANG_HI ? "hi" : "en");
        const char *f = sv_fold_intern(b, ps->file, p, o[k].title.s[l],
                                       o[k].title.len[l]);
        if (f) {
          o[k].folded[l] = f;
          for (uint16_t j = 0; j < k; j++)
            if (o[j].folded[l] == f) /* interned: same pointer */
              sv_diag(b->L, ps->file, sv_path_str(p),
                      "the same title as option \"%s\"", o[j].id);
        }
        sv_path_pop(p, ml);
      }
      sv_path_pop(p, mt);
    }
    sv_path_pop(p, mk);
  }
  sv_path_pop(p, m);
  out->options = o;
  out->option_count = ps->opt_count;
}

/* ---- Transitions -------------------------------------------------------------- */

typedef struct lookup_ud {
  const sv_svc *sc;
  const sv_pstate *ps;
} lookup_ud;

static int scope_lookup(const sv_scope *s, const char *name, size_t len) {
  const lookup_ud *u = s->ud;
  return sv_state_var(u->sc, u->ps, name, len);
}

static void compile_transitions(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                                const uint64_t *avail, sv_state *out) {
  sv_build *b = sc->b;
  lookup_ud ud = {sc, ps};
  sv_scope scope = {.b = b,
                    .file = ps->file,
                    .path = p,
                    .vars = sc->vars,
                    .var_count = sc->var_count,
                    .option_ids = sc->var_opts,
                    .option_counts = sc->var_opt_counts,
                    .avail = avail,
                    .lookup = scope_lookup,
                    .ud = &ud};
  out->next = (uint32_t)b->trans_count;
  size_t m = sv_path_key(p, "next");
  for (uint16_t k = 0; k < ps->tr_count; k++) {
    const sv_rtrans *rt = &sc->tr[ps->first_tr + k];
    int32_t cond = -1;
    if (rt->when) {
      size_t mk = sv_path_index(p, k);
      size_t mw = sv_path_key(p, "when");
      cond = sv_expr_compile(&scope, rt->when);
      sv_path_pop(p, mw);
      sv_path_pop(p, mk);
    }
    if (!sv_tmp_grow(b, (void **)&b->trans, &b->trans_cap, b->trans_count,
                     sizeof *b->trans))
      return;
    b->trans[b->trans_count++] =
        (sv_transition){cond, rt->target >= 0 ? (uint16_t)rt->target : 0};
  }
  sv_path_pop(p, m);
  out->next_count = ps->tr_count;
}

/* ---- The state ------------------------------------------------------------------ */

void sv_compile_state(sv_svc *sc, size_t i, sv_state *out) {
  sv_build *b = sc->b;
  const sv_pstate *ps = &sc->st[i];
  memset(out, 0, sizeof *out);
  out->name = ps->name;
  out->var = ps->var;
  set_empty(b, &out->prompt);
  set_empty(b, &out->help);
  set_empty(b, &out->label);
  out->input.min_age = out->input.max_age = -1;
  out->input.age_on_var = -1;
  if (ps->kind == SV_KIND_BROKEN) {
    out->kind = SV_ST_END;
    return;
  }
  out->kind = ps->kind;
  /* What may be set when the state is entered; its own answer is set
   * when its transitions are taken. */
  uint64_t in[SV_BITSET_WORDS], after[SV_BITSET_WORDS];
  const uint64_t *avail = NULL, *avail_after = NULL;
  if (sc->flow.in && sc->flow.reached[i]) {
    memcpy(in, sc->flow.in[i], sizeof in);
    if (ps->kind == SV_ST_SUBMIT)
      sv_bit_set(in, SV_BIT_SUBMITTED);
    memcpy(after, in, sizeof after);
    if (ps->var >= 0)
      sv_bit_set(after, (unsigned)ps->var);
    avail = in;
    avail_after = after;
  }
  sv_path p;
  sv_path_init(&p, ps->path);
  if (ps->kind != SV_ST_BRANCH)
    state_text(sc, ps, &p, "prompt", avail, &out->prompt);
  if (ps->kind == SV_ST_ASK || ps->kind == SV_ST_CHOICE) {
    state_text(sc, ps, &p, "help", avail, &out->help);
    state_text(sc, ps, &p, "label", avail, &out->label);
  }
  if (ps->kind == SV_ST_ASK && ps->itype != 0xff) {
    out->input.type = ps->itype;
    sv_compile_input(sc, ps, &p, avail, &out->input);
  }
  if (ps->kind == SV_ST_CHOICE) {
    out->input.type = SV_IN_CHOICE;
    compile_options(sc, ps, &p, avail, out);
  }
  compile_transitions(sc, ps, &p, avail_after, out);
}
