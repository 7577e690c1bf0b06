/* engine.h - private interfaces between the engine's own modules (engine*.c,
 * render.c, replies.c, reference.c, session.c): the reply builder, the
 * context of one step, rendering and the session's answer store. Nothing
 * here is seen by other lib modules; the shared contract is internal.h. */
#ifndef SAMVAD_ENGINE_H
#define SAMVAD_ENGINE_H

#include "internal.h"

#include <string.h>

/* ---- Reply builder (replies.c) -------------------------------------------
 * Replies are written into buffers reserved before the step; the buffers
 * never move while a step runs, so replies point straight into them, and
 * at catalogue strings (prompts without placeholders, option titles) with
 * no copy at all. When a step needs more room than reserved, overflow is
 * set and every later call does nothing; samvad_step then undoes the
 * session, grows the buffers and runs the (deterministic) step again. */
typedef struct sv_out {
  samvad_replies *r;
  bool overflow;     /* ran out of reserved room: grow and run again */
  bool text_open;    /* the last reply's text is still being written */
  bool opts_fixed;   /* the last reply's options are a catalogue array */
  size_t text_start; /* where the open reply's text starts */
  const char *fixed; /* the open reply's text is this catalogue string */
  size_t need_text, need_items, need_options, need_answers;
} sv_out;

void sv_out_init(sv_out *o, samvad_replies *r);
/* Grows the buffers to what the last attempt needed (at least a size that
 * fits a usual step). false when out of memory. */
bool sv_out_grow(samvad_replies *r, const sv_out *o);
/* Grows each buffer of r to at least the given number of elements. */
bool sv_replies_reserve(samvad_replies *r, size_t items, size_t text,
                        size_t options, size_t answers);
/* Starts a reply; flow and state are catalogue strings or NULL. */
void sv_out_begin(sv_out *o, uint8_t lang, const char *flow,
                  const char *state);
void sv_out_put_slow(sv_out *o, const char *s, size_t n);
/* memcpy for the short pieces replies are made of (labels, values,
 * separators): overlapping word moves instead of a call into libc. */
/* For n <= 32 only. */
static inline void sv_copy_short(char *d, const char *s, size_t n) {
  if (n > 16) { /* [0, 16) and [n - 16, n) */
    uint64_t w0, w1, w2, w3;
    memcpy(&w0, s, 8);
    memcpy(&w1, s + 8, 8);
    memcpy(&w2, s + n - 16, 8);
    memcpy(&w3, s + n - 8, 8);
    memcpy(d, &w0, 8);
    memcpy(d + 8, &w1, 8);
    memcpy(d + n - 16, &w2, 8);
    memcpy(d + n - 8, &w3, 8);
  } else if (n >= 8) {
    uint64_t w0, w1;
    memcpy(&w0, s, 8);
    memcpy(&w1, s + n - 8, 8);
    memcpy(d, &w0, 8);
    memcpy(d + n - 8, &w1, 8);
  } else if (n >= 4) {
    uint32_t w0, w1;
    memcpy(&w0, s, 4);
    memcpy(&w1, s + n - 4, 4);
    memcpy(d, &w0, 4);
    memcpy(d + n - 4, &w1, 4);
  } else if (n) {
    char c0 = s[0], c1 = s[n / 2], c2 = s[n - 1];
    d[0] = c0;
    d[n / 2] = c1;
    d[n - 1] = c2;
  }
}
/* Appends n bytes to the open reply's text. */
static inline void sv_out_put(sv_out *o, const char *s, size_t n) {
  samvad_replies *r = o->r;
  if (n <= 32 && !o->fixed && !o->overflow && r->text_len + n < r->text_cap) {
    sv_copy_short(r->text + r->text_len, s, n);
    r->text_len += n;
    return;
  }
  sv_out_put_slow(o, s, n);
}
static inline void sv_out_putc(sv_out *o, char c) { sv_out_put(o, &c, 1); }
void sv_out_puts(sv_out *o, const char *s);
/* The open reply has no text yet. */
static inline bool sv_out_empty(const sv_out *o) {
  return o->text_open && !o->fixed && o->r->text_len == o->text_start;
}
/* The open reply's whole text is s (NUL-terminated, outliving the step).
 * Inline: every question's prompt is one. */
