/* render.c - what the citizen reads: bilingual templates with {placeholders},
 * answers formatted for people (and normalised for the department), the
 * menu, a service's introduction, questions with their options, the
 * summary, help and status. Everything is appended to the step's reply
 * buffer; nothing here allocates on its own or changes the session.
 *
 * Privacy: in chat texts only the Aadhaar number is masked (the citizen's
 * own mobile number and name are shown back to them in full, in their own
 * chat). The library writes no logs; a host that logs must mask the
 * variables marked `masked` in the catalogue itself. */
#include "engine.h"

#include <string.h>

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

size_t sv_fmt_int(char *buf, int64_t v) {
  char tmp[24];
  size_t n = sizeof tmp;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  /* Two digits a division, in 32 bits where the value allows: phone and
   * Aadhaar numbers are long and shown in every summary. */
  while (u >= 100000000u) {
    uint32_t lo = (uint32_t)(u % 100000000u);
    u /= 100000000u;
    for (int k = 0; k < 4; k++) {
      n -= 2;
      memcpy(tmp + n, digit_pairs + 2 * (lo % 100), 2);
      lo /= 100;
    }
  }
  uint32_t x = (uint32_t)u;
  while (x >= 100) {
    n -= 2;
    memcpy(tmp + n, digit_pairs + 2 * (x % 100), 2);
    x /= 100;
  }
  if (x >= 10) {
    n -= 2;
    memcpy(tmp + n, digit_pairs + 2 * x, 2);
  } else {
    tmp[--n] = (char)('0' + x);
  }
  size_t o = 0;
  if (v < 0)
    buf[o++] = '-';
  memcpy(buf + o, tmp + n, sizeof tmp - n);
  o += sizeof tmp - n;
  buf[o] = '\0';
  return o;
}

/* The eight decimal digits of x < 10^8, zero-padded, written at out with
 * no division loop: the two halves of four digits go into 32-bit lanes,
 * split into pairs in 16-bit lanes and digits in bytes, each by a
 * multiply-shift that is exact for these ranges (x / 100 as
 * x * 10486 >> 20 for x < 10^4, x / 10 as x * 103 >> 10 for x < 100). */
static void digits8(uint32_t x, char *out) {
  uint64_t v = (uint64_t)(x / 10000) | (uint64_t)(x % 10000) << 32;
  uint64_t h = ((v * 10486) >> 20) & 0x0000007F0000007Fu;
  uint64_t w = h | (v - h * 100) << 16;
  uint64_t t = ((w * 103) >> 10) & 0x000F000F000F000Fu;
  uint64_t d = (t | (w - t * 10) << 8) | 0x3030303030303030u;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  d = __builtin_bswap64(d); /* the lanes above are in little-endian order */
#endif
  memcpy(out, &d, 8);
}

/* Zero-padded to width digits (Aadhaar: 12, PIN: 6, mobile: 10). Every
 * summary and submission shows these, so the usual case (the value fits
 * the width) takes eight digits at a time (digits8); a longer value is
 * shown in full. */
static size_t fmt_padded(char *buf, int64_t v, size_t width) {
  uint64_t u = v < 0 ? 0 : (uint64_t)v;
  static const uint64_t limit[13] = {
      1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
      100000000u, 1000000000u, 10000000000ull, 100000000000ull,
      1000000000000ull};
  if (width <= 12 && u < limit[width]) {
    char d[16];
    if (width > 8)
      digits8((uint32_t)(u / 100000000u), d);
    digits8((uint32_t)(u % 100000000u), d + 8);
    sv_copy_short(buf, d + 16 - width, width);
    buf[width] = '\0';
    return width;
  }
  char tmp[24];
  size_t n = sv_fmt_int(tmp, (int64_t)u);
  size_t o = 0;
  while (n + o < width)
    buf[o++] = '0';
  memcpy(buf + o, tmp, n + 1);
  return o + n;
}

/* dd/mm/yyyy, or YYYY-MM-DD when iso: the eight digits yyyymmdd come
 * from one digits8 and are then placed, as every summary and submission
 * writes each date. */
