/* loader_fields.c - compiles a service spec's top-level fields: id and
 * file name, version, department, title, summary, documents, fee, time
 * limit, keywords, reference prefix and idle/expiry times. */
#include "loader.h"

#include <stdio.h>
#include <string.h>

/* ---- Service fields ----------------------------------------------------- */

static const char *const service_required[] = {
    "id",       "version",         "department",       "title",
    "summary",  "documents",       "fee",              "time_limit_days",
    "keywords", "reference_prefix", "start",           "states",
    NULL};
static const char *const service_optional[] = {"idle_minutes", "expire_hours",
                                               "certificate", NULL};

void sv_compile_fields(sv_svc *sc, sv_service *out) {
  sv_build *b = sc->b;
  const sv_doc *d = sc->doc;
  const char *file = d->file;
  const sv_json *root = d->root, *v;
  sv_path p;
  sv_path_init(&p, NULL);
  sv_qbuf q;
  size_t m;
  sv_check_keys(b, file, &p, root, service_required, service_optional);

  v = sv_json_get(root, "id");
  if (v && (v->type != SV_J_STR ||
            !sv_valid_name(v->s, v->len, SV_MAX_NAME, true))) {
    sv_diag(b->L, file, "id",
            "a service id is 1 to %d characters a-z, 0-9 and -", SV_MAX_NAME);
  } else if (v) {
    out->id = sv_intern(b, v->s, v->len);
    char *want = sv_tmp_printf(b, "%s.json", v->s);
    if (want && strcmp(want, d->base) != 0)
      sv_diag(b->L, file, "id", "service %s must be in a file named \"%s\"",
              sv_quote(&q, v->s, v->len), want);
  }
  v = sv_json_get(root, "version");
  if (v && (v->type != SV_J_STR || v->len == 0 || v->len > 32))
    sv_diag(b->L, file, "version", "expected a version string (1 to 32 "
                                   "characters)");
  else if (v)
    out->version = sv_intern(b, v->s, v->len);

  static const char *const texts[] = {"department", "title", "summary"};
  sv_text *tout[] = {&out->department, &out->title, &out->summary};
  for (int k = 0; k < 3; k++) {
    m = sv_path_key(&p, texts[k]);
    if ((v = sv_json_get(root, texts[k])))
      sv_plain_text(b, file, &p, v, tout[k]);
    sv_path_pop(&p, m);
  }

  m = sv_path_key(&p, "documents");
  if ((v = sv_json_get(root, "documents"))) {
    if (v->type != SV_J_ARR || v->n > SV_MAX_LIST) {
      sv_diag(b->L, file, sv_path_str(&p),
              "expected an array of at most %d texts", SV_MAX_LIST);
    } else if (v->n) {
      sv_text *docs = sv_arena_alloc(b->cat, v->n * sizeof *docs);
      if (!docs) {
        b->L->oom = true;
        return;
      }
      for (uint32_t i = 0; i < v->n; i++) {
        size_t mi = sv_path_index(&p, i);
        sv_plain_text(b, file, &p, v->items[i], &docs[i]);
        sv_path_pop(&p, mi);
      }
      out->documents = docs;
      out->document_count = (uint16_t)v->n;
    }
  }
  sv_path_pop(&p, m);

  m = sv_path_key(&p, "fee");
  if ((v = sv_json_get(root, "fee"))) {
    static const char *const fee_keys[] = {"amount", "text", NULL};
    if (sv_check_keys(b, file, &p, v, fee_keys, NULL)) {
      const sv_json *a = sv_json_get(v, "amount");
      size_t ma = sv_path_key(&p, "amount");
      int64_t x;
      if (a && a->type == SV_J_NULL)
        out->fee_amount = -1;
      else if (a && sv_read_int(b, file, &p, a, 0, 10000000, &x))
        out->fee_amount = (int32_t)x;
      sv_path_pop(&p, ma);
      ma = sv_path_key(&p, "text");
      if ((a = sv_json_get(v, "text")))
        sv_plain_text(b, file, &p, a, &out->fee_text);
      sv_path_pop(&p, ma);
    }
  }
  sv_path_pop(&p, m);

  int64_t x;
  m = sv_path_key(&p, "time_limit_days");
  if ((v = sv_json_get(root, "time_limit_days")) &&
      sv_read_int(b, file, &p, v, 0, 365, &x))
    out->time_limit_days = (uint16_t)x;
  sv_path_pop(&p, m);

  m = sv_path_key(&p, "keywords");
  if ((v = sv_json_get(root, "keywords"))) {
    if (v->type != SV_J_ARR || v->n > SV_MAX_LIST) {
      sv_diag(b->L, file, sv_path_str(&p),
              "expected an array of at most %d strings", SV_MAX_LIST);
    } else if (v->n) {
      const char **kw = sv_arena_alloc(b->cat, v->n * sizeof *kw);
      if (!kw) {
        b->L->oom = true;
        return;
      }
      uint16_t n = 0;
      for (uint32_t i = 0; i < v->n; i++) {
        size_t mi = sv_path_index(&p, i);
        const sv_json *w = v->items[i];
        const char *f = NULL;
        if (w->type != SV_J_STR)
          sv_diag(b->L, file, sv_path_str(&p), "expected a string, found %s",
                  sv_json_type_name(w));
        else
          f = sv_fold_intern(b, file, &p, w->s, w->len);
        if (f)
          kw[n++] = f;
        sv_path_pop(&p, mi);
      }
      out->keywords = kw;
      out->keyword_count = n;
    }
  }
  sv_path_pop(&p, m);

  v = sv_json_get(root, "reference_prefix");
  bool prefix_ok = v && v->type == SV_J_STR && v->len >= 2 && v->len <= 4;
  for (uint32_t i = 0; prefix_ok && i < v->len; i++)
    prefix_ok = v->s[i] >= 'A' && v->s[i] <= 'Z';
  if (prefix_ok)
    out->ref_prefix = sv_intern(b, v->s, v->len);
  else if (v)
    sv_diag(b->L, file, "reference_prefix",
            "expected 2 to 4 capital letters A-Z");

  out->idle_seconds = b->c->default_idle_seconds;
  out->expire_seconds = b->c->default_expire_seconds;
  m = sv_path_key(&p, "idle_minutes");
  if ((v = sv_json_get(root, "idle_minutes")) &&
      sv_read_int(b, file, &p, v, 1, 7 * 1440, &x))
    out->idle_seconds = (uint32_t)x * 60;
  sv_path_pop(&p, m);
  m = sv_path_key(&p, "expire_hours");
  if ((v = sv_json_get(root, "expire_hours")) &&
      sv_read_int(b, file, &p, v, 1, 365 * 24, &x))
    out->expire_seconds = (uint32_t)x * 3600;
  if (out->expire_seconds <= out->idle_seconds)
    sv_diag(b->L, file, sv_json_get(root, "expire_hours") ? "expire_hours"
                                                          : "idle_minutes",
            "the expiry time must be longer than the idle time");
  sv_path_pop(&p, m);
}
