/* approve.h - a department's decision as every command takes it (samvad
 * approve and reject, and --auto-approve in chat and gateway): the
 * library's samvad_store_decide, with the certificate signed by the
 * issuing key from the key folder when the service issues one. */
#ifndef SAMVAD_HOST_APPROVE_H
#define SAMVAD_HOST_APPROVE_H

#include <stdint.h>

#include "db.h"

/* Decides application id inside the caller's transaction. For an approval
 * of a service that issues a certificate, the issuing key for its document
 * type is loaded from keys_dir and a random serial drawn. Returns 0; a negative samvad error from the decision;
 * or a positive HOST_EXIT_* code when the key folder cannot give a key
 * (already printed to stderr, nothing decided). */
int host_decide(host_db *db, const samvad_catalogue *catalogue,
                const char *keys_dir, const char *id,
                samvad_app_status decision, const char *reason,
                const char *actor, int64_t now, samvad_replies *out);

/* The application a step's replies submitted, or NULL. */
const samvad_application *host_submitted(const samvad_replies *replies);

/* For --auto-approve: checks at start that keys_dir has an issuing key for
 * every document type the catalogue's services issue, so that a missing
 * key stops the command at once rather than failing each submission.
 * 0, or a HOST_EXIT_* code after printing why. */
int host_check_issuing(const char *keys_dir,
                       const samvad_catalogue *catalogue);

/* When replies carry a certificate: writes its QR code as
 * dir/NUMBER.png (creating dir) and returns the path, in buf; otherwise,
 * or when the file cannot be written (said on stderr), NULL. */
#define HOST_DOCUMENT_PATH_BYTES 1024
const char *host_document_png(const char *dir, const samvad_replies *replies,
                              char *buf, size_t cap);

#endif