static size_t fmt_date(char *buf, int32_t days, bool iso) {
  int y;
  unsigned m, d;
  sv_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999)
    return sv_fmt_int(buf, days);
  char g[8];
  digits8((uint32_t)y * 10000u + m * 100u + d, g);
  if (iso) {
    memcpy(buf, g, 4);
    buf[4] = '-';
    memcpy(buf + 5, g + 4, 2);
    buf[7] = '-';
    memcpy(buf + 8, g + 6, 2);
  } else {
    memcpy(buf, g + 6, 2);
    buf[2] = '/';
    memcpy(buf + 3, g + 4, 2);
    buf[5] = '/';
    memcpy(buf + 6, g, 4);
  }
  buf[10] = '\0';
  return 10;
}

const char *sv_cur_flow(const sv_ctx *c) { return c->svc ? c->svc->id : NULL; }

const char *sv_cur_state(const sv_ctx *c) {
  return c->svc ? c->svc->states[c->s->state].name : NULL;
}

static const sv_option *var_opts(const sv_service *svc, const sv_var *var,
                                 size_t *n) {
  *n = 0;
  if (var->state >= svc->state_count)
    return NULL;
  *n = svc->states[var->state].option_count;
  return svc->states[var->state].options;
}

static void put_text(sv_ctx *c, const sv_text *t) {
  sv_out_put(&c->out, t->s[c->s->lang], t->len[c->s->lang]);
}

/* A number answer's digits: identifiers keep their fixed width (a PIN or
 * an Aadhaar number is never shortened), other numbers are plain. */
static size_t fmt_number(char *buf, const sv_var *var, int64_t i) {
  switch (var->type) {
  case SV_IN_AADHAAR:
    return fmt_padded(buf, i, 12);
  case SV_IN_MOBILE:
    return fmt_padded(buf, i, 10);
  case SV_IN_PIN:
    return fmt_padded(buf, i, 6);
  default:
    return sv_fmt_int(buf, i);
  }
}

void sv_render_value(sv_ctx *c, const sv_var *var, const sv_value *v) {
  char buf[32];
  size_t n;
  switch (v->kind) {
  case SV_VAL_DATE:
    n = fmt_date(buf, (int32_t)v->i, false);
    sv_out_put(&c->out, buf, n);
    return;
  case SV_VAL_OPTION: {
    const sv_option *o = var_opts(c->svc, var, &n);
    if (o && v->i >= 0 && (size_t)v->i < n)
      put_text(c, &o[v->i].title);
    return;
  }
  case SV_VAL_INT:
    if (var->type == SV_IN_YESNO) {
      put_text(c, &c->cat->messages[v->i ? SV_MSG_YES : SV_MSG_NO]);
      return;
    }
    n = fmt_number(buf, var, v->i);
    if (var->type == SV_IN_AADHAAR) {
      char masked[14] = "XXXX XXXX ";
      memcpy(masked + 10, buf + n - 4, 4);
      sv_out_put(&c->out, masked, sizeof masked);
      return;
    }
    sv_out_put(&c->out, buf, n);
    return;
  case SV_VAL_STR:
    sv_out_put(&c->out, v->s, v->len);
    return;
  default:
    return;
  }
}

void sv_render_value_plain(sv_ctx *c, const sv_var *var, const sv_value *v) {
  char buf[32];
  size_t n;
  switch (v->kind) {
  case SV_VAL_DATE:
    n = fmt_date(buf, (int32_t)v->i, true);
    sv_out_put(&c->out, buf, n);
    return;
  case SV_VAL_OPTION: {
    const sv_option *o = var_opts(c->svc, var, &n);
    if (o && v->i >= 0 && (size_t)v->i < n)
      sv_out_puts(&c->out, o[v->i].id);
    return;
  }
  case SV_VAL_INT:
    if (var->type == SV_IN_YESNO) {
      sv_out_puts(&c->out, v->i ? "yes" : "no");
      return;
    }
    n = fmt_number(buf, var, v->i);
    sv_out_put(&c->out, buf, n);
    return;
  case SV_VAL_STR:
    sv_out_put(&c->out, v->s, v->len);
    return;
  default:
    return;
  }
}

static bool key_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         (ch >= 'A' && ch <= 'Z');
}

