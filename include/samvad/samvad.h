/* samvad.h - the public API of libsamvad, the declarative citizen-service
 * conversation engine. This header is the manual: every function documents
 * what it does, who owns what afterwards, and what it does with NULL.
 *
 * Two handles carry the model: a samvad_catalogue (every service spec,
 * loaded once, read-only afterwards, shared by any number of threads) and a
 * samvad_session (one citizen's conversation, a small value that any store
 * can keep as bytes). samvad_step() is a pure function of (catalogue,
 * session, message, time): it does no I/O and never reads the clock. */
#ifndef SAMVAD_H
#define SAMVAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SAMVAD_API __attribute__((visibility("default")))
#define SAMVAD_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define SAMVAD_API
#define SAMVAD_WARN_UNUSED
#endif

#define SAMVAD_VERSION_MAJOR 0
#define SAMVAD_VERSION_MINOR 1
#define SAMVAD_VERSION_PATCH 0
#define SAMVAD_VERSION_STRING "0.1.0"

/* ---- Errors ------------------------------------------------------------
 * Every function that can fail returns int: 0 on success or one of the
 * negative codes below. The list is the single source of the enum, of
 * samvad_strerror() and of samvad_err_name(). */
#define SAMVAD_ERRNO_MAP(XX)                                                  \
  XX(ENOMEM, -1, "out of memory")                                             \
  XX(EINVAL, -2, "invalid argument")                                          \
  XX(EMISUSE, -3, "library used incorrectly")                                 \
  XX(ESPEC, -4, "invalid service spec")                                       \
  XX(EIO, -5, "cannot read file")                                             \
  XX(ENOSPC, -6, "buffer too small")                                          \
  XX(ECORRUPT, -7, "malformed session bytes")                                 \
  XX(EVERSION, -8, "unsupported session encoding version")                    \
  XX(ELIMIT, -9, "input exceeds a size limit")                                \
  XX(ENOTFOUND, -10, "not found")                                            \
  XX(EEXIST, -11, "already exists")                                           \
  XX(ESTATE, -12, "not allowed in the current state")                         \
  XX(ESTORE, -13, "the store failed")                                         \
  XX(EBUSY, -14, "the store is locked by another process")

enum samvad_error {
  SAMVAD_OK = 0,
#define SAMVAD_XX_ENUM(name, value, text) SAMVAD_##name = value,
  SAMVAD_ERRNO_MAP(SAMVAD_XX_ENUM)
#undef SAMVAD_XX_ENUM
};

/* A static English description of an error code; never NULL, never freed. */
SAMVAD_API const char *samvad_strerror(int err);
/* The code's name ("SAMVAD_ESPEC"); "SAMVAD_UNKNOWN" for an unknown code. */
SAMVAD_API const char *samvad_err_name(int err);
/* The library's version string, e.g. "0.1.0". */
SAMVAD_API const char *samvad_version(void);

/* ---- Limits on what comes from outside ---------------------------------
 * Anything larger is refused with SAMVAD_ELIMIT (messages) or a load error
 * (specs). */
#define SAMVAD_MAX_MESSAGE_BYTES 4096   /* one incoming text */
#define SAMVAD_MAX_SPEC_BYTES (1u << 20) /* one spec file */
#define SAMVAD_MAX_SPECS 256            /* files in one catalogue */
#define SAMVAD_MAX_STATES 1024          /* states in one service */
#define SAMVAD_MAX_OPTIONS 64           /* options in one choice */
#define SAMVAD_MAX_VARS 255             /* variables in one service */
#define SAMVAD_MAX_EXPR_DEPTH 16        /* nesting of one condition */
#define SAMVAD_MAX_AUTO_STEPS 64        /* states passed without a wait */
#define SAMVAD_MAX_USER_ID_BYTES 128    /* a transport's user id */
#define SAMVAD_MAX_SESSION_BYTES 16384  /* a serialised session */

/* ---- Memory -------------------------------------------------------------
 * An optional allocator for each handle, in the style of yajl. NULL means
 * the C library's malloc/realloc/free. The functions must behave like
 * theirs; ctx is passed back untouched. */
typedef struct samvad_allocator {
  void *(*malloc_fn)(void *ctx, size_t size);
  void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
  void (*free_fn)(void *ctx, void *ptr);
  void *ctx;
} samvad_allocator;

/* ---- Languages ---------------------------------------------------------- */
typedef enum samvad_lang { SAMVAD_LANG_HI = 0, SAMVAD_LANG_EN = 1 } samvad_lang;
#define SAMVAD_LANG_COUNT 2
/* "hi" or "en". */
SAMVAD_API const char *samvad_lang_code(samvad_lang lang);

