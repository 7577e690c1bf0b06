/* loader.h - private interfaces between the spec loader's modules
 * (loader*.c) and the condition compiler in expr.c.
 * Nothing here is used outside the loader. */
#ifndef SAMVAD_LOADER_H
#define SAMVAD_LOADER_H

#include "internal.h"

#include <stdarg.h>

#if defined(__GNUC__) || defined(__clang__)
#define SV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SV_PRINTF(f, a)
#endif

#define SV_MAX_JSON_DEPTH 64   /* nesting of any spec document */
#define SV_MAX_DIAGS 200       /* diagnostics kept per load */
#define SV_MAX_NAME 48         /* state, variable, service and block names */
#define SV_MAX_OPTION_ID 32
#define SV_MAX_TRANSITIONS 64  /* transitions of one state */
#define SV_MAX_LIST 256        /* documents, keywords, menu entries, words */
#define SV_MAX_IN_LIST 64      /* constants in one "in" list */

/* ---- JSON paths for diagnostics ------------------------------------------ */
#define SV_PATH_MAX 512
typedef struct sv_path {
  char buf[SV_PATH_MAX];
  size_t len;
} sv_path;

void sv_path_init(sv_path *p, const char *start);
/* Append ".key" (or "key" at the root) / "[i]"; return the previous length
 * to hand back to sv_path_pop. Too long a path is cut off, not overrun. */
size_t sv_path_key(sv_path *p, const char *key);
size_t sv_path_index(sv_path *p, size_t i);
void sv_path_pop(sv_path *p, size_t mark);
/* The path, or "$" for the document itself. */
const char *sv_path_str(const sv_path *p);

/* ---- JSON documents (loader_json.c) -------------------------------------- */
typedef enum sv_jtype {
  SV_J_NULL = 0,
  SV_J_BOOL,
  SV_J_INT,
  SV_J_DOUBLE,
  SV_J_STR,
  SV_J_ARR,
  SV_J_OBJ
} sv_jtype;

typedef struct sv_json sv_json;
struct sv_json {
  uint8_t type;        /* sv_jtype */
  bool b;              /* BOOL */
  int64_t i;           /* INT */
  double d;            /* DOUBLE */
  const char *s;       /* STR: NUL-terminated, no NUL inside */
  uint32_t len;        /* STR */
  sv_json **items;     /* ARR and OBJ: the values */
  const char **keys;   /* OBJ: the keys, NUL-terminated */
  uint32_t *key_lens;  /* OBJ */
  uint32_t n;          /* ARR and OBJ: number of items */
};

/* Parses text with yajl into a tree allocated from arena. Returns 0,
 * SAMVAD_ENOMEM, or SAMVAD_ESPEC with a message ("invalid JSON at line 3,
 * column 7: ...") in msg and the JSON path where parsing stopped in path. */
int sv_json_parse(sv_arena *arena, const char *text, size_t len,
                  sv_json **out, char *msg, size_t msgcap, char *path,
                  size_t pathcap);
/* Reports every duplicate key in j (yajl itself accepts them); false if
 * there was one. scratch holds temporary sort arrays. */
struct samvad_loader;
bool sv_json_check_dups(struct samvad_loader *L, sv_arena *scratch,
                        const char *file, const sv_json *j, sv_path *p);
/* The value of key in an object, or NULL. */
const sv_json *sv_json_get(const sv_json *obj, const char *key);
/* "string", "object", ... for messages. */
const char *sv_json_type_name(const sv_json *j);

/* A short quoted copy of a string for messages: "value", with control
 * characters escaped and long values cut at a character boundary. */
typedef struct sv_qbuf {
  char b[100];
} sv_qbuf;
const char *sv_quote(sv_qbuf *q, const char *s, size_t len);

/* Strict ISO date "YYYY-MM-DD" -> days since 1970-01-01. */
bool sv_iso_date(const char *s, size_t len, int32_t *days);

/* ---- The loader handle (loader.c) ---------------------------------------- */
enum sv_doc_kind { SV_DOC_SERVICE = 0, SV_DOC_BLOCK, SV_DOC_CATALOGUE };

typedef struct sv_doc sv_doc;
struct sv_doc {
  sv_doc *next;          /* in the order added */
  const char *file;      /* as given, for diagnostics */
  const char *base;      /* file name without directories */
  uint8_t kind;          /* sv_doc_kind */
  const sv_json *root;
  unsigned char hash[16];/* BLAKE2b of the file's bytes */
};

struct samvad_loader {
  sv_alloc alloc;
  sv_arena docs;         /* documents, their trees and the diagnostics */
  sv_doc *first, *last;
  size_t doc_count;
  const char **diags;    /* sv_realloc'd array of arena strings */
  size_t diag_count, diag_cap;
  bool diag_overflow;    /* SV_MAX_DIAGS reached, "too many" said */
  bool oom;              /* an allocation failed: the load is ENOMEM */
  bool finished;
};

/* Records "file:path: error: message" (path NULL or "" means "$").
 * Identical diagnostics are kept once, so a fault in a block used by
 * several services is told once. */
