/* loader.c - the public loader API: collecting documents (and reading a
 * spec folder, the one place the library touches files), diagnostics, and
 * samvad_loader_finish, which runs the compile passes and hands out a
 * whole catalogue or nothing. */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Diagnostics ------------------------------------------------------- */

/* Drops a UTF-8 sequence that snprintf cut short at the end of buf. */
static void trim_cut_utf8(char *buf) {
  size_t n = strlen(buf), k = 0;
  while (k < n && k < 4 && ((unsigned char)buf[n - 1 - k] & 0xC0) == 0x80)
    k++;
  if (k < n && !sv_utf8_valid(buf + n - 1 - k, k + 1))
    buf[n - 1 - k] = '\0';
}

void sv_diag(samvad_loader *L, const char *file, const char *path,
             const char *fmt, ...) {
  if (L->diag_overflow)
    return;
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  if (vsnprintf(msg, sizeof msg, fmt, ap) >= (int)sizeof msg)
    trim_cut_utf8(msg);
  va_end(ap);
  char line[1024];
  if (L->diag_count == SV_MAX_DIAGS) {
    L->diag_overflow = true;
    snprintf(line, sizeof line,
             "%s:$: error: too many errors; the rest are not shown", file);
  } else {
    if (snprintf(line, sizeof line, "%s:%s: error: %s", file,
                 path && *path ? path : "$", msg) >= (int)sizeof line)
      trim_cut_utf8(line);
  }
  for (size_t i = 0; i < L->diag_count; i++)
    if (strcmp(L->diags[i], line) == 0)
      return;
  if (L->diag_count == L->diag_cap) {
    size_t cap = L->diag_cap ? L->diag_cap * 2 : 16;
    const char **d = sv_realloc(&L->alloc, (void *)L->diags, cap * sizeof *d);
    if (!d) {
      L->oom = true;
      return;
    }
    L->diags = d;
    L->diag_cap = cap;
  }
  const char *copy = sv_arena_strndup(&L->docs, line, strlen(line));
  if (!copy) {
    L->oom = true;
    return;
  }
  L->diags[L->diag_count++] = copy;
}

size_t samvad_loader_diag_count(const samvad_loader *loader) {
  return loader ? loader->diag_count : 0;
}

const char *samvad_loader_diag(const samvad_loader *loader, size_t i) {
  return loader && i < loader->diag_count ? loader->diags[i] : NULL;
}

/* ---- Handle ------------------------------------------------------------- */

int samvad_loader_create(const samvad_allocator *alloc, samvad_loader **out) {
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  sv_alloc al;
  sv_alloc_init(&al, alloc);
  samvad_loader *L = sv_malloc(&al, sizeof *L);
  if (!L)
    return SAMVAD_ENOMEM;
  memset(L, 0, sizeof *L);
  L->alloc = al;
  sv_arena_init(&L->docs, &al);
  *out = L;
  return SAMVAD_OK;
}

void samvad_loader_destroy(samvad_loader *loader) {
  if (!loader)
    return;
  sv_alloc al = loader->alloc;
  sv_free(&al, (void *)loader->diags);
  sv_arena_free(&loader->docs);
  sv_free(&al, loader);
}

/* ---- Adding documents ---------------------------------------------------- */

static const char *base_name(const char *name) {
  const char *slash = strrchr(name, '/');
  return slash ? slash + 1 : name;
}

