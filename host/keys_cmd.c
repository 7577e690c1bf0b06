/* keys_cmd.c - `samvad keys` (list the issuing keys, withdraw one) and
 * `samvad revoke` (add a certificate to the signed revocation list): the
 * commands that publish new versions of a key folder's signed lists. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cert_cmd.h"
#include "keyring.h"
#include "options.h"

/* Free text for the history file: one line, bounded, no control bytes. */
static void clean_text(const char *in, char *out, size_t cap) {
  size_t n = 0;
  for (; in && *in && n + 1 < cap; in++)
    out[n++] = (unsigned char)*in < 0x20 || *in == 0x7f ? ' ' : *in;
  out[n] = '\0';
}

static void doc_types_text(const samvad_trust_key *k, char *out, size_t cap) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t j = 0; j < k->doc_type_count && used + 1 < cap; j++) {
    int w = snprintf(out + used, cap - used, "%s%u", j ? "," : "",
                     (unsigned)k->doc_types[j]);
    if (w < 0)
      break;
    used += (size_t)w;
  }
}

/* ---- samvad keys [list] -------------------------------------------------- */

static int list_keys(const host_options *o, int64_t now) {
  host_keyring kr;
  int rc = host_keyring_open("samvad keys", o->keys, &kr);
  if (rc != 0)
    return rc;
  const samvad_trust_list *list = &kr.list;
  char when[32], root_hex[SAMVAD_CERT_KEY_ID_HEX_BYTES],
      path[HOST_KEYS_PATH_MAX];
  samvad_cert_key_id_format(list->root_key_id, root_hex);
  host_cert_time(list->issued_at, when);
  int root_here = host_keys_path(o->keys, HOST_KEYS_ROOT_SEED, path) == 0 &&
                  access(path, F_OK) == 0;
  printf("Key folder %s: trust list seq %u of %s\n", o->keys,
         (unsigned)list->seq, when);
  if (kr.have_revocations) {
    host_cert_time(kr.revocations.issued_at, when);
    printf("Revocation list seq %u of %s: %zu revoked\n",
           (unsigned)kr.revocations.seq, when, kr.revocations.count);
  } else {
    printf("No revocation list\n");
  }
  printf("Root key %s (%s)\n\n", root_hex,
         root_here ? "its seed is in this folder" : "its seed is kept apart");
  printf("%-16s  %-9s  %-4s  %-9s  %-20s  %-20s  %s\n", "KEY ID", "STATUS",
         "SEED", "DOC TYPES", "FROM", "UNTIL", "LABEL");
  for (size_t i = 0; i < list->key_count; i++) {
    const samvad_trust_key *k = &list->keys[i];
    char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES], name[32], types[64];
    char from[32], until[32];
    samvad_cert_key_id_format(k->key_id, hex);
    host_keys_issuer_name(k->key_id, name);
    int seed =
        host_keys_path(o->keys, name, path) == 0 && access(path, F_OK) == 0;
    /* "issuing": the key that signs one of its types now. */
    const char *status =
        k->status == SAMVAD_KEY_WITHDRAWN ? "withdrawn" : "active";
    for (size_t j = 0; j < k->doc_type_count && seed; j++)
      if (k->status == SAMVAD_KEY_ACTIVE &&
          host_keyring_newest_issuer(&kr, k->doc_types[j], now) == (int)i)
        status = "issuing";
    doc_types_text(k, types, sizeof types);
    host_cert_time(k->not_before, from);
    if (k->not_after)
      host_cert_time(k->not_after, until);
    else
      strcpy(until, "open");
    printf("%-16s  %-9s  %-4s  %-9s  %-20s  %-20s  %s\n", hex, status,
           seed ? "here" : "-", types, from, until, k->label);
    if (k->status == SAMVAD_KEY_WITHDRAWN) {
      host_cert_time(k->withdrawn_at, when);
      printf("%-16s  withdrawn %s\n", "", when);
    }
  }
  host_keyring_close(&kr);
  return 0;
}

