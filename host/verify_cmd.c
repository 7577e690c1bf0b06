/* verify_cmd.c - `samvad verify`: checks a certificate's QR text (given,
 * read from standard input, or scanned from a PNG with libzbar) against a
 * key folder's trust list and revocation list, prints what it says and
 * exits with the verdict, so that scripts can tell a forgery (5) from a
 * revoked certificate (7) without parsing anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "cert_cmd.h"
#include "keyring.h"
#include "options.h"
#include "qr_out.h"
#include "util.h"

/* Room for any QR text and more, so that an over-long one still reads as
 * over-long rather than as cut short. */
#define VERIFY_TEXT_CAP 4096

/* The serial as people see it after the number's prefix. */
static void serial_text(uint64_t serial, char *out) {
  char number[SAMVAD_CERT_NUMBER_MAX_BYTES];
  if (samvad_cert_number_format("X", serial, number, sizeof number) == 0)
    strcpy(out, number + 2);
  else
    strcpy(out, "?");
}

static const char *const warning_names[] = {
    "no-revocation-list", "revocation-list-stale", "trust-list-stale"};
static const char *const warning_texts[] = {
    "no revocation list in the key folder: revocation was not checked",
    "the revocation list is past its next update: it may be stale",
    "the trust list is past its next update: it may be stale"};

/* What the specs say about the certificate's document type, for showing
 * it: title, number prefix, the fields' labels. The verdict never depends
 * on them: a verifier with older specs must still accept a genuine
 * certificate. */
typedef struct doc_view {
  const samvad_catalogue *catalogue; /* NULL: no specs at hand */
  long service;                      /* -1: the specs do not know the type */
} doc_view;

static doc_view view_of(const samvad_catalogue *c, const samvad_cert *cert) {
  doc_view v = {c, -1};
  if (c)
    v.service = samvad_catalogue_find_doc_type(c, cert->doc_type);
  return v;
}

static const char *view_title(const doc_view *v) {
  return v->service < 0 ? NULL
                        : samvad_catalogue_cert_title(
                              v->catalogue, (size_t)v->service, SAMVAD_LANG_EN);
}

/* The number people see ("MC-028T5CY4TQKFF") when the prefix is known. */
static int view_number(const doc_view *v, uint64_t serial, char *out) {
  const char *prefix =
      v->service < 0
          ? NULL
          : samvad_catalogue_cert_prefix(v->catalogue, (size_t)v->service);
  return prefix && samvad_cert_number_format(prefix, serial, out,
                                             SAMVAD_CERT_NUMBER_MAX_BYTES) == 0;
}

static const char *view_label(const doc_view *v, uint8_t tag) {
  if (tag == SAMVAD_CERT_TAG_OFFICE)
    return "Issuing office";
  if (tag == SAMVAD_CERT_TAG_APPLICATION)
    return "Application";
  if (v->service < 0)
    return NULL;
  size_t n =
      samvad_catalogue_cert_field_count(v->catalogue, (size_t)v->service);
  samvad_cert_spec_field f;
  for (size_t k = 0; k < n; k++)
    if (samvad_catalogue_cert_field(v->catalogue, (size_t)v->service, k, &f) ==
            0 &&
        f.tag == tag)
      return f.label[SAMVAD_LANG_EN];
  return NULL;
}

/* ---- text ---------------------------------------------------------------- */

