/* engine_flow.c - moving through a service: transitions, passing the states
 * that do not wait (branch, inform, submit), stopping at the next question,
 * the path of answers that the summary shows and an application submits,
 * and leaving a service. engine.c decides what a message means; this file
 * decides where the conversation goes next. */
#include "engine.h"

#include <string.h>

void sv_leave_service(sv_ctx *c) {
  sv_session_to_menu(c->s);
  c->svc = NULL;
  c->skip_answered = false;
}

void sv_start_service(sv_ctx *c, int svc, bool intro) {
  samvad_session *s = c->s;
  sv_session_clear_answers(s);
  s->service = (int16_t)svc;
  c->svc = &c->cat->services[svc];
  s->state = c->svc->start;
  s->phase = SV_PH_ANSWERING;
  s->editing = 0;
  s->retries = 0;
  s->forward = 1;
  s->forward_day = c->today;
  c->skip_answered = false;
  if (intro)
    sv_render_intro(c);
  sv_enter(c, c->svc->start);
}

/* Walks the path from the start to stop with the current answers,
 * collecting its variables in path order and, when informs is not NULL,
 * marking the inform states passed. */
static size_t walk_path(sv_ctx *c, uint16_t stop, uint16_t *vars, size_t cap,
                        uint8_t *informs) {
  const sv_service *svc = c->svc;
  uint8_t seen[(SAMVAD_MAX_VARS + 8) / 8];
  memset(seen, 0, sizeof seen);
  size_t n = 0;
  int st = svc->start;
  /* A path without repeats has at most state_count states; the bound only
   * matters for specs with loops between questions. */
  for (size_t steps = 0; steps < (size_t)svc->state_count + 1 && st >= 0;
       steps++) {
    if (st == stop)
      break;
    const sv_state *x = &svc->states[st];
    if (x->kind == SV_ST_ASK || x->kind == SV_ST_CHOICE) {
      if (x->var < 0 || x->var >= c->s->values_cap ||
          c->s->values[x->var].kind == SV_VAL_NONE)
        break;
      unsigned v = (unsigned)x->var;
      if (!(seen[v / 8] & (1u << (v % 8))) && n < cap) {
        seen[v / 8] |= (uint8_t)(1u << (v % 8));
        vars[n++] = (uint16_t)v;
      }
    } else if (x->kind == SV_ST_SUBMIT || x->kind == SV_ST_END) {
      break;
    } else if (x->kind == SV_ST_INFORM && informs) {
      informs[st / 8] |= (uint8_t)(1u << (st % 8));
    }
    st = sv_follow(c, (uint16_t)st);
  }
  return n;
}

/* Whether the answers are the path's to the current state, in order (see
 * samvad_session.forward): every condition on the way would read what it
 * read when the flow passed it, on the same day. */
static bool forward_path(const sv_ctx *c) {
  const samvad_session *s = c->s;
  return s->forward && s->forward_day == c->today && c->svc->forward_safe;
}

size_t sv_path_vars(sv_ctx *c, uint16_t stop, uint16_t *vars, size_t cap) {
  samvad_session *s = c->s;
  /* Every caller stops at the state the flow has reached. */
  if (stop == s->state && s->answer_count <= cap && forward_path(c)) {
    memcpy(vars, s->answer_order, s->answer_count * sizeof *vars);
    return s->answer_count;
  }
  return walk_path(c, stop, vars, cap, NULL);
}

/* Forgets answers that are not on the path to the summary: after a
 * correction changed a branch, the other branch's answers must neither be
 * shown nor submitted. */
static void prune(sv_ctx *c, const uint16_t *vars, size_t n) {
  samvad_session *s = c->s;
  uint8_t on[(SAMVAD_MAX_VARS + 8) / 8];
  memset(on, 0, sizeof on);
  for (size_t k = 0; k < n; k++)
    on[vars[k] / 8] |= (uint8_t)(1u << (vars[k] % 8));
  for (size_t k = s->answer_count; k-- > 0;) {
    uint16_t v = s->answer_order[k];
    if (!(on[v / 8] & (1u << (v % 8))))
      sv_session_drop_answer(s, v);
  }
}

/* The variables on the path to a submission. Right after a summary (the
 * answers unchanged, the same day, so every condition is as it was) they
 * are all the answers there are, in path order; otherwise the path is
 * walked. */
static size_t submit_vars(sv_ctx *c, uint16_t st, uint16_t *vars) {
  samvad_session *s = c->s;
  const sv_service *svc = c->svc;
  if (!s->pruned || s->pruned_day != c->today || !svc->vars_in_path_order)
    return sv_path_vars(c, st, vars, SAMVAD_MAX_VARS);
  size_t n = 0;
  for (size_t k = 0; k < svc->var_count && k < s->values_cap; k++) {
    uint16_t v = svc->vars_in_path_order[k];
    if (v < s->values_cap && s->values[v].kind != SV_VAL_NONE)
      vars[n++] = v;
  }
  return n;
}