int samvad_loader_add(samvad_loader *L, const char *name, const char *json,
                      size_t json_len) {
  if (!L || !name || (!json && json_len))
    return SAMVAD_EINVAL;
  if (L->finished)
    return SAMVAD_EMISUSE;
  if (L->oom)
    return SAMVAD_ENOMEM;
  if (!json)
    json = "";
  int rc = SAMVAD_ESPEC;
  if (L->doc_count >= SAMVAD_MAX_SPECS) {
    sv_diag(L, name, NULL, "more than %d spec files in one catalogue",
            SAMVAD_MAX_SPECS);
    goto out;
  }
  if (json_len > SAMVAD_MAX_SPEC_BYTES) {
    sv_diag(L, name, NULL, "file is larger than %u bytes",
            (unsigned)SAMVAD_MAX_SPEC_BYTES);
    goto out;
  }
  sv_doc *d = sv_arena_alloc(&L->docs, sizeof *d);
  char *file = d ? sv_arena_strndup(&L->docs, name, strlen(name)) : NULL;
  if (!file) {
    L->oom = true;
    goto out;
  }
  d->file = file;
  d->base = base_name(file);
  char msg[256], path[SV_PATH_MAX];
  sv_json *root = NULL;
  int prc = sv_json_parse(&L->docs, json, json_len, &root, msg, sizeof msg,
                          path, sizeof path);
  if (prc == SAMVAD_ENOMEM) {
    L->oom = true;
    goto out;
  }
  if (prc != 0) {
    sv_diag(L, file, path, "%s", msg);
    goto out;
  }
  if (root->type != SV_J_OBJ) {
    sv_diag(L, file, NULL, "expected a JSON object, found %s",
            sv_json_type_name(root));
    goto out;
  }
  sv_arena scratch;
  sv_arena_init(&scratch, &L->alloc);
  sv_path p;
  sv_path_init(&p, NULL);
  bool unique = sv_json_check_dups(L, &scratch, file, root, &p);
  sv_arena_free(&scratch);
  if (L->oom || !unique)
    goto out;
  if (sv_json_get(root, "catalogue"))
    d->kind = SV_DOC_CATALOGUE;
  else if (sv_json_get(root, "block"))
    d->kind = SV_DOC_BLOCK;
  else if (sv_json_get(root, "id"))
    d->kind = SV_DOC_SERVICE;
  else {
    sv_diag(L, file, NULL,
            "not a spec: expected the key \"id\" (a service), \"block\" or "
            "\"catalogue\"");
    goto out;
  }
  d->root = root;
  crypto_generichash(d->hash, sizeof d->hash, (const unsigned char *)json,
                     json_len, NULL, 0);
  if (L->last)
    L->last->next = d;
  else
    L->first = d;
  L->last = d;
  L->doc_count++;
  rc = SAMVAD_OK;
out:
  return L->oom ? SAMVAD_ENOMEM : rc;
}

/* ---- Reading a folder ----------------------------------------------------- */

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void io_diag(samvad_loader *L, const char *file, const char *what,
                    int err) {
  char buf[128];
  if (strerror_r(err, buf, sizeof buf) != 0)
    snprintf(buf, sizeof buf, "error %d", err);
  sv_diag(L, file, NULL, "%s: %s", what, buf);
}

/* Reads one file into memory (bounded) and adds it. */
static int add_file(samvad_loader *L, const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    io_diag(L, path, "cannot open file", errno);
    return SAMVAD_EIO;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    io_diag(L, path, "cannot read file", errno);
    close(fd);
    return SAMVAD_EIO;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return SAMVAD_OK; /* a folder named x.json is not a spec */
  }
  if (st.st_size > (off_t)SAMVAD_MAX_SPEC_BYTES) {
    close(fd);
    sv_diag(L, path, NULL, "file is larger than %u bytes",
            (unsigned)SAMVAD_MAX_SPEC_BYTES);
    return SAMVAD_ESPEC;
  }
  size_t cap = (size_t)st.st_size, len = 0;
  char *buf = sv_malloc(&L->alloc, cap + 1);
  if (!buf) {
    close(fd);
    L->oom = true;
    return SAMVAD_ENOMEM;
  }
  /* Read one byte more than stat said, so a file that grew is noticed. */
  for (;;) {
    ssize_t n = read(fd, buf + len, cap + 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      sv_free(&L->alloc, buf);
      close(fd);
      io_diag(L, path, "cannot read file", e);
      return SAMVAD_EIO;
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len > cap) {
      sv_free(&L->alloc, buf);
      close(fd);
      sv_diag(L, path, NULL, "file changed while it was read");
      return SAMVAD_EIO;
    }
  }
  close(fd);
  int rc = samvad_loader_add(L, path, buf, len);
  sv_free(&L->alloc, buf);
  return rc;
}

