/* engine.c - samvad_step: what one incoming message means. It checks the
 * message, applies deadlines (expiry, idle), detects the language, and then
 * applies the documented precedence (docs/spec-format.md, "Global commands
 * and their precedence"): a tapped option, then an option's number/id/title,
 * then a yes/no word, then a command word, then the answer to the current
 * question. Where the conversation goes next is engine_flow.c's job;
 * commands and the phases away from answering are engine_phases.c's.
 *
 * A step cannot half-apply: before it mutates anything it reserves what an
 * answer needs and takes an undo copy of the session; if a reply cannot
 * grow, the copy is put back and SAMVAD_ENOMEM returned. */
#include "engine.h"

#include <string.h>

#define MAX_ID_BYTES 256 /* message and option ids */

static void refuse(sv_ctx *c, sv_reject why) {
  samvad_session *s = c->s;
  sv_say_reject(c, why);
  if (s->retries < 255)
    s->retries++;
  if (c->cat->max_retries && s->retries >= c->cat->max_retries) {
    s->retries = 0;
    sv_say(c, SV_MSG_RETRY_LIMIT, NULL, 0);
    sv_render_help(c);
  }
  sv_render_question(c);
}

static void answer_option(sv_ctx *c, const sv_state *st, size_t idx) {
  sv_value v = {.kind = SV_VAL_OPTION, .i = (int64_t)idx};
  sv_answer(c, (uint16_t)st->var, &v);
}

static void answer_int(sv_ctx *c, const sv_state *st, int64_t i) {
  sv_value v = {.kind = SV_VAL_INT, .i = i};
  sv_answer(c, (uint16_t)st->var, &v);
}

/* Rule 1 and 2 for a choice state: the index of the chosen option or -1. */
static int choice_of(const sv_ctx *c, const sv_state *st) {
  if (c->msg->kind == SAMVAD_MSG_OPTION) {
    for (size_t i = 0; i < st->option_count; i++)
      if (strcmp(st->options[i].id, c->msg->option_id) == 0)
        return (int)i;
    return -1;
  }
  if (!c->has_fold)
    return -1;
  size_t k = sv_number_of(c, st->option_count);
  if (k)
    return (int)k - 1;
  for (size_t i = 0; i < st->option_count; i++) {
    const sv_option *o = &st->options[i];
    if (sv_eq_word(o->id, c->fold, c->fold_len))
      return (int)i;
    for (int l = 0; l < SAMVAD_LANG_COUNT; l++)
      if (o->folded[l] && sv_eq_word(o->folded[l], c->fold, c->fold_len))
        return (int)i;
  }
  return -1;
}

/* At a summary: confirming (a tap, 1, "confirm", a yes word or the
 * confirm title). */
static bool summary_confirm(const sv_ctx *c) {
  if (c->msg->kind == SAMVAD_MSG_OPTION)
    return strcmp(c->msg->option_id, "confirm") == 0;
  return c->has_fold &&
         (sv_number_of(c, 1) == 1 || sv_is_id(c, "confirm") ||
          sv_yesno(c->fold, c->fold_len) == 1 ||
          sv_eq_folded_any(c,
                           c->cat->messages_folded[SV_MSG_SUMMARY_CONFIRM]));
}

/* At a summary: which of the n answers shown to correct (by tap, number
 * 2..n+1, edit_<var> or label), or -1. */
static int summary_edit(const sv_ctx *c, const uint16_t *vars, size_t n) {
  const sv_service *svc = c->svc;
  if (c->msg->kind == SAMVAD_MSG_OPTION) {
    const char *id = c->msg->option_id;
    if (strncmp(id, "edit_", 5) == 0)
      for (size_t k = 0; k < n; k++)
        if (strcmp(svc->vars[vars[k]].name, id + 5) == 0)
          return (int)k;
    return -1;
  }
  if (!c->has_fold)
    return -1;
  size_t num = sv_number_of(c, n + 1);
  if (num >= 2)
    return (int)num - 2;
  for (size_t k = 0; k < n; k++) {
    const sv_var *var = &svc->vars[vars[k]];
    if ((c->fold_len > 5 && memcmp(c->fold, "edit_", 5) == 0 &&
         sv_eq_word(var->name, c->fold + 5, c->fold_len - 5)) ||
        sv_eq_folded_any(c, svc->states[var->state].label_folded))
      return (int)k;
  }
  return -1;
}

