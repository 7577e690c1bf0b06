/* keys.c - the key folder as a whole: opening it (the pinned root, the
 * verified trust list and revocation list), choosing the issuing key for a
 * document, and signing new versions of the lists. Issuing (samvad approve)
 * and verifying (samvad verify) both start here. */
#include "keys.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keyring.h"
#include "options.h"

int host_keys_fail(int code, const char *who, const char *dir, const char *fmt,
                   ...) {
  fprintf(stderr, "%s: keys %s: ", who, dir);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return code;
}

/* Says what is wrong with a file of the folder and returns HOST_EXIT_IO. */
static int file_fail(const char *who, const char *dir, const char *name,
                     int result) {
  return host_keys_fail(HOST_EXIT_IO, who, dir, "%s: %s", name,
                        host_keyfile_strerror(result));
}

/* The hint for a folder without keys: the most likely first mistake. */
static int no_keys(const char *who, const char *dir) {
  struct stat st;
  if (stat(dir, &st) != 0)
    return host_keys_fail(HOST_EXIT_IO, who, dir,
                          "no key folder here; run 'samvad keygen' to "
                          "create one (or give --keys DIR, or set "
                          "SAMVAD_KEYS)");
  return host_keys_fail(HOST_EXIT_IO, who, dir,
                        "no %s in the folder; run 'samvad keygen' to create "
                        "the keys (or give --keys DIR)",
                        HOST_KEYS_ROOT_PUBLIC);
}

/* Reads and loads one signed list file; 1 when it is absent. */
static int load_list(const char *who, host_keyring *kr, const char *name,
                     size_t max, int revocations) {
  char path[HOST_KEYS_PATH_MAX];
  if (host_keys_path(kr->dir, name, path) != 0)
    return file_fail(who, kr->dir, name, HOST_KEYFILE_TOO_LONG);
  unsigned char *buf = NULL;
  size_t len = 0;
  int rc = host_keyfile_read_bytes(path, max, &buf, &len);
  if (rc == HOST_KEYFILE_MISSING)
    return 1;
  if (rc != HOST_KEYFILE_OK)
    return file_fail(who, kr->dir, name, rc);
  int err = revocations ? samvad_trust_load_revocations(kr->trust, buf, len)
                        : samvad_trust_load_keys(kr->trust, buf, len);
  free(buf);
  if (err)
    return host_keys_fail(HOST_EXIT_IO, who, kr->dir,
                          "%s: %s (it must be signed by the root key of %s)",
                          name, samvad_trust_errmsg(kr->trust),
                          HOST_KEYS_ROOT_PUBLIC);
  return 0;
}

int host_keyring_open(const char *who, const char *dir, host_keyring *kr) {
  memset(kr, 0, sizeof *kr);
  kr->dir = dir;
  char path[HOST_KEYS_PATH_MAX];
  if (host_keys_path(dir, HOST_KEYS_ROOT_PUBLIC, path) != 0)
    return file_fail(who, dir, HOST_KEYS_ROOT_PUBLIC, HOST_KEYFILE_TOO_LONG);
  int rc = host_keyfile_read_public(path, kr->root_public);
  if (rc == HOST_KEYFILE_MISSING)
    return no_keys(who, dir);
  if (rc != HOST_KEYFILE_OK)
    return file_fail(who, dir, HOST_KEYS_ROOT_PUBLIC, rc);
  if (samvad_trust_create(NULL, &kr->root_public, 1, &kr->trust) != 0)
    return host_keys_fail(HOST_EXIT_IO, who, dir, "out of memory");
  rc = load_list(who, kr, HOST_KEYS_TRUST_LIST, SAMVAD_TRUST_LIST_MAX_BYTES, 0);
  if (rc == 1)
    rc = host_keys_fail(HOST_EXIT_IO, who, dir,
                        "no %s in the folder; run 'samvad keygen --force' "
                        "to start afresh",
                        HOST_KEYS_TRUST_LIST);
  if (rc == 0) {
    kr->list = *samvad_trust_keys(kr->trust);
    rc = load_list(who, kr, HOST_KEYS_REVOCATIONS,
                   29 + 13 * (size_t)SAMVAD_REVOCATIONS_MAX + 64, 1);
    if (rc == 1)
      rc = 0;
    else if (rc == 0)
      kr->have_revocations =
          samvad_trust_revocations(kr->trust, &kr->revocations) == 0;
  }
  if (rc != 0)
    host_keyring_close(kr);
  return rc;
}

