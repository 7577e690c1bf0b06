/* cert_cmd.c - `samvad keygen`: creates a key folder that works at once
 * (a root key, an issuing key for every document the specs issue, a trust
 * list and an empty revocation list, both signed by the root), and with
 * --rotate adds a new issuing key to an existing one. Also the time
 * helpers the certificate commands share. */
#include "cert_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keyring.h"
#include "options.h"
#include "timeparse.h"

int host_cert_now(const char *cmd, const char *s, int64_t *out) {
  if (!s) {
    *out = (int64_t)time(NULL);
    return 0;
  }
  int64_t t = -1;
  size_t digits = strspn(s, "0123456789");
  if (digits > 0 && digits <= 10 && s[digits] == '\0')
    t = strtoll(s, NULL, 10);
  else if (host_time_parse(s, HOST_IST_OFFSET_SECONDS, &t) != 0)
    t = -1;
  /* Certificates and lists keep times in 32 bits. */
  if (t <= 0 || t > (int64_t)UINT32_MAX) {
    fprintf(stderr,
            "samvad %s: --now takes a time such as 2026-03-01T10:00:00+05:30 "
            "or Unix seconds (1970-2106)\n",
            cmd);
    return HOST_EXIT_USAGE;
  }
  *out = t;
  return 0;
}

void host_cert_time(int64_t t, char *out) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(out, 32, "%lld", (long long)t);
}

/* The document types a new issuing key may sign: every one that a service
 * of the catalogue issues (at most SAMVAD_TRUST_MAX_DOC_TYPES). 0, or an
 * exit code after saying why. */
static int catalogue_doc_types(const host_options *o,
                               uint8_t out[SAMVAD_TRUST_MAX_DOC_TYPES],
                               size_t *count) {
  samvad_catalogue *catalogue = NULL;
  int rc = host_catalogue_load(host_specs_dir(o), &catalogue);
  if (rc != 0)
    return rc;
  unsigned char seen[256] = {0};
  for (size_t i = 0; i < samvad_catalogue_service_count(catalogue); i++)
    seen[samvad_catalogue_cert_doc_type(catalogue, i)] = 1;
  samvad_catalogue_destroy(catalogue);
  size_t n = 0;
  for (unsigned t = 1; t < 256; t++)
    if (seen[t] && n++ < SAMVAD_TRUST_MAX_DOC_TYPES)
      out[n - 1] = (uint8_t)t;
  if (n == 0) {
    fprintf(stderr, "samvad keygen: %s: no service issues a certificate\n",
            host_specs_dir(o));
    return HOST_EXIT_SPECS;
  }
  if (n > SAMVAD_TRUST_MAX_DOC_TYPES) {
    fprintf(stderr,
            "samvad keygen: the services issue %zu document types; a key may "
            "sign %d: the first %d are given to this key\n",
            n, SAMVAD_TRUST_MAX_DOC_TYPES, SAMVAD_TRUST_MAX_DOC_TYPES);
    n = SAMVAD_TRUST_MAX_DOC_TYPES;
  }
  *count = n;
  return 0;
}

/* A new issuing key may sign from a day before it was made: a citizen's
 * message is stamped when it was sent, and one that waited in a queue (or
 * came from a clock a little behind) while the key was made must still be
 * answered with a certificate the key's validity covers. */
#define KEY_BACKDATE_SECONDS 86400

static int64_t key_start(int64_t now) {
  return now > KEY_BACKDATE_SECONDS ? now - KEY_BACKDATE_SECONDS : 1;
}

/* "issuing key 2 of 2026-03-01": the n-th of the folder, and when. */
static void key_label(int64_t now, size_t n,
                      char out[SAMVAD_TRUST_MAX_LABEL_BYTES + 1]) {
  char when[32];
  host_cert_time(now, when);
  when[10] = '\0';
  snprintf(out, SAMVAD_TRUST_MAX_LABEL_BYTES + 1, "issuing key %zu of %s", n,
           when);
}

/* A fresh key from libsodium's random generator. */
static void new_key(uint8_t seed[SAMVAD_CERT_SEED_BYTES],
                    samvad_cert_key *key) {
  randombytes_buf(seed, SAMVAD_CERT_SEED_BYTES);
  if (samvad_cert_key_from_seed(seed, key) != 0)
    abort(); /* only fails on NULL */
}