static bool at_summary(sv_ctx *c, const sv_state *st) {
  if (summary_confirm(c)) {
    int next = sv_follow(c, c->s->state);
    /* No way on: the summary again rather than a dead end. */
    sv_enter(c, next >= 0 ? (uint16_t)next : c->s->state);
    return true;
  }
  uint16_t vars[SAMVAD_MAX_VARS];
  size_t n = sv_path_vars(c, c->s->state, vars, SAMVAD_MAX_VARS);
  int k = summary_edit(c, vars, n);
  if (k < 0)
    return false;
  c->s->editing = 1;
  c->s->forward = 0; /* the correction's answers are out of path order */
  c->s->return_state = (uint16_t)(st - c->svc->states);
  sv_enter(c, c->svc->vars[vars[k]].state);
  return true;
}

/* Rule 5 for an ask state: validate and save, or refuse. */
static void typed_answer(sv_ctx *c, const sv_state *st) {
  samvad_session *s = c->s;
  const sv_input *in = &st->input;
  int32_t age_ref = c->today;
  if (in->age_on_var >= 0 && in->age_on_var < s->values_cap &&
      s->values[in->age_on_var].kind == SV_VAL_DATE)
    age_ref = (int32_t)s->values[in->age_on_var].i;
  /* The answer is normalised straight into the session's text buffer,
   * where room was reserved before the step began. */
  char *scratch = s->text_buf + s->text_len;
  size_t cap = s->text_cap - s->text_len;
  sv_value v;
  memset(&v, 0, sizeof v);
  sv_reject why = sv_validate(in, c->text, c->text_len, c->today, age_ref,
                              scratch, cap, &v);
  if (why != SV_OK) {
    /* Every validator decodes all it accepts, so only a refused answer
     * can be invalid UTF-8, which is not understood rather than wrong. */
    if (c->text_unchecked && !sv_utf8_valid(c->text, c->text_len)) {
      sv_say(c, SV_MSG_NOT_UNDERSTOOD, NULL, 0);
      sv_reask(c);
      return;
    }
    refuse(c, why);
    return;
  }
  if (v.kind == SV_VAL_STR && (v.len >= cap || !v.s)) {
    refuse(c, SV_REJ_TOO_LONG);
    return;
  }
  sv_answer(c, (uint16_t)st->var, &v);
}

void sv_step_answering(sv_ctx *c) {
  samvad_session *s = c->s;
  const sv_state *st = &c->svc->states[s->state];
  const samvad_message *m = c->msg;
  bool yesno_ask = st->kind == SV_ST_ASK && st->input.type == SV_IN_YESNO;

  if (m->kind == SAMVAD_MSG_MEDIA) {
    if (st->kind == SV_ST_ASK && st->input.type == SV_IN_MEDIA) {
      sv_value v = {.kind = SV_VAL_STR, .s = m->media_id,
                    .len = (uint32_t)strlen(m->media_id)};
      sv_answer(c, (uint16_t)st->var, &v);
      return;
    }
    sv_say(c, SV_MSG_MEDIA_UNEXPECTED, NULL, 0);
    sv_reask(c);
    return;
  }
  /* Rules 1 and 2: a tapped option, or an option's number, id or title. */
  if (st->kind == SV_ST_CHOICE) {
    int k = choice_of(c, st);
    if (k >= 0) {
      answer_option(c, st, (size_t)k);
      return;
    }
  } else if (st->kind == SV_ST_SUMMARY) {
    if (at_summary(c, st))
      return;
  }
  /* Rule 3: a yes/no word answers a yes/no question. */
  if (yesno_ask) {
    int yn = sv_yes_no(c);
    if (yn >= 0) {
      answer_int(c, st, yn);
      return;
    }
  }
  if (m->kind == SAMVAD_MSG_OPTION) {
    sv_say(c, SV_MSG_NOT_UNDERSTOOD, NULL, 0);
    sv_reask(c);
    return;
  }
  /* Rule 4: a whole message that is a command word. */
  sv_command cmd = sv_match_command(c);
  if (cmd != SV_CMD_NONE) {
    sv_service_command(c, cmd);
    return;
  }
  /* Rule 5: the answer to the current question. */
  if (st->kind == SV_ST_ASK)
    typed_answer(c, st);
  else
    refuse(c, SV_REJ_CHOICE);
}

