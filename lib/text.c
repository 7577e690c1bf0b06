/* text.c - UTF-8 decoding and the folding that makes citizen messages
 * comparable: command words, yes/no words, option titles and month names
 * are all matched on folded text, so spelling variants that look the same
 * on a phone (nukta, chandrabindu, zero-width joiners) compare equal. */
#include "internal.h"

#include <string.h>

size_t sv_utf8_decode(const char *s, size_t len, uint32_t *cp) {
  const unsigned char *p = (const unsigned char *)s;
  if (len == 0)
    return 0;
  unsigned b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t n;
  uint32_t c, min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, c = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, c = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return 0; /* continuation byte, overlong lead C0/C1, or F5-FF */
  }
  if (len < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (p[i] & 0x3F);
  }
  /* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are
   * not UTF-8 (RFC 3629), whatever a lenient decoder would make of them. */
  if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
    return 0;
  *cp = c;
  return n;
}

size_t sv_utf8_encode(uint32_t cp, char *out) {
  unsigned char *o = (unsigned char *)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | ((cp >> 18) & 0x07));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

long sv_utf8_count(const char *s, size_t len) {
  long count = 0;
  size_t i = 0;
  while (i < len) {
    /* ASCII fast path: most answers are mostly ASCII. */
    if ((unsigned char)s[i] < 0x80) {
      i++;
      count++;
      continue;
    }
    uint32_t cp;
    size_t n = sv_utf8_decode(s + i, len - i, &cp);
    if (n == 0)
      return -1;
    i += n;
    count++;
  }
  return count;
}

bool sv_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    /* Eight ASCII bytes at a time, then Devanagari (E0 A0-BF xx, which
     * can be neither overlong nor a surrogate) without a general decode. */
    if (len - i >= 8) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if (!(w & 0x8080808080808080ull)) {
        i += 8;
        continue;
      }
    }
    if (p[i] < 0x80) {
      i++;
    } else if (p[i] == 0xE0 && len - i >= 3 && p[i + 1] >= 0xA0 &&
               p[i + 1] <= 0xBF && (p[i + 2] & 0xC0) == 0x80) {
      i += 3;
    } else {
      uint32_t cp;
      size_t n = sv_utf8_decode(s + i, len - i, &cp);
      if (n == 0)
        return false;
      i += n;
    }
  }
  return true;
}

bool sv_is_space(uint32_t cp) {
  if (cp < 0x80)
    return cp == ' ' || (cp >= '\t' && cp <= '\r');
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool sv_is_invisible(uint32_t cp) {
  return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* Punctuation that ends a sentence and means nothing in a short answer:
 * "Haan." and "yes!" are "haan" and "yes". */
static bool trailing_punct(uint32_t cp) {
  return cp == '.' || cp == ',' || cp == '!' || cp == '?' ||
         cp == 0x0964 || cp == 0x0965; /* danda, double danda */
}

/* Maps a non-ASCII code point for matching; 0 drops it. */
static inline uint32_t fold_cp(uint32_t cp) {
  if (cp >= 0x0966 && cp <= 0x096F) /* Devanagari digits */
    return '0' + (cp - 0x0966);
  if (cp == 0x0901) /* chandrabindu written as anusvara */
    return 0x0902;
  if (cp == 0x093C || (cp >= 0x200B && sv_is_invisible(cp)))
    return 0; /* nukta, zero-width characters */
  if (cp >= 0x0958 && cp <= 0x095F) {
    /* Precomposed nukta letters (क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़) lose the nukta. */
    static const uint16_t base[8] = {0x0915, 0x0916, 0x0917, 0x091C,
                                      0x0921, 0x0922, 0x092B, 0x092F};
    return base[cp - 0x0958];
  }
  return cp;
}

/* sv_fold when the output surely fits: folding never makes text longer
 * (spaces collapse, digits shrink, marks vanish, other characters keep
 * their length), so with cap > len no bound needs checking. ASCII and the
 * Devanagari block (E0 A4 xx, E0 A5 xx) are handled inline; anything else
 * takes the general decode. Gives exactly what the general loop below
 * gives. */
static long fold_fits(const char *s, size_t len, char *out) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0, committed = 0, i = 0;
  bool space = false;
  while (i < len) {
    unsigned b = p[i];
    if (b < 0x80) {
      i++;
      if (b == ' ' || b - '\t' <= '\r' - '\t') {
        space = true;
        continue;
      }
      if (space) {
        if (o)
          out[o++] = ' ';
        space = false;
      }
      out[o++] = (char)(b - 'A' < 26u ? b + 32 : b);
      if (!(b == '.' || b == ',' || b == '!' || b == '?'))
        committed = o;
      continue;
    }
    uint32_t cp;
    if (b == 0xE0 && len - i >= 3 && (p[i + 1] == 0xA4 || p[i + 1] == 0xA5) &&
        (p[i + 2] & 0xC0) == 0x80) {
      cp = 0x0900 + ((uint32_t)(p[i + 1] - 0xA4) << 6) + (p[i + 2] & 0x3Fu);
      i += 3;
      /* Most Devanagari folds to itself: copy the three bytes. */
      if (cp != 0x0901 && cp != 0x093C && !(cp >= 0x0958 && cp <= 0x095F) &&
          !(cp >= 0x0964 && cp <= 0x096F)) {
        if (space) {
          if (o)
            out[o++] = ' ';
          space = false;
        }
        out[o++] = (char)p[i - 3];
        out[o++] = (char)p[i - 2];
        out[o++] = (char)p[i - 1];
        committed = o;
        continue;
      }
    } else {
      size_t n = sv_utf8_next(s + i, len - i, &cp);
      if (n == 0)
        return -1;
      i += n;
      if ((cp == 0xA0 || cp >= 0x1680) && sv_is_space(cp)) {
        space = true;
        continue;
      }
    }
    if ((cp = fold_cp(cp)) == 0)
      continue;
    if (space) {
      if (o)
        out[o++] = ' ';
      space = false;
    }
    if (cp < 0x80) {
      out[o++] = (char)cp;
    } else if (cp < 0x800) {
      o += sv_utf8_encode(cp, out + o);
    } else if (cp < 0x10000) {
      out[o++] = (char)(0xE0 | (cp >> 12));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    } else {
      o += sv_utf8_encode(cp, out + o);
    }
    if (!trailing_punct(cp))
      committed = o;
  }
  out[committed] = '\0';
  return (long)committed;
}

long sv_fold(const char *s, size_t len, char *out, size_t cap) {
  if (cap == 0)
    return -1;
  if (len < cap)
    return fold_fits(s, len, out);
  size_t o = 0;         /* bytes written */
  size_t committed = 0; /* length up to the last character we keep */
  bool dropped = false; /* trailing punctuation that did not fit */
  bool space = false;   /* white space seen since the last output */
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
      i++;
      if (b == ' ' || (b >= '\t' && b <= '\r')) {
        space = true;
        continue;
      }
      cp = (b >= 'A' && b <= 'Z') ? b + ('a' - 'A') : b;
      if (!dropped && o + 2 < cap) { /* fast path: room for ' ' + cp */
        if (space && o > 0)
          out[o++] = ' ';
        space = false;
        out[o++] = (char)cp;
        if (!trailing_punct(cp))
          committed = o;
        continue;
      }
    } else {
      size_t n = sv_utf8_next(s + i, len - i, &cp);
      if (n == 0)
        return -1;
      i += n;
      if ((cp == 0xA0 || cp >= 0x1680) && sv_is_space(cp)) {
        space = true;
        continue;
      }
      if ((cp = fold_cp(cp)) == 0)
        continue;
    }
    size_t sp = space && o > 0 ? 1 : 0;
    size_t el = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    bool keep = !trailing_punct(cp);
    space = false;
    if (dropped || o + sp + el >= cap) {
      /* Trailing punctuation past the end may still be dropped; anything
       * we would have to keep after it does not fit. */
      if (keep)
        return -1;
      dropped = true;
      continue;
    }
    if (sp)
      out[o++] = ' ';
    if (el == 1) {
      out[o++] = (char)cp;
    } else if (el == 3) { /* Devanagari: spare the call */
      out[o++] = (char)(0xE0 | (cp >> 12));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    } else {
      o += sv_utf8_encode(cp, out + o);
    }
    if (keep)
      committed = o;
  }
  out[committed] = '\0';
  return (long)committed;
}


