/* SHA-256 of buffers and files, as lowercase hex (OpenSSL's EVP underneath). */
#ifndef MRM_HASH_H
#define MRM_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "mrm/error.h"

#define MRM_SHA256_HEX 65 /* 64 hex digits plus NUL */

/* Streaming hasher; `mrm_sha256_init` must precede updates. */
struct mrm_sha256 {
	void *md; /* EVP_MD_CTX * */
};

int mrm_sha256_init(struct mrm_sha256 *h, struct mrm_error *err);
void mrm_sha256_update(struct mrm_sha256 *h, const void *data, size_t len);
/* Writes the hex digest to `hex` and releases the context. */
void mrm_sha256_final(struct mrm_sha256 *h, char hex[MRM_SHA256_HEX]);
/* Releases a context that will not be finalised. NULL-safe. */
void mrm_sha256_release(struct mrm_sha256 *h);

/*
 * A reusable SHA-256 context for hot loops (audit verification hashes
 * hundreds of thousands of short buffers): fetches the algorithm once.
 * NULL when out of memory; free with mrm_sha256_hasher_free (NULL-safe).
 */
struct mrm_sha256_hasher;
struct mrm_sha256_hasher *mrm_sha256_hasher_new(void);
void mrm_sha256_hasher_free(struct mrm_sha256_hasher *h);
/* Digest of one buffer with a hasher. */
void mrm_sha256_hasher_hex(struct mrm_sha256_hasher *h, const void *data, size_t len,
			   char hex[MRM_SHA256_HEX]);

/* One-shot digest of a buffer. */
void mrm_sha256_hex(const void *data, size_t len, char hex[MRM_SHA256_HEX]);

/*
 * Digest of the file at `path`, read in chunks; `size` (may be NULL)
 * receives its length. Errors (MRM_EINPUT) name the path and the reason.
 */
int mrm_sha256_file(const char *path, char hex[MRM_SHA256_HEX],
		    int64_t *size, struct mrm_error *err);

#endif