static bool placeholder(sv_ctx *c, const char *key, size_t n, const sv_kv *kv,
                        size_t nkv) {
  for (size_t k = 0; k < nkv; k++)
    if (strlen(kv[k].key) == n && memcmp(kv[k].key, key, n) == 0) {
      sv_out_put(&c->out, kv[k].val, kv[k].len);
      return true;
    }
  if (!c->svc)
    return false;
  if (n == 7 && memcmp(key, "service", 7) == 0) {
    put_text(c, &c->svc->title);
    return true;
  }
  int v = sv_find_var(c->svc, key, n);
  if (v < 0)
    return false;
  if (v < c->s->values_cap && c->s->values[v].kind != SV_VAL_NONE)
    sv_render_value(c, &c->svc->vars[v], &c->s->values[v]);
  return true;
}

void sv_render_str(sv_ctx *c, const char *t, size_t len, const sv_kv *kv,
                   size_t nkv) {
  size_t i = 0;
  if (!t)
    return;
  if (!memchr(t, '{', len)) {
    /* No placeholder: a whole reply can point at the catalogue's text. */
    if (t[len] == '\0' && sv_out_empty(&c->out))
      sv_out_fixed(&c->out, t);
    else
      sv_out_put(&c->out, t, len);
    return;
  }
  while (i < len) {
    const char *b = memchr(t + i, '{', len - i);
    if (!b) {
      sv_out_put(&c->out, t + i, len - i);
      return;
    }
    size_t at = (size_t)(b - t);
    sv_out_put(&c->out, t + i, at - i);
    size_t k = at + 1;
    while (k < len && k - at <= 64 && key_char(t[k]))
      k++;
    if (k < len && t[k] == '}' && k > at + 1 &&
        placeholder(c, t + at + 1, k - at - 1, kv, nkv)) {
      i = k + 1;
      continue;
    }
    sv_out_putc(&c->out, '{');
    i = at + 1;
  }
}

void sv_render(sv_ctx *c, const sv_text *t, const sv_kv *kv, size_t nkv) {
  uint8_t l = c->s->lang;
  sv_render_str(c, t->s[l], t->len[l], kv, nkv);
}

void sv_say(sv_ctx *c, sv_msg m, const sv_kv *kv, size_t nkv) {
  sv_out_begin(&c->out, c->s->lang, sv_cur_flow(c), sv_cur_state(c));
  sv_render(c, &c->cat->messages[m], kv, nkv);
}

void sv_render_yesno_options(sv_ctx *c) {
  sv_out_options_fixed(&c->out, c->cat->yesno_options[c->s->lang], 2);
}

void sv_render_menu(sv_ctx *c) {
  sv_say(c, SV_MSG_MENU, NULL, 0);
  sv_out_options_fixed(&c->out, c->cat->menu_options[c->s->lang],
                       c->cat->service_count);
}

void sv_render_intro(sv_ctx *c) {
  const char *pre = c->svc->intro[c->s->lang];
  if (pre) {
    sv_out_begin(&c->out, c->s->lang, c->svc->id, NULL);
    sv_out_fixed(&c->out, pre);
    return;
  }
  sv_render_intro_text(c);
}

void sv_render_intro_text(sv_ctx *c) {
  const sv_service *svc = c->svc;
  uint8_t l = c->s->lang;
  char days[24];
  sv_kv kv[] = {
      {"service", svc->title.s[l], svc->title.len[l]},
      {"summary", svc->summary.s[l], svc->summary.len[l]},
      {"department", svc->department.s[l], svc->department.len[l]},
      {"fee", svc->fee_text.s[l], svc->fee_text.len[l]},
      {"days", days, sv_fmt_int(days, svc->time_limit_days)},
  };
  size_t nkv = sizeof kv / sizeof kv[0];
  const sv_text *intro = &c->cat->messages[SV_MSG_SERVICE_INTRO];
  sv_out_begin(&c->out, l, svc->id, NULL);
  sv_render(c, intro, kv, nkv);
  /* The summary follows the heading unless the template places it. */
  if (!intro->s[l] || !strstr(intro->s[l], "{summary}")) {
    sv_out_put(&c->out, "\n", 1);
    put_text(c, &svc->summary);
  }
  if (svc->document_count) {
    sv_out_put(&c->out, "\n\n", 2);
    sv_render(c, &c->cat->messages[SV_MSG_DOCUMENTS], kv, nkv);
    for (size_t i = 0; i < svc->document_count; i++) {
      sv_out_puts(&c->out, "\n• ");
      put_text(c, &svc->documents[i]);
    }
  }
  sv_out_put(&c->out, "\n\n", 2);
  sv_render(c, &c->cat->messages[SV_MSG_FEE], kv, nkv);
  sv_out_put(&c->out, "\n", 1);
  sv_render(c, &c->cat->messages[SV_MSG_TIME_LIMIT], kv, nkv);
}

