/* internal.h - the one internal header of libsamvad: the compiled catalogue
 * tables that the loader writes and the engine reads, the arena, the
 * session and reply structures, and the interfaces between lib modules.
 * Internal names shared across files take the samvad__ / sv_ prefixes;
 * nothing here is part of the ABI. */
#ifndef SAMVAD_INTERNAL_H
#define SAMVAD_INTERNAL_H

#include "samvad/samvad.h"
#include "samvad/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Allocation -------------------------------------------------------- */
/* The allocator in effect: the caller's, or libc's when they passed NULL. */
typedef struct sv_alloc {
  samvad_allocator a;
} sv_alloc;

void sv_alloc_init(sv_alloc *out, const samvad_allocator *user);
void *sv_malloc(const sv_alloc *al, size_t n);
void *sv_realloc(const sv_alloc *al, void *p, size_t n);
void sv_free(const sv_alloc *al, void *p);

/* A bump arena of chained blocks: everything a catalogue owns lives in one,
 * so freeing the catalogue is one call that cannot leak. */
typedef struct sv_arena_block sv_arena_block;
typedef struct sv_arena {
  sv_alloc alloc;
  sv_arena_block *head; /* newest block first */
  size_t used_total;    /* bytes handed out, for statistics */
} sv_arena;

void sv_arena_init(sv_arena *arena, const sv_alloc *alloc);
/* Zeroed memory aligned for any type; NULL when out of memory. */
void *sv_arena_alloc(sv_arena *arena, size_t size);
/* A NUL-terminated copy of s[0..len). */
char *sv_arena_strndup(sv_arena *arena, const char *s, size_t len);
void sv_arena_free(sv_arena *arena);

/* ---- UTF-8 and text helpers (lib/text.c) ---------------------------------
 * Everything counts characters (code points), never bytes. */
/* Number of code points in s[0..len); -1 if s is not valid UTF-8. */
long sv_utf8_count(const char *s, size_t len);
bool sv_utf8_valid(const char *s, size_t len);
/* Decodes one code point at s (len bytes available); returns the number of
 * bytes used and stores the code point, or 0 on invalid input. */
size_t sv_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* sv_utf8_decode with the common cases inline for hot loops: ASCII and
 * the E0 A0-BF xx sequences that hold Devanagari (U+0800-U+0FFF). */