static void comma_list(const uint8_t *types, size_t n, char *out, size_t cap) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && used < cap; i++) {
    int w = snprintf(out + used, cap - used, "%s%u", i ? ", " : "",
                     (unsigned)types[i]);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

/* ---- a new folder ------------------------------------------------------ */

/* The key files already in dir (names appended to found). */
static void existing_keys(const char *dir, int root_only, char *found,
                          size_t cap) {
  static const char *const names[] = {
      HOST_KEYS_ROOT_SEED, HOST_KEYS_ROOT_PUBLIC, HOST_KEYS_TRUST_LIST,
      HOST_KEYS_REVOCATIONS};
  char path[HOST_KEYS_PATH_MAX];
  for (size_t i = 0; i < (root_only ? 1u : 4u); i++)
    if (host_keys_path(dir, names[i], path) == 0 && access(path, F_OK) == 0)
      snprintf(found + strlen(found), cap - strlen(found), " %s/%s", dir,
               names[i]);
  DIR *d = root_only ? NULL : opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL)
    if (strncmp(e->d_name, HOST_KEYS_ISSUER_PREFIX,
                strlen(HOST_KEYS_ISSUER_PREFIX)) == 0)
      snprintf(found + strlen(found), cap - strlen(found), " %s/%s", dir,
               e->d_name);
  if (d)
    closedir(d);
}

/* With --force: the issuing seeds of the replaced keys, which no longer
 * mean anything. */
static void remove_old_issuers(const char *dir, const char *keep) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[HOST_KEYS_PATH_MAX];
  while (d && (e = readdir(d)) != NULL)
    if (strncmp(e->d_name, HOST_KEYS_ISSUER_PREFIX,
                strlen(HOST_KEYS_ISSUER_PREFIX)) == 0 &&
        strcmp(e->d_name, keep) != 0 &&
        host_keys_path(dir, e->d_name, path) == 0)
      unlink(path);
  if (d)
    closedir(d);
}

static int write_fail(const char *dir, const char *name, int result) {
  return host_keys_fail(
      result == HOST_KEYFILE_EXISTS ? HOST_EXIT_USAGE : HOST_EXIT_IO,
      "samvad keygen", dir, "%s: %s", name, host_keyfile_strerror(result));
}

