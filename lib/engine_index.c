/* engine_index.c - what the engine can work out once per catalogue instead
 * of once per message: the filters over the command words (so that most
 * answers skip the command scan, and typed answers even the folding), the
 * texts that messages are compared with, folded, and each service's
 * introduction, rendered in both languages. Everything lands in the
 * catalogue's arena, so it is freed with the catalogue. */
#include "engine.h"

#include <string.h>

static void bloom_add(uint64_t *bloom, uint32_t h) {
  unsigned x = h & 1023, y = (h >> 10) & 1023;
  bloom[x >> 6] |= (uint64_t)1 << (x & 63);
  bloom[y >> 6] |= (uint64_t)1 << (y & 63);
}

static void index_commands(samvad_catalogue *c) {
  memset(c->command_first, 0, sizeof c->command_first);
  memset(c->command_bloom, 0, sizeof c->command_bloom);
  memset(c->command_pair_bloom, 0, sizeof c->command_pair_bloom);
  memset(c->command_deva_first, 0, sizeof c->command_deva_first);
  for (int k = 1; k < SV_CMD__COUNT; k++)
    for (size_t i = 0; i < c->command_word_count[k]; i++) {
      const char *w = c->command_words[k][i];
      unsigned char b = (unsigned char)w[0];
      c->command_first[b >> 6] |= (uint64_t)1 << (b & 63);
      if (b == 0xE0 && ((unsigned char)w[1] == 0xA4 ||
                        (unsigned char)w[1] == 0xA5)) {
        unsigned d = ((unsigned)((unsigned char)w[1] - 0xA4) << 6) |
                     ((unsigned char)w[2] & 0x3Fu);
        c->command_deva_first[d >> 6] |= (uint64_t)1 << (d & 63);
      }
      size_t wl = strlen(w);
      bloom_add(c->command_bloom, sv_bloom_hash(w, wl));
      /* A word shorter than the prefix, or with punctuation in it, needs
       * no entry: a message that could equal it is folded whole anyway
       * (see sv_may_be_command). */
      char pre[SV_CMD_PREFIX_BYTES];
      size_t pl = sv_fold_prefix(w, wl, pre, sizeof pre, SV_CMD_PREFIX_CHARS);
      if (pl)
        bloom_add(c->command_pair_bloom, sv_bloom_hash(pre, pl));
    }
  c->command_indexed = 1;
}

/* Folds t for comparing with folded messages, as the engine once did on
 * every comparison (into 512 bytes: a longer text matches nothing). */
static bool fold_text(samvad_catalogue *c, const sv_text *t,
                      const char *out[SAMVAD_LANG_COUNT]) {
  for (int l = 0; l < SAMVAD_LANG_COUNT; l++) {
    char buf[512];
    long n = t->s[l] && t->len[l] ? sv_fold(t->s[l], t->len[l], buf, sizeof buf)
                                  : -1;
    out[l] = NULL;
    if (n > 0 && !(out[l] = sv_arena_strndup(&c->arena, buf, (size_t)n)))
      return false;
  }
  return true;
}

/* A summary line starts "\n<label>: ": built once here, so the summary
 * copies one piece per answer instead of three. */
static bool label_line(samvad_catalogue *c, sv_state *st) {
  for (int l = 0; l < SAMVAD_LANG_COUNT; l++) {
    size_t n = st->label.s[l] ? st->label.len[l] : 0;
    char *p = sv_arena_alloc(&c->arena, n + 4);
    if (!p)
      return false;
    p[0] = '\n';
    if (n)
      memcpy(p + 1, st->label.s[l], n);
    memcpy(p + 1 + n, ": ", 3);
    st->label_line.s[l] = p;
    st->label_line.len[l] = (uint32_t)(n + 3);
  }
  return true;
}

/* The introduction of service i in language l, rendered as the engine
 * renders it (at that point a session has no answers), into the arena. */