static inline size_t sv_utf8_next(const char *s, size_t len, uint32_t *cp) {
  const unsigned char *p = (const unsigned char *)s;
  if (len > 0 && p[0] < 0x80) {
    *cp = p[0];
    return 1;
  }
  if (len >= 3 && p[0] == 0xE0 && p[1] >= 0xA0 && p[1] <= 0xBF &&
      (p[2] & 0xC0) == 0x80) {
    *cp = ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  return sv_utf8_decode(s, len, cp);
}
/* Whether the Devanagari character U+0900+d folds to itself and is not
 * trailing punctuation (not chandrabindu, nukta, the nukta letters, the
 * dandas, the digits or U+0970 and above). */
static inline bool sv_deva_same(uint32_t d) {
  return d != 0x01 && d != 0x3C && !(d >= 0x58 && d <= 0x5F) && d < 0x64;
}
/* Writes cp as UTF-8 into out (at least 4 bytes); returns bytes written. */
size_t sv_utf8_encode(uint32_t cp, char *out);
/* Folds s for matching: trims, collapses runs of white space to one space,
 * lower-cases ASCII, maps Devanagari digits to ASCII digits, drops
 * trailing punctuation (.,!?। ) and removes zero-width joiners and the
 * Devanagari nukta so "अंग्रेज़ी" and "अंग्रेजी" match. Writes at most cap-1
 * bytes plus NUL into out; returns the length, or -1 if it does not fit or
 * s is not valid UTF-8. */
long sv_fold(const char *s, size_t len, char *out, size_t cap);
/* The first `chars` characters of sv_fold's result for s, written to out
 * (cap bytes, no NUL); returns their length in bytes, or 0 when s folds to
 * fewer characters, or trailing punctuation (which folding may drop) or
 * invalid UTF-8 comes first. Reads only as far as it needs to. */
size_t sv_fold_prefix(const char *s, size_t len, char *out, size_t cap,
                      size_t chars);
/* True if s contains at least one Devanagari letter (U+0900-U+097F). */
bool sv_has_devanagari(const char *s, size_t len);
/* White space as fold and the validators see it: ASCII and Unicode spaces
 * (no-break space, U+2000-U+200A, ...). */
bool sv_is_space(uint32_t cp);
/* Zero-width characters that fold drops (U+200B-U+200D, U+2060, BOM). */
bool sv_is_invisible(uint32_t cp);

/* ---- Typed inputs (lib/validate.c) ---------------------------------------- */
typedef enum sv_input_type {
  SV_IN_TEXT = 0, /* free text, min/max length in characters */
  SV_IN_NAME,     /* a person's name, Devanagari or Latin letters */
  SV_IN_INTEGER,  /* whole number in [min, max] */
  SV_IN_DATE,     /* a calendar date, bounds and age rules */
  SV_IN_AADHAAR,  /* 12 digits, Verhoeff, first digit 2-9 */
  SV_IN_MOBILE,   /* Indian mobile number */
  SV_IN_PIN,      /* Indian PIN code; flag for Delhi only */
  SV_IN_EMAIL,
  SV_IN_VEHICLE,  /* vehicle registration number */
  SV_IN_YESNO,
  SV_IN_CHOICE,   /* one of a state's options */
  SV_IN_MEDIA,    /* a photo or document reference */
  SV_IN__COUNT
} sv_input_type;

/* Why an answer was refused. Each code names a message in the catalogue
 * file ("errors" section), in both languages, e.g. "date_format". */
typedef enum sv_reject {
  SV_OK = 0,
  SV_REJ_EMPTY,         /* nothing usable was typed */
  SV_REJ_TOO_SHORT,     /* text/name below min characters: {min} */
  SV_REJ_TOO_LONG,      /* text/name above max characters: {max} */
  SV_REJ_NAME_CHARS,    /* a name with digits or symbols */
  SV_REJ_NOT_INTEGER,
  SV_REJ_INT_RANGE,     /* outside [{min}, {max}] */
  SV_REJ_DATE_FORMAT,   /* not a date we understand */
  SV_REJ_DATE_INVALID,  /* 31/02/2020 */
  SV_REJ_DATE_TOO_EARLY,/* before {min} */
  SV_REJ_DATE_TOO_LATE, /* after {max} */
  SV_REJ_AGE_TOO_LOW,   /* younger than {min_age} on {age_on} */
  SV_REJ_AGE_TOO_HIGH,  /* older than {max_age} on {age_on} */
  SV_REJ_AADHAAR_FORMAT,
  SV_REJ_AADHAAR_CHECKSUM,
  SV_REJ_MOBILE,
  SV_REJ_PIN,
  SV_REJ_PIN_NOT_DELHI,
  SV_REJ_EMAIL,
  SV_REJ_VEHICLE,
  SV_REJ_YESNO,
  SV_REJ_CHOICE,
  SV_REJ_MEDIA,         /* text given where a photo/document is asked */
  SV_REJ__COUNT
} sv_reject;

/* The catalogue-file key of each reject code ("date_format", ...);
 * sv_reject_keys[SV_OK] is "ok" and names no message. */
extern const char *const sv_reject_keys[SV_REJ__COUNT];
/* The JSON name of each input type ("text", "name", "integer", ...). */
extern const char *const sv_input_type_names[SV_IN__COUNT];

/* A date bound: an absolute day, or relative to the day of the step. */
typedef struct sv_date_bound {
  uint8_t kind;  /* SV_BOUND_NONE, _ABS, _TODAY, _TODAY_YEARS */
  int32_t days;  /* ABS: days since 1970-01-01; TODAY: offset in days;
                    TODAY_YEARS: offset in whole calendar years */
} sv_date_bound;
enum {
  SV_BOUND_NONE = 0,
  SV_BOUND_ABS = 1,
  SV_BOUND_TODAY = 2,
  SV_BOUND_TODAY_YEARS = 3 /* "today-18y": same day and month, 29 Feb -> 28 */
};
/* The day a bound stands for on the given day (lib/catalogue.c). */
int32_t sv_bound_day(const sv_date_bound *b, int32_t today);

enum { SV_PIN_DELHI = 1 }; /* sv_input.flags */

/* The compiled "input" of an ask state. */
typedef struct sv_input {
  uint8_t type;       /* sv_input_type */
  uint8_t flags;      /* SV_PIN_DELHI, ... */
  int64_t min, max;   /* text/name: characters; integer: value */
  sv_date_bound date_min, date_max;
  int16_t min_age, max_age; /* years; -1 when absent */
  int16_t age_on_var; /* variable holding the reference date; -1 = today */
} sv_input;

/* A normalised answer. Dates are days since 1970-01-01; yes/no is 0/1;
 * numbers (integer, Aadhaar, mobile, PIN) are held as integers; text-like
 * answers (text, name, email, vehicle, media) point into a buffer. */
typedef enum sv_value_kind {
  SV_VAL_NONE = 0,
  SV_VAL_INT,    /* integer, aadhaar, mobile, pin, yes/no */
  SV_VAL_DATE,   /* days since epoch */
  SV_VAL_OPTION, /* index of the chosen option */
  SV_VAL_STR     /* s, len */
} sv_value_kind;

typedef struct sv_value {
  int64_t i;
  const char *s;
  uint32_t len;
  uint8_t kind; /* sv_value_kind */
} sv_value;

/* Validates and normalises text against an input. today is the day of the
 * step (days since epoch); age_ref is the day the age rule counts on (the
 * referenced answer, or today), ignored without an age rule. Text results
 * are written into scratch (cap bytes) and value->s points there. Returns
 * SV_OK or the reason for refusal. Never allocates. */
sv_reject sv_validate(const sv_input *input, const char *text, size_t len,
                      int32_t today, int32_t age_ref, char *scratch,
                      size_t cap, sv_value *value);

/* Helpers the engine and the loader also use. */
bool sv_verhoeff_valid(const char *digits, size_t len);
/* Parses a date in any accepted form; true and *days on success. Sets
 * *invalid when the text looks like a date but does not exist (31/02).
 * today (days since epoch) resolves two-digit years: yy is 20yy unless
 * that is after today's year, then 19yy. */
bool sv_parse_date(const char *s, size_t len, int32_t today, int32_t *days,
                   bool *invalid);
/* Days since 1970-01-01 for a civil date, and back. */
int32_t sv_days_from_civil(int y, unsigned m, unsigned d);
void sv_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d);
/* Whole years between two days (age on a date). */
int sv_years_between(int32_t from_day, int32_t to_day);
/* Yes/no word: 1 yes, 0 no, -1 neither (on folded text). */
int sv_yesno(const char *folded, size_t len);