/* ---- samvad keys withdraw KEY-ID ----------------------------------------- */

static int withdraw(const host_options *o, const char *id_text, int64_t now) {
  const char *who = "samvad keys withdraw";
  uint8_t id[SAMVAD_CERT_KEY_ID_BYTES];
  if (samvad_cert_key_id_parse(id_text, id) != 0) {
    fprintf(stderr,
            "samvad keys withdraw: a key id is 16 hex digits (see 'samvad "
            "keys')\n");
    return HOST_EXIT_USAGE;
  }
  host_keyring kr;
  int rc = host_keyring_open(who, o->keys, &kr);
  if (rc != 0)
    return rc;
  samvad_trust_list *list = &kr.list;
  samvad_revocation *entries = NULL;
  size_t count = 0, i;
  samvad_cert_key root;
  memset(&root, 0, sizeof root);
  char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES];
  samvad_cert_key_id_format(id, hex);
  for (i = 0; i < list->key_count; i++)
    if (memcmp(list->keys[i].key_id, id, sizeof id) == 0)
      break;
  if (i == list->key_count) {
    rc = host_keys_fail(HOST_EXIT_FAILED, who, o->keys,
                        "no key %s in the trust list (see 'samvad keys')", hex);
    goto done;
  }
  if (list->keys[i].status == SAMVAD_KEY_WITHDRAWN) {
    rc = host_keys_fail(HOST_EXIT_FAILED, who, o->keys,
                        "key %s was withdrawn already", hex);
    goto done;
  }
  if ((rc = host_keyring_root(who, &kr, o->root, &root)) != 0 ||
      (rc = host_keyring_revocations(who, &kr, 0, &entries, &count)) != 0)
    goto done;
  /* A revocation list signed by the withdrawn key would no longer load:
   * the root signs it again, before the key goes, so that at every moment
   * the folder's lists load together. */
  if (kr.have_revocations &&
      memcmp(kr.revocations.signer_key_id, id, sizeof id) == 0) {
    samvad_revocation_info info = kr.revocations;
    info.seq++;
    info.issued_at = now;
    if ((rc = host_keyring_save_revocations(who, o->keys, &info, entries, count,
                                            &root)) != 0)
      goto done;
  }
  list->keys[i].status = SAMVAD_KEY_WITHDRAWN;
  list->keys[i].withdrawn_at = now;
  list->seq++;
  list->issued_at = now;
  if ((rc = host_keyring_save_list(who, o->keys, list, &root)) != 0)
    goto done;
  char reason[512], actor[64], history[700];
  clean_text(o->reason, reason, sizeof reason);
  clean_text(o->actor, actor, sizeof actor);
  snprintf(history, sizeof history,
           "keys withdraw %s trust-list-seq %u actor %s reason %s", hex,
           (unsigned)list->seq, actor, reason[0] ? reason : "-");
  (void)host_keys_history(o->keys, history);
  printf("Withdrew key %s: every certificate it signed is now refused. "
         "Trust list seq %u.\n",
         hex, (unsigned)list->seq);
  for (size_t j = 0; j < list->keys[i].doc_type_count; j++) {
    uint8_t t = list->keys[i].doc_types[j];
    size_t k;
    for (k = 0; k < list->key_count; k++)
      if (host_keyring_key_issues(&list->keys[k], t, now))
        break;
    if (k == list->key_count)
      printf("No active key is left for document type %u: run 'samvad "
             "keygen --rotate'.\n",
             (unsigned)t);
  }
done:
  samvad_cert_key_wipe(&root);
  free(entries);
  host_keyring_close(&kr);
  return rc;
}