static bool render_intro(samvad_catalogue *c, samvad_replies *r, size_t i,
                         uint8_t l, const char **out) {
  samvad_session s;
  memset(&s, 0, sizeof s);
  s.catalogue = c;
  s.lang = l;
  s.service = (int16_t)i;
  sv_ctx *x = sv_malloc(&c->arena.alloc, sizeof *x);
  if (!x)
    return false;
  memset(x, 0, sizeof *x);
  x->cat = c;
  x->s = &s;
  x->svc = &c->services[i];
  bool ok = sv_out_grow(r, NULL);
  while (ok) {
    sv_out_init(&x->out, r);
    sv_render_intro_text(x);
    sv_out_finish(&x->out);
    if (!x->out.overflow)
      break;
    ok = sv_out_grow(r, &x->out);
  }
  if (ok && r->count == 1) {
    const char *t = r->items[0].text;
    ok = (*out = sv_arena_strndup(&c->arena, t, strlen(t))) != NULL;
  }
  sv_free(&c->arena.alloc, x);
  return ok;
}

/* n options as a reply carries them: ids, and titles in language l. */
static samvad_option *options(samvad_catalogue *c, size_t n) {
  return sv_arena_alloc(&c->arena, (n ? n : 1) * sizeof(samvad_option));
}

/* The length of s when it folds to itself, else 0 (sv_option.fixed_len). */
static uint16_t fixed_len(const char *s) {
  char buf[512];
  size_t n = s ? strlen(s) : 0;
  return n > 0 && n < sizeof buf &&
                 sv_fold(s, n, buf, sizeof buf) == (long)n &&
                 memcmp(buf, s, n) == 0
             ? (uint16_t)n
             : 0;
}

static bool index_options(samvad_catalogue *c) {
  for (uint8_t l = 0; l < SAMVAD_LANG_COUNT; l++) {
    samvad_option *m = options(c, c->service_count);
    samvad_option *yn = options(c, 2);
    if (!m || !yn)
      return false;
    for (size_t i = 0; i < c->service_count; i++) {
      m[i].id = c->services[i].id;
      m[i].title = c->services[i].title.s[l] ? c->services[i].title.s[l] : "";
    }
    yn[0].id = "yes";
    yn[1].id = "no";
    const char *yes = c->messages[SV_MSG_YES].s[l];
    const char *no = c->messages[SV_MSG_NO].s[l];
    yn[0].title = yes ? yes : "";
    yn[1].title = no ? no : "";
    c->menu_options[l] = m;
    c->yesno_options[l] = yn;
  }
  for (size_t i = 0; i < c->service_count; i++) {
    const sv_service *svc = &c->services[i];
    sv_state *states = (sv_state *)svc->states;
    for (size_t k = 0; k < svc->state_count; k++) {
      sv_state *st = &states[k];
      if (st->kind != SV_ST_CHOICE)
        continue;
      for (uint8_t l = 0; l < SAMVAD_LANG_COUNT; l++) {
        samvad_option *o = options(c, st->option_count);
        if (!o)
          return false;
        for (size_t j = 0; j < st->option_count; j++) {
          o[j].id = st->options[j].id;
          o[j].title = st->options[j].title.s[l] ? st->options[j].title.s[l]
                                                 : "";
        }
        st->reply_options[l] = o;
      }
      sv_option *opts = (sv_option *)st->options;
      for (size_t j = 0; j < st->option_count; j++) {
        opts[j].fixed_len[0] = fixed_len(opts[j].id);
        for (uint8_t l = 0; l < SAMVAD_LANG_COUNT; l++)
          opts[j].fixed_len[1 + l] = fixed_len(opts[j].folded[l]);
      }
    }
    sv_var *vars = (sv_var *)svc->vars;
    for (size_t v = 0; v < svc->var_count; v++) {
      size_t n = strlen(vars[v].name);
      char *id = sv_arena_alloc(&c->arena, n + 6);
      if (!id)
        return false;
      memcpy(id, "edit_", 5);
      memcpy(id + 5, vars[v].name, n + 1);
      vars[v].edit_id = id;
    }
  }
  return true;
}

/* Marks in bits the variables that condition e reads; false when it nests
 * deeper than the check follows (the service then always walks). */