/* ---- Bilingual text ------------------------------------------------------ */
/* Every citizen-facing text exists in both languages. Texts may contain
 * {placeholders}: {var_name} renders an answer; the engine also knows
 * {reference}, {service}, {min}, {max}, {min_age}, {age_on}, {label}. */
typedef struct sv_text {
  const char *s[SAMVAD_LANG_COUNT]; /* interned, NUL-terminated */
  uint32_t len[SAMVAD_LANG_COUNT];
} sv_text;

/* ---- Conditions (JSON Logic subset, lib/expr.c) --------------------------
 * Compiled into a flat node array per catalogue; a node's arguments are
 * consecutive entries of the args array. */
typedef enum sv_op {
  SV_OP_CONST_NUM, /* num */
  SV_OP_CONST_STR, /* str */
  SV_OP_CONST_BOOL,/* num 0/1 */
  SV_OP_VAR,       /* var: value of a variable (option id for choices) */
  SV_OP_TODAY,     /* the day of the step */
  SV_OP_AND, SV_OP_OR, SV_OP_NOT,
  SV_OP_EQ, SV_OP_NE, SV_OP_LT, SV_OP_LE, SV_OP_GT, SV_OP_GE,
  SV_OP_IN,        /* {"in": [x, ["a","b"]]} */
  SV_OP_AGE,       /* {"age": [dob, on]} whole years */
  SV_OP_DAYS,      /* {"days": [from, to]} to - from in days */
  SV_OP_SET,       /* {"set": "var"}: the variable has an answer */
  /* What ==, != and "in" of a choice variable and option ids compile to:
   * num is a mask of option indices; false while the variable is unset. */
  SV_OP_OPT_IN,     /* the chosen option's bit is set */
  SV_OP_OPT_NOT_IN  /* an option is chosen and its bit is clear */
} sv_op;

