/* loader_block.c - block files checked on their own (name, file name,
 * start, the variables they save, which are the only ones renamed on
 * expansion), and blocks that no service uses, which are compiled inside a
 * made-up service so that their faults are still found. */
#include "loader.h"

#include <string.h>

void sv_check_blocks(sv_build *b) {
  static const char *const req[] = {"block", "start", "states", NULL};
  size_t n = 0;
  for (const sv_doc *d = b->L->first; d; d = d->next)
    n += d->kind == SV_DOC_BLOCK;
  b->block_docs = sv_tmp_alloc(b, (n + 1) * sizeof *b->block_docs);
  b->block_info = sv_tmp_alloc(b, (n + 1) * sizeof *b->block_info);
  if (!b->block_docs || !b->block_info)
    return;
  for (const sv_doc *d = b->L->first; d; d = d->next) {
    if (d->kind != SV_DOC_BLOCK)
      continue;
    sv_block_info *bi = &b->block_info[b->block_count];
    memset(bi, 0, sizeof *bi);
    bi->doc = d;
    sv_path p;
    sv_path_init(&p, NULL);
    sv_check_keys(b, d->file, &p, d->root, req, NULL);
    const sv_json *name = sv_json_get(d->root, "block");
    const sv_json *start = sv_json_get(d->root, "start");
    const sv_json *states = sv_json_get(d->root, "states");
    bool ok = true;
    sv_qbuf q;
    if (name->type != SV_J_STR || !sv_valid_name(name->s, name->len,
                                                 SV_MAX_NAME, false)) {
      sv_diag(b->L, d->file, "block",
              "a block name is 1 to %d characters a-z, 0-9 and _",
              SV_MAX_NAME);
      ok = false;
    } else {
      char *want = sv_tmp_printf(b, "%s.json", name->s);
      if (want && strcmp(want, d->base) != 0)
        sv_diag(b->L, d->file, "block",
                "block %s must be in a file named \"%s\"",
                sv_quote(&q, name->s, name->len), want);
      int32_t prev = sv_smap_get(&b->blocks, name->s, name->len);
      if (prev >= 0) {
        sv_diag(b->L, d->file, "block", "block %s is also defined in %s",
                sv_quote(&q, name->s, name->len),
                b->block_docs[prev]->file);
        ok = false;
      } else if (!sv_smap_put(b, &b->blocks, name->s, name->len,
                              (int32_t)b->block_count)) {
        return;
      }
    }
    if (!states || states->type != SV_J_OBJ || states->n == 0) {
      if (states)
        sv_diag(b->L, d->file, "states",
                "expected an object of states, found %s",
                states->type == SV_J_OBJ ? "an empty one"
                                         : sv_json_type_name(states));
      ok = false;
    } else {
      bi->states = states;
      /* The variables the block saves: only these are renamed, and only
       * these may its texts and conditions name. */
      for (uint32_t i = 0; i < states->n; i++) {
        const sv_json *save = sv_json_get(states->items[i], "save");
        if (save && save->type == SV_J_STR &&
            !sv_smap_put(b, &bi->vars, save->s, save->len, 0))
          return;
      }
    }
    if (start && (start->type != SV_J_STR ||
                  (bi->states && !sv_json_get(bi->states, start->s)))) {
      sv_diag(b->L, d->file, "start", "unknown state %s",
              start->type == SV_J_STR ? sv_quote(&q, start->s, start->len)
                                      : sv_json_type_name(start));
      ok = false;
    }
    bi->start = start && start->type == SV_J_STR ? start->s : NULL;
    bi->ok = ok && start;
    b->block_docs[b->block_count++] = d;
  }
}

void sv_check_unused_block(sv_build *b, size_t block) {
  const sv_block_info *bi = &b->block_info[block];
  const sv_json *name = sv_json_get(bi->doc->root, "block");
  char *text = sv_tmp_printf(
      b,
      "{\"id\": \"block-check\", \"version\": \"0\","
      " \"department\": {\"en\": \"x\", \"hi\": \"x\"},"
      " \"title\": {\"en\": \"x\", \"hi\": \"x\"},"
      " \"summary\": {\"en\": \"x\", \"hi\": \"x\"}, \"documents\": [],"
      " \"fee\": {\"amount\": null, \"text\": {\"en\": \"x\", \"hi\": \"x\"}},"
      " \"time_limit_days\": 0, \"keywords\": [], \"reference_prefix\": "
      "\"XX\", \"start\": \"b\", \"states\": {"
      " \"b\": {\"type\": \"use\", \"block\": \"%s\", \"as\": \"b\","
      " \"label\": {\"en\": \"x\", \"hi\": \"x\"}, \"next\": \"e\"},"
      " \"e\": {\"type\": \"end\", \"prompt\": {\"en\": \"x\", \"hi\": "
      "\"x\"}}}}",
      name->s);
  if (!text)
    return;
  sv_json *root = NULL;
  char msg[256], path[SV_PATH_MAX];
  if (sv_json_parse(&b->tmp, text, strlen(text), &root, msg, sizeof msg,
                    path, sizeof path) != 0) {
    b->L->oom = true;
    return;
  }
  /* A made-up service around the block: the faults found can only be the
   * block's own, and they are reported at the block's file. */
  sv_doc fake;
  memset(&fake, 0, sizeof fake);
  fake.file = bi->doc->file;
  fake.base = "block-check.json";
  fake.kind = SV_DOC_SERVICE;
  fake.root = root;
  size_t ne = b->expr_count, na = b->arg_count, nt = b->trans_count;
  sv_service ignored;
  sv_compile_service(b, &fake, &ignored);
  b->expr_count = ne;
  b->arg_count = na;
  b->trans_count = nt;
}
