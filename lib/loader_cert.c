/* loader_cert.c - compiles a service's "certificate" section: which
 * document the department issues on approval (its type number, title,
 * issuing office, validity) and which answers it carries, each under a tag
 * of the certificate format (docs/certificates.md). */
#include "loader.h"

#include <string.h>

/* A tag's top bit says whether it carries a date; 1-15 and 129-143 belong
 * to every certificate (include/samvad/cert.h). */
#define SV_CERT_TEXT_TAGS_FROM 16
#define SV_CERT_TEXT_TAGS_TO 127
#define SV_CERT_DATE_TAGS_FROM 144
#define SV_CERT_DATE_TAGS_TO 255
#define SV_CERT_MAX_FIELDS 32

static const char *const cert_required[] = {"doc_type", "number_prefix",
                                            "title", "office", "fields",
                                            NULL};
static const char *const cert_optional[] = {"valid_days", NULL};

static bool capitals(const sv_json *v) {
  if (!v || v->type != SV_J_STR || v->len < 2 || v->len > 4)
    return false;
  for (uint32_t i = 0; i < v->len; i++)
    if (v->s[i] < 'A' || v->s[i] > 'Z')
      return false;
  return true;
}

/* "valid_days": N, or {"by": VAR, "days": {OPTION: N, ...},
 * "otherwise": N} for a document whose validity depends on a choice (a
 * learner's licence lasts months, a permanent one years). */
static void compile_validity(sv_svc *sc, sv_path *p, const sv_json *v,
                             sv_cert_spec *out) {
  sv_build *b = sc->b;
  const char *file = sc->doc->file;
  int64_t x;
  if (v->type == SV_J_INT) {
    if (sv_read_int(b, file, p, v, 0, 36500, &x))
      out->valid_days = (uint32_t)x;
    return;
  }
  static const char *const req[] = {"by", "days", "otherwise", NULL};
  if (!sv_check_keys(b, file, p, v, req, NULL))
    return;
  const sv_json *by = sv_json_get(v, "by");
  const sv_json *days = sv_json_get(v, "days");
  const sv_json *otherwise = sv_json_get(v, "otherwise");
  size_t m = sv_path_key(p, "otherwise");
  if (otherwise && sv_read_int(b, file, p, otherwise, 0, 36500, &x))
    out->valid_days = (uint32_t)x;
  sv_path_pop(p, m);
  if (!by || !days)
    return;
  int var = by->type == SV_J_STR ? sv_smap_get(&sc->var_names, by->s, by->len)
                                 : -1;
  if (var < 0 || sc->var_opt_counts[var] == 0) {
    m = sv_path_key(p, "by");
    sv_diag(b->L, file, sv_path_str(p),
            "expected the name of a variable that a choice saves");
    sv_path_pop(p, m);
    return;
  }
  m = sv_path_key(p, "days");
  if (days->type != SV_J_OBJ || days->n == 0 ||
      days->n > sc->var_opt_counts[var]) {
    sv_diag(b->L, file, sv_path_str(p),
            "expected an object of option id: days");
    sv_path_pop(p, m);
    return;
  }
  sv_cert_days *d = sv_arena_alloc(b->cat, days->n * sizeof *d);
  if (!d) {
    b->L->oom = true;
    return;
  }
  for (uint32_t i = 0; i < days->n; i++) {
    const char *key = days->keys[i];
    size_t mk = sv_path_key(p, key);
    const char *found = NULL;
    for (uint16_t k = 0; k < sc->var_opt_counts[var]; k++)
      if (strcmp(sc->var_opts[var][k], key) == 0)
        found = sc->var_opts[var][k];
    if (!found)
      sv_diag(b->L, file, sv_path_str(p), "no option \"%s\" in the choice "
              "that saves %s", key, sc->vars[var].name);
    else if (sv_read_int(b, file, p, days->items[i], 0, 36500, &x))
      d[i] = (sv_cert_days){found, (uint32_t)x};
    sv_path_pop(p, mk);
  }
  sv_path_pop(p, m);
  out->valid_by = (int16_t)var;
  out->days_by = d;
  out->days_by_count = (uint16_t)days->n;
}