void sv_diag(samvad_loader *L, const char *file, const char *path,
             const char *fmt, ...) SV_PRINTF(4, 5);

/* ---- The compile context of samvad_loader_finish ---------------------- */
typedef struct sv_smap {   /* string -> int, open addressing */
  const char **keys;
  uint32_t *lens;
  int32_t *vals;
  uint32_t cap, count;
} sv_smap;

typedef struct sv_build {
  samvad_loader *L;
  sv_arena *cat;         /* the catalogue's arena: everything kept */
  sv_arena tmp;          /* scratch, freed when finish returns */
  samvad_catalogue *c;
  sv_smap strings;       /* interned strings (value unused) */
  sv_smap blocks;        /* block name -> index into block_docs */
  const sv_doc **block_docs;
  struct sv_block_info *block_info;
  size_t block_count;
  /* Catalogue-wide tables, grown in tmp and copied into cat at the end. */
  sv_expr *exprs;
  size_t expr_count, expr_cap;
  uint32_t *args;
  size_t arg_count, arg_cap;
  sv_transition *trans;
  size_t trans_count, trans_cap;
  const char *empty;     /* the interned "" */
} sv_build;

/* Scratch helpers: all report failure by setting L->oom. */
void *sv_tmp_alloc(sv_build *b, size_t size);
char *sv_tmp_printf(sv_build *b, const char *fmt, ...) SV_PRINTF(2, 3);
/* Makes room for one more element of size elem in a tmp-arena array. */
bool sv_tmp_grow(sv_build *b, void **arr, size_t *cap, size_t count,
                 size_t elem);
/* The catalogue's single copy of s[0..len). */
const char *sv_intern(sv_build *b, const char *s, size_t len);

/* -1 when absent; sv_smap_put returns false when out of memory. */
int32_t sv_smap_get(const sv_smap *m, const char *s, size_t len);
bool sv_smap_put(sv_build *b, sv_smap *m, const char *s, size_t len,
                 int32_t val);

/* Object key checks: reports unknown and missing keys at path. Returns
 * false when obj is not an object (also reported). */
bool sv_check_keys(sv_build *b, const char *file, sv_path *p,
                   const sv_json *obj, const char *const *required,
                   const char *const *optional);
/* Reads a bilingual text object; reports problems; false on error. */
bool sv_read_text(sv_build *b, const char *file, sv_path *p,
                  const sv_json *j, const char *s[SAMVAD_LANG_COUNT],
                  size_t len[SAMVAD_LANG_COUNT]);
/* Reads, checks and interns a text without placeholders to resolve. */
bool sv_plain_text(sv_build *b, const char *file, sv_path *p,
                   const sv_json *j, sv_text *out);
/* Names: [a-z0-9_]{1,max} (dash false) or [a-z0-9-]{1,max} (dash true). */
bool sv_valid_name(const char *s, size_t len, size_t max, bool dash);
/* Folds with sv_fold into the catalogue; NULL (and reported) when the
 * result is empty or unusable. */
const char *sv_fold_intern(sv_build *b, const char *file, sv_path *p,
                           const char *s, size_t len);
/* An integer value in [lo, hi]; reports and returns false otherwise. */
bool sv_read_int(sv_build *b, const char *file, sv_path *p,
                 const sv_json *j, int64_t lo, int64_t hi, int64_t *out);

/* ---- Parts of finish ----------------------------------------------------- */
/* loader_catalogue.c: the built-in defaults, then the catalogue file. */
void sv_catalogue_defaults(samvad_catalogue *c);
void sv_compile_catalogue(sv_build *b, const sv_doc *d);
/* Orders b->c->services by the catalogue's menu and checks cross-service
 * rules (menu names, reference prefixes). */
void sv_order_services(sv_build *b, const sv_doc *cat, sv_service *svcs,
                       size_t count);

/* loader_block.c checks block files on their own (and unused blocks);
 * loader_service.c compiles one service, expanding the blocks it uses. */
typedef struct sv_block_info {
  const sv_doc *doc;
  bool ok;               /* top level sound: it can be expanded */
  bool used;
  const sv_json *states;
  const char *start;
  sv_smap vars;          /* variables its states save */
} sv_block_info;

void sv_check_blocks(sv_build *b);
bool sv_compile_service(sv_build *b, const sv_doc *d, sv_service *out);
/* Compiles a block that no service uses, inside a service made up for it,
 * so its faults are still found. */
void sv_check_unused_block(sv_build *b, size_t block);

/* ---- Condition compilation (expr.c) ------------------------------------ */
/* What a condition may refer to, supplied by the service compiler. */
typedef struct sv_scope {
  sv_build *b;
  const char *file;
  sv_path *path;
  const sv_var *vars;          /* the service's variables */
  size_t var_count;
  const char *const *const *option_ids; /* per variable: its option ids */
  const uint16_t *option_counts;        /* 0 for non-choice variables */
  const uint64_t *avail;       /* variables set earlier; NULL: no check */
  /* Maps a name in the spec to a variable: -1 unknown; -2 in a block, a
   * name the block does not save. */
  int (*lookup)(const struct sv_scope *sc, const char *name, size_t len);
  const void *ud;              /* for lookup */
} sv_scope;