static int create_folder(const host_options *o, int64_t now) {
  const char *dir = o->keys;
  const char *root_dir =
      o->root && strcmp(o->root, o->keys) != 0 ? o->root : NULL;
  char found[2048] = "";
  if (!o->force) {
    existing_keys(dir, 0, found, sizeof found);
    if (root_dir)
      existing_keys(root_dir, 1, found, sizeof found);
    if (found[0]) {
      fprintf(stderr,
              "samvad keygen: there are keys already:%s\n"
              "'samvad keygen --rotate' adds an issuing key to them; --force "
              "replaces them all (certificates signed so far then no longer "
              "verify).\n",
              found);
      return HOST_EXIT_USAGE;
    }
  }
  uint8_t doc_types[SAMVAD_TRUST_MAX_DOC_TYPES];
  size_t doc_type_count = 0;
  int rc = catalogue_doc_types(o, doc_types, &doc_type_count);
  if (rc != 0)
    return rc;
  rc = host_keys_mkdir(dir);
  if (rc != HOST_KEYFILE_OK)
    return host_keys_fail(HOST_EXIT_IO, "samvad keygen", dir,
                          "cannot create the folder: %s",
                          host_keyfile_strerror(rc));
  if (root_dir && (rc = host_keys_mkdir(root_dir)) != HOST_KEYFILE_OK)
    return host_keys_fail(HOST_EXIT_IO, "samvad keygen", root_dir,
                          "cannot create the folder: %s",
                          host_keyfile_strerror(rc));

  uint8_t root_seed[SAMVAD_CERT_SEED_BYTES],
      issuer_seed[SAMVAD_CERT_SEED_BYTES];
  samvad_cert_key root, issuer;
  new_key(root_seed, &root);
  new_key(issuer_seed, &issuer);
  samvad_trust_list *list = calloc(1, sizeof *list);
  if (!list) {
    rc = host_keys_fail(HOST_EXIT_IO, "samvad keygen", dir, "out of memory");
    goto done;
  }
  list->seq = 1;
  list->issued_at = now;
  list->key_count = 1;
  samvad_trust_key *k = &list->keys[0];
  memcpy(k->public_key, issuer.public_key, sizeof k->public_key);
  k->status = SAMVAD_KEY_ACTIVE;
  k->not_before = key_start(now);
  memcpy(k->doc_types, doc_types, sizeof doc_types);
  k->doc_type_count = doc_type_count;
  key_label(now, 1, k->label);

  char issuer_name[32], path[HOST_KEYS_PATH_MAX];
  host_keys_issuer_name(issuer.key_id, issuer_name);
  /* The secrets first: a folder whose lists exist always has its keys. */
  if (host_keys_path(dir, issuer_name, path) != 0 ||
      (rc = host_keyfile_write_seed(path, issuer_seed, o->force)) != 0) {
    rc = write_fail(dir, issuer_name, rc ? rc : HOST_KEYFILE_TOO_LONG);
    goto done;
  }
  const char *seed_dir = root_dir ? root_dir : dir;
  if (host_keys_path(seed_dir, HOST_KEYS_ROOT_SEED, path) != 0 ||
      (rc = host_keyfile_write_seed(path, root_seed, o->force)) != 0) {
    rc = write_fail(seed_dir, HOST_KEYS_ROOT_SEED,
                    rc ? rc : HOST_KEYFILE_TOO_LONG);
    goto done;
  }
  for (int copy = 0; copy < (root_dir ? 2 : 1); copy++) {
    const char *d = copy ? root_dir : dir;
    if (host_keys_path(d, HOST_KEYS_ROOT_PUBLIC, path) != 0 ||
        (rc = host_keyfile_write_public(path, root.public_key, o->force))) {
      rc =
          write_fail(d, HOST_KEYS_ROOT_PUBLIC, rc ? rc : HOST_KEYFILE_TOO_LONG);
      goto done;
    }
  }
  if ((rc = host_keyring_save_list("samvad keygen", dir, list, &root)) != 0)
    goto done;
  samvad_revocation_info info = {.seq = 1, .issued_at = now};
  if ((rc = host_keyring_save_revocations("samvad keygen", dir, &info, NULL, 0,
                                          &root)) != 0)
    goto done;
  if (o->force) {
    remove_old_issuers(dir, issuer_name);
    /* A root seed left beside the keys would be a second, stale root. */
    if (root_dir && host_keys_path(dir, HOST_KEYS_ROOT_SEED, path) == 0)
      unlink(path);
  }

  char root_hex[SAMVAD_CERT_KEY_ID_HEX_BYTES];
  char issuer_hex[SAMVAD_CERT_KEY_ID_HEX_BYTES], types[80];
  char history[256];
  samvad_cert_key_id_format(root.key_id, root_hex);
  samvad_cert_key_id_format(issuer.key_id, issuer_hex);
  comma_list(k->doc_types, k->doc_type_count, types, sizeof types);
  snprintf(history, sizeof history,
           "keygen%s root %s issuer %s doc-types %s trust-list-seq 1",
           o->force ? " --force" : "", root_hex, issuer_hex, types);
  (void)host_keys_history(dir, history);
  printf("Created the keys in %s/:\n"
         "  root key     %s  %s/%s%s\n"
         "  issuing key  %s  %s/%s, document types %s\n"
         "  trust list   %s/%s (seq 1), revocation list %s/%s (empty)\n",
         dir, root_hex, seed_dir, HOST_KEYS_ROOT_SEED,
         root_dir ? "" : " (in production keep it apart: --root DIR)",
         issuer_hex, dir, issuer_name, types, dir, HOST_KEYS_TRUST_LIST, dir,
         HOST_KEYS_REVOCATIONS);
  printf("Verifiers need %s/%s, %s and %s.\n", dir, HOST_KEYS_ROOT_PUBLIC,
         HOST_KEYS_TRUST_LIST, HOST_KEYS_REVOCATIONS);
done:
  sodium_memzero(root_seed, sizeof root_seed);
  sodium_memzero(issuer_seed, sizeof issuer_seed);
  samvad_cert_key_wipe(&root);
  samvad_cert_key_wipe(&issuer);
  free(list);
  return rc;
}

/* ---- --rotate ------------------------------------------------------------ */

/* The union of the document types that the listed keys may sign, active
 * keys only unless none is: a rotation keeps what the key folder had, and
 * needs no specs. */
