/* cert_spec.c - from a catalogue's certificate sections to certificates:
 * what each service issues, the certificate an approved application gets,
 * and the field declarations a verifier needs to name what it reads. */
#include "internal.h"
#include "samvad/cert.h"

#include <string.h>

#define SECONDS_PER_DAY 86400

static const sv_cert_spec *spec_of(const samvad_catalogue *c, size_t i) {
  if (!c || i >= c->service_count || !c->services[i].cert.doc_type)
    return NULL;
  return &c->services[i].cert;
}

uint8_t samvad_catalogue_cert_doc_type(const samvad_catalogue *c, size_t i) {
  const sv_cert_spec *cs = spec_of(c, i);
  return cs ? cs->doc_type : 0;
}

long samvad_catalogue_find_doc_type(const samvad_catalogue *c,
                                    uint8_t doc_type) {
  for (size_t i = 0; doc_type && c && i < c->service_count; i++)
    if (c->services[i].cert.doc_type == doc_type)
      return (long)i;
  return -1;
}

const char *samvad_catalogue_cert_title(const samvad_catalogue *c, size_t i,
                                        samvad_lang lang) {
  const sv_cert_spec *cs = spec_of(c, i);
  return cs && (unsigned)lang < SAMVAD_LANG_COUNT ? cs->title.s[lang] : NULL;
}

const char *samvad_catalogue_cert_prefix(const samvad_catalogue *c,
                                         size_t i) {
  const sv_cert_spec *cs = spec_of(c, i);
  return cs ? cs->number_prefix : NULL;
}

size_t samvad_catalogue_cert_field_count(const samvad_catalogue *c,
                                         size_t i) {
  const sv_cert_spec *cs = spec_of(c, i);
  return cs ? cs->field_count : 0;
}

int samvad_catalogue_cert_field(const samvad_catalogue *c, size_t i,
                                size_t k, samvad_cert_spec_field *out) {
  const sv_cert_spec *cs = spec_of(c, i);
  if (!cs || !out || k >= cs->field_count)
    return SAMVAD_ENOTFOUND;
  const sv_cert_field *f = &cs->fields[k];
  out->tag = f->tag;
  out->var = c->services[i].vars[f->var].name;
  for (int l = 0; l < SAMVAD_LANG_COUNT; l++)
    out->label[l] = f->label.s[l];
  return SAMVAD_OK;
}

const char *samvad_catalogue_cert_value_title(const samvad_catalogue *c,
                                              size_t i, uint8_t tag,
                                              const char *value,
                                              samvad_lang lang) {
  const sv_cert_spec *cs = spec_of(c, i);
  if (!cs || !value || (unsigned)lang >= SAMVAD_LANG_COUNT)
    return NULL;
  const sv_service *svc = &c->services[i];
  for (size_t k = 0; k < cs->field_count; k++) {
    if (cs->fields[k].tag != tag)
      continue;
    const sv_var *var = &svc->vars[cs->fields[k].var];
    if (var->type != SV_IN_CHOICE || var->state >= svc->state_count)
      return NULL;
    const sv_state *st = &svc->states[var->state];
    for (size_t o = 0; o < st->option_count; o++)
      if (strcmp(st->options[o].id, value) == 0)
        return st->options[o].title.s[lang];
    return NULL;
  }
  return NULL;
}

static const char *answer(const samvad_application *app, const char *name) {
  for (size_t k = 0; k < app->answer_count; k++)
    if (strcmp(app->answers[k].name, name) == 0)
      return app->answers[k].value;
  return NULL;
}

/* The days a certificate stays valid: by the option chosen when the spec
 * says so, else its one figure. */
static uint32_t valid_days(const sv_service *svc,
                           const samvad_application *app) {
  const sv_cert_spec *cs = &svc->cert;
  if (cs->valid_by >= 0) {
    const char *chosen = answer(app, svc->vars[cs->valid_by].name);
    for (size_t k = 0; chosen && k < cs->days_by_count; k++)
      if (strcmp(cs->days_by[k].option, chosen) == 0)
        return cs->days_by[k].days;
  }
  return cs->valid_days;
}

int samvad_cert_from_application(const samvad_catalogue *c,
                                 const samvad_application *app,
                                 samvad_lang lang, int64_t issued_at,
                                 uint64_t serial, samvad_cert *out) {
  if (!c || !app || !app->service || !out || serial == 0 || issued_at <= 0 ||
      (unsigned)lang >= SAMVAD_LANG_COUNT)
    return SAMVAD_EINVAL;
  int si = sv_find_service(c, app->service, strlen(app->service));
  if (si < 0 || !c->services[si].cert.doc_type)
    return SAMVAD_ENOTFOUND;
  const sv_service *svc = &c->services[si];
  const sv_cert_spec *cs = &svc->cert;
  memset(out, 0, sizeof *out);
  out->doc_type = cs->doc_type;
  out->serial = serial;
  out->issued_at = issued_at;
  uint32_t days = valid_days(svc, app);
  out->expires_at = days ? issued_at + (int64_t)days * SECONDS_PER_DAY : 0;
  samvad_cert_field *f = out->fields;
  size_t n = 0;
  f[n++] = (samvad_cert_field){SAMVAD_CERT_TAG_OFFICE, cs->office.s[lang],
                               cs->office.len[lang], NULL};
  if (app->id)
    f[n++] = (samvad_cert_field){SAMVAD_CERT_TAG_APPLICATION, app->id,
                                 strlen(app->id), NULL};
  for (size_t k = 0; k < cs->field_count && n < SAMVAD_CERT_MAX_FIELDS; k++) {
    const char *v = answer(app, svc->vars[cs->fields[k].var].name);
    if (v && *v)
      f[n++] = (samvad_cert_field){cs->fields[k].tag, v, strlen(v), NULL};
  }
  out->field_count = n;
  return SAMVAD_OK;
}

int samvad_trust_declare_catalogue(samvad_trust *trust,
                                   const samvad_catalogue *c) {
  if (!trust || !c)
    return SAMVAD_EINVAL;
  for (size_t i = 0; i < c->service_count; i++) {
    const sv_cert_spec *cs = &c->services[i].cert;
    if (!cs->doc_type)
      continue;
    samvad_cert_tag_spec tags[SAMVAD_CERT_MAX_FIELDS];
    for (size_t k = 0; k < cs->field_count; k++)
      tags[k] = (samvad_cert_tag_spec){
          cs->fields[k].tag, 0, c->services[i].vars[cs->fields[k].var].name};
    int rc = samvad_trust_declare_fields(trust, cs->doc_type, tags,
                                         cs->field_count);
    if (rc != SAMVAD_OK)
      return rc;
  }
  return SAMVAD_OK;
}