/* Compiles a condition; returns the index into b->exprs, or -1 after
 * reporting what is wrong (or on out of memory). */
int32_t sv_expr_compile(const sv_scope *sc, const sv_json *j);

/* Variables bitsets (SAMVAD_MAX_VARS + 1 bits: the last stands for "an
 * application was submitted", which makes {reference} available). */
#define SV_BITSET_WORDS 4
#define SV_BIT_SUBMITTED 255
static inline bool sv_bit_get(const uint64_t *set, unsigned i) {
  return (set[i >> 6] >> (i & 63)) & 1u;
}
static inline void sv_bit_set(uint64_t *set, unsigned i) {
  set[i >> 6] |= (uint64_t)1 << (i & 63);
}

/* ---- Flow checks (loader_check.c) ------------------------------------- */
/* The service's flow as a graph, as the checks need it. */
typedef struct sv_flow_state {
  const char *name;     /* full name */
  const char *file;     /* where it is written */
  const char *path;     /* "states.<name>" in that file */
  uint8_t kind;         /* sv_state_kind; SV_KIND_BROKEN when unusable */
  int16_t var;          /* saved variable or -1 */
  uint32_t first_edge;
  uint16_t edge_count;
} sv_flow_state;

#define SV_KIND_BROKEN 0xff
#define SV_KIND_USE 0xfe /* a use state, before expansion */

typedef struct sv_flow {
  sv_flow_state *st;
  size_t count;
  uint16_t *edges;      /* targets */
  int32_t start;        /* -1 when unknown */
  /* results */
  bool *reached;
  uint64_t (*in)[SV_BITSET_WORDS]; /* may be set on entry */
} sv_flow;

/* Reachability, the "may be set earlier" analysis, and loops or long
 * chains of states that never wait (reported here). The caller reports
 * unreachable states. Returns false on out of memory. */
bool sv_flow_check(sv_build *b, sv_flow *f);

/* ---- One service being compiled (loader_service.c, loader_state.c) ---- */
typedef struct sv_use {
  const char *name;      /* the using state's name */
  const char *file;      /* the service file */
  const char *path;      /* "states.<name>" there */
  size_t block;          /* index into b->block_info */
  const char *as;        /* variable prefix */
  size_t as_len;
  const char *label[SAMVAD_LANG_COUNT]; /* raw, replaces {label} */
  size_t label_len[SAMVAD_LANG_COUNT];
  const sv_json *next;   /* the using state's next (a name) */
  int32_t next_state;    /* resolved, -1 unknown */
  int32_t start;         /* the block's start, expanded; -1 unknown */
} sv_use;

typedef struct sv_pstate {
  const sv_json *node;
  const char *name;      /* full name, interned */
  const char *local;     /* name inside its file */
  const char *file;
  const char *path;      /* "states.<local>" */
  sv_use *use;           /* the block use it comes from, or NULL */
  uint8_t kind;          /* sv_state_kind or SV_KIND_BROKEN */
  int16_t var;
  uint8_t itype;         /* input type of an ask state */
  const char **opt_ids;  /* choice: option ids (NULL entries if bad) */
  uint16_t opt_count;
  uint32_t first_tr;     /* raw transitions in sv_svc.tr */
  uint16_t tr_count;
} sv_pstate;

typedef struct sv_rtrans {
  int32_t target;        /* -1 unresolved */
  const sv_json *when;
} sv_rtrans;

typedef struct sv_svc {
  sv_build *b;
  const sv_doc *doc;
  sv_pstate *st;
  size_t count, cap;
  sv_use *uses;
  size_t use_count, use_cap;
  sv_smap names;         /* state name -> index; use name -> -2 - use */
  sv_var *vars;
  size_t var_count;
  sv_smap var_names;
  const char *const **var_opts; /* per variable, its option ids */
  uint16_t *var_opt_counts;
  sv_rtrans *tr;
  size_t tr_count, tr_cap;
  sv_flow flow;
} sv_svc;

/* The top-level fields of a service (loader_fields.c). */
void sv_compile_fields(sv_svc *sc, sv_service *out);
/* Its "certificate" section (loader_cert.c), once states and variables
 * are compiled. */
void sv_compile_certificate(sv_svc *sc, sv_service *out);

/* loader_service.c: the target of a "next"/"goto" name; -1 (reported)
 * when unknown. */
int32_t sv_resolve_target(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                          const sv_json *name);
/* The variable a name in a state's text or condition refers to. */
int sv_state_var(const sv_svc *sc, const sv_pstate *ps, const char *name,
                 size_t len);
/* loader_state.c: compiles state i (passes done: names, variables,
 * targets, flow analysis) into out. */
void sv_compile_state(sv_svc *sc, size_t i, sv_state *out);
/* loader_input.c: the "input" of an ask state (type already known). */
void sv_compile_input(sv_svc *sc, const sv_pstate *ps, sv_path *p,
                      const uint64_t *avail, sv_input *out);
/* Pass 1 for one state: its kind, keys, saved variable and input type. */
void sv_state_pass1(sv_svc *sc, size_t i);

#endif /* SAMVAD_LOADER_H */