void sv_render_question(sv_ctx *c) {
  const sv_state *st = &c->svc->states[c->s->state];
  if (st->kind == SV_ST_SUMMARY) {
    uint16_t vars[SAMVAD_MAX_VARS];
    size_t n = sv_path_vars(c, c->s->state, vars, SAMVAD_MAX_VARS);
    sv_render_summary(c, vars, n);
    return;
  }
  uint8_t l = c->s->lang;
  sv_out_begin(&c->out, l, c->svc->id, st->name);
  if (st->prompt_fixed >> l & 1)
    sv_out_fixed(&c->out, st->prompt.s[l]);
  else
    sv_render(c, &st->prompt, NULL, 0);
  if (st->kind == SV_ST_CHOICE) {
    sv_out_options_fixed(&c->out, st->reply_options[c->s->lang],
                         st->option_count);
  } else if (st->kind == SV_ST_ASK && st->input.type == SV_IN_YESNO) {
    sv_render_yesno_options(c);
  }
}

void sv_render_summary(sv_ctx *c, const uint16_t *vars, size_t n) {
  const sv_service *svc = c->svc;
  const sv_state *st = &svc->states[c->s->state];
  uint8_t l = c->s->lang;
  sv_out_begin(&c->out, l, svc->id, st->name);
  sv_render(c, &c->cat->messages[SV_MSG_SUMMARY_HEADER], NULL, 0);
  for (size_t k = 0; k < n; k++) {
    const sv_var *var = &svc->vars[vars[k]];
    const sv_state *at = &svc->states[var->state];
    if (at->label_line.s[l]) {
      sv_out_put(&c->out, at->label_line.s[l], at->label_line.len[l]);
    } else {
      sv_out_putc(&c->out, '\n');
      put_text(c, &at->label);
      sv_out_put(&c->out, ": ", 2);
    }
    sv_render_value(c, var, &c->s->values[vars[k]]);
  }
  if (st->prompt.len[l]) {
    sv_out_put(&c->out, "\n\n", 2);
    sv_render(c, &st->prompt, NULL, 0);
  }
  sv_out_put(&c->out, "\n", 1);
  sv_render(c, &c->cat->messages[SV_MSG_SUMMARY_EDIT], NULL, 0);
  samvad_option *op = sv_out_options_add(&c->out, n + 1);
  if (!op)
    return;
  const char *confirm = c->cat->messages[SV_MSG_SUMMARY_CONFIRM].s[l];
  op[0].id = "confirm";
  op[0].title = confirm ? confirm : "";
  for (size_t k = 0; k < n; k++) {
    const sv_var *var = &svc->vars[vars[k]];
    const char *title = svc->states[var->state].label.s[l];
    op[k + 1].id = var->edit_id;
    op[k + 1].title = title ? title : "";
  }
}

/* Values for {min} {max} {min_age} {max_age} {age_on} of an input. */
typedef struct input_kv {
  sv_kv kv[5];
  char buf[5][24];
} input_kv;


static size_t fill_input_kv(const sv_ctx *c, const sv_input *in,
                            input_kv *k) {
  static const char *const keys[5] = {"min", "max", "min_age", "max_age",
                                      "age_on"};
  size_t n[5] = {0, 0, 0, 0, 0};
  if (in->type == SV_IN_DATE) {
    if (in->date_min.kind != SV_BOUND_NONE)
      n[0] = fmt_date(k->buf[0], sv_bound_day(&in->date_min, c->today), false);
    if (in->date_max.kind != SV_BOUND_NONE)
      n[1] = fmt_date(k->buf[1], sv_bound_day(&in->date_max, c->today), false);
  } else {
    n[0] = sv_fmt_int(k->buf[0], in->min);
    n[1] = sv_fmt_int(k->buf[1], in->max);
  }
  if (in->min_age >= 0)
    n[2] = sv_fmt_int(k->buf[2], in->min_age);
  if (in->max_age >= 0)
    n[3] = sv_fmt_int(k->buf[3], in->max_age);
  int32_t on = c->today;
  if (in->age_on_var >= 0 && in->age_on_var < c->s->values_cap &&
      c->s->values[in->age_on_var].kind == SV_VAL_DATE)
    on = (int32_t)c->s->values[in->age_on_var].i;
  n[4] = fmt_date(k->buf[4], on, false);
  for (size_t i = 0; i < 5; i++) {
    k->kv[i].key = keys[i];
    k->kv[i].val = k->buf[i];
    k->kv[i].len = n[i];
  }
  return 5;
}