static bool expr_reads(const samvad_catalogue *c, uint32_t e, uint64_t *bits,
                       unsigned depth) {
  if (depth > 64)
    return false;
  const sv_expr *x = &c->exprs[e];
  if (x->op == SV_OP_VAR || x->op == SV_OP_SET || x->op == SV_OP_OPT_IN ||
      x->op == SV_OP_OPT_NOT_IN) {
    if (x->var >= SAMVAD_MAX_VARS)
      return false;
    bits[x->var / 64] |= 1ull << (x->var % 64);
  }
  for (uint32_t k = 0; k < x->nargs; k++)
    if (!expr_reads(c, c->expr_args[x->args + k], bits, depth + 1))
      return false;
  return true;
}

#define VAR_WORDS ((SAMVAD_MAX_VARS + 63) / 64)

/* Whether answers given forward are always the path's (sv_service's
 * forward_safe), given the states in topological order. Goes backwards
 * through them, gathering for each state the variables saved after it. */
static bool forward_safe(const samvad_catalogue *c, const sv_service *svc,
                         const uint16_t *topo) {
  size_t n = svc->state_count;
  uint64_t *after = sv_malloc(&c->arena.alloc, (n + 1) * sizeof(uint64_t) *
                                                   VAR_WORDS);
  uint8_t *asks = sv_malloc(&c->arena.alloc, n + 1); /* a wait comes later */
  bool ok = after && asks;
  for (size_t i = n; ok && i-- > 0;) {
    uint16_t k = topo[i];
    const sv_state *x = &svc->states[k];
    uint64_t *a = after + (size_t)k * VAR_WORDS;
    memset(a, 0, sizeof(uint64_t) * VAR_WORDS);
    asks[k] = 0;
    uint64_t reads[VAR_WORDS] = {0};
    for (uint16_t t = 0; ok && t < x->next_count; t++) {
      const sv_transition *tr = &c->transitions[x->next + t];
      if (tr->target >= n) {
        ok = false;
        break;
      }
      const sv_state *y = &svc->states[tr->target];
      const uint64_t *b = after + (size_t)tr->target * VAR_WORDS;
      for (size_t w = 0; w < VAR_WORDS; w++)
        a[w] |= b[w];
      asks[k] |= asks[tr->target] || y->kind == SV_ST_ASK ||
                 y->kind == SV_ST_CHOICE || y->kind == SV_ST_SUMMARY;
      if (y->kind == SV_ST_ASK || y->kind == SV_ST_CHOICE) {
        if (y->var < 0 || y->var >= svc->var_count)
          ok = false;
        else
          a[y->var / 64] |= 1ull << (y->var % 64);
      }
      if (tr->cond >= 0)
        ok = expr_reads(c, (uint32_t)tr->cond, reads, 0);
    }
    /* A condition reading what a later state saves could take another
     * way once that is answered; a variable saved twice on a path, or a
     * wait after a submission, would leave the answers unlike the walk. */
    for (size_t w = 0; ok && w < VAR_WORDS; w++)
      ok = !(reads[w] & a[w]);
    if (ok && (x->kind == SV_ST_ASK || x->kind == SV_ST_CHOICE))
      ok = x->var >= 0 && x->var < svc->var_count &&
           !(a[x->var / 64] >> (x->var % 64) & 1);
    if (ok && x->kind == SV_ST_SUBMIT)
      ok = !asks[k];
  }
  sv_free(&c->arena.alloc, after);
  sv_free(&c->arena.alloc, asks);
  return ok;
}

/* The states of svc in topological order of its transitions, and from it
 * the variables by the position of the state that saves each; false only
 * when out of memory (a flow with a loop gets no order). */
