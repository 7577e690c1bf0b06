/* notice.c - what the citizen learns of the department's decision: the
 * mark on the application in their session (which "status" shows) and the
 * notice sent to them, in their language. */
#include "engine.h"

#include <string.h>

bool sv_session_mark_application(samvad_session *s, const char *ref,
                                 samvad_app_status status) {
  for (size_t k = 0; k < s->app_count; k++)
    if (strcmp(s->apps[k].ref, ref) == 0) {
      s->apps[k].status = (uint8_t)status;
      return true;
    }
  return false;
}

int sv_render_notice(const samvad_catalogue *cat, samvad_session *s,
                     const char *ref, const char *service_id,
                     samvad_app_status status, const char *reason,
                     const samvad_document *doc, samvad_replies *out) {
  sv_ctx c;
  memset(&c, 0, sizeof c);
  c.cat = cat;
  c.s = s;
  uint8_t l = s->lang;
  const char *title = service_id;
  size_t title_len = strlen(service_id);
  int si = sv_find_service(cat, service_id, title_len);
  if (si >= 0) {
    title = cat->services[si].title.s[l];
    title_len = cat->services[si].title.len[l];
  }
  sv_kv kv[] = {{"reference", ref, strlen(ref)},
                {"service", title, title_len},
                {"reason", reason ? reason : "", reason ? strlen(reason) : 0}};
  sv_msg m = status == SAMVAD_APP_APPROVED ? SV_MSG_NOTICE_APPROVED
                                           : SV_MSG_NOTICE_REJECTED;
  const char *cert_title = si >= 0 ? cat->services[si].cert.title.s[l] : "";
  size_t cert_title_len = si >= 0 ? cat->services[si].cert.title.len[l] : 0;
  sv_kv ckv[] = {{"title", cert_title, cert_title_len},
                 {"number", doc ? doc->number : "",
                  doc ? strlen(doc->number) : 0}};
  if (!sv_out_grow(out, NULL))
    return SAMVAD_ENOMEM;
  for (int attempt = 0;; attempt++) {
    sv_out_init(&c.out, out);
    sv_out_begin(&c.out, l, NULL, NULL);
    sv_render(&c, &cat->messages[m], kv, 3);
    if (doc) {
      sv_out_begin(&c.out, l, NULL, NULL);
      sv_render(&c, &cat->messages[SV_MSG_CERTIFICATE_READY], ckv, 2);
    }
    sv_out_finish(&c.out);
    if (!c.out.overflow && doc) {
      /* Borrowed from the caller, who copies the replies (through their
       * bytes) before its strings go. */
      out->doc = *doc;
      out->items[out->count - 1].document = &out->doc;
    }
    if (!c.out.overflow)
      return SAMVAD_OK;
    out->count = 0;
    if (attempt == 24 || !sv_out_grow(out, &c.out))
      return SAMVAD_ENOMEM;
  }
}