/* ---- The step ------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void touch_deadlines(sv_ctx *c) {
  samvad_session *s = c->s;
  uint32_t idle = c->svc ? c->svc->idle_seconds : c->cat->default_idle_seconds;
  uint32_t exp =
      c->svc ? c->svc->expire_seconds : c->cat->default_expire_seconds;
  s->idle_at = idle ? c->now + idle : 0;
  s->expire_at = exp ? c->now + exp : 0;
}

static void run(sv_ctx *c, bool bad_text) {
  samvad_session *s = c->s;
  if (!s->lang_chosen)
    sv_detect_language(c);
  if (s->stale) {
    s->stale = 0;
    sv_say(c, SV_MSG_SPEC_CHANGED, NULL, 0);
    if (c->svc) {
      sv_start_service(c, s->service, false);
      return;
    }
  }
  if (c->svc) {
    if (s->expire_at && c->now >= s->expire_at) {
      sv_leave_service(c);
      sv_say(c, SV_MSG_EXPIRED, NULL, 0);
    } else if (s->idle_at && c->now >= s->idle_at &&
               s->phase != SV_PH_RESUME && s->answer_count > 0) {
      s->phase = SV_PH_RESUME;
      s->forward = 0; /* after a pause, always walk: simplest to trust */
      sv_reask(c);
      return;
    }
  }
  if (bad_text) {
    sv_say(c, SV_MSG_NOT_UNDERSTOOD, NULL, 0);
    sv_reask(c);
    return;
  }
  if (!c->svc) {
    sv_step_idle(c);
    return;
  }
  switch (s->phase) {
  case SV_PH_CONFIRM_CANCEL:
    sv_step_confirm_cancel(c);
    return;
  case SV_PH_RESUME:
    sv_step_resume(c);
    return;
  default:
    sv_step_answering(c);
    return;
  }
}

static int check_message(const samvad_message *m) {
  if (m->id && strnlen(m->id, MAX_ID_BYTES + 1) > MAX_ID_BYTES)
    return SAMVAD_ELIMIT;
  switch (m->kind) {
  case SAMVAD_MSG_TEXT:
    if (!m->text && m->text_len)
      return SAMVAD_EINVAL;
    return m->text_len > SAMVAD_MAX_MESSAGE_BYTES ? SAMVAD_ELIMIT : SAMVAD_OK;
  case SAMVAD_MSG_OPTION:
    if (!m->option_id)
      return SAMVAD_EINVAL;
    return strnlen(m->option_id, MAX_ID_BYTES + 1) > MAX_ID_BYTES
               ? SAMVAD_ELIMIT
               : SAMVAD_OK;
  case SAMVAD_MSG_MEDIA:
    if (!m->media_id)
      return SAMVAD_EINVAL;
    return strnlen(m->media_id, SAMVAD_MAX_MESSAGE_BYTES + 1) >
                   SAMVAD_MAX_MESSAGE_BYTES
               ? SAMVAD_ELIMIT
               : SAMVAD_OK;
  default:
    return SAMVAD_EINVAL;
  }
}

/* Whether this text must be folded. Folding serves only matching; a typed
 * question (not yes/no) matches nothing but command words, so when the
 * session is plainly waiting for such an answer and the message cannot
 * start a command word, the answer goes to its validator unfolded. */