/* A string constant that is an ISO date also holds the day in num; its
 * var field (unused by constants) is then SV_CONST_IS_DATE. */
#define SV_CONST_IS_DATE 1

typedef struct sv_expr {
  uint8_t op;      /* sv_op */
  uint8_t nargs;
  uint16_t var;    /* SV_OP_VAR, SV_OP_SET */
  uint32_t args;   /* index of the first argument in catalogue->expr_args */
  int64_t num;
  const char *str; /* interned */
} sv_expr;

/* ---- Compiled catalogue -------------------------------------------------- */
#define SV_CMD_PREFIX_CHARS 4  /* characters in the command prefix filter */
#define SV_CMD_PREFIX_BYTES 24 /* room for them, spaces between */
typedef enum sv_state_kind {
  SV_ST_ASK = 0, /* typed question -> var */
  SV_ST_CHOICE,  /* options -> var (option index) */
  SV_ST_SUMMARY, /* all answers; confirm or correct one */
  SV_ST_BRANCH,  /* no wait: first "next" whose condition holds */
  SV_ST_INFORM,  /* a text, then on without a wait */
  SV_ST_SUBMIT,  /* creates the application, then on without a wait */
  SV_ST_END      /* a closing text; leaves the service */
} sv_state_kind;

typedef struct sv_option {
  const char *id;        /* stable id */
  sv_text title;
  const char *folded[SAMVAD_LANG_COUNT]; /* titles folded for matching */
  /* Filled in by sv_catalogue_index: the length of the id ([0]) and of
   * folded[l] ([1 + l]) when that string folds to itself, else 0. A
   * message equal to one of them but for ASCII case folds to it. */
  uint16_t fixed_len[1 + SAMVAD_LANG_COUNT];
} sv_option;

typedef struct sv_transition {
  int32_t cond;    /* index into catalogue->exprs, -1 = always */
  uint16_t target; /* state index */
} sv_transition;

typedef struct sv_state {
  const char *name;      /* interned; blocks give "use_state/inner" */
  uint8_t kind;          /* sv_state_kind */
  int16_t var;           /* variable saved by ask/choice, else -1 */
  sv_text prompt;        /* question, information or closing text */
  sv_text help;          /* help for this question (may be empty) */
  sv_text label;         /* summary label of the answer (ask/choice) */
  sv_input input;        /* ask: the typed input */
  const sv_option *options; /* choice: options */
  uint16_t option_count;
  uint32_t next;         /* index of the first transition */
  uint16_t next_count;   /* 0 only for end states */
  /* Filled in by sv_catalogue_index: */
  const char *label_folded[SAMVAD_LANG_COUNT]; /* NULL: matches nothing */
  sv_text label_line;    /* ask/choice: "\n<label>: ", a summary line's
                            start in one piece (s NULL: not built) */
  const samvad_option *reply_options[SAMVAD_LANG_COUNT]; /* choice: as
                                    replies carry them, per language */
  uint8_t prompt_fixed;  /* bit per language: the prompt has no
                            placeholder, a reply can point at it */
} sv_state;

typedef struct sv_var {
  const char *name;  /* interned */
  uint8_t type;      /* sv_input_type of the state that saves it */
  uint16_t state;    /* first state that saves it */
  uint8_t masked;    /* personal data: masked when shown in logs */
  const char *edit_id; /* "edit_<name>", the summary's option (index) */
} sv_var;

/* A service's certificate (lib/loader_cert.c): what approval issues. */
typedef struct sv_cert_field {
  uint8_t tag;            /* 16-255, ascending */
  uint16_t var;           /* the answer it carries */
  sv_text label;          /* how a verifier names it */
} sv_cert_field;