void host_keyring_close(host_keyring *kr) {
  samvad_trust_destroy(kr->trust);
  kr->trust = NULL;
}

int host_keyring_root(const char *who, const host_keyring *kr,
                      const char *root_dir, samvad_cert_key *out) {
  const char *dir = root_dir ? root_dir : kr->dir;
  char path[HOST_KEYS_PATH_MAX];
  if (host_keys_path(dir, HOST_KEYS_ROOT_SEED, path) != 0)
    return file_fail(who, dir, HOST_KEYS_ROOT_SEED, HOST_KEYFILE_TOO_LONG);
  int rc = host_keyfile_read_seed(path, out);
  if (rc == HOST_KEYFILE_MISSING)
    return host_keys_fail(
        HOST_EXIT_IO, who, dir,
        "no %s here: this needs the root key; give --root DIR where it "
        "is kept",
        HOST_KEYS_ROOT_SEED);
  if (rc != HOST_KEYFILE_OK)
    return file_fail(who, dir, HOST_KEYS_ROOT_SEED, rc);
  if (sodium_memcmp(out->public_key, kr->root_public, sizeof kr->root_public) !=
      0) {
    samvad_cert_key_wipe(out);
    return host_keys_fail(HOST_EXIT_IO, who, dir,
                          "%s is not the root key of %s/%s",
                          HOST_KEYS_ROOT_SEED, kr->dir, HOST_KEYS_ROOT_PUBLIC);
  }
  return 0;
}

int host_keyring_issuer_seed(const char *who, const host_keyring *kr, size_t i,
                             samvad_cert_key *out) {
  const samvad_trust_key *k = &kr->list.keys[i];
  char name[32], path[HOST_KEYS_PATH_MAX];
  host_keys_issuer_name(k->key_id, name);
  if (host_keys_path(kr->dir, name, path) != 0)
    return file_fail(who, kr->dir, name, HOST_KEYFILE_TOO_LONG);
  int rc = host_keyfile_read_seed(path, out);
  if (rc == HOST_KEYFILE_MISSING)
    return HOST_EXIT_FAILED;
  if (rc != HOST_KEYFILE_OK)
    return file_fail(who, kr->dir, name, rc);
  if (sodium_memcmp(out->public_key, k->public_key, sizeof k->public_key)) {
    samvad_cert_key_wipe(out);
    return host_keys_fail(HOST_EXIT_IO, who, kr->dir,
                          "%s does not hold the key its name says", name);
  }
  return 0;
}

int host_keyring_save_list(const char *who, const char *dir,
                           const samvad_trust_list *list,
                           const samvad_cert_key *root) {
  unsigned char *buf = malloc(SAMVAD_TRUST_LIST_MAX_BYTES);
  if (!buf)
    return host_keys_fail(HOST_EXIT_IO, who, dir, "out of memory");
  size_t len = 0;
  const char *why = NULL;
  int rc = 0;
  int err = samvad_trust_list_sign(list, root, buf, SAMVAD_TRUST_LIST_MAX_BYTES,
                                   &len, &why);
  char path[HOST_KEYS_PATH_MAX];
  if (err)
    rc =
        host_keys_fail(HOST_EXIT_IO, who, dir, "cannot sign the trust list: %s",
                       why ? why : samvad_strerror(err));
  else if (host_keys_path(dir, HOST_KEYS_TRUST_LIST, path) != 0)
    rc = file_fail(who, dir, HOST_KEYS_TRUST_LIST, HOST_KEYFILE_TOO_LONG);
  else if ((err = host_keyfile_write_bytes(path, buf, len, 0644, 1)) != 0)
    rc = file_fail(who, dir, HOST_KEYS_TRUST_LIST, err);
  free(buf);
  return rc;
}