/* ---- Loading specs -----------------------------------------------------
 * A loader collects spec files (one service each), block files (reusable
 * groups of states) and the catalogue file (global commands, messages,
 * defaults), then compiles them together into a catalogue. A load either
 * yields a complete catalogue or none: there is never a half-loaded one.
 * Diagnostics read "file:json.path: error: message". */
typedef struct samvad_loader samvad_loader;
typedef struct samvad_catalogue samvad_catalogue;

/* Creates an empty loader. alloc may be NULL; the catalogue it builds uses
 * the same allocator. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_loader_create(const samvad_allocator *alloc, samvad_loader **out);

/* Adds one JSON document. name is the file name used in diagnostics and, for
 * a service spec, must be "<service id>.json" (any directory part is
 * ignored). The document's kind is told by its top-level keys: "service"
 * specs have "id", blocks have "block", the catalogue file has "catalogue".
 * The loader copies what it needs; json need not outlive the call. Returns
 * SAMVAD_ESPEC when the document is refused (see samvad_loader_diag). */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_loader_add(samvad_loader *loader, const char *name, const char *json,
                  size_t json_len);

/* Reads every *.json file in dir and in dir/blocks (sorted by name, so a
 * load is reproducible) and adds each. This is the one place where the
 * library reads files. Returns SAMVAD_EIO when dir cannot be read. */
SAMVAD_API SAMVAD_WARN_UNUSED int samvad_loader_add_dir(samvad_loader *loader,
                                                       const char *dir);

/* Checks everything added (references across files, reachability,
 * translations, variables) and compiles it into a catalogue. On success
 * *out owns a new catalogue, independent of the loader. On failure *out is
 * NULL, SAMVAD_ESPEC is returned and the diagnostics say why. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_loader_finish(samvad_loader *loader, samvad_catalogue **out);

/* The number of diagnostics so far and the i-th one, as
 * "file:json.path: error: message". The string belongs to the loader and
 * lives until it is destroyed. Out of range: NULL. */
SAMVAD_API size_t samvad_loader_diag_count(const samvad_loader *loader);
SAMVAD_API const char *samvad_loader_diag(const samvad_loader *loader,
                                          size_t i);

/* Frees the loader and everything it owns; NULL is a no-op. A catalogue
 * already returned by samvad_loader_finish stays valid. */
SAMVAD_API void samvad_loader_destroy(samvad_loader *loader);

/* Convenience: loader_create + add_dir + finish. On failure the first
 * diagnostics (joined by newlines) are copied into errbuf, truncated to
 * errbuf_size; errbuf may be NULL. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_catalogue_load_dir(const char *dir, const samvad_allocator *alloc,
                          samvad_catalogue **out, char *errbuf,
                          size_t errbuf_size);

/* Frees a catalogue in one call; NULL is a no-op. Every session created
 * from it must be destroyed first (or never used again). */
SAMVAD_API void samvad_catalogue_destroy(samvad_catalogue *catalogue);

/* Read-only introspection, for menus, documentation and transports. Index i
 * runs from 0 to count-1 in menu order; strings belong to the catalogue. */
SAMVAD_API size_t samvad_catalogue_service_count(const samvad_catalogue *c);
SAMVAD_API const char *samvad_catalogue_service_id(const samvad_catalogue *c,
                                                   size_t i);
SAMVAD_API const char *
samvad_catalogue_service_title(const samvad_catalogue *c, size_t i,
                               samvad_lang lang);
SAMVAD_API const char *
samvad_catalogue_service_version(const samvad_catalogue *c, size_t i);

/* How long the catalogue says abandoned applications' answers are kept
 * ("retention_days" in catalogue.json; 30 days unless it says otherwise). */
SAMVAD_API int64_t
samvad_catalogue_retention_seconds(const samvad_catalogue *c);

/* ---- Messages in ---------------------------------------------------------
 * What a transport hands to samvad_step, already normalised. Strings are
 * borrowed for the duration of the call only. */
typedef enum samvad_message_kind {
  SAMVAD_MSG_TEXT = 0,   /* typed text: text, text_len */
  SAMVAD_MSG_OPTION = 1, /* a tapped button or list row: option_id */
  SAMVAD_MSG_MEDIA = 2   /* a photo or document: media_id, mime, caption */
} samvad_message_kind;

typedef struct samvad_message {
  samvad_message_kind kind;
  const char *id;        /* the transport's message id; may be NULL */
  const char *text;      /* UTF-8, need not be NUL-terminated */
  size_t text_len;
  const char *option_id; /* NUL-terminated */
  const char *media_id;  /* NUL-terminated; a file path in the terminal */
  const char *media_mime;    /* may be NULL */
  const char *media_caption; /* may be NULL */
} samvad_message;