typedef struct sv_cert_days {
  const char *option;     /* an option id of the valid_by choice */
  uint32_t days;
} sv_cert_days;

typedef struct sv_cert_spec {
  uint8_t doc_type;       /* 1-255; 0: the service issues no certificate */
  const char *number_prefix;
  sv_text title, office;
  uint32_t valid_days;    /* 0: it never expires */
  int16_t valid_by;       /* choice variable picking the days, or -1 */
  const sv_cert_days *days_by;
  uint16_t days_by_count;
  const sv_cert_field *fields;
  uint16_t field_count;
} sv_cert_spec;

typedef struct sv_service {
  const char *id;
  const char *version;
  uint32_t hash;          /* of the spec's bytes: pins sessions to it */
  const char *file;       /* for diagnostics */
  sv_text department, title, summary, fee_text;
  int32_t fee_amount;     /* rupees; -1 when not a single figure */
  const sv_text *documents;
  uint16_t document_count;
  uint16_t time_limit_days;
  const char *const *keywords; /* folded */
  uint16_t keyword_count;
  const char *ref_prefix; /* reference number prefix, e.g. "MR" */
  uint32_t idle_seconds;  /* ask to continue after this idle time */
  uint32_t expire_seconds;/* drop the unfinished application after */
  uint16_t start;
  const sv_state *states;
  uint16_t state_count;
  const sv_var *vars;
  uint16_t var_count;
  sv_cert_spec cert;
  /* Filled in by sv_catalogue_index: */
  const char *title_folded[SAMVAD_LANG_COUNT]; /* NULL: matches nothing */
  const char *intro[SAMVAD_LANG_COUNT]; /* the introduction, rendered */
  /* The variables in an order that every path through the service
   * follows (their states' topological order); NULL when the flow has a
   * loop through its questions. */
  const uint16_t *vars_in_path_order;
  /* Set when answers given forward along the flow are always exactly the
   * path's, in path order: no loop, no variable saved twice on a path, no
   * question or summary after a submission, and no condition reading a
   * variable that a later state saves (so a later answer cannot change
   * the way taken before it). Then a session that has only gone forward
   * need not walk its path again (samvad_session.forward). */
  uint8_t forward_safe;
} sv_service;

/* Global commands, in the precedence order documented in
 * docs/spec-format.md. */
typedef enum sv_command {
  SV_CMD_NONE = 0,
  SV_CMD_MENU,     /* greeting or menu */
  SV_CMD_BACK,
  SV_CMD_CANCEL,
  SV_CMD_HELP,
  SV_CMD_LANG_HI,
  SV_CMD_LANG_EN,
  SV_CMD_STATUS,
  SV_CMD_HUMAN,    /* nearest Common Service Centre */
  SV_CMD__COUNT
} sv_command;

extern const char *const sv_command_keys[SV_CMD__COUNT];

/* The engine's own messages (menu, cancel confirmation, ...): their keys in
 * the catalogue file's "messages" section. */
