/* approve.c - the decision on an application with, for an approval, its
 * signed certificate: the key comes from the key folder (host/keys.c), the
 * serial from libsodium's random generator, everything else from the
 * library (samvad_store_decide). */
#include "approve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "db_private.h"
#include "keys.h"
#include "qr_out.h"

/* The document type the application's service issues; 0 for none. */
static uint8_t doc_type_of(host_db *db, const samvad_catalogue *catalogue,
                           const char *id) {
  samvad_app_info info;
  if (host_db_app_find(db, id, &info) != 0)
    return 0; /* the library reports the missing application */
  for (size_t i = 0; i < samvad_catalogue_service_count(catalogue); i++)
    if (strcmp(samvad_catalogue_service_id(catalogue, i), info.service) == 0)
      return samvad_catalogue_cert_doc_type(catalogue, i);
  return 0;
}

static uint64_t draw_serial(void) {
  uint64_t serial = 0;
  while (serial == 0)
    randombytes_buf(&serial, sizeof serial);
  return serial;
}

int host_decide(host_db *db, const samvad_catalogue *catalogue,
                const char *keys_dir, const char *id,
                samvad_app_status decision, const char *reason,
                const char *actor, int64_t now, samvad_replies *out) {
  samvad_store *store = host_db_store(db);
  uint8_t doc_type = decision == SAMVAD_APP_APPROVED
                         ? doc_type_of(db, catalogue, id)
                         : 0;
  if (!doc_type)
    return samvad_store_decide(store, catalogue, id, decision, reason, actor,
                               NULL, now, out);
  samvad_cert_key key;
  int rc = host_keys_issuer(keys_dir, doc_type, now, &key);
  if (rc != 0)
    return rc;
  /* Two random 64-bit serials meet after about 2^32 certificates; should
   * it happen, the number is refused (SAMVAD_EEXIST), the transaction
   * rolls back, and the next attempt draws another. */
  samvad_issuer issuer = {&key, draw_serial()};
  int err = samvad_store_decide(store, catalogue, id, decision, reason, actor,
                                &issuer, now, out);
  samvad_cert_key_wipe(&key);
  return err;
}

int host_check_issuing(const char *keys_dir,
                       const samvad_catalogue *catalogue) {
  int64_t now = (int64_t)time(NULL);
  for (size_t i = 0; i < samvad_catalogue_service_count(catalogue); i++) {
    uint8_t doc_type = samvad_catalogue_cert_doc_type(catalogue, i);
    if (!doc_type)
      continue;
    samvad_cert_key key;
    int rc = host_keys_issuer(keys_dir, doc_type, now, &key);
    if (rc != 0)
      return rc;
    samvad_cert_key_wipe(&key);
  }
  return 0;
}

const char *host_document_png(const char *dir, const samvad_replies *replies,
                              char *buf, size_t cap) {
  const samvad_document *doc = NULL;
  for (size_t i = 0; !doc && i < samvad_replies_count(replies); i++)
    doc = samvad_replies_get(replies, i)->document;
  if (!doc)
    return NULL;
  /* The number is the library's (capitals, digits, one dash): safe as a
   * file name. */
  int n = snprintf(buf, cap, "%s/%s.png", dir, doc->number);
  if (n < 0 || (size_t)n >= cap) {
    fprintf(stderr, "samvad: %s: the folder name is too long\n", dir);
    return NULL;
  }
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "samvad: cannot create %s: %s\n", dir, strerror(errno));
    return NULL;
  }
  if (host_qr_write_png(doc->qr, buf) != 0) {
    fprintf(stderr, "samvad: cannot write %s: %s\n", buf, strerror(errno));
    return NULL;
  }
  return buf;
}

const samvad_application *host_submitted(const samvad_replies *replies) {
  for (size_t i = 0; i < samvad_replies_count(replies); i++)
    if (samvad_replies_get(replies, i)->application)
      return samvad_replies_get(replies, i)->application;
  return NULL;
}
