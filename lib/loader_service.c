/* loader_service.c - compiles one service spec: the expansion of the blocks
 * it uses into "<use>/<inner>" states, the table of variables, transition
 * targets, the flow checks, and finally the state tables (top-level fields
 * are in loader_fields.c, the states themselves in loader_state.c). */
#include "loader.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- States and block expansion ------------------------------------------- */

static sv_pstate *new_state(sv_svc *sc) {
  if (!sv_tmp_grow(sc->b, (void **)&sc->st, &sc->cap, sc->count,
                   sizeof *sc->st))
    return NULL;
  sv_pstate *ps = &sc->st[sc->count++];
  memset(ps, 0, sizeof *ps);
  ps->var = -1;
  return ps;
}

/* Reads a use state and lists its block's states as this service's. */
static void expand_use(sv_svc *sc, const char *name, const sv_json *node,
                       sv_path *p) {
  static const char *const req[] = {"type", "block", "as", "label", "next",
                                    NULL};
  sv_build *b = sc->b;
  const char *file = sc->doc->file;
  sv_qbuf q;
  if (!sv_check_keys(b, file, p, node, req, NULL))
    return;
  const sv_json *bn = sv_json_get(node, "block");
  const sv_json *as = sv_json_get(node, "as");
  const sv_json *label = sv_json_get(node, "label");
  const sv_json *next = sv_json_get(node, "next");
  if (!bn || !as || !label || !next)
    return;
  size_t m;
  int32_t bi = -1;
  if (bn->type != SV_J_STR ||
      (bi = sv_smap_get(&b->blocks, bn->s, bn->len)) < 0) {
    m = sv_path_key(p, "block");
    sv_diag(b->L, file, sv_path_str(p), "unknown block %s",
            bn->type == SV_J_STR ? sv_quote(&q, bn->s, bn->len)
                                 : sv_json_type_name(bn));
    sv_path_pop(p, m);
  }
  bool ok = bi >= 0;
  if (as->type != SV_J_STR || !sv_valid_name(as->s, as->len, 24, false)) {
    m = sv_path_key(p, "as");
    sv_diag(b->L, file, sv_path_str(p),
            "expected a variable prefix of 1 to 24 characters a-z, 0-9 "
            "and _");
    sv_path_pop(p, m);
    ok = false;
  }
  if (next->type != SV_J_STR) {
    m = sv_path_key(p, "next");
    sv_diag(b->L, file, sv_path_str(p),
            "a use state's next must be a state name");
    sv_path_pop(p, m);
    ok = false;
  }
  const char *ls[SAMVAD_LANG_COUNT];
  size_t ll[SAMVAD_LANG_COUNT];
  m = sv_path_key(p, "label");
  if (!sv_read_text(b, file, p, label, ls, ll)) {
    ok = false;
  } else {
    for (int k = 0; k < SAMVAD_LANG_COUNT; k++)
      if (memchr(ls[k], '{', ll[k])) {
        size_t ml = sv_path_key(p, k == SAMVAD_LANG_HI ? "hi" : "en");
        sv_diag(b->L, file, sv_path_str(p),
                "a use state's label cannot contain placeholders");
        sv_path_pop(p, ml);
        ok = false;
      }
  }
  sv_path_pop(p, m);
  /* Register the use name so that transitions to it resolve to the
   * block's start, even if the block itself is broken. */
  if (!sv_tmp_grow(b, (void **)&sc->uses, &sc->use_cap, sc->use_count,
                   sizeof *sc->uses))
    return;
  size_t ui = sc->use_count++;
  sv_use *u = &sc->uses[ui];
  memset(u, 0, sizeof *u);
  u->name = name;
  u->file = file;
  u->path = sv_tmp_printf(b, "%s", sv_path_str(p));
  u->next = next;
  u->next_state = -1;
  u->start = -1;
  if (!sv_smap_put(b, &sc->names, name, strlen(name), -2 - (int32_t)ui))
    return;
  if (!ok)
    return;
  sv_block_info *info = &b->block_info[bi];
  info->used = true;
  u->block = (size_t)bi;
  u->as = as->s;
  u->as_len = as->len;
  for (int k = 0; k < SAMVAD_LANG_COUNT; k++) {
    u->label[k] = ls[k];
    u->label_len[k] = ll[k];
  }
  if (!info->ok)
    return; /* its faults are reported at the block */
  const sv_json *states = info->states;
  for (uint32_t i = 0; i < states->n; i++) {
    const char *local = states->keys[i];
    char *full = sv_tmp_printf(b, "%s/%s", name, local);
    const char *iname = full ? sv_intern(b, full, strlen(full)) : NULL;
    sv_pstate *ps = iname ? new_state(sc) : NULL;
    if (!ps)
      return;
    ps->node = states->items[i];
    ps->name = iname;
    ps->local = local;
    ps->file = info->doc->file;
    ps->path = sv_tmp_printf(b, "states.%s", local);
    ps->use = u;
    if (!sv_smap_put(b, &sc->names, iname, strlen(iname),
                     (int32_t)(sc->count - 1)))
      return;
    if (strcmp(local, info->start) == 0)
      u->start = (int32_t)(sc->count - 1);
  }
}

