/* loader_check.c - checks on a service's flow as a graph: which states can
 * be reached, which variables may be set on entry to each state (so that
 * texts and conditions only name answers an earlier state can have given),
 * and loops or over-long chains of states that pass on without waiting,
 * which would make the engine spin. */
#include "loader.h"

#include <stdio.h>
#include <string.h>

static bool passes_on(uint8_t kind) {
  return kind == SV_ST_BRANCH || kind == SV_ST_INFORM || kind == SV_ST_SUBMIT;
}

/* Reachability and "may be set on entry", one worklist pass to a fixed
 * point: in[t] is the union over edges s->t of in[s] plus what s saves. */
static bool dataflow(sv_build *b, sv_flow *f) {
  size_t n = f->count;
  uint16_t *queue = sv_tmp_alloc(b, (n + 1) * sizeof *queue);
  bool *queued = sv_tmp_alloc(b, (n + 1) * sizeof *queued);
  if (!queue || !queued)
    return false;
  size_t head = 0, len = 0;
  f->reached[f->start] = true;
  queue[0] = (uint16_t)f->start;
  queued[f->start] = true;
  len = 1;
  while (len) {
    uint16_t s = queue[head];
    head = (head + 1) % n;
    len--;
    queued[s] = false;
    const sv_flow_state *fs = &f->st[s];
    uint64_t out[SV_BITSET_WORDS];
    memcpy(out, f->in[s], sizeof out);
    if (fs->var >= 0)
      sv_bit_set(out, (unsigned)fs->var);
    if (fs->kind == SV_ST_SUBMIT)
      sv_bit_set(out, SV_BIT_SUBMITTED);
    for (uint16_t e = 0; e < fs->edge_count; e++) {
      uint16_t t = f->edges[fs->first_edge + e];
      bool changed = !f->reached[t];
      f->reached[t] = true;
      for (int w = 0; w < SV_BITSET_WORDS; w++) {
        uint64_t u = f->in[t][w] | out[w];
        changed |= u != f->in[t][w];
        f->in[t][w] = u;
      }
      if (changed && !queued[t]) {
        queue[(head + len) % n] = t;
        len++;
        queued[t] = true;
      }
    }
  }
  return true;
}

/* Reports the loop on the DFS stack from t back round to t. */
static void report_loop(sv_build *b, const sv_flow *f, const uint16_t *stack,
                        size_t depth, uint16_t t) {
  size_t from = depth;
  while (from > 0 && stack[from - 1] != t)
    from--;
  if (from == 0)
    return;
  from--;
  char buf[400];
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = from; i <= depth && o + 80 < sizeof buf; i++) {
    const char *name = f->st[i < depth ? stack[i] : t].name;
    int w = snprintf(buf + o, sizeof buf - o, "%s\"%s\"", i > from ? " -> " : "",
                     name);
    if (w > 0)
      o += (size_t)w;
  }
  char path[SV_PATH_MAX];
  snprintf(path, sizeof path, "%s.next", f->st[t].path);
  sv_diag(b->L, f->st[t].file, path,
          "these states pass on without waiting for an answer and form a "
          "loop: %s",
          buf);
}

/* Depth-first search over the states that pass on: a back edge is a loop
 * that never waits; on a loop-free graph, the longest chain is bounded by
 * SAMVAD_MAX_AUTO_STEPS, the engine's limit. */
static bool wait_free(sv_build *b, const sv_flow *f) {
  size_t n = f->count;
  uint8_t *color = sv_tmp_alloc(b, n + 1);
  uint16_t *stack = sv_tmp_alloc(b, (n + 1) * sizeof *stack);
  uint16_t *edge = sv_tmp_alloc(b, (n + 1) * sizeof *edge);
  uint16_t *chain = sv_tmp_alloc(b, (n + 1) * sizeof *chain);
  if (!color || !stack || !edge || !chain)
    return false;
  bool looped = false;
  for (size_t root = 0; root < n; root++) {
    if (color[root] || !passes_on(f->st[root].kind))
      continue;
    size_t depth = 0;
    stack[0] = (uint16_t)root;
    edge[0] = 0;
    color[root] = 1;
    while (true) {
      uint16_t s = stack[depth];
      const sv_flow_state *fs = &f->st[s];
      if (edge[depth] < fs->edge_count) {
        uint16_t t = f->edges[fs->first_edge + edge[depth]++];
        if (!passes_on(f->st[t].kind))
          continue;
        if (color[t] == 1) {
          report_loop(b, f, stack, depth + 1, t);
          looped = true;
        } else if (color[t] == 0) {
          color[t] = 1;
          stack[++depth] = t;
          edge[depth] = 0;
        }
        continue;
      }
      /* s is done: its chain is one more than its longest successor's. */
      uint16_t longest = 0;
      for (uint16_t e = 0; e < fs->edge_count; e++) {
        uint16_t t = f->edges[fs->first_edge + e];
        if (passes_on(f->st[t].kind) && color[t] == 2 && chain[t] > longest)
          longest = chain[t];
      }
      chain[s] = (uint16_t)(longest + 1);
      color[s] = 2;
      if (!looped && chain[s] == SAMVAD_MAX_AUTO_STEPS + 1)
        sv_diag(b->L, fs->file, fs->path,
                "more than %d states in a row pass on without waiting for "
                "an answer",
                SAMVAD_MAX_AUTO_STEPS);
      if (depth == 0)
        break;
      depth--;
    }
  }
  return true;
}

bool sv_flow_check(sv_build *b, sv_flow *f) {
  size_t n = f->count;
  f->reached = sv_tmp_alloc(b, (n + 1) * sizeof *f->reached);
  f->in = sv_tmp_alloc(b, (n + 1) * sizeof *f->in);
  if (!f->reached || !f->in)
    return false;
  if (!wait_free(b, f))
    return false;
  if (f->start < 0 || n == 0)
    return true;
  return dataflow(b, f);
}