int host_cmd_keys(int argc, char **argv) {
  host_options o;
  int64_t now = 0;
  int rc =
      host_options_parse(argc, argv,
                         HOST_OPT_KEYS | HOST_OPT_KEYGEN | HOST_OPT_VERIFY |
                             HOST_OPT_DECISION | HOST_OPT_POSITIONAL,
                         &o);
  const char *sub =
      rc == 0 && o.positional_count > 0 ? o.positional[0] : "list";
  int withdrawing = strcmp(sub, "withdraw") == 0;
  /* "keys", "keys list", "keys withdraw KEY-ID". */
  int arguments = withdrawing ? 2 : o.positional_count > 0;
  if (rc == 0 && o.help) {
    host_print_help("keys", stdout);
  } else if (rc == 0 && !withdrawing && strcmp(sub, "list") != 0) {
    fprintf(stderr, "samvad keys: unknown subcommand (list or withdraw)\n"
                    "Try 'samvad keys --help'.\n");
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0 &&
             (o.positional_count != arguments || o.png || o.json || o.rotate ||
              o.force || (!withdrawing && (o.reason || o.root)))) {
    fprintf(stderr, "samvad keys: %s\nTry 'samvad keys --help'.\n",
            withdrawing && o.positional_count != 2
                ? "withdraw takes one key id"
                : "unexpected argument or option");
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0 && (rc = host_cert_now("keys", o.now, &now)) == 0) {
    rc = withdrawing ? withdraw(&o, o.positional[1], now) : list_keys(&o, now);
  }
  host_options_free(&o);
  return rc;
}

/* ---- samvad revoke CERT-NUMBER --reason TEXT ----------------------------- */

/* The list's reason code for a free-text reason: the first word that names
 * one ("issued in error", "superseded by MC-...", "fraud", "cancelled by
 * the court"); unspecified when none does. */
static unsigned reason_code(const char *text) {
  char word[16];
  while (*text) {
    size_t n = 0;
    while (*text && !isalpha((unsigned char)*text))
      text++;
    while (isalpha((unsigned char)*text)) {
      if (n + 1 < sizeof word)
        word[n++] = (char)tolower((unsigned char)*text);
      text++;
    }
    word[n] = '\0';
    unsigned code;
    if (strcmp(word, "canceled") == 0)
      return SAMVAD_REVOKED_CANCELLED;
    if (n > 0 && samvad_revocation_reason_parse(word, &code) == 0)
      return code;
  }
  return SAMVAD_REVOKED_UNSPECIFIED;
}

/* Signs with the root when its seed is at hand, else with the newest
 * active issuing key, which verifiers also accept. */
static int revocation_signer(const host_options *o, const host_keyring *kr,
                             int64_t now, samvad_cert_key *out,
                             const char **what) {
  char path[HOST_KEYS_PATH_MAX];
  const char *root_dir = o->root ? o->root : o->keys;
  if (o->root || (host_keys_path(root_dir, HOST_KEYS_ROOT_SEED, path) == 0 &&
                  access(path, F_OK) == 0)) {
    *what = "the root key";
    return host_keyring_root("samvad revoke", kr, o->root, out);
  }
  int i = host_keyring_newest_issuer(kr, 0, now);
  if (i < 0)
    return host_keys_fail(HOST_EXIT_IO, "samvad revoke", o->keys,
                          "no root seed and no active issuing key here to "
                          "sign the revocation list (give --root DIR)");
  *what = "issuing key";
  int rc = host_keyring_issuer_seed("samvad revoke", kr, (size_t)i, out);
  return rc == HOST_EXIT_FAILED ? HOST_EXIT_IO : rc;
}