static void list_states(sv_svc *sc, const sv_json *states) {
  sv_build *b = sc->b;
  const char *file = sc->doc->file;
  sv_path p;
  sv_path_init(&p, "states");
  if (states->type != SV_J_OBJ || states->n == 0) {
    sv_diag(b->L, file, "states", "expected an object of states, found %s",
            states->type == SV_J_OBJ ? "an empty one"
                                     : sv_json_type_name(states));
    return;
  }
  for (uint32_t i = 0; i < states->n && !b->L->oom; i++) {
    const char *name = states->keys[i];
    const sv_json *node = states->items[i];
    size_t m = sv_path_key(&p, name);
    const sv_json *type = sv_json_get(node, "type");
    if (type && type->type == SV_J_STR && strcmp(type->s, "use") == 0) {
      if (!sv_valid_name(name, states->key_lens[i], SV_MAX_NAME, false))
        sv_diag(b->L, file, sv_path_str(&p),
                "a state name is 1 to %d characters a-z, 0-9 and _",
                SV_MAX_NAME);
      expand_use(sc, name, node, &p);
    } else {
      sv_pstate *ps = new_state(sc);
      const char *iname = ps ? sv_intern(b, name, states->key_lens[i]) : NULL;
      if (!iname)
        return;
      ps->node = node;
      ps->name = iname;
      ps->local = name;
      ps->file = file;
      ps->path = sv_tmp_printf(b, "%s", sv_path_str(&p));
      if (!sv_smap_put(b, &sc->names, iname, states->key_lens[i],
                       (int32_t)(sc->count - 1)))
        return;
    }
    sv_path_pop(&p, m);
  }
}

int sv_state_var(const sv_svc *sc, const sv_pstate *ps, const char *name,
                 size_t len) {
  if (!ps->use)
    return sv_smap_get(&sc->var_names, name, len);
  const sv_block_info *bi = &sc->b->block_info[ps->use->block];
  if (sv_smap_get(&bi->vars, name, len) < 0)
    return -2;
  char full[2 * SV_MAX_NAME + 2];
  if (ps->use->as_len + 1 + len >= sizeof full)
    return -1;
  memcpy(full, ps->use->as, ps->use->as_len);
  full[ps->use->as_len] = '_';
  memcpy(full + ps->use->as_len + 1, name, len);
  return sv_smap_get(&sc->var_names, full, ps->use->as_len + 1 + len);
}

int32_t sv_resolve_target(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                          const sv_json *name) {
  sv_build *b = sc->b;
  const char *file = ps ? ps->file : sc->doc->file;
  sv_qbuf q;
  if (!name || name->type != SV_J_STR) {
    sv_diag(b->L, file, sv_path_str(p), "expected a state name, found %s",
            sv_json_type_name(name));
    return -1;
  }
  if (strcmp(name->s, "$next") == 0) {
    if (ps && ps->use)
      return ps->use->next_state; /* reported at the use when unknown */
    sv_diag(b->L, file, sv_path_str(p),
            "\"$next\" can only be used inside a block");
    return -1;
  }
  int32_t v;
  if (ps && ps->use) {
    char *full = sv_tmp_printf(b, "%s/%s", ps->use->name, name->s);
    v = full ? sv_smap_get(&sc->names, full, strlen(full)) : -1;
  } else {
    v = memchr(name->s, '/', name->len)
            ? -1
            : sv_smap_get(&sc->names, name->s, name->len);
  }
  if (v <= -2) {
    v = sc->uses[-2 - v].start;
    if (v < 0)
      return -1; /* the block is broken: reported there */
  }
  if (v < 0)
    sv_diag(b->L, file, sv_path_str(p), "unknown state %s",
            sv_quote(&q, name->s, name->len));
  return v;
}

/* ---- Transitions ------------------------------------------------------------ */

static bool add_tr(sv_svc *sc, int32_t target, const sv_json *when) {
  if (!sv_tmp_grow(sc->b, (void **)&sc->tr, &sc->tr_cap, sc->tr_count,
                   sizeof *sc->tr))
    return false;
  sc->tr[sc->tr_count++] = (sv_rtrans){target, when};
  return true;
}