static inline void sv_out_fixed(sv_out *o, const char *s) {
  if (sv_out_empty(o))
    o->fixed = s;
  else
    sv_out_puts(o, s);
}
/* Current end of the text buffer: where an answer value will start. */
size_t sv_out_pos(sv_out *o);
void sv_out_close_text(sv_out *o);
/* Adds an option to the last reply. id and title must outlive the step
 * (catalogue strings or literals). */
void sv_out_option(sv_out *o, const char *id, const char *title);
/* Adds n options to the last reply and returns them for the caller to
 * fill in (ids and titles outliving the step); NULL when they do not fit
 * (the step is then run again with more room). */
samvad_option *sv_out_options_add(sv_out *o, size_t n);
/* Gives the last reply, which has no options yet, all of its options at
 * once: n entries of a catalogue array that outlives the step. */
void sv_out_options_fixed(sv_out *o, const samvad_option *opts, size_t n);
/* Marks the last reply as announcing an application (ref is copied). */
void sv_out_application(sv_out *o, const char *ref, const char *service);
/* Adds an answer to the application; the value is the text written since
 * value_off (sv_out_pos before writing it). */
void sv_out_app_answer(sv_out *o, const char *name, size_t value_off);
/* Ends the last reply; call once at the end of a step. */
void sv_out_finish(sv_out *o);

/* ---- One step ------------------------------------------------------------ */
#define SV_FOLD_CAP (SAMVAD_MAX_MESSAGE_BYTES + 8)

typedef struct sv_ctx {
  const samvad_catalogue *cat;
  samvad_session *s;
  const sv_service *svc;     /* the session's service, or NULL */
  const samvad_message *msg;
  int64_t now;
  int32_t today;             /* local calendar day of now */
  sv_out out;
  const char *text;          /* the message text (valid UTF-8) or NULL */
  size_t text_len;
  bool text_unchecked;       /* text not yet checked for valid UTF-8 */
  char fold[SV_FOLD_CAP];    /* the text folded for matching */
  size_t fold_len;
  bool has_fold;             /* fold holds something usable */
  bool skip_answered;        /* after an edit: pass answered questions */
  const uint8_t *seen_informs; /* after an edit: bit per inform state the
                                  citizen passed before (else NULL) */
  samvad_session *undo;      /* the step's undo copy (or NULL) */
  bool apps_saved;           /* the applications are in undo too */
  const unsigned char *ref_key; /* secret for reference numbers, or NULL */
  uint32_t ref_attempt;      /* > 0: the earlier numbers were taken */
} sv_ctx;

/* A named value for a template placeholder that is not an answer. */
typedef struct sv_kv {
  const char *key;
  const char *val;
  size_t len;
} sv_kv;

/* ---- Rendering (render.c) ------------------------------------------------ */
/* Appends template t (in the session's language) with placeholders filled:
 * first from kv, then {service}, then answers by variable name; unknown
 * placeholders stay as written. */
void sv_render(sv_ctx *c, const sv_text *t, const sv_kv *kv, size_t nkv);
void sv_render_str(sv_ctx *c, const char *tmpl, size_t len, const sv_kv *kv,
                   size_t nkv);
/* Appends a message of the catalogue as its own reply, with no options. */
void sv_say(sv_ctx *c, sv_msg m, const sv_kv *kv, size_t nkv);
/* An answer as the citizen sees it (dates dd/mm/yyyy, options by title,
 * yes/no as a word, Aadhaar masked). */
void sv_render_value(sv_ctx *c, const sv_var *var, const sv_value *v);
/* An answer normalised for the department (ISO dates, option ids,
 * "yes"/"no", digits). */
void sv_render_value_plain(sv_ctx *c, const sv_var *var, const sv_value *v);
/* The prompt of a waiting state (question, choice with options, summary),
 * as one reply. */
void sv_render_question(sv_ctx *c);
void sv_render_menu(sv_ctx *c);
/* A service's introduction: the one rendered at load time when there is
 * one, else composed now (sv_render_intro_text). */