static void print_text(const samvad_cert_result *r,
                       const samvad_catalogue *catalogue) {
  const samvad_cert *c = &r->cert;
  doc_view v = view_of(catalogue, c);
  char when[32], hex[SAMVAD_CERT_KEY_ID_HEX_BYTES], serial[16];
  char number[SAMVAD_CERT_NUMBER_MAX_BYTES];
  if (r->verdict == SAMVAD_CERT_VALID)
    printf("VALID: the certificate is genuine and in force\n");
  else
    printf("NOT VALID (%s): %s\n", samvad_cert_verdict_name(r->verdict),
           r->reason);
  if (r->verdict == SAMVAD_CERT_REVOKED) {
    host_cert_time(r->revocation.revoked_at, when);
    printf("  revoked on        %s, reason: %s\n", when,
           samvad_revocation_reason_name(r->revocation.reason));
  }
  if (r->have_header) {
    samvad_cert_key_id_format(c->key_id, hex);
    if (!r->have_fields) {
      /* Not authentic, but it tells which key folder was expected. */
      printf("  signer key id     %s (as the unverified header claims)\n", hex);
      return;
    }
    const char *title = view_title(&v);
    printf("  document          %s%s%u%s\n", title ? title : "",
           title ? " (type " : "type ", (unsigned)c->doc_type,
           title ? ")" : "");
    if (view_number(&v, c->serial, number)) {
      printf("  number            %s\n", number);
    } else {
      serial_text(c->serial, serial);
      printf("  serial            %s (the number without its prefix)\n",
             serial);
    }
    host_cert_time(c->issued_at, when);
    printf("  issued            %s\n", when);
    if (c->expires_at) {
      host_cert_time(c->expires_at, when);
      printf("  expires           %s\n", when);
    } else {
      printf("  expires           never\n");
    }
    printf("  signed by         %s%s%s%s\n", hex, r->key_label[0] ? " (" : "",
           r->key_label, r->key_label[0] ? ")" : "");
    for (size_t i = 0; i < c->field_count; i++) {
      const samvad_cert_field *f = &c->fields[i];
      char label[SAMVAD_CERT_MAX_NAME_BYTES + 8];
      const char *spec_label = view_label(&v, f->tag);
      if (spec_label)
        snprintf(label, sizeof label, "%s", spec_label);
      else if (f->name)
        snprintf(label, sizeof label, "%s", f->name);
      else
        snprintf(label, sizeof label, "field %u", (unsigned)f->tag);
      const char *option =
          v.service < 0 ? NULL
                        : samvad_catalogue_cert_value_title(
                              v.catalogue, (size_t)v.service, f->tag, f->value,
                              SAMVAD_LANG_EN);
      if (option)
        printf("  %-17s %s\n", label, option);
      else
        printf("  %-17s %.*s\n", label, (int)f->len, f->value);
    }
  }
  for (unsigned b = 0; b < 3; b++)
    if (r->warnings & (1u << b))
      printf("note: %s\n", warning_texts[b]);
}

/* ---- JSON ---------------------------------------------------------------- */

static void gen_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_time(yajl_gen g, int64_t t) {
  char when[32];
  if (t == 0) {
    yajl_gen_null(g);
    return;
  }
  host_cert_time(t, when);
  gen_str(g, when);
}

