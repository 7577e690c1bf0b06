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
                     samvad_replies *out) {
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
  if (!sv_out_grow(out, NULL))
    return SAMVAD_ENOMEM;
  for (int attempt = 0;; attempt++) {
    sv_out_init(&c.out, out);
    sv_out_begin(&c.out, l, NULL, NULL);
    sv_render(&c, &cat->messages[m], kv, 3);
    sv_out_finish(&c.out);
    if (!c.out.overflow)
      return SAMVAD_OK;
    out->count = 0;
    if (attempt == 24 || !sv_out_grow(out, &c.out))
      return SAMVAD_ENOMEM;
  }
}