static size_t current_doc_types(const samvad_trust_list *list,
                                uint8_t out[SAMVAD_TRUST_MAX_DOC_TYPES]) {
  unsigned char seen[256] = {0};
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < list->key_count; i++) {
      const samvad_trust_key *k = &list->keys[i];
      if (pass == 0 && k->status != SAMVAD_KEY_ACTIVE)
        continue;
      for (size_t j = 0; j < k->doc_type_count; j++)
        seen[k->doc_types[j]] = 1;
    }
    size_t n = 0;
    for (unsigned t = 1; t < 256 && n < SAMVAD_TRUST_MAX_DOC_TYPES; t++)
      if (seen[t])
        out[n++] = (uint8_t)t;
    if (n > 0)
      return n;
  }
  return 0; /* not reached: a trust list has keys with document types */
}

static int rotate(const host_options *o, int64_t now) {
  const char *who = "samvad keygen";
  host_keyring kr;
  int rc = host_keyring_open(who, o->keys, &kr);
  if (rc != 0)
    return rc;
  samvad_cert_key root, issuer;
  uint8_t seed[SAMVAD_CERT_SEED_BYTES];
  memset(&issuer, 0, sizeof issuer);
  memset(seed, 0, sizeof seed);
  char name[32] = "", path[HOST_KEYS_PATH_MAX];
  if ((rc = host_keyring_root(who, &kr, o->root, &root)) != 0) {
    host_keyring_close(&kr);
    return rc;
  }
  samvad_trust_list *list = &kr.list;
  if (list->key_count >= SAMVAD_TRUST_MAX_KEYS) {
    rc = host_keys_fail(HOST_EXIT_FAILED, who, o->keys,
                        "the trust list is full (%d keys)",
                        SAMVAD_TRUST_MAX_KEYS);
    goto done;
  }
  new_key(seed, &issuer);
  samvad_trust_key *k = &list->keys[list->key_count];
  memset(k, 0, sizeof *k);
  memcpy(k->public_key, issuer.public_key, sizeof k->public_key);
  k->status = SAMVAD_KEY_ACTIVE;
  k->not_before = key_start(now);
  k->doc_type_count = current_doc_types(list, k->doc_types);
  key_label(now, list->key_count + 1, k->label);
  list->key_count++;
  list->seq++;
  list->issued_at = now;
  host_keys_issuer_name(issuer.key_id, name);
  if (host_keys_path(o->keys, name, path) != 0 ||
      (rc = host_keyfile_write_seed(path, seed, 0)) != 0) {
    rc = write_fail(o->keys, name, rc ? rc : HOST_KEYFILE_TOO_LONG);
    goto done;
  }
  if ((rc = host_keyring_save_list(who, o->keys, list, &root)) != 0) {
    unlink(path); /* a key no trust list names would never be used */
    goto done;
  }
  char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES], types[80], history[160];
  samvad_cert_key_id_format(issuer.key_id, hex);
  comma_list(k->doc_types, k->doc_type_count, types, sizeof types);
  snprintf(history, sizeof history,
           "keygen --rotate issuer %s doc-types %s trust-list-seq %u", hex,
           types, (unsigned)list->seq);
  (void)host_keys_history(o->keys, history);
  printf("Added issuing key %s (%s/%s), document types %s; trust list "
         "seq %u.\nNew certificates are signed with it. The older keys stay "
         "in the trust list, so the certificates they signed still verify.\n",
         hex, o->keys, name, types, (unsigned)list->seq);
done:
  sodium_memzero(seed, sizeof seed);
  samvad_cert_key_wipe(&root);
  samvad_cert_key_wipe(&issuer);
  host_keyring_close(&kr);
  return rc;
}

int host_cmd_keygen(int argc, char **argv) {
  host_options o;
  int64_t now = 0;
  int rc = host_options_parse(
      argc, argv,
      HOST_OPT_KEYS | HOST_OPT_KEYGEN | HOST_OPT_VERIFY | HOST_OPT_SPECS, &o);
  if (rc == 0 && o.help) {
    host_print_help("keygen", stdout);
  } else if (rc == 0 && (o.png || o.json || (o.rotate && o.force))) {
    fprintf(stderr, "samvad keygen: %s\nTry 'samvad keygen --help'.\n",
            o.rotate && o.force ? "--rotate and --force do not go together"
                                : "--png and --json are for samvad verify");
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0 && (rc = host_cert_now("keygen", o.now, &now)) == 0) {
    if (sodium_init() < 0)
      rc = host_keys_fail(HOST_EXIT_IO, "samvad keygen", o.keys,
                          "libsodium cannot start");
    else
      rc = o.rotate ? rotate(&o, now) : create_folder(&o, now);
  }
  host_options_free(&o);
  return rc;
}
