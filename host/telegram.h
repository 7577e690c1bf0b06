/* telegram.h - what the Telegram transport (host/telegram.c) offers beyond
 * its table, host_transport_telegram (transport.h).
 *
 * The Bot API puts the bot's token in the URL (.../bot<token>/method). A
 * secret must never be stored in the outbox nor logged, so the rendered
 * requests carry the placeholder HOST_TG_TOKEN_MARK instead, which the
 * sender replaces with cfg->tg_token just before the request goes out.
 * A certificate is rendered as sendPhoto with the sender's upload
 * instruction (see wa_render.h), field "photo", form {chat_id, caption},
 * and no "then". */
#ifndef SAMVAD_HOST_TELEGRAM_H
#define SAMVAD_HOST_TELEGRAM_H

#include "transport.h"

#define HOST_TG_TOKEN_MARK "{token}"
#define HOST_TG_DEFAULT_API "https://api.telegram.org"
#define HOST_TG_TEXT_MAX 4096    /* a message's text, in characters */
#define HOST_TG_CALLBACK_MAX 64  /* callback_data, in bytes */
#define HOST_TG_KEYBOARD_MAX 100 /* buttons in an inline keyboard */

/* The answerCallbackQuery request that stops the spinner on the button the
 * citizen tapped (host_inbound.callback), appended to out. 0 or -1. */
int host_tg_answer_callback(const host_serve_config *cfg,
                            const char *callback_id, host_request_list *out);

#endif