size_t sv_fold_prefix(const char *s, size_t len, char *out, size_t cap,
                      size_t chars) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0, i = 0, got = 0;
  bool space = false;
  while (got < chars) {
    if (i == len)
      return 0;
    unsigned b = p[i];
    uint32_t cp;
    if (b < 0x80) {
      /* ASCII inline: spaces, capitals, and the full stops that folding
       * may drop at the end (the caller must then fold it all). */
      if (b == ' ' || b - '\t' <= '\r' - '\t') {
        space = true;
        i++;
        continue;
      }
      if (b == '.' || b == ',' || b == '!' || b == '?' || o + 2 > cap)
        return 0;
      if (space && o > 0) {
        out[o++] = ' ';
        if (++got == chars)
          break;
      }
      space = false;
      out[o++] = (char)(b - 'A' < 26u ? b + 32 : b);
      i++;
      got++;
      continue;
    }
    if (b == 0xE0 && len - i >= 3 && p[i + 1] - 0xA4u < 2u &&
        (p[i + 2] & 0xC0) == 0x80 &&
        sv_deva_same(((uint32_t)(p[i + 1] - 0xA4) << 6) | (p[i + 2] & 0x3Fu)) &&
        o + 4 <= cap) {
      /* Devanagari that folds to itself: three bytes as they are. */
      if (space && o > 0) {
        out[o++] = ' ';
        if (++got == chars)
          break;
      }
      space = false;
      out[o] = (char)p[i];
      out[o + 1] = (char)p[i + 1];
      out[o + 2] = (char)p[i + 2];
      o += 3;
      i += 3;
      got++;
      continue;
    }
    size_t n = sv_utf8_next(s + i, len - i, &cp);
    if (n == 0)
      return 0;
    i += n;
    if ((cp == 0xA0 || cp >= 0x1680) && sv_is_space(cp)) {
      space = true;
      continue;
    }
    if ((cp = fold_cp(cp)) == 0)
      continue;
    if (trailing_punct(cp) || o + 5 > cap)
      return 0;
    if (space && o > 0) {
      out[o++] = ' ';
      if (++got == chars)
        break;
    }
    space = false;
    o += sv_utf8_encode(cp, out + o);
    got++;
  }
  return o;
}

bool sv_has_devanagari(const char *s, size_t len) {
  /* U+0900-U+097F encode as E0 A4 xx or E0 A5 xx. */
  for (size_t i = 0; i + 2 < len; i++) {
    if ((unsigned char)s[i] == 0xE0) {
      unsigned char b1 = (unsigned char)s[i + 1];
      unsigned char b2 = (unsigned char)s[i + 2];
      if ((b1 == 0xA4 || b1 == 0xA5) && (b2 & 0xC0) == 0x80)
        return true;
    }
  }
  return false;
}