typedef enum sv_msg {
  SV_MSG_WELCOME = 0,    /* greeting before the menu */
  SV_MSG_MENU,           /* "Which service?" (choice of services) */
  SV_MSG_NOT_UNDERSTOOD, /* outside a service, no keyword matched */
  SV_MSG_SERVICE_INTRO,  /* {service}, summary, documents, fee, days */
  SV_MSG_DOCUMENTS,      /* heading for the documents list */
  SV_MSG_FEE,            /* "Fee: {fee}" */
  SV_MSG_TIME_LIMIT,     /* "Decided within {days} days" */
  SV_MSG_CANCEL_CONFIRM, /* "Cancel this application?" yes/no */
  SV_MSG_CANCELLED,
  SV_MSG_CANCEL_KEPT,    /* "We carry on." */
  SV_MSG_BACK_NOTHING,   /* nothing to undo */
  SV_MSG_HELP_GENERAL,   /* commands list, outside a question */
  SV_MSG_LANG_SWITCHED,
  SV_MSG_STATUS_NONE,
  SV_MSG_STATUS_HEADER,
  SV_MSG_STATUS_LINE,    /* {reference} {service} {date} {status} */
  SV_MSG_STATUS_SUBMITTED, /* the {status} words */
  SV_MSG_STATUS_APPROVED,
  SV_MSG_STATUS_REJECTED,
  SV_MSG_NOTICE_APPROVED,  /* {reference} {service}: told on approval */
  SV_MSG_NOTICE_REJECTED,  /* {reference} {service} {reason} */
  SV_MSG_CERTIFICATE_READY,/* {title} {number}: carries the certificate */
  SV_MSG_HUMAN,          /* Common Service Centre help */
  SV_MSG_RETRY_LIMIT,    /* after too many refusals: offers help */
  SV_MSG_IDLE_RESUME,    /* "Continue {service} or start over?" */
  SV_MSG_IDLE_CONTINUE,  /* option title */
  SV_MSG_IDLE_RESTART,   /* option title */
  SV_MSG_EXPIRED,        /* the unfinished application was dropped */
  SV_MSG_SPEC_CHANGED,   /* the service changed; starting again */
  SV_MSG_SUMMARY_HEADER, /* "Please check your answers" */
  SV_MSG_SUMMARY_CONFIRM,/* option title: all correct, submit */
  SV_MSG_SUMMARY_EDIT,   /* "Which answer to correct?" */
  SV_MSG_MEDIA_UNEXPECTED,/* a photo where text is asked */
  SV_MSG_YES, SV_MSG_NO, /* option titles for yes/no questions */
  SV_MSG__COUNT
} sv_msg;

extern const char *const sv_msg_keys[SV_MSG__COUNT];

struct samvad_catalogue {
  sv_arena arena;            /* owns everything below */
  const sv_service *services;
  uint16_t service_count;
  const sv_expr *exprs;
  const uint32_t *expr_args; /* argument node indices */
  const sv_transition *transitions;
  /* Command words, folded, per command; matched on the whole message. */
  const char *const *command_words[SV_CMD__COUNT];
  uint16_t command_word_count[SV_CMD__COUNT];
  /* Romanised Hindi words that start a conversation in Hindi. */
  const char *const *hindi_words;
  uint16_t hindi_word_count;
  /* Filters over the folded command words, built by sv_catalogue_index
   * once the catalogue is complete, so that most answers skip the scan of
   * every command word (and typed answers even the folding): the set of
   * first bytes, and a 1024-bit Bloom filter of whole words. */
  uint64_t command_first[4];
  uint64_t command_bloom[16];
  /* The first SV_CMD_PREFIX_CHARS folded characters of every command
   * word that has as many: a message that starts otherwise is no command
   * word. */
  uint64_t command_pair_bloom[16];
  /* The Devanagari characters (U+0900-U+097F, by their last seven bits)
   * that start a command word: Hindi answers seldom start like one, and
   * this spares them the prefix folding. */
  uint64_t command_deva_first[2];
  uint8_t command_indexed; /* 0 until built: no filtering */
  sv_text messages[SV_MSG__COUNT];
  /* The messages that answers are compared with (yes, no, confirm,
   * continue, restart), folded by sv_catalogue_index; NULL otherwise. */
  const char *messages_folded[SV_MSG__COUNT][SAMVAD_LANG_COUNT];
  /* The options of the menu and of yes/no questions as replies carry
   * them, per language (sv_catalogue_index). */
  const samvad_option *menu_options[SAMVAD_LANG_COUNT];
  const samvad_option *yesno_options[SAMVAD_LANG_COUNT];
  sv_text rejects[SV_REJ__COUNT];
  uint32_t default_idle_seconds;
  uint32_t default_expire_seconds;
  uint32_t retention_seconds;  /* answers of abandoned sessions */
  uint8_t max_retries;         /* refusals before help is offered */
  int32_t utc_offset_seconds;  /* local calendar for "today" (IST: 19800) */
  const char *name;            /* catalogue name, e.g. "Delhi e-Services" */
};

/* Lookups used by the engine and by session restore; -1 when absent. */
int sv_find_service(const samvad_catalogue *c, const char *id, size_t len);
int sv_find_state(const sv_service *s, const char *name, size_t len);
int sv_find_var(const sv_service *s, const char *name, size_t len);

