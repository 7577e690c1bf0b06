/* engine_match.c - reading what the citizen wrote: whole-message matches of
 * command words, option numbers, ids and titles, yes/no words, service
 * keywords found as whole words inside a message, and the language of a
 * first message. Everything compares folded text (sv_fold), so case,
 * Devanagari digits, nukta and trailing punctuation do not matter. */
#include "engine.h"

#include <string.h>

bool sv_eq_folded_any(const sv_ctx *c,
                      const char *const folded[SAMVAD_LANG_COUNT]) {
  if (!c->has_fold || c->fold_len == 0)
    return false;
  for (int l = 0; l < SAMVAD_LANG_COUNT; l++)
    if (folded[l] && sv_eq_word(folded[l], c->fold, c->fold_len))
      return true;
  return false;
}

/* A message that is only a number 1..count (Devanagari digits are already
 * ASCII after folding); 0 otherwise. */
size_t sv_number_of(const sv_ctx *c, size_t count) {
  if (!c->has_fold || c->fold_len == 0 || c->fold_len > 3)
    return 0;
  size_t v = 0;
  for (size_t i = 0; i < c->fold_len; i++) {
    if (c->fold[i] < '0' || c->fold[i] > '9')
      return 0;
    v = v * 10 + (size_t)(c->fold[i] - '0');
  }
  return v >= 1 && v <= count ? v : 0;
}

/* The tapped option id, or the folded text, equals id. */
bool sv_is_id(const sv_ctx *c, const char *id) {
  if (c->msg->kind == SAMVAD_MSG_OPTION)
    return strcmp(c->msg->option_id, id) == 0;
  return c->has_fold && sv_eq_word(id, c->fold, c->fold_len);
}

bool sv_may_be_command(const samvad_catalogue *c, const char *text,
                       size_t len) {
  if (!c->command_indexed)
    return true;
  /* A first character that is ASCII is the first folded byte (lower
   * case): numbers and dates stop here. */
  const unsigned char *p = (const unsigned char *)text;
  size_t i = 0;
  while (i < len && (p[i] == ' ' || (unsigned)(p[i] - '\t') <= 4u))
    i++;
  if (i < len && p[i] < 0x80) {
    unsigned b = p[i];
    if (b - 'A' < 26u)
      b += 32;
    if (!sv_may_be_command_start(c, (unsigned char)b))
      return false;
  } else if (len - i >= 3 && p[i] == 0xE0 && p[i + 1] - 0xA4u < 2u &&
             (p[i + 2] & 0xC0) == 0x80) {
    /* A Devanagari character that folds to itself is the first folded
     * character: no command word starts with it, no command word. */
    uint32_t d = ((uint32_t)(p[i + 1] - 0xA4) << 6) | (p[i + 2] & 0x3Fu);
    if (sv_deva_same(d) && !(c->command_deva_first[d >> 6] >> (d & 63) & 1))
      return false;
    /* A Devanagari digit folds to its ASCII digit, which is then the first
     * folded byte: Hindi numbers, dates and phone numbers stop here. */
    if (d >= 0x66 && d <= 0x6F &&
        !sv_may_be_command_start(c, (unsigned char)('0' + (d - 0x66))))
      return false;
  }
  /* The prefix without the general folding loop when its characters are
   * visible ASCII (but the trailing punctuation folding may drop) or
   * Devanagari that folds to itself: they fold to themselves, ASCII in
   * lower case. Anything else (spaces, other scripts) is folded. */
  char pre[SV_CMD_PREFIX_BYTES];
  size_t o = 0, k = 0, j = i;
  for (; k < SV_CMD_PREFIX_CHARS && j < len; k++) {
    unsigned ch = p[j];
    if (ch < 0x80) {
      if (ch <= 0x20 || ch == 0x7F || ch == '.' || ch == ',' || ch == '!' ||
          ch == '?')
        break;
      pre[o++] = (char)(ch - 'A' < 26u ? ch + 32 : ch);
      j++;
    } else if (ch == 0xE0 && len - j >= 3 && p[j + 1] - 0xA4u < 2u &&
               (p[j + 2] & 0xC0) == 0x80 &&
               sv_deva_same(((uint32_t)(p[j + 1] - 0xA4) << 6) |
                            (p[j + 2] & 0x3Fu))) {
      pre[o] = (char)ch;
      pre[o + 1] = (char)p[j + 1];
      pre[o + 2] = (char)p[j + 2];
      o += 3;
      j += 3;
    } else {
      break;
    }
  }
  if (k == SV_CMD_PREFIX_CHARS)
    return sv_bloom_has(c->command_pair_bloom, sv_bloom_hash(pre, o));
  size_t pl;
  pl = sv_fold_prefix(text, len, pre, sizeof pre, SV_CMD_PREFIX_CHARS);
  return pl == 0 || sv_bloom_has(c->command_pair_bloom, sv_bloom_hash(pre, pl));
}

bool sv_may_be_command_start(const samvad_catalogue *c, unsigned char b) {
  return !c->command_indexed ||
         (c->command_first[b >> 6] >> (b & 63) & 1) != 0;
}