/* Reads a state's "next"; false when the flow is not sound. */
static bool read_next(sv_svc *sc, sv_pstate *ps) {
  static const char *const req[] = {"goto", NULL};
  static const char *const opt[] = {"when", NULL};
  sv_build *b = sc->b;
  const sv_json *next = sv_json_get(ps->node, "next");
  ps->first_tr = (uint32_t)sc->tr_count;
  if (!next)
    return false; /* reported as a missing key */
  sv_path p;
  sv_path_init(&p, ps->path);
  sv_path_key(&p, "next");
  bool ok = true;
  if (next->type == SV_J_STR && ps->kind != SV_ST_BRANCH) {
    int32_t t = sv_resolve_target(sc, ps, &p, next);
    ok = t >= 0 && add_tr(sc, t, NULL);
  } else if (next->type == SV_J_STR) {
    sv_diag(b->L, ps->file, sv_path_str(&p),
            "a branch's next must be an array of transitions");
    ok = false;
  } else if (next->type != SV_J_ARR || next->n == 0 ||
             next->n > SV_MAX_TRANSITIONS) {
    sv_diag(b->L, ps->file, sv_path_str(&p),
            "expected a state name or an array of 1 to %d transitions",
            SV_MAX_TRANSITIONS);
    ok = false;
  } else {
    for (uint32_t k = 0; k < next->n; k++) {
      const sv_json *t = next->items[k];
      size_t m = sv_path_index(&p, k);
      if (!sv_check_keys(b, ps->file, &p, t, req, opt)) {
        ok = false;
      } else {
        const sv_json *when = sv_json_get(t, "when");
        if (!when && k + 1 < next->n)
          sv_diag(b->L, ps->file, sv_path_str(&p),
                  "only the last transition may be without \"when\" (the "
                  "ones after it are never taken)");
        if (when && k + 1 == next->n) {
          size_t mw = sv_path_key(&p, "when");
          sv_diag(b->L, ps->file, sv_path_str(&p),
                  "the last transition must not have \"when\": it is taken "
                  "when no other is");
          sv_path_pop(&p, mw);
        }
        const sv_json *go = sv_json_get(t, "goto");
        int32_t target = -1;
        if (go) {
          size_t mg = sv_path_key(&p, "goto");
          target = sv_resolve_target(sc, ps, &p, go);
          sv_path_pop(&p, mg);
        }
        if (target < 0)
          ok = false;
        if (!add_tr(sc, target, when))
          return false;
      }
      sv_path_pop(&p, m);
    }
  }
  ps->tr_count = (uint16_t)(sc->tr_count - ps->first_tr);
  return ok;
}

/* ---- Flow ------------------------------------------------------------------ */

static bool run_flow(sv_svc *sc, const sv_json *start, bool sound) {
  sv_build *b = sc->b;
  sv_flow *f = &sc->flow;
  f->count = sc->count;
  f->st = sv_tmp_alloc(b, (sc->count + 1) * sizeof *f->st);
  f->edges = sv_tmp_alloc(b, (sc->tr_count + 1) * sizeof *f->edges);
  if (!f->st || !f->edges)
    return false;
  uint32_t ne = 0;
  for (size_t i = 0; i < sc->count; i++) {
    const sv_pstate *ps = &sc->st[i];
    sv_flow_state *fs = &f->st[i];
    fs->name = ps->name;
    fs->file = ps->file;
    fs->path = ps->path;
    fs->kind = ps->kind;
    fs->var = ps->var;
    fs->first_edge = ne;
    for (uint16_t k = 0; k < ps->tr_count; k++)
      if (sc->tr[ps->first_tr + k].target >= 0)
        f->edges[ne++] = (uint16_t)sc->tr[ps->first_tr + k].target;
    fs->edge_count = (uint16_t)(ne - fs->first_edge);
  }
  sv_path p;
  sv_path_init(&p, "start");
  f->start = start ? sv_resolve_target(sc, NULL, &p, start) : -1;
  if (f->start < 0)
    sound = false;
  if (!sv_flow_check(b, f))
    return false;
  if (!sound)
    return false; /* unreachable states would only echo earlier errors */
  for (size_t i = 0; i < sc->count; i++) {
    const sv_pstate *ps = &sc->st[i];
    if (f->reached[i])
      continue;
    if (!ps->use)
      sv_diag(b->L, ps->file, ps->path,
              "state \"%s\" cannot be reached from the start", ps->local);
    else if (ps->use->start >= 0 && f->reached[ps->use->start])
      sv_diag(b->L, ps->file, ps->path,
              "state \"%s\" cannot be reached from the block's start",
              ps->local);
    else
      sv_diag(b->L, ps->use->file, ps->use->path,
              "state \"%s\" cannot be reached from the start",
              ps->use->name);
  }
  return true;
}