void sv_say_reject(sv_ctx *c, sv_reject why) {
  const sv_state *st = &c->svc->states[c->s->state];
  input_kv k;
  size_t n = fill_input_kv(c, &st->input, &k);
  sv_out_begin(&c->out, c->s->lang, c->svc->id, st->name);
  sv_render(c, &c->cat->rejects[why], k.kv, n);
}

/* The reject message that best explains what an input expects. */
static sv_reject hint_for(const sv_input *in, uint8_t kind) {
  if (kind == SV_ST_CHOICE)
    return SV_REJ_CHOICE;
  switch (in->type) {
  case SV_IN_NAME: return SV_REJ_NAME_CHARS;
  case SV_IN_INTEGER: return SV_REJ_INT_RANGE;
  case SV_IN_DATE: return SV_REJ_DATE_FORMAT;
  case SV_IN_AADHAAR: return SV_REJ_AADHAAR_FORMAT;
  case SV_IN_MOBILE: return SV_REJ_MOBILE;
  case SV_IN_PIN:
    return (in->flags & SV_PIN_DELHI) ? SV_REJ_PIN_NOT_DELHI : SV_REJ_PIN;
  case SV_IN_EMAIL: return SV_REJ_EMAIL;
  case SV_IN_VEHICLE: return SV_REJ_VEHICLE;
  case SV_IN_YESNO: return SV_REJ_YESNO;
  case SV_IN_MEDIA: return SV_REJ_MEDIA;
  default: return SV_REJ_TOO_LONG;
  }
}

void sv_render_help(sv_ctx *c) {
  if (!c->svc) {
    sv_say(c, SV_MSG_HELP_GENERAL, NULL, 0);
    return;
  }
  const sv_state *st = &c->svc->states[c->s->state];
  uint8_t l = c->s->lang;
  if (st->help.s[l] && st->help.len[l]) {
    sv_out_begin(&c->out, l, c->svc->id, st->name);
    sv_render(c, &st->help, NULL, 0);
    return;
  }
  if (st->kind != SV_ST_ASK && st->kind != SV_ST_CHOICE) {
    sv_say(c, SV_MSG_HELP_GENERAL, NULL, 0);
    return;
  }
  sv_say_reject(c, hint_for(&st->input, st->kind));
}

void sv_render_status(sv_ctx *c) {
  const samvad_session *s = c->s;
  if (s->app_count == 0) {
    sv_say(c, SV_MSG_STATUS_NONE, NULL, 0);
    return;
  }
  sv_say(c, SV_MSG_STATUS_HEADER, NULL, 0);
  for (size_t k = s->app_count; k-- > 0;) {
    const sv_app_record *a = &s->apps[k];
    char date[24];
    const char *title = "";
    size_t tl = 0;
    if (a->service < c->cat->service_count) {
      const sv_text *t = &c->cat->services[a->service].title;
      title = t->s[s->lang];
      tl = t->len[s->lang];
    }
    const sv_text *st =
        &c->cat->messages[SV_MSG_STATUS_SUBMITTED + (a->status <= 2 ? a->status : 0)];
    sv_kv kv[] = {{"reference", a->ref, strlen(a->ref)},
                  {"service", title, tl},
                  {"date", date, fmt_date(date, a->day, false)},
                  {"status", st->s[s->lang], st->len[s->lang]}};
    sv_out_putc(&c->out, '\n');
    sv_render(c, &c->cat->messages[SV_MSG_STATUS_LINE], kv, 4);
  }
}