sv_command sv_match_command(const sv_ctx *c) {
  if (!c->has_fold || c->fold_len == 0)
    return SV_CMD_NONE;
  const samvad_catalogue *cat = c->cat;
  if (cat->command_indexed &&
      (!sv_may_be_command_start(cat, (unsigned char)c->fold[0]) ||
       !sv_bloom_has(cat->command_bloom, sv_bloom_hash(c->fold, c->fold_len))))
    return SV_CMD_NONE;
  const char first = c->fold[0];
  for (int k = 1; k < SV_CMD__COUNT; k++) {
    const char *const *w = c->cat->command_words[k];
    for (size_t i = 0; i < c->cat->command_word_count[k]; i++)
      if (w[i][0] == first && sv_eq_word(w[i], c->fold, c->fold_len))
        return (sv_command)k;
  }
  return SV_CMD_NONE;
}

/* 1 yes, 0 no, -1 neither: a tapped yes/no, its number as offered (1 yes,
 * 2 no), a yes/no word, or the offered titles. */
int sv_yes_no(const sv_ctx *c) {
  if (c->msg->kind == SAMVAD_MSG_OPTION)
    return sv_is_id(c, "yes") ? 1 : sv_is_id(c, "no") ? 0 : -1;
  if (!c->has_fold)
    return -1;
  size_t k = sv_number_of(c, 2);
  if (k)
    return k == 1 ? 1 : 0;
  int yn = sv_yesno(c->fold, c->fold_len);
  if (yn >= 0)
    return yn;
  if (sv_eq_folded_any(c, c->cat->messages_folded[SV_MSG_YES]))
    return 1;
  if (sv_eq_folded_any(c, c->cat->messages_folded[SV_MSG_NO]))
    return 0;
  return -1;
}

/* Separates words: ASCII other than letters and digits (Devanagari text
 * has no such marks inside words, and its danda is dropped by folding at
 * the end; elsewhere it is rare enough not to matter). */
static bool is_sep(char ch) {
  unsigned char u = (unsigned char)ch;
  return u < 0x80 && !((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9'));
}

/* Characters of keyword kw found as whole words in the folded message. */
static long keyword_score(const sv_ctx *c, const char *kw) {
  size_t kl = strlen(kw);
  if (kl == 0 || kl > c->fold_len)
    return 0;
  for (size_t at = 0; at + kl <= c->fold_len; at++) {
    if (memcmp(c->fold + at, kw, kl) == 0 &&
        (at == 0 || is_sep(c->fold[at - 1])) &&
        (at + kl == c->fold_len || is_sep(c->fold[at + kl])))
      return sv_utf8_count(kw, kl);
  }
  return 0;
}

/* The service whose keywords cover most of the message; -1 when none or
 * when two services tie. */
int sv_match_keywords(const sv_ctx *c) {
  if (!c->has_fold)
    return -1;
  long best = 0;
  int who = -1;
  bool tie = false;
  for (size_t i = 0; i < c->cat->service_count; i++) {
    const sv_service *svc = &c->cat->services[i];
    long score = 0;
    for (size_t k = 0; k < svc->keyword_count; k++)
      score += keyword_score(c, svc->keywords[k]);
    if (score > best) {
      best = score, who = (int)i, tie = false;
    } else if (score == best && score > 0) {
      tie = true;
    }
  }
  return tie ? -1 : who;
}

static bool has_hindi_word(const sv_ctx *c) {
  size_t i = 0;
  while (i < c->fold_len) {
    while (i < c->fold_len && is_sep(c->fold[i]))
      i++;
    size_t j = i;
    while (j < c->fold_len && !is_sep(c->fold[j]))
      j++;
    for (size_t k = 0; j > i && k < c->cat->hindi_word_count; k++)
      if (sv_eq_word(c->cat->hindi_words[k], c->fold + i, j - i))
        return true;
    i = j;
  }
  return false;
}

void sv_detect_language(sv_ctx *c) {
  samvad_session *s = c->s;
  if (s->lang_chosen || !c->text)
    return;
  s->lang_chosen = 1;
  s->lang = (sv_has_devanagari(c->text, c->text_len) ||
             (c->has_fold && has_hindi_word(c)))
                ? SAMVAD_LANG_HI
                : SAMVAD_LANG_EN;
}

int sv_menu_choice(const sv_ctx *c) {
  const samvad_catalogue *cat = c->cat;
  if (c->msg->kind == SAMVAD_MSG_OPTION)
    return sv_find_service(cat, c->msg->option_id,
                           strlen(c->msg->option_id));
  size_t k = sv_number_of(c, cat->service_count);
  if (k)
    return (int)k - 1;
  for (size_t i = 0; c->has_fold && i < cat->service_count; i++)
    if (sv_eq_word(cat->services[i].id, c->fold, c->fold_len) ||
        sv_eq_folded_any(c, cat->services[i].title_folded))
      return (int)i;
  return -1;
}

