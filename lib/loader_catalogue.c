/* loader_catalogue.c - compiles catalogue.json (command words, the
 * engine's messages, refusal texts, defaults, the menu) and puts the
 * compiled services in menu order. */
#include "loader.h"

#include <stdlib.h>
#include <string.h>

const char *const sv_msg_keys[SV_MSG__COUNT] = {
    [SV_MSG_WELCOME] = "welcome",
    [SV_MSG_MENU] = "menu",
    [SV_MSG_NOT_UNDERSTOOD] = "not_understood",
    [SV_MSG_SERVICE_INTRO] = "service_intro",
    [SV_MSG_DOCUMENTS] = "documents",
    [SV_MSG_FEE] = "fee",
    [SV_MSG_TIME_LIMIT] = "time_limit",
    [SV_MSG_CANCEL_CONFIRM] = "cancel_confirm",
    [SV_MSG_CANCELLED] = "cancelled",
    [SV_MSG_CANCEL_KEPT] = "cancel_kept",
    [SV_MSG_BACK_NOTHING] = "back_nothing",
    [SV_MSG_HELP_GENERAL] = "help_general",
    [SV_MSG_LANG_SWITCHED] = "lang_switched",
    [SV_MSG_STATUS_NONE] = "status_none",
    [SV_MSG_STATUS_HEADER] = "status_header",
    [SV_MSG_STATUS_LINE] = "status_line",
    [SV_MSG_STATUS_SUBMITTED] = "status_submitted",
    [SV_MSG_STATUS_APPROVED] = "status_approved",
    [SV_MSG_STATUS_REJECTED] = "status_rejected",
    [SV_MSG_NOTICE_APPROVED] = "notice_approved",
    [SV_MSG_NOTICE_REJECTED] = "notice_rejected",
    [SV_MSG_CERTIFICATE_READY] = "certificate_ready",
    [SV_MSG_HUMAN] = "human",
    [SV_MSG_RETRY_LIMIT] = "retry_limit",
    [SV_MSG_IDLE_RESUME] = "idle_resume",
    [SV_MSG_IDLE_CONTINUE] = "idle_continue",
    [SV_MSG_IDLE_RESTART] = "idle_restart",
    [SV_MSG_EXPIRED] = "expired",
    [SV_MSG_SPEC_CHANGED] = "spec_changed",
    [SV_MSG_SUMMARY_HEADER] = "summary_header",
    [SV_MSG_SUMMARY_CONFIRM] = "summary_confirm",
    [SV_MSG_SUMMARY_EDIT] = "summary_edit",
    [SV_MSG_MEDIA_UNEXPECTED] = "media_unexpected",
    [SV_MSG_YES] = "yes",
    [SV_MSG_NO] = "no",
};

/* SV_CMD_NONE has no words; its key is "" so loops over all keys are
 * safe. */
const char *const sv_command_keys[SV_CMD__COUNT] = {
    [SV_CMD_NONE] = "",          [SV_CMD_MENU] = "menu",
    [SV_CMD_BACK] = "back",      [SV_CMD_CANCEL] = "cancel",
    [SV_CMD_HELP] = "help",      [SV_CMD_LANG_HI] = "lang_hi",
    [SV_CMD_LANG_EN] = "lang_en", [SV_CMD_STATUS] = "status",
    [SV_CMD_HUMAN] = "human",
};

void sv_catalogue_defaults(samvad_catalogue *c) {
  c->default_idle_seconds = 30 * 60;
  c->default_expire_seconds = 72 * 3600;
  c->retention_seconds = 30 * 86400;
  c->max_retries = 3;
  c->utc_offset_seconds = 330 * 60;
}