static bool needs_fold(const sv_ctx *c, const samvad_message *m) {
  const samvad_session *s = c->s;
  if (!c->svc || !c->cat->command_indexed || s->stale || !s->lang_chosen ||
      s->phase != SV_PH_ANSWERING || (s->expire_at && c->now >= s->expire_at))
    return true;
  const sv_state *st = &c->svc->states[s->state];
  if (st->kind != SV_ST_ASK || st->input.type == SV_IN_YESNO)
    return true;
  return !m->text || sv_may_be_command(c->cat, m->text, m->text_len);
}

/* The eight bytes at s with ASCII capitals lower-cased, all at once: a
 * byte gets 0x20 added when its low seven bits lie in 'A'..'Z' and its top
 * bit is clear. */
static inline uint64_t lower8(const char *s) {
  const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
  uint64_t x;
  memcpy(&x, s, 8);
  uint64_t low7 = x & ~high;
  uint64_t from_a = low7 + ones * (0x80 - 'A');      /* top bit: >= 'A' */
  uint64_t past_z = low7 + ones * (0x80 - 'Z' - 1);  /* top bit: > 'Z' */
  uint64_t upper = from_a & ~past_z & ~x & high;
  return x | upper >> 2;
}

/* w (n bytes, none NUL) equals s[0..n) once s's ASCII capitals are
 * lower-cased; eight bytes at a time, the last eight overlapping. */
static bool eq_lower_ascii(const char *w, const char *s, size_t n) {
  if (n < 8) {
    for (size_t i = 0; i < n; i++) {
      unsigned b = (unsigned char)s[i];
      if ((unsigned char)w[i] != (b - 'A' < 26u ? b + ('a' - 'A') : b))
        return false;
    }
    return true;
  }
  uint64_t a;
  for (size_t i = 0; i + 8 < n; i += 8) {
    memcpy(&a, w + i, 8);
    if (a != lower8(s + i))
      return false;
  }
  memcpy(&a, w + n - 8, 8);
  return a == lower8(s + n - 8);
}

/* At a choice, most answers are typed as an option's title or id, exactly
 * or for ASCII case. Such a message folds to that string when it folds to
 * itself (sv_option.fixed_len; folding only lower-cases ASCII apart from
 * what the string has none of), so it is copied instead of folded. The
 * folded message is then the same as sv_fold's and is matched as usual.
 * Its length, or -1 when no option is written so. */
static long fold_as_option(sv_ctx *c, const char *t, size_t n) {
  const samvad_session *s = c->s;
  if (s->state >= c->svc->state_count)
    return -1;
  const sv_state *st = &c->svc->states[s->state];
  if (st->kind != SV_ST_CHOICE || n == 0 || n >= sizeof c->fold)
    return -1;
  for (size_t i = 0; i < st->option_count; i++) {
    const sv_option *o = &st->options[i];
    const char *w = NULL;
    if (o->fixed_len[0] == n && eq_lower_ascii(o->id, t, n))
      w = o->id;
    for (int l = 0; !w && l < SAMVAD_LANG_COUNT; l++)
      if (o->fixed_len[1 + l] == n && eq_lower_ascii(o->folded[l], t, n))
        w = o->folded[l];
    if (w) {
      memcpy(c->fold, w, n + 1);
      return (long)n;
    }
  }
  return -1;
}

int samvad_step(const samvad_catalogue *cat, samvad_session *s,
                const samvad_message *msg, int64_t now, samvad_replies *out) {
  return sv_step(cat, s, msg, now, out, NULL, 0);
}