/* ---- Replies out ----------------------------------------------------------
 * Transport-neutral: each reply is a text, optionally with a choice to make
 * (options with stable ids) and optionally announcing a submitted
 * application. A transport renders choices its own way (buttons, a list,
 * numbered text). */
typedef struct samvad_option {
  const char *id;    /* stable id: route by this, never by title */
  const char *title; /* in the reply's language */
} samvad_option;

typedef struct samvad_answer {
  const char *name;  /* variable name, e.g. "groom_dob" */
  const char *value; /* normalised value as text, e.g. "1995-03-12" */
} samvad_answer;

typedef struct samvad_application {
  const char *id;      /* reference number, e.g. "MR-2026-7K3QX9WD" */
  const char *service; /* service id */
  const samvad_answer *answers; /* every answer on the submitted path */
  size_t answer_count;
} samvad_application;

/* A signed certificate delivered in the chat (after an approval): the
 * transport sends its QR code as an image or document. */
typedef struct samvad_document {
  const char *service; /* the issuing service's id */
  const char *number;  /* certificate number, e.g. "MC-0F3KZ8Q1W2ZNA" */
  const char *qr;      /* the QR text, "SV1:..." (docs/certificates.md) */
} samvad_document;

typedef struct samvad_reply {
  const char *text;    /* UTF-8, NUL-terminated, never NULL */
  samvad_lang lang;
  const char *flow;    /* service id, or NULL outside a service */
  const char *state;   /* state name; NULL outside a service and for
                          a service's introduction */
  const samvad_option *options; /* NULL unless a choice is asked */
  size_t option_count;
  const samvad_application *application; /* NULL unless one was submitted */
  const samvad_document *document; /* NULL unless a certificate is sent */
} samvad_reply;

/* A reusable buffer for the replies of one step. Reusing one across steps
 * makes a step allocation-free once the buffer has grown. */
typedef struct samvad_replies samvad_replies;

SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_replies_create(const samvad_allocator *alloc, samvad_replies **out);
SAMVAD_API void samvad_replies_destroy(samvad_replies *replies);
SAMVAD_API size_t samvad_replies_count(const samvad_replies *replies);
/* The i-th reply, valid until the next step into this buffer or its
 * destruction; NULL when out of range. */
SAMVAD_API const samvad_reply *samvad_replies_get(const samvad_replies *r,
                                                  size_t i);

/* ---- Sessions -------------------------------------------------------------
 * One citizen's conversation. A session refers to the catalogue it was
 * created or restored with, which must outlive it. Sessions share nothing
 * mutable: different sessions may step on different threads at once. */
typedef struct samvad_session samvad_session;

/* Creates a fresh session (no language chosen yet, outside any service).
 * alloc may be NULL. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_session_create(const samvad_catalogue *catalogue,
                      const samvad_allocator *alloc, samvad_session **out);
SAMVAD_API void samvad_session_destroy(samvad_session *session);

/* Serialises the session into buf (compact, versioned). *len receives the
 * size used; when cap is too small nothing usable is written,
 * SAMVAD_ENOSPC is returned and *len holds the size needed. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_session_save(const samvad_session *session, unsigned char *buf,
                    size_t cap, size_t *len);

/* Rebuilds a session from samvad_session_save's bytes. Malformed bytes give
 * SAMVAD_ECORRUPT or SAMVAD_EVERSION and no session. Bytes saved under an
 * older version of a spec whose state no longer exists still restore: the
 * next step explains and starts the service again. */
SAMVAD_API SAMVAD_WARN_UNUSED int
samvad_session_restore(const samvad_catalogue *catalogue,
                       const samvad_allocator *alloc, const unsigned char *buf,
                       size_t len, samvad_session **out);

/* Introspection: the conversation's language, current service id and state
 * name (NULL outside a service). Strings belong to the catalogue. */
SAMVAD_API samvad_lang samvad_session_lang(const samvad_session *session);
SAMVAD_API const char *samvad_session_flow(const samvad_session *session);
SAMVAD_API const char *samvad_session_state(const samvad_session *session);

/* Chooses the conversation's language before (or instead of) detecting it
 * from the first message, as a host does for `samvad chat --lang hi`. */
SAMVAD_API void samvad_session_set_lang(samvad_session *session,
                                        samvad_lang lang);

/* ---- The step -------------------------------------------------------------
 * Applies one incoming message at time now (Unix seconds, supplied by the
 * host) to the session and writes the replies into out (cleared first).
 * Pure: the same catalogue, session bytes, message and time always give the
 * same session and replies. On error the session is unchanged. */
SAMVAD_API SAMVAD_WARN_UNUSED int samvad_step(const samvad_catalogue *catalogue,
                                              samvad_session *session,
                                              const samvad_message *message,
                                              int64_t now,
                                              samvad_replies *out);

#ifdef __cplusplus
}
#endif
#endif /* SAMVAD_H */