static void compile_defaults(sv_build *b, const char *file, sv_path *p,
                             const sv_json *j) {
  static const char *const keys[] = {"idle_minutes", "expire_hours",
                                     "retention_days", "max_retries",
                                     "utc_offset_minutes", NULL};
  if (!sv_check_keys(b, file, p, j, NULL, keys))
    return;
  samvad_catalogue *c = b->c;
  const sv_json *v;
  int64_t x;
  size_t m;
  if ((v = sv_json_get(j, "idle_minutes"))) {
    m = sv_path_key(p, "idle_minutes");
    if (sv_read_int(b, file, p, v, 1, 7 * 1440, &x))
      c->default_idle_seconds = (uint32_t)x * 60;
    sv_path_pop(p, m);
  }
  if ((v = sv_json_get(j, "expire_hours"))) {
    m = sv_path_key(p, "expire_hours");
    if (sv_read_int(b, file, p, v, 1, 365 * 24, &x))
      c->default_expire_seconds = (uint32_t)x * 3600;
    if (c->default_expire_seconds <= c->default_idle_seconds)
      sv_diag(b->L, file, sv_path_str(p),
              "must be longer than the idle time");
    sv_path_pop(p, m);
  }
  if ((v = sv_json_get(j, "retention_days"))) {
    m = sv_path_key(p, "retention_days");
    if (sv_read_int(b, file, p, v, 1, 3650, &x))
      c->retention_seconds = (uint32_t)x * 86400;
    sv_path_pop(p, m);
  }
  if ((v = sv_json_get(j, "max_retries"))) {
    m = sv_path_key(p, "max_retries");
    if (sv_read_int(b, file, p, v, 1, 10, &x))
      c->max_retries = (uint8_t)x;
    sv_path_pop(p, m);
  }
  if ((v = sv_json_get(j, "utc_offset_minutes"))) {
    m = sv_path_key(p, "utc_offset_minutes");
    if (sv_read_int(b, file, p, v, -12 * 60, 14 * 60, &x))
      c->utc_offset_seconds = (int32_t)x * 60;
    sv_path_pop(p, m);
  }
}

/* A list of words, folded and interned; *count words. who[i] records
 * which command each folded word belongs to, so a word under two commands
 * is caught. */
static const char *const *word_list(sv_build *b, const char *file, sv_path *p,
                                    const sv_json *j, sv_smap *seen,
                                    int owner, uint16_t *count) {
  *count = 0;
  if (!j || j->type != SV_J_ARR || j->n == 0 || j->n > SV_MAX_LIST) {
    sv_diag(b->L, file, sv_path_str(p),
            "expected an array of 1 to %d strings", SV_MAX_LIST);
    return NULL;
  }
  const char **words = sv_arena_alloc(b->cat, j->n * sizeof *words);
  if (!words) {
    b->L->oom = true;
    return NULL;
  }
  for (uint32_t i = 0; i < j->n; i++) {
    size_t m = sv_path_index(p, i);
    const sv_json *w = j->items[i];
    if (w->type != SV_J_STR) {
      sv_diag(b->L, file, sv_path_str(p), "expected a string, found %s",
              sv_json_type_name(w));
    } else {
      const char *f = sv_fold_intern(b, file, p, w->s, w->len);
      if (f) {
        int32_t prev = seen ? sv_smap_get(seen, f, strlen(f)) : -1;
        sv_qbuf q;
        /* The same word twice (often two spellings that fold alike, such
         * as with and without a nukta) is harmless: kept once. */
        if (prev >= 0 && prev == owner)
          f = NULL;
        else if (prev >= 0)
          sv_diag(b->L, file, sv_path_str(p),
                  "word %s is already a word of the command \"%s\"",
                  sv_quote(&q, w->s, w->len), sv_command_keys[prev]);
        else if (seen && !sv_smap_put(b, seen, f, strlen(f), owner))
          b->L->oom = true;
        if (f)
          words[(*count)++] = f;
      }
    }
    sv_path_pop(p, m);
  }
  return words;
}