/* Precomputes what the engine would otherwise work out on every message
 * (lib/engine_index.c): the command-word filters, texts folded for
 * matching and the services' introductions. The loader calls it last, on
 * a complete catalogue; SAMVAD_ENOMEM when the arena cannot grow. */
int sv_catalogue_index(samvad_catalogue *c);

/* Evaluates a condition for a session's answers. */
bool sv_expr_eval(const samvad_catalogue *c, const sv_service *svc,
                  int32_t cond, const struct samvad_session *s,
                  int32_t today);

/* ---- Session (lib/session.c) ---------------------------------------------- */
enum sv_phase {
  SV_PH_IDLE = 0,      /* outside a service (menu) */
  SV_PH_ANSWERING,     /* waiting for the current state's answer */
  SV_PH_CONFIRM_CANCEL,/* asked "cancel?" */
  SV_PH_RESUME,        /* asked "continue or start over?" after idle */
  SV_PH__LAST = SV_PH_RESUME
};

#define SV_MAX_APPLICATIONS 8 /* remembered for "status" */
#define SV_REF_MAX 24         /* reference number bytes incl. NUL */

typedef struct sv_app_record {
  char ref[SV_REF_MAX];
  uint16_t service;
  int32_t day;               /* submission day */
  uint8_t status;            /* samvad_app_status: the department's word */
} sv_app_record;

struct samvad_session {
  sv_alloc alloc;
  const samvad_catalogue *catalogue;
  uint8_t lang;              /* samvad_lang */
  uint8_t lang_chosen;       /* set by the first message or a command */
  uint8_t phase;             /* sv_phase */
  uint8_t retries;           /* refusals of the current question */
  uint8_t editing;           /* answering to correct one summary answer */
  uint8_t stale;             /* restored against a changed spec */
  int16_t service;           /* index, -1 outside a service */
  uint16_t state;
  uint16_t return_state;     /* summary to return to after an edit */
  int64_t idle_at;           /* absolute Unix times; 0 = none */
  int64_t expire_at;
  /* Answers: one slot per variable of the current service; text values
   * live in text_buf. answer_order records the order answers were given,
   * which is what "back" undoes. */
  sv_value *values;          /* var_count slots, capacity values_cap */
  uint16_t values_cap;
  uint16_t *answer_order;    /* var indices, answer_count used */
  uint16_t answer_count;
  char *text_buf;            /* text values, compacted on save */
  uint32_t text_len, text_cap;
  uint8_t text_own;          /* text_buf is its own allocation */
  /* Not saved: set when a summary has just dropped the answers off its
   * path, on day pruned_day, and cleared by any change of an answer. Then
   * the answers are exactly the path's, and a submission need not walk
   * the path again to find them. */
  uint8_t pruned;
  int32_t pruned_day;
  /* Not saved: set when the service starts, on day forward_day, and
   * cleared by going back, dropping an answer, a correction, the idle
   * question or the flow moving on another day. While it holds (and the
   * service is forward_safe) every answer was given at the state the flow
   * reached, so the answers in answer_order are the path's, in its order,
   * and the summary need not walk the path to find them. A restored
   * session has it clear and walks. */
  uint8_t forward;
  int32_t forward_day;
  /* The slots changed since the step's undo copy was taken: each one's
   * old value was saved before its first change (lib/session.c). */
  uint64_t dirty[(SAMVAD_MAX_VARS + 64) / 64];
  uint8_t app_count;
  /* Last, so that the undo copy of a step can leave it out: only a
   * submission changes it, and saves it first (sv_session_rollback). */
  sv_app_record apps[SV_MAX_APPLICATIONS];
};

/* ---- Replies (lib/replies.c) ---------------------------------------------- */
struct samvad_replies {
  sv_alloc alloc;
  samvad_reply *items;
  size_t count, cap;
  char *text;                /* all reply texts, NUL-separated */
  size_t text_len, text_cap;
  samvad_option *options;    /* all options of all replies */
  size_t option_count, option_cap;
  samvad_application app;
  samvad_document doc;       /* a delivered certificate (one per list) */
  samvad_answer *answers;
  size_t answer_cap;
  char app_id[SV_REF_MAX];
};

#endif /* SAMVAD_INTERNAL_H */