static void gen_certificate(yajl_gen g, const samvad_cert_result *r,
                            const samvad_catalogue *catalogue) {
  const samvad_cert *c = &r->cert;
  doc_view v = view_of(catalogue, c);
  const char *title = view_title(&v);
  char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES], serial_hex[17], serial[16];
  char number[SAMVAD_CERT_NUMBER_MAX_BYTES];
  samvad_cert_key_id_format(c->key_id, hex);
  snprintf(serial_hex, sizeof serial_hex, "%016llx",
           (unsigned long long)c->serial);
  serial_text(c->serial, serial);
  gen_str(g, "certificate");
  yajl_gen_map_open(g);
  gen_str(g, "doc_type");
  yajl_gen_integer(g, c->doc_type);
  gen_str(g, "title");
  if (title)
    gen_str(g, title);
  else
    yajl_gen_null(g);
  gen_str(g, "number");
  if (view_number(&v, c->serial, number))
    gen_str(g, number);
  else
    yajl_gen_null(g);
  gen_str(g, "serial");
  gen_str(g, serial);
  gen_str(g, "serial_hex");
  gen_str(g, serial_hex);
  gen_str(g, "issued_at");
  gen_time(g, c->issued_at);
  gen_str(g, "expires_at");
  gen_time(g, c->expires_at);
  gen_str(g, "key_id");
  gen_str(g, hex);
  gen_str(g, "key_label");
  gen_str(g, r->key_label);
  gen_str(g, "compressed");
  yajl_gen_bool(g, r->compressed);
  gen_str(g, "fields");
  yajl_gen_array_open(g);
  for (size_t i = 0; i < c->field_count; i++) {
    const samvad_cert_field *f = &c->fields[i];
    yajl_gen_map_open(g);
    gen_str(g, "tag");
    yajl_gen_integer(g, f->tag);
    gen_str(g, "name");
    if (f->name)
      gen_str(g, f->name);
    else
      yajl_gen_null(g);
    const char *label = view_label(&v, f->tag);
    gen_str(g, "label");
    if (label)
      gen_str(g, label);
    else
      yajl_gen_null(g);
    gen_str(g, "type");
    gen_str(g, SAMVAD_CERT_TAG_IS_DATE(f->tag) ? "date" : "text");
    gen_str(g, "value");
    yajl_gen_string(g, (const unsigned char *)f->value, f->len);
    const char *option =
        v.service < 0 ? NULL
                      : samvad_catalogue_cert_value_title(
                            v.catalogue, (size_t)v.service, f->tag, f->value,
                            SAMVAD_LANG_EN);
    if (option) {
      gen_str(g, "title");
      gen_str(g, option);
    }
    yajl_gen_map_close(g);
  }
  yajl_gen_array_close(g);
  yajl_gen_map_close(g);
}

static int print_json(const samvad_cert_result *r,
                      const samvad_catalogue *catalogue) {
  yajl_gen g = yajl_gen_alloc(NULL);
  if (!g)
    return -1;
  yajl_gen_config(g, yajl_gen_validate_utf8, 1);
  yajl_gen_map_open(g);
  gen_str(g, "verdict");
  gen_str(g, samvad_cert_verdict_name(r->verdict));
  gen_str(g, "exit_code");
  yajl_gen_integer(g, (long long)r->verdict);
  gen_str(g, "reason");
  gen_str(g, r->reason);
  gen_str(g, "failed_step");
  gen_str(g, samvad_cert_step_name(r->failed_step));
  gen_str(g, "warnings");
  yajl_gen_array_open(g);
  for (unsigned b = 0; b < 3; b++)
    if (r->warnings & (1u << b))
      gen_str(g, warning_names[b]);
  yajl_gen_array_close(g);
  if (r->have_fields) {
    gen_certificate(g, r, catalogue);
  } else if (r->have_header) {
    char hex[SAMVAD_CERT_KEY_ID_HEX_BYTES];
    samvad_cert_key_id_format(r->cert.key_id, hex);
    gen_str(g, "unverified_key_id");
    gen_str(g, hex);
  }
  if (r->verdict == SAMVAD_CERT_REVOKED) {
    gen_str(g, "revocation");
    yajl_gen_map_open(g);
    gen_str(g, "revoked_at");
    gen_time(g, r->revocation.revoked_at);
    gen_str(g, "reason");
    gen_str(g, samvad_revocation_reason_name(r->revocation.reason));
    yajl_gen_map_close(g);
  }
  yajl_gen_map_close(g);
  const unsigned char *buf;
  size_t len;
  int rc = -1;
  if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
    fwrite(buf, 1, len, stdout);
    putchar('\n');
    rc = 0;
  }
  yajl_gen_free(g);
  return rc;
}

/* ---- the command --------------------------------------------------------- */

/* The specs, for names only: --specs must load; the default folder is
 * used when it loads, quietly skipped when not (a verifier needs no
 * specs). 0, or HOST_EXIT_USAGE after the loader's diagnostics. */
static int load_specs(const host_options *o, samvad_catalogue **out) {
  *out = NULL;
  if (o->specs)
    return host_catalogue_load(o->specs, out) == 0 ? 0 : HOST_EXIT_USAGE;
  if (samvad_catalogue_load_dir(host_specs_dir(o), NULL, out, NULL, 0) != 0)
    *out = NULL;
  return 0;
}

