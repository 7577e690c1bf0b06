/* cert_payload.c - the signed bytes of a certificate: the fixed 27-byte
 * header, the canonical body of (tag, value) fields, calendar dates as
 * YYYYMMDD numbers, and zlib's raw DEFLATE with a hard cap on inflation.
 * The encoder and the decoder apply the same rules, so whatever one writes
 * the other reads back and nothing else passes. */
#include "cert_internal.h"

#include <string.h>
#include <zlib.h>

void sv_cert_header_write(const sv_cert_header *h, unsigned char *out) {
  out[0] = h->version;
  out[1] = h->doc_type;
  out[2] = h->flags;
  memcpy(out + 3, h->key_id, SAMVAD_CERT_KEY_ID_BYTES);
  sv_put_u32(out + 11, h->issued_at);
  sv_put_u32(out + 15, h->expires_at);
  sv_put_u64(out + 19, h->serial);
  out[27] = (unsigned char)(h->body_len >> 8);
  out[28] = (unsigned char)h->body_len;
}

void sv_cert_header_read(const unsigned char *in, sv_cert_header *h) {
  h->version = in[0];
  h->doc_type = in[1];
  h->flags = in[2];
  memcpy(h->key_id, in + 3, SAMVAD_CERT_KEY_ID_BYTES);
  h->issued_at = sv_get_u32(in + 11);
  h->expires_at = sv_get_u32(in + 15);
  h->serial = sv_get_u64(in + 19);
  h->body_len = (uint16_t)(in[27] << 8 | in[28]);
}

const char *sv_cert_header_check(const sv_cert_header *h) {
  if (h->flags & ~SV_CERT_FLAG_DEFLATE)
    return "reserved flag bits set";
  if (h->doc_type == 0)
    return "document type 0";
  if (h->issued_at == 0)
    return "issue time 0";
  if (h->expires_at != 0 && h->expires_at <= h->issued_at)
    return "expires before it was issued";
  if (h->serial == 0)
    return "serial 0";
  if (h->body_len == 0)
    return "empty body";
  return NULL;
}

/* ---- Dates --------------------------------------------------------------- */
bool sv_cert_date_valid(uint32_t ymd) {
  int y = (int)(ymd / 10000);
  unsigned m = ymd / 100 % 100, d = ymd % 100;
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
    return false;
  /* A date is real when the calendar gives it back unchanged (31 April
   * would come back as 1 May). */
  int y2;
  unsigned m2, d2;
  sv_civil_from_days(sv_days_from_civil(y, m, d), &y2, &m2, &d2);
  return y2 == y && m2 == m && d2 == d;
}

bool sv_cert_date_parse(const char *s, size_t len, uint32_t *out) {
  if (!s || len != 10 || s[4] != '-' || s[7] != '-')
    return false;
  uint32_t v = 0;
  for (size_t i = 0; i < 10; i++) {
    if (i == 4 || i == 7)
      continue;
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (uint32_t)(s[i] - '0');
  }
  if (!sv_cert_date_valid(v))
    return false;
  *out = v;
  return true;
}

void sv_cert_date_format(uint32_t ymd, char *out) {
  uint32_t parts[3] = {ymd / 10000, ymd / 100 % 100, ymd % 100};
  static const int widths[3] = {4, 2, 2};
  size_t o = 0;
  for (int k = 0; k < 3; k++) {
    uint32_t v = parts[k];
    for (int i = widths[k] - 1; i >= 0; i--) {
      out[o + (size_t)i] = (char)('0' + v % 10);
      v /= 10;
    }
    o += (size_t)widths[k];
    if (k < 2)
      out[o++] = '-';
  }
}

/* ---- Tags and text ---------------------------------------------------------- */
/* Tags the library defines or reserves: 1-15 and 129-143. */
static bool tag_common(uint8_t tag) { return (tag & 0x7F) < 16; }

static bool tag_defined(uint8_t tag) {
  return tag == SAMVAD_CERT_TAG_OFFICE || tag == SAMVAD_CERT_TAG_APPLICATION;
}

