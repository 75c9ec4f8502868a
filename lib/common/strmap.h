/*
 * A string-keyed hash map with open addressing, for the few places that
 * must index many keys in memory (audit replay, exports). Keys are copied;
 * values are opaque pointers the caller owns.
 */
#ifndef MRM_STRMAP_H
#define MRM_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct mrm_strmap;

/* A new, empty map; NULL when out of memory. Free with mrm_strmap_free. */
struct mrm_strmap *mrm_strmap_new(void);

/* Frees the map and its key copies (not the values); NULL is a no-op. */
void mrm_strmap_free(struct mrm_strmap *m);

/*
 * Returns the slot for `key` (length `len`), creating it with value NULL if
 * it is new; NULL only when out of memory. The caller stores into *slot.
 */
void **mrm_strmap_slot(struct mrm_strmap *m, const char *key, size_t len);

/* The value for `key`, or NULL if absent. `found` (may be NULL) tells which. */
void *mrm_strmap_get(const struct mrm_strmap *m, const char *key, size_t len,
		     bool *found);

/* Calls `fn` for each entry, in no particular order. */
void mrm_strmap_each(const struct mrm_strmap *m,
		     void (*fn)(const char *key, size_t len, void *value, void *arg),
		     void *arg);

size_t mrm_strmap_size(const struct mrm_strmap *m);

#endif
