/* engine_phases.c - the parts of a step away from the usual answer: a
 * message outside any service (menu pick, command, keywords), a command
 * word inside one, and the two yes/no phases that interrupt a service
 * (confirming a cancel, continuing after a pause). Kept apart from
 * engine.c so the answer path there reads at once; none of this runs on
 * a plain answer. */
#include "engine.h"

#include <string.h>

/* ---- Outside a service ---------------------------------------------------- */

static void idle_command(sv_ctx *c, sv_command cmd) {
  switch (cmd) {
  case SV_CMD_LANG_HI:
  case SV_CMD_LANG_EN:
    c->s->lang = cmd == SV_CMD_LANG_HI ? SAMVAD_LANG_HI : SAMVAD_LANG_EN;
    c->s->lang_chosen = 1;
    sv_say(c, SV_MSG_LANG_SWITCHED, NULL, 0);
    sv_render_menu(c);
    return;
  case SV_CMD_HELP:
    sv_say(c, SV_MSG_HELP_GENERAL, NULL, 0);
    return;
  case SV_CMD_STATUS:
    sv_render_status(c);
    return;
  case SV_CMD_HUMAN:
    sv_say(c, SV_MSG_HUMAN, NULL, 0);
    return;
  case SV_CMD_BACK:
    sv_say(c, SV_MSG_BACK_NOTHING, NULL, 0);
    sv_render_menu(c);
    return;
  default: /* menu, greeting, cancel with nothing to cancel */
    sv_say(c, SV_MSG_WELCOME, NULL, 0);
    sv_render_menu(c);
    return;
  }
}

void sv_step_idle(sv_ctx *c) {
  if (c->msg->kind == SAMVAD_MSG_MEDIA) {
    sv_say(c, SV_MSG_MEDIA_UNEXPECTED, NULL, 0);
    sv_render_menu(c);
    return;
  }
  int svc = sv_menu_choice(c);
  if (svc >= 0) {
    sv_start_service(c, svc, true);
    return;
  }
  sv_command cmd = sv_match_command(c);
  if (cmd != SV_CMD_NONE) {
    idle_command(c, cmd);
    return;
  }
  svc = sv_match_keywords(c);
  if (svc >= 0) {
    sv_start_service(c, svc, true);
    return;
  }
  sv_say(c, SV_MSG_NOT_UNDERSTOOD, NULL, 0);
  sv_render_menu(c);
}

/* ---- Inside a service ----------------------------------------------------- */

static void ask_cancel(sv_ctx *c) {
  if (c->s->answer_count == 0) {
    sv_say(c, SV_MSG_CANCELLED, NULL, 0);
    sv_leave_service(c);
    sv_render_menu(c);
    return;
  }
  c->s->phase = SV_PH_CONFIRM_CANCEL;
  sv_reask(c);
}

static void go_back(sv_ctx *c) {
  samvad_session *s = c->s;
  if (s->editing) {
    /* Back while correcting an answer: return to the summary unchanged. */
    s->editing = 0;
    sv_enter(c, s->return_state);
    return;
  }
  if (s->answer_count == 0) {
    sv_say(c, SV_MSG_BACK_NOTHING, NULL, 0);
    sv_reask(c);
    return;
  }
  uint16_t v = s->answer_order[s->answer_count - 1];
  sv_session_drop_answer(s, v);
  sv_enter(c, c->svc->vars[v].state);
}

void sv_service_command(sv_ctx *c, sv_command cmd) {
  samvad_session *s = c->s;
  switch (cmd) {
  case SV_CMD_MENU:
    if (s->answer_count) {
      ask_cancel(c);
    } else {
      sv_leave_service(c);
      sv_say(c, SV_MSG_WELCOME, NULL, 0);
      sv_render_menu(c);
    }
    return;
  case SV_CMD_BACK:
    go_back(c);
    return;
  case SV_CMD_CANCEL:
    ask_cancel(c);
    return;
  case SV_CMD_HELP:
    sv_render_help(c);
    break;
  case SV_CMD_LANG_HI:
  case SV_CMD_LANG_EN:
    s->lang = cmd == SV_CMD_LANG_HI ? SAMVAD_LANG_HI : SAMVAD_LANG_EN;
    s->lang_chosen = 1;
    sv_say(c, SV_MSG_LANG_SWITCHED, NULL, 0);
    break;
  case SV_CMD_STATUS:
    sv_render_status(c);
    break;
  default:
    sv_say(c, SV_MSG_HUMAN, NULL, 0);
    break;
  }
  sv_reask(c);
}

void sv_step_confirm_cancel(sv_ctx *c) {
  samvad_session *s = c->s;
  int yn = c->msg->kind == SAMVAD_MSG_MEDIA ? -1 : sv_yes_no(c);
  if (yn == 1) {
    sv_say(c, SV_MSG_CANCELLED, NULL, 0);
    sv_leave_service(c);
    sv_render_menu(c);
    return;
  }
  if (yn == 0) {
    s->phase = SV_PH_ANSWERING;
    sv_say(c, SV_MSG_CANCEL_KEPT, NULL, 0);
    sv_reask(c);
    return;
  }
  sv_command cmd = sv_match_command(c);
  if (cmd == SV_CMD_CANCEL || cmd == SV_CMD_MENU) {
    sv_reask(c);
    return;
  }
  if (cmd != SV_CMD_NONE) {
    s->phase = SV_PH_ANSWERING;
    sv_service_command(c, cmd);
    return;
  }
  /* Anything else: the question stands. */
  sv_out_begin(&c->out, s->lang, sv_cur_flow(c), sv_cur_state(c));
  sv_render(c, &c->cat->rejects[SV_REJ_YESNO], NULL, 0);
  sv_reask(c);
}

void sv_step_resume(sv_ctx *c) {
  samvad_session *s = c->s;
  int pick = -1; /* 1 continue, 0 restart */
  if (c->msg->kind == SAMVAD_MSG_OPTION) {
    pick = sv_is_id(c, "continue") ? 1 : sv_is_id(c, "restart") ? 0 : sv_yes_no(c);
  } else if (c->has_fold) {
    size_t k = sv_number_of(c, 2);
    if (k)
      pick = k == 1 ? 1 : 0;
    else if (sv_is_id(c, "continue") ||
             sv_eq_folded_any(c,
                              c->cat->messages_folded[SV_MSG_IDLE_CONTINUE]))
      pick = 1;
    else if (sv_is_id(c, "restart") ||
             sv_eq_folded_any(c,
                              c->cat->messages_folded[SV_MSG_IDLE_RESTART]))
      pick = 0;
    else
      pick = sv_yesno(c->fold, c->fold_len);
  }
  if (pick == 1) {
    s->phase = SV_PH_ANSWERING;
    sv_reask(c);
    return;
  }
  if (pick == 0) {
    sv_start_service(c, s->service, false);
    return;
  }
  sv_command cmd = sv_match_command(c);
  if (cmd == SV_CMD_LANG_HI || cmd == SV_CMD_LANG_EN || cmd == SV_CMD_HELP ||
      cmd == SV_CMD_STATUS || cmd == SV_CMD_HUMAN) {
    sv_service_command(c, cmd); /* and the resume question again */
    return;
  }
  /* Anything else carries on: a command acts on the application, and an
   * answer answers the question that was waiting. */
  s->phase = SV_PH_ANSWERING;
  sv_step_answering(c);
}