int host_keyring_save_revocations(const char *who, const char *dir,
                                  const samvad_revocation_info *info,
                                  const samvad_revocation *entries,
                                  size_t count, const samvad_cert_key *signer) {
  size_t cap = 29 + 13 * count + 64;
  unsigned char *buf = malloc(cap);
  if (!buf)
    return host_keys_fail(HOST_EXIT_IO, who, dir, "out of memory");
  size_t len = 0;
  const char *why = NULL;
  int rc = 0;
  int err = samvad_revocations_sign(info, entries, count, signer, buf, cap,
                                    &len, &why);
  char path[HOST_KEYS_PATH_MAX];
  if (err)
    rc = host_keys_fail(HOST_EXIT_IO, who, dir,
                        "cannot sign the revocation list: %s",
                        why ? why : samvad_strerror(err));
  else if (host_keys_path(dir, HOST_KEYS_REVOCATIONS, path) != 0)
    rc = file_fail(who, dir, HOST_KEYS_REVOCATIONS, HOST_KEYFILE_TOO_LONG);
  else if ((err = host_keyfile_write_bytes(path, buf, len, 0644, 1)) != 0)
    rc = file_fail(who, dir, HOST_KEYS_REVOCATIONS, err);
  free(buf);
  return rc;
}

int host_keyring_revocations(const char *who, const host_keyring *kr,
                             size_t extra, samvad_revocation **out,
                             size_t *count) {
  size_t n = kr->have_revocations ? kr->revocations.count : 0;
  *out = calloc(n + extra ? n + extra : 1, sizeof **out);
  *count = 0;
  if (!*out)
    return host_keys_fail(HOST_EXIT_IO, who, kr->dir, "out of memory");
  for (size_t i = 0; i < n; i++)
    if (samvad_trust_revocation_get(kr->trust, i, &(*out)[i]) != 0)
      break;
    else
      *count = i + 1;
  return 0;
}

int host_keyring_key_issues(const samvad_trust_key *k, uint8_t doc_type,
                            int64_t now) {
  if (k->status != SAMVAD_KEY_ACTIVE || now < k->not_before ||
      (k->not_after != 0 && now > k->not_after))
    return 0;
  if (doc_type == 0)
    return 1;
  for (size_t j = 0; j < k->doc_type_count; j++)
    if (k->doc_types[j] == doc_type)
      return 1;
  return 0;
}

int host_keyring_newest_issuer(const host_keyring *kr, uint8_t doc_type,
                               int64_t now) {
  int best = -1;
  for (size_t i = 0; i < kr->list.key_count; i++) {
    const samvad_trust_key *k = &kr->list.keys[i];
    if (!host_keyring_key_issues(k, doc_type, now))
      continue;
    char name[32], path[HOST_KEYS_PATH_MAX];
    host_keys_issuer_name(k->key_id, name);
    if (host_keys_path(kr->dir, name, path) != 0 || access(path, F_OK) != 0)
      continue;
    if (best < 0 || k->not_before >= kr->list.keys[best].not_before)
      best = (int)i;
  }
  return best;
}

int host_keys_issuer(const char *dir, uint8_t doc_type, int64_t now,
                     samvad_cert_key *out) {
  host_keyring kr;
  int rc = host_keyring_open("samvad", dir, &kr);
  if (rc != 0)
    return rc;
  int i = host_keyring_newest_issuer(&kr, doc_type, now);
  if (i < 0)
    rc = host_keys_fail(HOST_EXIT_IO, "samvad", dir,
                        "no active issuing key for document type %u whose "
                        "seed is here; see 'samvad keys', and add one with "
                        "'samvad keygen --rotate'",
                        (unsigned)doc_type);
  else
    rc = host_keyring_issuer_seed("samvad", &kr, (size_t)i, out);
  if (rc == HOST_EXIT_FAILED) /* removed between the two looks */
    rc = host_keys_fail(HOST_EXIT_IO, "samvad", dir,
                        "the issuing key's seed has gone");
  host_keyring_close(&kr);
  return rc;
}

int host_keys_trust(const char *dir, samvad_trust **out) {
  host_keyring kr;
  int rc = host_keyring_open("samvad", dir, &kr);
  if (rc != 0)
    return rc;
  *out = kr.trust;
  return 0;
}
