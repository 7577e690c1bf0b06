/* keyring.h - a key folder as the key commands see it: the pinned root
 * public key, the verified trust list and revocation list loaded into a
 * library trust store, and the operations that sign new versions of the
 * lists and write them back. Shared by keys.c and the commands in
 * cert_cmd.c; every function that can fail prints
 * "WHO: keys DIR: reason" to stderr and returns a HOST_EXIT_* code. */
#ifndef SAMVAD_HOST_KEYRING_H
#define SAMVAD_HOST_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "keys_files.h"
#include "samvad/cert.h"

typedef struct host_keyring {
  const char *dir; /* the key folder, as given */
  uint8_t root_public[SAMVAD_CERT_PUBLIC_KEY_BYTES]; /* from root.pub */
  samvad_trust *trust;                /* root pinned, lists loaded */
  samvad_trust_list list;             /* a copy of the loaded trust list */
  int have_revocations;               /* revocations.list was there */
  samvad_revocation_info revocations; /* its header, when there */
} host_keyring;

/* Opens dir: root.pub and trust.list are required, revocations.list is
 * loaded when present. who prefixes messages ("samvad verify"). */
int host_keyring_open(const char *who, const char *dir, host_keyring *kr);
void host_keyring_close(host_keyring *kr);

/* The root key from root_dir's root.seed (NULL: the key folder), checked
 * against the pinned root.pub. Wipe it after use. */
int host_keyring_root(const char *who, const host_keyring *kr,
                      const char *root_dir, samvad_cert_key *out);

/* The seed of the listed issuing key at index i, from the folder. Returns
 * 0, HOST_EXIT_FAILED when its file is not there (quietly), or another
 * code after printing why. */
int host_keyring_issuer_seed(const char *who, const host_keyring *kr, size_t i,
                             samvad_cert_key *out);

/* Signs list with root and writes it to dir's trust.list. */
int host_keyring_save_list(const char *who, const char *dir,
                           const samvad_trust_list *list,
                           const samvad_cert_key *root);

/* Signs a revocation list and writes it to dir's revocations.list. */
int host_keyring_save_revocations(const char *who, const char *dir,
                                  const samvad_revocation_info *info,
                                  const samvad_revocation *entries,
                                  size_t count, const samvad_cert_key *signer);

/* Copies the loaded revocation entries into a malloc'd array with room for
 * extra more. 0, or HOST_EXIT_IO when out of memory (printed). */
int host_keyring_revocations(const char *who, const host_keyring *kr,
                             size_t extra, samvad_revocation **out,
                             size_t *count);

/* Whether the listed key at i may issue doc_type at now (active, allowed
 * the type, inside its validity). */
int host_keyring_key_issues(const samvad_trust_key *k, uint8_t doc_type,
                            int64_t now);

/* The index of the newest listed key that is active at now and whose seed
 * is in the folder, optionally (doc_type non-zero) allowed doc_type; -1
 * when there is none. */
int host_keyring_newest_issuer(const host_keyring *kr, uint8_t doc_type,
                               int64_t now);

/* Prints "who: keys DIR: what" (what may be built with a format). */
int host_keys_fail(int code, const char *who, const char *dir, const char *fmt,
                   ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