/* Adds dir/<x>.json in name order. A missing optional folder is fine. */
static int add_folder(samvad_loader *L, const char *dir, bool required,
                      bool *opened) {
  DIR *dh = opendir(dir);
  *opened = dh != NULL;
  if (!dh) {
    if (!required && errno == ENOENT)
      return SAMVAD_OK;
    io_diag(L, dir, "cannot read directory", errno);
    return SAMVAD_EIO;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  int rc = SAMVAD_OK;
  struct dirent *e;
  while ((e = readdir(dh)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 6 || e->d_name[0] == '.' || strcmp(e->d_name + n - 5, ".json"))
      continue;
    if (count > SAMVAD_MAX_SPECS) /* one over: add() then reports it */
      break;
    if (count == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      char **nn = sv_realloc(&L->alloc, names, ncap * sizeof *nn);
      if (!nn) {
        rc = SAMVAD_ENOMEM;
        break;
      }
      names = nn;
      cap = ncap;
    }
    size_t dl = strlen(dir);
    bool slash = dl && dir[dl - 1] == '/';
    char *full = sv_malloc(&L->alloc, dl + n + 2);
    if (!full) {
      rc = SAMVAD_ENOMEM;
      break;
    }
    snprintf(full, dl + n + 2, "%s%s%s", dir, slash ? "" : "/", e->d_name);
    names[count++] = full;
  }
  closedir(dh);
  if (rc == SAMVAD_OK && count)
    qsort(names, count, sizeof *names, cmp_names);
  for (size_t i = 0; i < count; i++) {
    if (rc != SAMVAD_ENOMEM) {
      int r = add_file(L, names[i]);
      if (r == SAMVAD_ENOMEM || (r == SAMVAD_EIO && rc != SAMVAD_ENOMEM) ||
          (r == SAMVAD_ESPEC && rc == SAMVAD_OK))
        rc = r;
    }
    sv_free(&L->alloc, names[i]);
  }
  sv_free(&L->alloc, names);
  if (rc == SAMVAD_ENOMEM)
    L->oom = true;
  return rc;
}

int samvad_loader_add_dir(samvad_loader *L, const char *dir) {
  if (!L || !dir)
    return SAMVAD_EINVAL;
  if (L->finished)
    return SAMVAD_EMISUSE;
  if (L->oom)
    return SAMVAD_ENOMEM;
  bool opened;
  int rc = add_folder(L, dir, true, &opened);
  if (rc == SAMVAD_ENOMEM || !opened)
    return rc;
  size_t dl = strlen(dir);
  char *blocks = sv_malloc(&L->alloc, dl + 8);
  if (!blocks) {
    L->oom = true;
    return SAMVAD_ENOMEM;
  }
  snprintf(blocks, dl + 8, "%s%sblocks", dir,
           dl && dir[dl - 1] == '/' ? "" : "/");
  int rb = add_folder(L, blocks, false, &opened);
  sv_free(&L->alloc, blocks);
  if (rb == SAMVAD_ENOMEM || (rb == SAMVAD_EIO && rc != SAMVAD_EIO) ||
      (rb == SAMVAD_ESPEC && rc == SAMVAD_OK))
    rc = rb;
  return rc;
}

/* ---- Finishing ------------------------------------------------------------ */

/* Copies a tmp-arena table into the catalogue. */
static const void *keep(sv_build *b, const void *p, size_t bytes) {
  if (!bytes)
    return NULL;
  void *q = sv_arena_alloc(b->cat, bytes);
  if (!q) {
    b->L->oom = true;
    return NULL;
  }
  memcpy(q, p, bytes);
  return q;
}

int samvad_loader_finish(samvad_loader *L, samvad_catalogue **out) {
  if (!L || !out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (L->finished)
    return SAMVAD_EMISUSE;
  L->finished = true;
  if (L->oom)
    return SAMVAD_ENOMEM;

  sv_arena cat;
  sv_arena_init(&cat, &L->alloc);
  sv_build b;
  memset(&b, 0, sizeof b);
  b.L = L;
  b.cat = &cat;
  sv_arena_init(&b.tmp, &L->alloc);
  b.c = sv_arena_alloc(&cat, sizeof *b.c);
  b.empty = b.c ? sv_intern(&b, "", 0) : NULL;
  if (!b.c || !b.empty) {
    L->oom = true;
    goto done;
  }

  sv_catalogue_defaults(b.c);
  const sv_doc *catdoc = NULL;
  size_t nservices = 0;
  for (const sv_doc *d = L->first; d; d = d->next) {
    if (d->kind == SV_DOC_SERVICE)
      nservices++;
    if (d->kind != SV_DOC_CATALOGUE)
      continue;
    if (catdoc)
      sv_diag(L, d->file, NULL, "a second catalogue file (the first is %s)",
              catdoc->file);
    else
      catdoc = d;
  }
  if (!catdoc)
    sv_diag(L, "catalogue.json", NULL,
            "no catalogue file was loaded (the file with the key "
            "\"catalogue\")");
  else
    sv_compile_catalogue(&b, catdoc);

  sv_check_blocks(&b);
  sv_service *svcs =
      sv_tmp_alloc(&b, (nservices ? nservices : 1) * sizeof *svcs);
  size_t n = 0;
  for (const sv_doc *d = L->first; d && svcs && !L->oom; d = d->next)
    if (d->kind == SV_DOC_SERVICE && sv_compile_service(&b, d, &svcs[n]))
      n++;
  for (size_t i = 0; i < b.block_count && !L->oom; i++)
    if (b.block_info[i].ok && !b.block_info[i].used)
      sv_check_unused_block(&b, i);
  if (nservices == 0 && catdoc)
    sv_diag(L, catdoc->file, NULL, "no service specs were loaded");
  if (catdoc && svcs && !L->oom)
    sv_order_services(&b, catdoc, svcs, n);

  b.c->exprs = keep(&b, b.exprs, b.expr_count * sizeof *b.exprs);
  b.c->expr_args = keep(&b, b.args, b.arg_count * sizeof *b.args);
  b.c->transitions = keep(&b, b.trans, b.trans_count * sizeof *b.trans);

done:;
  int rc = L->oom ? SAMVAD_ENOMEM
                  : L->diag_count ? SAMVAD_ESPEC : SAMVAD_OK;
  sv_arena_free(&b.tmp);
  if (rc != SAMVAD_OK) {
    sv_arena_free(&cat);
    return rc;
  }
  b.c->arena = cat;
  if (sv_catalogue_index(b.c) != SAMVAD_OK) {
    L->oom = true;
    samvad_catalogue_destroy(b.c);
    return SAMVAD_ENOMEM;
  }
  *out = b.c;
  return SAMVAD_OK;
}

/* ---- Convenience ------------------------------------------------------------ */

int samvad_catalogue_load_dir(const char *dir, const samvad_allocator *alloc,
                              samvad_catalogue **out, char *errbuf,
                              size_t errbuf_size) {
  if (errbuf && errbuf_size)
    errbuf[0] = '\0';
  if (!out)
    return SAMVAD_EINVAL;
  *out = NULL;
  if (!dir)
    return SAMVAD_EINVAL;
  samvad_loader *L = NULL;
  int rc = samvad_loader_create(alloc, &L);
  if (rc != SAMVAD_OK) {
    if (errbuf && errbuf_size)
      snprintf(errbuf, errbuf_size, "%s", samvad_strerror(rc));
    return rc;
  }
  /* After a read error the load is refused anyway; the other problems
   * can wait until the files can be read. */
  int rd = samvad_loader_add_dir(L, dir);
  if (rd == SAMVAD_ENOMEM || rd == SAMVAD_EIO)
    rc = rd;
  else
    rc = samvad_loader_finish(L, out);
  if (rc != SAMVAD_OK && errbuf && errbuf_size) {
    size_t o = 0;
    if (rc == SAMVAD_ENOMEM)
      snprintf(errbuf, errbuf_size, "%s", samvad_strerror(rc));
    for (size_t i = 0; rc != SAMVAD_ENOMEM && i < L->diag_count; i++) {
      int w = snprintf(errbuf + o, errbuf_size - o, "%s%s", i ? "\n" : "",
                       L->diags[i]);
      if (w < 0 || (size_t)w >= errbuf_size - o)
        break; /* snprintf has cut it off and terminated it */
      o += (size_t)w;
    }
  }
  samvad_loader_destroy(L);
  return rc;
}