static const char *common_name(uint8_t tag) {
  return tag == SAMVAD_CERT_TAG_OFFICE ? "issuing_office" : "application";
}

/* A text value: valid UTF-8 without control characters (C0, DEL, C1),
 * which could forge line breaks or terminal escapes where it is shown. */
const char *sv_cert_text_problem(const char *s, size_t len) {
  if (!sv_utf8_valid(s, len))
    return "invalid UTF-8";
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = sv_utf8_next(s + i, len - i, &cp);
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
      return "control character in a text";
    i += n;
  }
  return NULL;
}

/* ---- The body ---------------------------------------------------------------- */
int sv_cert_body_encode(const samvad_cert *cert, unsigned char *out,
                        size_t *len, const char **why) {
  if (cert->field_count > SAMVAD_CERT_MAX_FIELDS) {
    *why = "more than 32 fields";
    return SAMVAD_ELIMIT;
  }
  /* Sort indices by tag (insertion sort: at most 32 fields). */
  size_t order[SAMVAD_CERT_MAX_FIELDS];
  size_t n = cert->field_count;
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    while (j > 0 && cert->fields[order[j - 1]].tag > cert->fields[i].tag) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  size_t o = 0;
  bool have_office = false;
  for (size_t k = 0; k < n; k++) {
    const samvad_cert_field *f = &cert->fields[order[k]];
    if ((f->tag & 0x7F) == 0) {
      *why = "tag 0 or 128";
      return SAMVAD_EINVAL;
    }
    if (tag_common(f->tag) && !tag_defined(f->tag)) {
      *why = "reserved tag";
      return SAMVAD_EINVAL;
    }
    if (k > 0 && cert->fields[order[k - 1]].tag == f->tag) {
      *why = "repeated tag";
      return SAMVAD_EINVAL;
    }
    if (!f->value) {
      *why = "field without a value";
      return SAMVAD_EINVAL;
    }
    if (f->tag == SAMVAD_CERT_TAG_OFFICE)
      have_office = true;
    size_t need = SAMVAD_CERT_TAG_IS_DATE(f->tag) ? 5 : 2 + f->len;
    if (f->len > SAMVAD_CERT_MAX_VALUE_BYTES) {
      *why = "text longer than 255 bytes";
      return SAMVAD_ELIMIT;
    }
    if (o + need > SAMVAD_CERT_MAX_BODY_BYTES) {
      *why = "body larger than 4096 bytes";
      return SAMVAD_ELIMIT;
    }
    out[o++] = f->tag;
    if (SAMVAD_CERT_TAG_IS_DATE(f->tag)) {
      uint32_t ymd;
      if (!sv_cert_date_parse(f->value, f->len, &ymd)) {
        *why = "date not a real YYYY-MM-DD";
        return SAMVAD_EINVAL;
      }
      sv_put_u32(out + o, ymd);
      o += 4;
      continue;
    }
    if (f->len == 0) {
      *why = "empty text";
      return SAMVAD_EINVAL;
    }
    const char *bad = sv_cert_text_problem(f->value, f->len);
    if (bad) {
      *why = bad;
      return SAMVAD_EINVAL;
    }
    out[o++] = (unsigned char)f->len;
    memcpy(out + o, f->value, f->len);
    o += f->len;
  }
  if (!have_office) {
    *why = "no issuing office (tag 1)";
    return SAMVAD_EINVAL;
  }
  *len = o;
  return 0;
}

static const samvad_cert_tag_spec *declared(const sv_doc_fields *decl,
                                            uint8_t tag) {
  for (size_t i = 0; i < decl->count; i++)
    if (decl->tags[i].tag == tag)
      return &decl->tags[i];
  return NULL;
}