static void submit(sv_ctx *c, uint16_t st) {
  samvad_session *s = c->s;
  const sv_service *svc = c->svc;
  uint16_t vars[SAMVAD_MAX_VARS];
  size_t n = submit_vars(c, st, vars);
  char ref[SV_REF_MAX];
  sv_make_reference(c, vars, n, ref);
  if (c->undo && !c->apps_saved) {
    memcpy(c->undo->apps, s->apps, sizeof s->apps);
    c->apps_saved = true;
  }
  if (s->app_count == SV_MAX_APPLICATIONS) {
    memmove(s->apps, s->apps + 1, (SV_MAX_APPLICATIONS - 1) * sizeof *s->apps);
    s->app_count--;
  }
  sv_app_record *a = &s->apps[s->app_count++];
  memset(a, 0, sizeof *a);
  memcpy(a->ref, ref, strlen(ref) + 1);
  a->service = (uint16_t)s->service;
  a->day = c->today;

  sv_kv kv[] = {{"reference", ref, strlen(ref)}};
  sv_out_begin(&c->out, s->lang, svc->id, svc->states[st].name);
  sv_render(c, &svc->states[st].prompt, kv, 1);
  sv_out_application(&c->out, ref, svc->id);
  for (size_t k = 0; k < n; k++) {
    size_t off = sv_out_pos(&c->out);
    sv_render_value_plain(c, &svc->vars[vars[k]], &s->values[vars[k]]);
    sv_out_app_answer(&c->out, svc->vars[vars[k]].name, off);
  }
}

/* A spec that loops without waiting, or has no way on: the citizen is
 * pointed to a Common Service Centre and put back at the menu, rather
 * than the step hanging or failing. */
static void stuck(sv_ctx *c) {
  sv_say(c, SV_MSG_HUMAN, NULL, 0);
  sv_leave_service(c);
  sv_render_menu(c);
}

void sv_enter(sv_ctx *c, uint16_t st) {
  samvad_session *s = c->s;
  const sv_service *svc = c->svc;
  size_t limit = SAMVAD_MAX_AUTO_STEPS +
                 (c->skip_answered ? (size_t)svc->state_count : 0);
  /* Conditions are about to be read on this day; if it is another one
   * than the answers', the way they took may differ now. */
  if (s->forward_day != c->today)
    s->forward = 0;
  for (size_t steps = 0; steps <= limit; steps++) {
    if (st >= svc->state_count)
      break;
    const sv_state *x = &svc->states[st];
    s->state = st;
    s->retries = 0;
    int next;
    switch (x->kind) {
    case SV_ST_ASK:
    case SV_ST_CHOICE:
      if (c->skip_answered && x->var >= 0 && x->var < s->values_cap &&
          s->values[x->var].kind != SV_VAL_NONE) {
        next = sv_follow(c, st);
        break;
      }
      s->phase = SV_PH_ANSWERING;
      sv_render_question(c);
      return;
    case SV_ST_SUMMARY: {
      c->skip_answered = false;
      s->editing = 0;
      s->phase = SV_PH_ANSWERING;
      uint16_t vars[SAMVAD_MAX_VARS];
      bool walk = !forward_path(c);
      size_t n = sv_path_vars(c, st, vars, SAMVAD_MAX_VARS);
      if (walk) /* else every answer is on the path */
        prune(c, vars, n);
      s->pruned = 1;
      s->pruned_day = c->today;
      sv_render_summary(c, vars, n);
      return;
    }
    case SV_ST_INFORM:
      /* After a correction, only texts the citizen has read already on
       * the way to the summary are passed over in silence: a new one (the
       * reason the application now ends, a new requirement) is shown. */
      if (!c->skip_answered || !c->seen_informs ||
          !(c->seen_informs[st / 8] & (1u << (st % 8)))) {
        sv_out_begin(&c->out, s->lang, svc->id, x->name);
        sv_render(c, &x->prompt, NULL, 0);
      }
      next = sv_follow(c, st);
      break;
    case SV_ST_SUBMIT:
      submit(c, st);
      next = sv_follow(c, st);
      break;
    case SV_ST_END:
      sv_out_begin(&c->out, s->lang, svc->id, x->name);
      sv_render(c, &x->prompt, NULL, 0);
      sv_leave_service(c);
      return;
    default: /* branch */
      next = sv_follow(c, st);
      break;
    }
    if (next < 0)
      break;
    st = (uint16_t)next;
  }
  stuck(c);
}

void sv_answer(sv_ctx *c, uint16_t var, const sv_value *v) {
  samvad_session *s = c->s;
  /* While correcting, the informs on the path as it was (before the new
   * answer) are the ones the citizen has seen. */
  uint8_t informs[(SAMVAD_MAX_STATES + 7) / 8];
  if (s->editing) {
    memset(informs, 0, sizeof informs);
    walk_path(c, s->return_state, NULL, 0, informs);
    c->seen_informs = informs;
  }
  sv_session_set_answer(s, var, v);
  s->retries = 0;
  /* While correcting one answer from the summary, questions that already
   * have an answer are passed until the summary or a new question. */
  c->skip_answered = s->editing != 0;
  int next = sv_follow(c, s->state);
  if (next < 0)
    stuck(c);
  else
    sv_enter(c, (uint16_t)next);
  c->seen_informs = NULL;
}

void sv_reask(sv_ctx *c) {
  samvad_session *s = c->s;
  if (!c->svc) {
    sv_render_menu(c);
    return;
  }
  switch (s->phase) {
  case SV_PH_CONFIRM_CANCEL:
    sv_say(c, SV_MSG_CANCEL_CONFIRM, NULL, 0);
    sv_render_yesno_options(c);
    return;
  case SV_PH_RESUME: {
    uint8_t l = s->lang;
    const sv_text *t = &c->svc->title;
    sv_kv kv[] = {{"service", t->s[l], t->len[l]}};
    sv_say(c, SV_MSG_IDLE_RESUME, kv, 1);
    const sv_text *ct = &c->cat->messages[SV_MSG_IDLE_CONTINUE];
    const sv_text *rt = &c->cat->messages[SV_MSG_IDLE_RESTART];
    sv_out_option(&c->out, "continue", ct->s[l]);
    sv_out_option(&c->out, "restart", rt->s[l]);
    return;
  }
  default:
    sv_render_question(c);
    return;
  }
}