static void compile_fields(sv_svc *sc, sv_path *p, const sv_json *v,
                           const sv_state *states, sv_cert_spec *out) {
  sv_build *b = sc->b;
  const char *file = sc->doc->file;
  if (v->type != SV_J_ARR || v->n == 0 || v->n > SV_CERT_MAX_FIELDS) {
    sv_diag(b->L, file, sv_path_str(p), "expected an array of 1 to %d fields",
            SV_CERT_MAX_FIELDS);
    return;
  }
  sv_cert_field *f = sv_arena_alloc(b->cat, v->n * sizeof *f);
  if (!f) {
    b->L->oom = true;
    return;
  }
  memset(f, 0, v->n * sizeof *f);
  static const char *const req[] = {"tag", "var", NULL};
  static const char *const opt[] = {"label", NULL};
  for (uint32_t i = 0; i < v->n; i++) {
    size_t mi = sv_path_index(p, i);
    const sv_json *e = v->items[i];
    if (sv_check_keys(b, file, p, e, req, opt)) {
      int64_t tag;
      const sv_json *t = sv_json_get(e, "tag");
      const sv_json *name = sv_json_get(e, "var");
      const sv_json *label = sv_json_get(e, "label");
      int var = name && name->type == SV_J_STR
                    ? sv_smap_get(&sc->var_names, name->s, name->len)
                    : -1;
      bool date = var >= 0 && sc->vars[var].type == SV_IN_DATE;
      size_t m = sv_path_key(p, "tag");
      if (t && sv_read_int(b, file, p, t,
                           date ? SV_CERT_DATE_TAGS_FROM
                                : SV_CERT_TEXT_TAGS_FROM,
                           date ? SV_CERT_DATE_TAGS_TO : SV_CERT_TEXT_TAGS_TO,
                           &tag)) {
        f[i].tag = (uint8_t)tag;
        /* Tags ascend, as they will in the certificate, so a reader of
         * the spec sees the order the bytes have. */
        if (i > 0 && f[i - 1].tag >= f[i].tag)
          sv_diag(b->L, file, sv_path_str(p),
                  "tags must be in ascending order without repeats "
                  "(%d after %d)", f[i].tag, f[i - 1].tag);
      }
      sv_path_pop(p, m);
      m = sv_path_key(p, "var");
      uint8_t type = var >= 0 ? sc->vars[var].type : 0;
      if (var < 0)
        sv_diag(b->L, file, sv_path_str(p),
                "expected the name of a variable of this service");
      else if (type == SV_IN_AADHAAR || type == SV_IN_MOBILE ||
               type == SV_IN_EMAIL || type == SV_IN_MEDIA)
        /* Anyone who scans a certificate reads it: it must not carry an
         * identity number, a contact or a file reference. */
        sv_diag(b->L, file, sv_path_str(p),
                "%s is %s: a certificate may not carry it", name->s,
                sv_input_type_names[type]);
      else
        f[i].var = (uint16_t)var;
      sv_path_pop(p, m);
      m = sv_path_key(p, "label");
      if (label)
        sv_plain_text(b, file, p, label, &f[i].label);
      else if (var >= 0)
        f[i].label = states[sc->vars[var].state].label;
      sv_path_pop(p, m);
    }
    sv_path_pop(p, mi);
  }
  out->fields = f;
  out->field_count = (uint16_t)v->n;
}

void sv_compile_certificate(sv_svc *sc, sv_service *out) {
  sv_build *b = sc->b;
  const char *file = sc->doc->file;
  sv_cert_spec *cs = &out->cert;
  memset(cs, 0, sizeof *cs);
  cs->valid_by = -1;
  const sv_json *v = sv_json_get(sc->doc->root, "certificate");
  if (!v)
    return;
  sv_path p;
  sv_path_init(&p, NULL);
  size_t m = sv_path_key(&p, "certificate");
  if (!sv_check_keys(b, file, &p, v, cert_required, cert_optional)) {
    sv_path_pop(&p, m);
    return;
  }
  int64_t x;
  const sv_json *j;
  size_t mk = sv_path_key(&p, "doc_type");
  if ((j = sv_json_get(v, "doc_type")) && sv_read_int(b, file, &p, j, 1, 255, &x))
    cs->doc_type = (uint8_t)x;
  sv_path_pop(&p, mk);
  mk = sv_path_key(&p, "number_prefix");
  if ((j = sv_json_get(v, "number_prefix")) && capitals(j))
    cs->number_prefix = sv_intern(b, j->s, j->len);
  else if (j)
    sv_diag(b->L, file, sv_path_str(&p), "expected 2 to 4 capital letters A-Z");
  sv_path_pop(&p, mk);
  static const char *const texts[] = {"title", "office"};
  sv_text *tout[] = {&cs->title, &cs->office};
  for (int k = 0; k < 2; k++) {
    mk = sv_path_key(&p, texts[k]);
    if ((j = sv_json_get(v, texts[k])))
      sv_plain_text(b, file, &p, j, tout[k]);
    sv_path_pop(&p, mk);
  }
  mk = sv_path_key(&p, "valid_days");
  if ((j = sv_json_get(v, "valid_days")))
    compile_validity(sc, &p, j, cs);
  sv_path_pop(&p, mk);
  mk = sv_path_key(&p, "fields");
  if ((j = sv_json_get(v, "fields")))
    compile_fields(sc, &p, j, out->states, cs);
  sv_path_pop(&p, mk);
  sv_path_pop(&p, m);
}