static int revoke(const host_options *o, const char *number, int64_t now) {
  const char *who = "samvad revoke";
  char prefix[9], canonical[SAMVAD_CERT_NUMBER_MAX_BYTES];
  uint64_t serial = 0;
  if (samvad_cert_number_parse(number, prefix, sizeof prefix, &serial) != 0 ||
      samvad_cert_number_format(prefix, serial, canonical, sizeof canonical)) {
    fprintf(
        stderr,
        "samvad revoke: not a certificate number (e.g. MC-028T5CY4TQKFF)\n");
    return HOST_EXIT_USAGE;
  }
  host_keyring kr;
  int rc = host_keyring_open(who, o->keys, &kr);
  if (rc != 0)
    return rc;
  samvad_revocation *entries = NULL;
  size_t count = 0;
  samvad_cert_key signer;
  memset(&signer, 0, sizeof signer);
  const char *signer_what = "";
  if ((rc = host_keyring_revocations(who, &kr, 1, &entries, &count)) != 0)
    goto done;
  for (size_t i = 0; i < count; i++)
    if (entries[i].serial == serial) {
      char when[32];
      host_cert_time(entries[i].revoked_at, when);
      fprintf(stderr, "samvad revoke: %s was revoked already, on %s (%s)\n",
              canonical, when,
              samvad_revocation_reason_name(entries[i].reason));
      rc = HOST_EXIT_FAILED;
      goto done;
    }
  if (count >= SAMVAD_REVOCATIONS_MAX) {
    rc = host_keys_fail(HOST_EXIT_FAILED, who, o->keys,
                        "the revocation list is full (%d entries)",
                        SAMVAD_REVOCATIONS_MAX);
    goto done;
  }
  if ((rc = revocation_signer(o, &kr, now, &signer, &signer_what)) != 0)
    goto done;
  entries[count].serial = serial;
  entries[count].revoked_at = now;
  entries[count].reason = reason_code(o->reason);
  count++;
  samvad_revocations_sort(entries, count);
  samvad_revocation_info info = {
      .seq = kr.have_revocations ? kr.revocations.seq + 1 : 1,
      .issued_at = now};
  if ((rc = host_keyring_save_revocations(who, o->keys, &info, entries, count,
                                          &signer)) != 0)
    goto done;
  const char *reason = samvad_revocation_reason_name(reason_code(o->reason));
  char text[512], actor[64], history[800], hex[SAMVAD_CERT_KEY_ID_HEX_BYTES];
  clean_text(o->reason, text, sizeof text);
  clean_text(o->actor, actor, sizeof actor);
  samvad_cert_key_id_format(signer.key_id, hex);
  snprintf(history, sizeof history,
           "revoke %s reason %s revocation-list-seq %u signer %s actor %s "
           "text %s",
           canonical, reason, (unsigned)info.seq, hex, actor, text);
  (void)host_keys_history(o->keys, history);
  printf("%s revoked (reason: %s). Revocation list seq %u, signed by %s "
         "%s.\nVerifiers refuse it once they have %s/%s.\n",
         canonical, reason, (unsigned)info.seq, signer_what, hex, o->keys,
         HOST_KEYS_REVOCATIONS);
done:
  samvad_cert_key_wipe(&signer);
  free(entries);
  host_keyring_close(&kr);
  return rc;
}

int host_cmd_revoke(int argc, char **argv) {
  host_options o;
  int64_t now = 0;
  int rc =
      host_options_parse(argc, argv,
                         HOST_OPT_KEYS | HOST_OPT_KEYGEN | HOST_OPT_VERIFY |
                             HOST_OPT_DECISION | HOST_OPT_POSITIONAL,
                         &o);
  if (rc == 0 && o.help) {
    host_print_help("revoke", stdout);
  } else if (rc == 0 && (o.positional_count != 1 || !o.reason || o.png ||
                         o.json || o.rotate || o.force)) {
    fprintf(stderr, "samvad revoke: %s\nTry 'samvad revoke --help'.\n",
            o.positional_count != 1 ? "takes one certificate number"
            : !o.reason             ? "--reason TEXT is required"
                                    : "unexpected option");
    rc = HOST_EXIT_USAGE;
  } else if (rc == 0 && (rc = host_cert_now("revoke", o.now, &now)) == 0) {
    rc = revoke(&o, o.positional[0], now);
  }
  host_options_free(&o);
  return rc;
}