void sv_render_intro(sv_ctx *c);
void sv_render_intro_text(sv_ctx *c);
void sv_render_summary(sv_ctx *c, const uint16_t *vars, size_t n);
void sv_render_help(sv_ctx *c);
/* A refusal of the current question's answer, as its own reply. */
void sv_say_reject(sv_ctx *c, sv_reject why);
void sv_render_status(sv_ctx *c);
/* Adds yes/no options (ids "yes", "no") to the last reply. */
void sv_render_yesno_options(sv_ctx *c);
/* Writes the decimal digits of v into buf (at least 24 bytes). */
size_t sv_fmt_int(char *buf, int64_t v);
/* The reply's flow and state fields for the session as it is now. */
const char *sv_cur_flow(const sv_ctx *c);
const char *sv_cur_state(const sv_ctx *c);

/* ---- Engine internals (engine_flow.c) ------------------------------------- */
/* Enters state st (passing branch/inform/submit states) and stops at the
 * next waiting state, rendering its prompt, or at an end. */
void sv_enter(sv_ctx *c, uint16_t st);
/* Follows the transitions of state st; -1 when none applies. Inline: the
 * path walks of the summary and of a submission call it for every state. */
static inline int sv_follow(sv_ctx *c, uint16_t st) {
  const sv_service *svc = c->svc;
  const sv_state *x = &svc->states[st];
  const sv_transition *t = c->cat->transitions + x->next;
  for (uint32_t k = 0; k < x->next_count; k++, t++)
    if (t->cond < 0 || sv_expr_eval(c->cat, svc, t->cond, c->s, c->today))
      return t->target < svc->state_count ? t->target : -1;
  return -1;
}
/* Starts service svc from its start state, after its introduction. */
void sv_start_service(sv_ctx *c, int svc, bool intro);
/* Leaves the service: answers dropped, back outside at the menu. */
void sv_leave_service(sv_ctx *c);
/* Variables on the path from the start to stop_state with the current
 * answers, in path order; returns their count (at most cap). */
size_t sv_path_vars(sv_ctx *c, uint16_t stop_state, uint16_t *vars,
                    size_t cap);
/* Saves an answer for var and goes on from the state that asked it. */
void sv_answer(sv_ctx *c, uint16_t var, const sv_value *v);
/* The current question again (phase-aware: cancel?, continue?, menu). */
void sv_reask(sv_ctx *c);

/* ---- The phases of a step (engine.c, engine_phases.c) -------------------- */
/* Inside a service, answering: the precedence of docs/spec-format.md. */
void sv_step_answering(sv_ctx *c);
/* Outside any service: a menu pick, a command or a service's keywords. */
void sv_step_idle(sv_ctx *c);
/* A command word inside a service, then the question again. */
void sv_service_command(sv_ctx *c, sv_command cmd);
/* The answer to "cancel the application?". */
void sv_step_confirm_cancel(sv_ctx *c);
/* The answer to "continue or restart?" after a pause. */
void sv_step_resume(sv_ctx *c);

/* ---- Reading the message (engine_match.c) ------------------------------- */
/* w (NUL-terminated) equals s[0..n). Inline: the option and command
 * loops call it for every title, and most differ at the first byte. */
static inline bool sv_eq_word(const char *w, const char *s, size_t n) {
  size_t i = 0;
  for (; i < n; i++)
    if (w[i] != s[i]) /* also stops at w's NUL */
      return false;
  return w[i] == '\0';
}
/* The folded message equals one of a text's folded forms (one per
 * language, precomputed by sv_catalogue_index; NULL matches nothing). */
bool sv_eq_folded_any(const sv_ctx *c,
                      const char *const folded[SAMVAD_LANG_COUNT]);
/* FNV-1a of a folded word, and whether both of its two bit positions are
 * set in a 1024-bit Bloom filter. */
