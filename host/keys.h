/* keys.h - the key folder (keys/ unless --keys DIR or $SAMVAD_KEYS): the
 * root key (or only its public half when the root lives apart, --root),
 * the issuing keys' seeds, the signed trust list and the signed revocation
 * list. Issuing (samvad approve) and verifying (samvad verify) both start
 * here. Files and their formats are described in docs/certificates.md
 * ("Key files"). Secrets are never printed. */
#ifndef SAMVAD_HOST_KEYS_H
#define SAMVAD_HOST_KEYS_H

#include <stdint.h>

#include "samvad/cert.h"

/* The issuing key that may sign doc_type at now: the newest active key of
 * the trust list allowed that type, valid at now, whose seed is in dir.
 * 0 and *out (wipe it after use), or a HOST_EXIT_* code after printing
 * "samvad: keys DIR: reason" to stderr (no key folder: run samvad keygen;
 * no key for this document type; a key file readable by others). */
int host_keys_issuer(const char *dir, uint8_t doc_type, int64_t now,
                     samvad_cert_key *out);

/* A verifier's trust store from dir: the pinned root public key(s), the
 * trust list and, when present, the revocation list. 0 and *out, or a
 * HOST_EXIT_* code after printing why. */
int host_keys_trust(const char *dir, samvad_trust **out);

#endif
