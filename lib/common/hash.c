/* SHA-256 through OpenSSL's EVP interface, rendered as lowercase hex. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mrm/hash.h"

static void to_hex(const unsigned char *d, unsigned n, char *hex)
{
	static const char x[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		hex[2 * i] = x[d[i] >> 4];
		hex[2 * i + 1] = x[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

int mrm_sha256_init(struct mrm_sha256 *h, struct mrm_error *err)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		h->md = NULL;
		return mrm_error_set(err, MRM_ESTORE, "cannot initialise SHA-256");
	}
	h->md = c;
	return MRM_OK;
}

void mrm_sha256_update(struct mrm_sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->md, data, len);
}

void mrm_sha256_final(struct mrm_sha256 *h, char hex[MRM_SHA256_HEX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestFinal_ex(h->md, d, &n);
	to_hex(d, n, hex);
	mrm_sha256_release(h);
}

void mrm_sha256_release(struct mrm_sha256 *h)
{
	if (h && h->md) {
		EVP_MD_CTX_free(h->md);
		h->md = NULL;
	}
}

struct mrm_sha256_hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

struct mrm_sha256_hasher *mrm_sha256_hasher_new(void)
{
	struct mrm_sha256_hasher *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (!h->md || !h->ctx) {
		mrm_sha256_hasher_free(h);
		return NULL;
	}
	return h;
}

void mrm_sha256_hasher_free(struct mrm_sha256_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

void mrm_sha256_hasher_hex(struct mrm_sha256_hasher *h, const void *data, size_t len,
			   char hex[MRM_SHA256_HEX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_DigestInit_ex2(h->ctx, h->md, NULL);
	EVP_DigestUpdate(h->ctx, data, len);
	EVP_DigestFinal_ex(h->ctx, d, &n);
	to_hex(d, n, hex);
}

void mrm_sha256_hex(const void *data, size_t len, char hex[MRM_SHA256_HEX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
	to_hex(d, n, hex);
}

int mrm_sha256_file(const char *path, char hex[MRM_SHA256_HEX], int64_t *size,
		    struct mrm_error *err)
{
	struct mrm_sha256 h;
	unsigned char buf[1 << 16];
	int64_t total = 0;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s", path,
				     strerror(errno));
	if (mrm_sha256_init(&h, err)) {
		fclose(f);
		return err ? err->code : MRM_ESTORE;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		mrm_sha256_update(&h, buf, n);
		total += (int64_t)n;
	}
	if (ferror(f)) {
		int e = errno;
		mrm_sha256_release(&h);
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s", path,
				     strerror(e));
	}
	fclose(f);
	mrm_sha256_final(&h, hex);
	if (size)
		*size = total;
	return MRM_OK;
}