static bool index_path_order(samvad_catalogue *c, sv_service *svc) {
  size_t n = svc->state_count;
  uint16_t *indeg = sv_malloc(&c->arena.alloc, (n + 1) * sizeof *indeg);
  uint16_t *queue = sv_malloc(&c->arena.alloc, (n + 1) * sizeof *queue);
  uint16_t *rank = sv_malloc(&c->arena.alloc, (n + 1) * sizeof *rank);
  bool ok = indeg && queue && rank;
  if (ok) {
    memset(indeg, 0, n * sizeof *indeg);
    for (size_t k = 0; k < n; k++)
      for (uint16_t t = 0; t < svc->states[k].next_count; t++) {
        uint16_t to = c->transitions[svc->states[k].next + t].target;
        if (to < n)
          indeg[to]++;
      }
    size_t head = 0, tail = 0;
    for (size_t k = 0; k < n; k++)
      if (indeg[k] == 0)
        queue[tail++] = (uint16_t)k;
    while (head < tail) {
      uint16_t k = queue[head];
      rank[k] = (uint16_t)head++;
      for (uint16_t t = 0; t < svc->states[k].next_count; t++) {
        uint16_t to = c->transitions[svc->states[k].next + t].target;
        if (to < n && --indeg[to] == 0)
          queue[tail++] = to;
      }
    }
    if (tail == n) { /* no loop */
      uint16_t *order =
          sv_arena_alloc(&c->arena, (svc->var_count + 1) * sizeof *order);
      ok = order != NULL;
      for (size_t v = 0; ok && v < svc->var_count; v++) {
        /* Insertion by rank: a service has a few dozen variables. */
        size_t at = v;
        uint16_t r = rank[svc->vars[v].state < n ? svc->vars[v].state : 0];
        while (at > 0 && rank[svc->vars[order[at - 1]].state] > r) {
          order[at] = order[at - 1];
          at--;
        }
        order[at] = (uint16_t)v;
      }
      if (ok)
        svc->vars_in_path_order = order;
      svc->forward_safe = ok && forward_safe(c, svc, queue);
    }
  }
  sv_free(&c->arena.alloc, indeg);
  sv_free(&c->arena.alloc, queue);
  sv_free(&c->arena.alloc, rank);
  return ok;
}

int sv_catalogue_index(samvad_catalogue *c) {
  index_commands(c);
  if (!index_options(c))
    return SAMVAD_ENOMEM;
  static const sv_msg matched[] = {SV_MSG_YES, SV_MSG_NO,
                                   SV_MSG_SUMMARY_CONFIRM,
                                   SV_MSG_IDLE_CONTINUE, SV_MSG_IDLE_RESTART};
  for (size_t k = 0; k < sizeof matched / sizeof matched[0]; k++)
    if (!fold_text(c, &c->messages[matched[k]],
                   c->messages_folded[matched[k]]))
      return SAMVAD_ENOMEM;
  samvad_replies *r = NULL;
  if (samvad_replies_create(&c->arena.alloc.a, &r) != SAMVAD_OK)
    return SAMVAD_ENOMEM;
  bool ok = true;
  for (size_t i = 0; ok && i < c->service_count; i++) {
    /* The tables were written by the loader into this same arena; the
     * index completes them before anyone reads the catalogue. */
    sv_service *svc = (sv_service *)&c->services[i];
    ok = fold_text(c, &svc->title, svc->title_folded) &&
         index_path_order(c, svc);
    for (uint8_t l = 0; ok && l < SAMVAD_LANG_COUNT; l++)
      ok = render_intro(c, r, i, l, &svc->intro[l]);
    sv_state *states = (sv_state *)svc->states;
    for (size_t k = 0; ok && k < svc->state_count; k++) {
      if (states[k].kind == SV_ST_ASK || states[k].kind == SV_ST_CHOICE)
        ok = fold_text(c, &states[k].label, states[k].label_folded) &&
             label_line(c, &states[k]);
      for (uint8_t l = 0; l < SAMVAD_LANG_COUNT; l++) {
        const char *p = states[k].prompt.s[l];
        size_t n = states[k].prompt.len[l];
        if (p && p[n] == '\0' && !memchr(p, '{', n))
          states[k].prompt_fixed |= (uint8_t)(1u << l);
      }
    }
  }
  samvad_replies_destroy(r);
  return ok ? SAMVAD_OK : SAMVAD_ENOMEM;
}