int sv_step(const samvad_catalogue *cat, samvad_session *s,
            const samvad_message *msg, int64_t now, samvad_replies *out,
            const unsigned char *ref_key, uint32_t ref_attempt) {
  if (!cat || !s || !msg || !out)
    return SAMVAD_EINVAL;
  out->count = 0;
  if (s->catalogue != cat)
    return SAMVAD_EMISUSE;
  int rc = check_message(msg);
  if (rc)
    return rc;
  if (now < INT64_MIN / 2 || now > INT64_MAX / 2)
    return SAMVAD_EINVAL;

  sv_ctx c;
  c.cat = cat;
  c.s = s;
  c.svc = s->service >= 0 && (size_t)s->service < cat->service_count
              ? &cat->services[s->service]
              : NULL;
  c.msg = msg;
  c.now = now;
  c.today = (int32_t)floor_div(now + cat->utc_offset_seconds, 86400);
  c.text = NULL;
  c.text_len = 0;
  c.text_unchecked = false;
  c.fold_len = 0;
  c.has_fold = false;
  c.skip_answered = false;
  c.seen_informs = NULL;
  c.ref_key = ref_key;
  c.ref_attempt = ref_attempt;
  bool bad_text = false;
  size_t need = 64;
  if (msg->kind == SAMVAD_MSG_TEXT && !needs_fold(&c, msg)) {
    /* The hot path: a typed answer that cannot be a command word. It
     * goes straight to its validator, which checks its UTF-8 too. */
    c.text = msg->text ? msg->text : "";
    c.text_len = msg->text_len;
    c.text_unchecked = true;
    need += 2 * msg->text_len;
  } else if (msg->kind == SAMVAD_MSG_TEXT) {
    const char *t = msg->text ? msg->text : "";
    /* The fold buffer always has room, so a failed fold means invalid
     * UTF-8: no separate validation pass. */
    long n = c.svc ? fold_as_option(&c, t, msg->text_len) : -1;
    if (n < 0)
      n = sv_fold(t, msg->text_len, c.fold, sizeof c.fold);
    /* A NUL byte is no part of any word, and catalogue words are compared
     * up to their NUL: such a message is not understood, like bad UTF-8. */
    if (n > 0 && memchr(c.fold, '\0', (size_t)n))
      n = -1;
    if (n >= 0) {
      c.text = t;
      c.text_len = msg->text_len;
      c.fold_len = (size_t)n;
      c.has_fold = true;
      need += 2 * msg->text_len;
    } else {
      bad_text = true;
    }
  } else if (msg->kind == SAMVAD_MSG_MEDIA) {
    size_t n = strlen(msg->media_id);
    bad_text = !sv_utf8_valid(msg->media_id, n);
    need += n;
  }

  /* Everything that may allocate for the session happens before the undo
   * copy; afterwards only the replies can want more room. Then the step is
   * undone, the buffers grow, and it runs again: being deterministic, it
   * does the same, and the buffers never move under a running step. */
  /* The checks in front of each call are the usual case, without the
   * call: a small text buffer with room, replies grown already. */
  if (s->text_len > 1024)
    sv_session_compact(s);
  if (!((size_t)s->text_len + need <= s->text_cap &&
        s->text_cap <= UINT32_MAX / 2) &&
      !sv_session_reserve_text(s, need))
    return SAMVAD_ENOMEM;
  if ((out->cap < 8 || out->text_cap < 4096 || out->option_cap < 16) &&
      !sv_out_grow(out, NULL))
    return SAMVAD_ENOMEM;
  samvad_session undo;
  sv_session_snapshot(s, &undo);
  c.undo = &undo;
  c.apps_saved = false;
  for (int attempt = 0;; attempt++) {
    sv_out_init(&c.out, out);
    run(&c, bad_text);
    touch_deadlines(&c);
    sv_out_finish(&c.out);
    if (!c.out.overflow)
      break;
    sv_session_rollback(s, &undo, c.apps_saved);
    c.apps_saved = false;
    out->count = 0;
    if (attempt == 24 || !sv_out_grow(out, &c.out))
      return SAMVAD_ENOMEM;
    c.svc = s->service >= 0 ? &cat->services[s->service] : NULL;
    c.skip_answered = false;
  }
  return SAMVAD_OK;
}
