/* wa_render.h - samvad's replies as WhatsApp Cloud API requests, and the
 * Graph API's answers read back: the three functions of the WhatsApp
 * transport table (host/whatsapp.c) that concern sending. Every length
 * limit of Meta's is kept, counted in characters (code points): choices
 * become reply buttons, a list message or numbered text; long texts are
 * split at a paragraph, sentence or word boundary; too long titles are
 * shortened with "…" (and *shortened set, for the log).
 *
 * Requests go to {wa_graph_url}/{wa_graph_version}/{wa_phone_number_id}/
 * messages. A certificate (reply->document) needs its QR code uploaded
 * first; it is rendered as one request to .../media whose body is not
 * Graph JSON but an instruction for the sender (host/serve_send.c):
 *
 *   {"upload": {"qr": "SV1:...", "name": "MC-....png", "field": "file",
 *               "form": {"messaging_product": "whatsapp",
 *                        "type": "image/png"}},
 *    "then_url": ".../messages",
 *    "then": "<message JSON with the string \"{media}\" as image.id>"}
 *
 * The sender writes the PNG, posts it as multipart form data, and sends
 * "then" with "{media}" replaced by the media id Meta returned. No secret
 * is ever part of a request: the sender adds the Authorization header. */
#ifndef SAMVAD_HOST_WA_RENDER_H
#define SAMVAD_HOST_WA_RENDER_H

#include "transport.h"

/* Meta's limits, in characters. */
#define HOST_WA_TEXT_MAX 4096        /* a text message's body */
#define HOST_WA_BODY_MAX 1024        /* an interactive message's body */
#define HOST_WA_BUTTONS_MAX 3        /* reply buttons in one message */
#define HOST_WA_BUTTON_TITLE_MAX 20  /* a reply button's title */
#define HOST_WA_BUTTON_ID_MAX 256    /* a reply button's id */
#define HOST_WA_ROWS_MAX 10          /* rows in a list message */
#define HOST_WA_ROW_TITLE_MAX 24     /* a list row's title */
#define HOST_WA_ROW_DESC_MAX 72      /* a list row's description */
#define HOST_WA_ROW_ID_MAX 200       /* a list row's id */
#define HOST_WA_LIST_BUTTON_MAX 20   /* the list's button text */
#define HOST_WA_SECTION_TITLE_MAX 24 /* a list section's title */
#define HOST_WA_HEADER_MAX 60        /* an interactive header */
#define HOST_WA_CAPTION_MAX 1024     /* a media caption */
#define HOST_WA_TEMPLATE_PARAM_MAX 1024 /* a template's body parameter */

/* The transport table's render: reply to user (a wa_id) as requests. */
int host_wa_render(const host_serve_config *cfg, const char *user,
                   const samvad_reply *reply, host_request_list *out,
                   int *shortened);

/* The transport table's render_template: a notice outside the 24-hour
 * window as the template cfg->wa_template (language cfg->wa_template_lang,
 * default "en") with one body parameter, the notice's text on one line,
 * shortened to 1024 characters. A certificate in the reply follows as an
 * image (Meta refuses it with 131047 until the citizen writes: recorded
 * as a failure of that request). -1 when no template is configured or out
 * of memory. */
int host_wa_render_template(const host_serve_config *cfg, const char *user,
                            const samvad_reply *reply,
                            host_request_list *out);

/* The transport table's outcome for Graph API answers: 2xx with
 * {"messages":[{"id":...}]} or a media upload's {"id":...} gives 0;
 * no answer (status 0), 401, 429, 5xx, the throughput errors 130429,
 * 131056, 131057, other rate limits and temporary failures, and an
 * expired token (190) give 1; anything else 2 with the error's code and
 * message in *error. */
int host_wa_outcome(long http_status, const char *body, size_t len,
                    char *sent_id, size_t cap, int *retry_after, char *error,
                    size_t error_cap);

#endif