const char *sv_cert_body_decode(const unsigned char *body, size_t len,
                                const sv_doc_fields *decl, samvad_cert *cert,
                                char *storage, size_t cap) {
  size_t i = 0, s = 0, n = 0, required_seen = 0;
  bool have_office = false;
  int prev = 0;
  while (i < len) {
    uint8_t tag = body[i++];
    if ((tag & 0x7F) == 0)
      return "tag 0 or 128";
    if ((int)tag <= prev)
      return "tags out of order or repeated";
    prev = tag;
    if (n == SAMVAD_CERT_MAX_FIELDS)
      return "more than 32 fields";
    samvad_cert_field *f = &cert->fields[n++];
    f->tag = tag;
    f->name = NULL;
    if (tag_common(tag)) {
      if (!tag_defined(tag))
        return "reserved tag";
      f->name = common_name(tag);
      have_office |= tag == SAMVAD_CERT_TAG_OFFICE;
    } else if (decl) {
      const samvad_cert_tag_spec *spec = declared(decl, tag);
      if (!spec)
        return "tag not declared for this document type";
      f->name = spec->name;
      required_seen += spec->required != 0;
    }
    if (SAMVAD_CERT_TAG_IS_DATE(tag)) {
      if (len - i < 4)
        return "truncated date";
      uint32_t ymd = sv_get_u32(body + i);
      if (!sv_cert_date_valid(ymd))
        return "impossible date";
      i += 4;
      if (cap - s < 11)
        return "body too large";
      sv_cert_date_format(ymd, storage + s);
      f->len = 10;
    } else {
      if (len - i < 1)
        return "truncated text";
      size_t vlen = body[i++];
      if (vlen == 0)
        return "empty text";
      if (len - i < vlen)
        return "truncated text";
      const char *bad = sv_cert_text_problem((const char *)body + i, vlen);
      if (bad)
        return bad;
      if (cap - s < vlen + 1)
        return "body too large";
      memcpy(storage + s, body + i, vlen);
      i += vlen;
      f->len = vlen;
    }
    f->value = storage + s;
    storage[s + f->len] = '\0';
    s += f->len + 1;
  }
  cert->field_count = n;
  if (!have_office)
    return "no issuing office (tag 1)";
  if (decl) {
    size_t required = 0;
    for (size_t k = 0; k < decl->count; k++)
      required += decl->tags[k].required != 0;
    if (required_seen != required)
      return "a required field is missing";
  }
  return NULL;
}

/* ---- DEFLATE ------------------------------------------------------------------- */
/* Small tables: zlib's cost for a body of a few hundred bytes is mostly
 * setting them up and building the block's Huffman trees (about a third
 * to a half of an Ed25519 signature, counted with callgrind), and bigger
 * ones made no body here smaller. A 1 KiB window reaches every repeat in a
 * body that can still fit in 800 bytes; memLevel 4 keeps 1024 symbols, so
 * such a body is one block with one set of trees. */
#define SV_DEFLATE_WINDOW_BITS 10
#define SV_DEFLATE_MEM_LEVEL 4

long sv_deflate(const unsigned char *in, size_t n, unsigned char *out,
                size_t cap) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -SV_DEFLATE_WINDOW_BITS,
                   SV_DEFLATE_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  long size = rc == Z_STREAM_END ? (long)(cap - z.avail_out) : 0;
  deflateEnd(&z);
  return size;
}

long sv_inflate(const unsigned char *in, size_t n, unsigned char *out,
                size_t cap) {
  z_stream z;
  memset(&z, 0, sizeof z);
  /* The largest window, so that any conforming raw DEFLATE stream reads. */
  if (inflateInit2(&z, -15) != Z_OK)
    return -2;
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  /* One call with all the input and a capped output: Z_STREAM_END with no
   * input left is the only success. A full output (a bomb), a truncated
   * stream or bytes after its end all stop short of that. */
  int rc = inflate(&z, Z_FINISH);
  long size = rc == Z_STREAM_END && z.avail_in == 0
                  ? (long)(cap - z.avail_out)
                  : rc == Z_MEM_ERROR ? -2 : -1;
  inflateEnd(&z);
  return size;
}