/* ---- The service ------------------------------------------------------------ */

static uint32_t service_hash(sv_svc *sc) {
  sv_build *b = sc->b;
  crypto_generichash_state hs;
  unsigned char h[16];
  crypto_generichash_init(&hs, NULL, 0, sizeof h);
  crypto_generichash_update(&hs, sc->doc->hash, sizeof sc->doc->hash);
  /* A session is pinned to the service and the blocks it expands. */
  bool *seen = sv_tmp_alloc(b, (b->block_count + 1) * sizeof *seen);
  for (size_t i = 0; seen && i < sc->use_count; i++) {
    size_t k = sc->uses[i].block;
    if (sc->uses[i].as && !seen[k]) {
      seen[k] = true;
      crypto_generichash_update(&hs, b->block_info[k].doc->hash,
                                sizeof b->block_info[k].doc->hash);
    }
  }
  crypto_generichash_final(&hs, h, sizeof h);
  return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
         (uint32_t)h[3] << 24;
}

bool sv_compile_service(sv_build *b, const sv_doc *d, sv_service *out) {
  sv_svc sc;
  memset(&sc, 0, sizeof sc);
  sc.b = b;
  sc.doc = d;
  memset(out, 0, sizeof *out);
  out->id = out->version = out->ref_prefix = b->empty;
  out->file = sv_intern(b, d->file, strlen(d->file));
  out->fee_amount = -1;
  for (int k = 0; k < SAMVAD_LANG_COUNT; k++) {
    sv_text *t[] = {&out->department, &out->title, &out->summary,
                    &out->fee_text};
    for (int j = 0; j < 4; j++)
      t[j]->s[k] = b->empty;
  }
  sv_compile_fields(&sc, out);
  const sv_json *states = sv_json_get(d->root, "states");
  if (!states || b->L->oom)
    return !b->L->oom;
  list_states(&sc, states);
  if (sc.count > SAMVAD_MAX_STATES) {
    sv_diag(b->L, d->file, "states",
            "more than %d states (blocks included)", SAMVAD_MAX_STATES);
    return true;
  }
  sc.vars = sv_tmp_alloc(b, (SAMVAD_MAX_VARS + 1) * sizeof *sc.vars);
  sc.var_opts = sv_tmp_alloc(b, (SAMVAD_MAX_VARS + 1) * sizeof *sc.var_opts);
  sc.var_opt_counts =
      sv_tmp_alloc(b, (SAMVAD_MAX_VARS + 1) * sizeof *sc.var_opt_counts);
  if (!sc.vars || !sc.var_opts || !sc.var_opt_counts || b->L->oom)
    return false;
  for (size_t i = 0; i < sc.count; i++)
    sv_state_pass1(&sc, i);
  bool sound = true;
  for (size_t i = 0; i < sc.use_count; i++) {
    sv_use *u = &sc.uses[i];
    sv_path p;
    sv_path_init(&p, u->path);
    sv_path_key(&p, "next");
    if (u->next && u->next->type == SV_J_STR)
      u->next_state = sv_resolve_target(&sc, NULL, &p, u->next);
    if (u->next_state < 0 || u->start < 0)
      sound = false;
  }
  for (size_t i = 0; i < sc.count && !b->L->oom; i++) {
    sv_pstate *ps = &sc.st[i];
    if (ps->kind == SV_KIND_BROKEN)
      sound = false;
    else if (ps->kind != SV_ST_END && !read_next(&sc, ps))
      sound = false;
  }
  if (b->L->oom)
    return false;
  if (!run_flow(&sc, sv_json_get(d->root, "start"), sound)) {
    if (b->L->oom)
      return false;
    sc.flow.in = NULL; /* no sound flow: skip "set earlier" checks */
  }
  sv_state *st = sv_arena_alloc(b->cat, (sc.count + 1) * sizeof *st);
  if (!st) {
    b->L->oom = true;
    return false;
  }
  for (size_t i = 0; i < sc.count && !b->L->oom; i++)
    sv_compile_state(&sc, i, &st[i]);
  sv_var *vars = sv_arena_alloc(b->cat, (sc.var_count + 1) * sizeof *vars);
  if (!vars) {
    b->L->oom = true;
    return false;
  }
  memcpy(vars, sc.vars, sc.var_count * sizeof *vars);
  out->states = st;
  out->state_count = (uint16_t)sc.count;
  out->vars = vars;
  out->var_count = (uint16_t)sc.var_count;
  out->start = sc.flow.start >= 0 ? (uint16_t)sc.flow.start : 0;
  sv_compile_certificate(&sc, out);
  out->hash = service_hash(&sc);
  return !b->L->oom;
}