static void compile_commands(sv_build *b, const char *file, sv_path *p,
                             const sv_json *j) {
  const char *req[SV_CMD__COUNT];
  for (int k = 1; k < SV_CMD__COUNT; k++)
    req[k - 1] = sv_command_keys[k];
  req[SV_CMD__COUNT - 1] = NULL;
  if (!sv_check_keys(b, file, p, j, req, NULL))
    return;
  sv_smap seen;
  memset(&seen, 0, sizeof seen);
  for (int k = 1; k < SV_CMD__COUNT; k++) {
    const sv_json *w = sv_json_get(j, sv_command_keys[k]);
    if (!w)
      continue;
    size_t m = sv_path_key(p, sv_command_keys[k]);
    b->c->command_words[k] =
        word_list(b, file, p, w, &seen, k, &b->c->command_word_count[k]);
    sv_path_pop(p, m);
  }
}

/* messages / errors: every key required, in both languages. */
static void compile_texts(sv_build *b, const char *file, sv_path *p,
                          const sv_json *j, const char *const *keys,
                          size_t first, size_t count, sv_text *out) {
  const char **req = sv_tmp_alloc(b, (count + 1) * sizeof *req);
  if (!req)
    return;
  size_t n = 0;
  for (size_t k = first; k < count; k++)
    if (keys[k] && *keys[k])
      req[n++] = keys[k];
  req[n] = NULL;
  for (size_t k = 0; k < count; k++) {
    out[k].s[0] = out[k].s[1] = b->empty;
    out[k].len[0] = out[k].len[1] = 0;
  }
  if (!sv_check_keys(b, file, p, j, req, NULL))
    return;
  for (size_t k = first; k < count; k++) {
    const sv_json *t = keys[k] ? sv_json_get(j, keys[k]) : NULL;
    if (!t)
      continue;
    size_t m = sv_path_key(p, keys[k]);
    sv_plain_text(b, file, p, t, &out[k]);
    sv_path_pop(p, m);
  }
}

void sv_compile_catalogue(sv_build *b, const sv_doc *d) {
  static const char *const req[] = {"catalogue", "commands", "messages",
                                    "errors", NULL};
  static const char *const opt[] = {"defaults", "menu", "hindi_words", NULL};
  const char *file = d->file;
  sv_path p;
  sv_path_init(&p, NULL);
  samvad_catalogue *c = b->c;
  c->name = b->empty;
  if (!sv_check_keys(b, file, &p, d->root, req, opt))
    return;
  const sv_json *v;
  size_t m;
  if ((v = sv_json_get(d->root, "catalogue"))) {
    m = sv_path_key(&p, "catalogue");
    if (v->type != SV_J_STR || v->len == 0)
      sv_diag(b->L, file, sv_path_str(&p),
              "expected the catalogue's name (a string)");
    else
      c->name = sv_intern(b, v->s, v->len);
    sv_path_pop(&p, m);
  }
  if ((v = sv_json_get(d->root, "defaults"))) {
    m = sv_path_key(&p, "defaults");
    compile_defaults(b, file, &p, v);
    sv_path_pop(&p, m);
  }
  if ((v = sv_json_get(d->root, "commands"))) {
    m = sv_path_key(&p, "commands");
    compile_commands(b, file, &p, v);
    sv_path_pop(&p, m);
  }
  if ((v = sv_json_get(d->root, "hindi_words"))) {
    m = sv_path_key(&p, "hindi_words");
    c->hindi_words = word_list(b, file, &p, v, NULL, 0, &c->hindi_word_count);
    sv_path_pop(&p, m);
  }
  if ((v = sv_json_get(d->root, "messages"))) {
    m = sv_path_key(&p, "messages");
    compile_texts(b, file, &p, v, sv_msg_keys, 0, SV_MSG__COUNT, c->messages);
    sv_path_pop(&p, m);
  }
  if ((v = sv_json_get(d->root, "errors"))) {
    m = sv_path_key(&p, "errors");
    compile_texts(b, file, &p, v, sv_reject_keys, 1, SV_REJ__COUNT,
                  c->rejects);
    sv_path_pop(&p, m);
  }
  if ((v = sv_json_get(d->root, "menu"))) {
    m = sv_path_key(&p, "menu");
    if (v->type != SV_J_ARR || v->n > SV_MAX_LIST)
      sv_diag(b->L, file, sv_path_str(&p),
              "expected an array of service ids");
    sv_path_pop(&p, m);
  }
}

