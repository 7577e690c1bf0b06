/* json_tree.h - JSON read into yajl_tree's values (yajl_val), built from
 * yajl's events into one arena instead of a malloc per value, key and
 * string. Webhooks and gateway lines are read this way: with yajl_tree,
 * allocating and freeing the nodes was most of the cost of reading them.
 * The values are exactly what yajl_tree_parse gives (types, key order,
 * repeated keys, strings, a number's text, its integer and double and
 * their validity flags; comments are allowed as yajl_tree allows them),
 * so code written for yajl_tree reads them unchanged. */
#ifndef SAMVAD_HOST_JSON_TREE_H
#define SAMVAD_HOST_JSON_TREE_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

/* Parses text[0..len) (no NUL needed; a NUL byte inside is an error).
 * max_depth limits how deep arrays and objects nest (0: no limit).
 * Returns the root, or NULL with yajl's message (its first line only:
 * the rest quotes the input) in err[0..err_size) when err is not NULL.
 * Free the root with host_json_tree_free, never yajl_tree_free; every
 * value under it lives as long as the root. */
yajl_val host_json_tree_parse(const char *text, size_t len,
                              unsigned max_depth, char *err, size_t err_size);

/* Frees a root from host_json_tree_parse and every value under it, at
 * once (no recursion: any depth is safe). NULL is ignored. */
void host_json_tree_free(yajl_val root);

#endif