/* The QR text to check into text; 0 or an exit code after saying why. */
static int read_text(const host_options *o, char *text, size_t *len) {
  if (o->png) {
    int rc = host_qr_read_png(o->png, text, VERIFY_TEXT_CAP);
    if (rc == -1) {
      fprintf(stderr, "samvad verify: %s: cannot read it as a PNG image\n",
              o->png);
      return HOST_EXIT_USAGE;
    }
    if (rc == -2) {
      printf("NOT VALID (malformed): no QR code found in %s\n", o->png);
      return SAMVAD_CERT_MALFORMED;
    }
    if (rc == -3) {
      printf("NOT VALID (malformed): the QR code in %s holds more than a "
             "certificate can\n",
             o->png);
      return SAMVAD_CERT_MALFORMED;
    }
    *len = strlen(text);
    return 0;
  }
  const char *arg = o->positional[0];
  if (strcmp(arg, "-") == 0) {
    int got = host_read_line(stdin, text, VERIFY_TEXT_CAP, len);
    if (got == HOST_LINE_EOF || got == HOST_LINE_ERROR) {
      fprintf(stderr, "samvad verify: no QR text on standard input\n");
      return HOST_EXIT_USAGE;
    }
    return 0;
  }
  *len = strlen(arg);
  if (*len >= VERIFY_TEXT_CAP)
    *len = VERIFY_TEXT_CAP - 1;
  memcpy(text, arg, *len);
  text[*len] = '\0';
  return 0;
}

int host_cmd_verify(int argc, char **argv) {
  host_options o;
  int64_t now = 0;
  char *text = NULL;
  samvad_cert_result *result = NULL;
  host_keyring kr = {0};
  samvad_catalogue *catalogue = NULL;
  int rc = host_options_parse(argc, argv,
                              HOST_OPT_KEYS | HOST_OPT_VERIFY | HOST_OPT_SPECS |
                                  HOST_OPT_POSITIONAL,
                              &o);
  if (rc == 0 && o.help) {
    host_print_help("verify", stdout);
    goto done;
  }
  if (rc == 0 && (o.positional_count + (o.png != NULL)) != 1) {
    fprintf(stderr,
            "samvad verify: give one QR text (or - to read it from standard "
            "input), or --png FILE\nTry 'samvad verify --help'.\n");
    rc = HOST_EXIT_USAGE;
  }
  if (rc == 0)
    rc = host_cert_now("verify", o.now, &now);
  if (rc == 0)
    rc = load_specs(&o, &catalogue);
  if (rc != 0)
    goto done;
  text = malloc(VERIFY_TEXT_CAP);
  result = malloc(sizeof *result);
  if (!text || !result) {
    fprintf(stderr, "samvad verify: out of memory\n");
    rc = HOST_EXIT_IO;
    goto done;
  }
  size_t len = 0;
  if ((rc = read_text(&o, text, &len)) != 0)
    goto done;
  /* A key folder that cannot be read establishes no trust: exit 4. */
  if ((rc = host_keyring_open("samvad verify", o.keys, &kr)) != 0) {
    rc = SAMVAD_CERT_UNTRUSTED;
    goto done;
  }
  if (samvad_cert_verify(kr.trust, text, len, now, result) != 0) {
    fprintf(stderr, "samvad verify: out of memory\n");
    rc = HOST_EXIT_IO;
    goto done;
  }
  if (o.json ? print_json(result, catalogue)
             : (print_text(result, catalogue), 0)) {
    fprintf(stderr, "samvad verify: cannot write the JSON\n");
    rc = HOST_EXIT_IO;
    goto done;
  }
  rc = (int)result->verdict;
done:
  samvad_catalogue_destroy(catalogue);
  host_keyring_close(&kr);
  free(result);
  free(text);
  host_options_free(&o);
  return rc;
}