static int cmp_service_id(const void *a, const void *b) {
  return strcmp((*(const sv_service *const *)a)->id,
                (*(const sv_service *const *)b)->id);
}

void sv_order_services(sv_build *b, const sv_doc *cat, sv_service *svcs,
                       size_t count) {
  const sv_service **order = sv_tmp_alloc(b, (count + 1) * sizeof *order);
  bool *placed = sv_tmp_alloc(b, (count + 1) * sizeof *placed);
  if (!order || !placed)
    return;
  /* Two files may not claim one id, nor one reference prefix: references
   * must say which service they belong to. */
  for (size_t i = 0; i < count; i++)
    for (size_t k = 0; k < i; k++) {
      if (strcmp(svcs[i].id, svcs[k].id) == 0)
        sv_diag(b->L, svcs[i].file, "id", "service id \"%s\" is also used by %s",
                svcs[i].id, svcs[k].file);
      else if (strcmp(svcs[i].ref_prefix, svcs[k].ref_prefix) == 0)
        sv_diag(b->L, svcs[i].file, "reference_prefix",
                "reference prefix \"%s\" is also used by service \"%s\"",
                svcs[i].ref_prefix, svcs[k].id);
      /* A certificate names its document by type and its number by
       * prefix: both must say which service issued it. */
      const sv_cert_spec *a = &svcs[i].cert, *o = &svcs[k].cert;
      if (a->doc_type && a->doc_type == o->doc_type)
        sv_diag(b->L, svcs[i].file, "certificate.doc_type",
                "document type %d is also issued by service \"%s\"",
                a->doc_type, svcs[k].id);
      if (a->number_prefix && o->number_prefix &&
          strcmp(a->number_prefix, o->number_prefix) == 0)
        sv_diag(b->L, svcs[i].file, "certificate.number_prefix",
                "certificate prefix \"%s\" is also used by service \"%s\"",
                a->number_prefix, svcs[k].id);
    }
  size_t n = 0;
  const sv_json *menu = sv_json_get(cat->root, "menu");
  sv_path p;
  sv_path_init(&p, "menu");
  for (uint32_t i = 0; menu && menu->type == SV_J_ARR && i < menu->n; i++) {
    const sv_json *e = menu->items[i];
    size_t m = sv_path_index(&p, i);
    sv_qbuf q;
    size_t k = 0;
    if (e->type != SV_J_STR) {
      sv_diag(b->L, cat->file, sv_path_str(&p), "expected a service id");
    } else {
      while (k < count && strcmp(svcs[k].id, e->s) != 0)
        k++;
      if (k == count)
        sv_diag(b->L, cat->file, sv_path_str(&p), "unknown service %s",
                sv_quote(&q, e->s, e->len));
      else if (placed[k])
        sv_diag(b->L, cat->file, sv_path_str(&p),
                "service %s is listed twice", sv_quote(&q, e->s, e->len));
      else {
        placed[k] = true;
        order[n++] = &svcs[k];
      }
    }
    sv_path_pop(&p, m);
  }
  size_t listed = n;
  for (size_t k = 0; k < count; k++)
    if (!placed[k])
      order[n++] = &svcs[k];
  qsort(order + listed, n - listed, sizeof *order, cmp_service_id);
  sv_service *out = sv_arena_alloc(b->cat, (n ? n : 1) * sizeof *out);
  if (!out) {
    b->L->oom = true;
    return;
  }
  for (size_t k = 0; k < n; k++)
    out[k] = *order[k];
  b->c->services = out;
  b->c->service_count = (uint16_t)n;
}