static inline uint32_t sv_bloom_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}
static inline bool sv_bloom_has(const uint64_t *bloom, uint32_t h) {
  unsigned a = h & 1023, b = (h >> 10) & 1023;
  return (bloom[a >> 6] >> (a & 63) & 1) && (bloom[b >> 6] >> (b & 63) & 1);
}
/* The message is only a number 1..count (any digits): the number, else 0. */
size_t sv_number_of(const sv_ctx *c, size_t count);
/* The tapped option id, or the folded text, equals id. */
bool sv_is_id(const sv_ctx *c, const char *id);
sv_command sv_match_command(const sv_ctx *c);
/* Whether text, once folded, can be a command word: false when its first
 * SV_CMD_PREFIX_CHARS folded characters start no command word (always
 * true before sv_catalogue_index). Folds only those characters. Four
 * code points tell most answers from command words even in Devanagari,
 * where vowel signs are characters of their own ("अंजलि" and "अंग्रेज़ी"
 * share two). */
bool sv_may_be_command(const samvad_catalogue *c, const char *text,
                       size_t len);
/* Whether a folded message starting with byte b can be a command word
 * (always true before sv_catalogue_index). */
bool sv_may_be_command_start(const samvad_catalogue *c, unsigned char b);
/* 1 yes, 0 no, -1 neither (tap, number as offered, word or title). */
int sv_yes_no(const sv_ctx *c);
/* The service whose keywords cover most of the message; -1 if none/tie. */
int sv_match_keywords(const sv_ctx *c);
/* On the first text of a session: Hindi or English. */
void sv_detect_language(sv_ctx *c);
/* A menu pick: tapped id, number, service id or title; -1 otherwise. */
int sv_menu_choice(const sv_ctx *c);

/* ---- Reference numbers (reference.c) ------------------------------------ */
/* ref_prefix-YYYY-XXXXXXXX: SipHash of the service id, the message id, the
 * time, the answers on the path and c->ref_attempt, keyed by c->ref_key (a
 * public key when NULL), in Crockford base32. Deterministic. */
void sv_make_reference(const sv_ctx *c, const uint16_t *vars, size_t n,
                       char out[SV_REF_MAX]);

/* ---- Decisions (notice.c) ------------------------------------------------ */
/* Sets the status of the session's record of application ref; false when
 * the session does not list it. */
bool sv_session_mark_application(samvad_session *s, const char *ref,
                                 samvad_app_status status);
/* Renders the notice of a decision into out, in the session's language. */
int sv_render_notice(const samvad_catalogue *cat, samvad_session *s,
                     const char *ref, const char *service_id,
                     samvad_app_status status, const char *reason,
                     const samvad_document *doc, samvad_replies *out);

/* samvad_step with a reference-number key (NULL: the public one) and
 * attempt (0 first; the store draws again with 1, 2... when a number is
 * taken). */
int sv_step(const samvad_catalogue *cat, samvad_session *s,
            const samvad_message *msg, int64_t now, samvad_replies *out,
            const unsigned char *ref_key, uint32_t ref_attempt);

/* ---- Session answer store (session.c) ------------------------------------- */
/* The number of variable slots every session has (the catalogue's largest
 * service); values and answer_order hold twice that, the upper half being
 * the undo copy of a step. */
size_t sv_session_slots(const samvad_catalogue *c);
/* Makes room for n more bytes of text values. false when out of memory. */
bool sv_session_reserve_text(samvad_session *s, size_t n);
/* Drops text of answers that are gone; never allocates. */
void sv_session_compact(samvad_session *s);
/* Forgets every answer (text bytes stay until the next compaction). */
void sv_session_clear_answers(samvad_session *s);
/* Out of any service, back at the menu, no answers (language, deadlines
 * and the submitted applications stay). */
void sv_session_to_menu(samvad_session *s);
void sv_session_drop_answer(samvad_session *s, uint16_t var);
/* Stores an answer; a text value must already lie at text_buf + text_len
 * (it is then kept) or anywhere else reserved (it is copied). */
void sv_session_set_answer(samvad_session *s, uint16_t var,
                           const sv_value *v);
/* A fresh session (no language, outside any service). */
int sv_session_new(const samvad_catalogue *c, const samvad_allocator *a,
                   samvad_session **out);
/* Saves the step's undo copy, and restores it. The copy leaves out the
 * applications: a step that changes them saves them into hdr first and
 * says so with apps_saved. */
void sv_session_snapshot(samvad_session *s, samvad_session *hdr);
void sv_session_rollback(samvad_session *s, const samvad_session *hdr,
                         bool apps_saved);

#endif /* SAMVAD_ENGINE_H */
