/* errors.c - the descriptions of the error codes (expanded from the one
 * SAMVAD_ERRNO_MAP list so names, numbers and texts cannot drift apart),
 * the version string and the language codes. */
#include "internal.h"

const char *samvad_strerror(int err) {
  switch (err) {
  case SAMVAD_OK:
    return "success";
#define SAMVAD_XX_TEXT(name, value, text)                                     \
  case SAMVAD_##name:                                                         \
    return text;
    SAMVAD_ERRNO_MAP(SAMVAD_XX_TEXT)
#undef SAMVAD_XX_TEXT
  default:
    return "unknown error";
  }
}

const char *samvad_err_name(int err) {
  switch (err) {
  case SAMVAD_OK:
    return "SAMVAD_OK";
#define SAMVAD_XX_NAME(name, value, text)                                     \
  case SAMVAD_##name:                                                         \
    return "SAMVAD_" #name;
    SAMVAD_ERRNO_MAP(SAMVAD_XX_NAME)
#undef SAMVAD_XX_NAME
  default:
    return "SAMVAD_UNKNOWN";
  }
}

const char *samvad_version(void) { return SAMVAD_VERSION_STRING; }

const char *samvad_lang_code(samvad_lang lang) {
  return lang == SAMVAD_LANG_HI ? "hi" : "en";
}
