/* render_text.h - replies rendered as plain text, the way the terminal chat
 * and a WhatsApp text-only fallback show them: each reply's text, then its
 * options numbered "1. title", one per line. Transcripts match this text. */
#ifndef SAMVAD_HOST_RENDER_TEXT_H
#define SAMVAD_HOST_RENDER_TEXT_H

#include "samvad/samvad.h"
#include "util.h"

/* Appends every reply to out. Each output line starts with prefix (use ""
 * for none) and ends with "\n"; between two replies the separator line is
 * written (NULL for none). Returns 0, or -1 when out of memory. */
int host_render_replies(const samvad_replies *replies, const char *prefix,
                        const char *separator, host_buf *out);

#endif
