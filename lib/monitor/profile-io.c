/* The versioned little-endian profile file format: write (atomically), read and validate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrm/profile.h"
#include "profile-internal.h"

#define NAME_MAX_BYTES 65536u
#define COLS_MAX 1000000u
#define FILE_MAX ((uint64_t)1 << 34) /* 16 GiB: anything larger is not a profile */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int bad;
};

static void put(struct wbuf *w, const void *d, size_t n)
{
	if (w->bad)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *q;

		while (cap < w->len + n)
			cap *= 2;
		q = realloc(w->p, cap);
		if (!q) {
			w->bad = 1;
			return;
		}
		w->p = q;
		w->cap = cap;
	}
	if (n)
		memcpy(w->p + w->len, d, n);
	w->len += n;
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, 4);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, 8);
}

/* Appends a sketch's bytes (from a serializer) with a u32 length prefix; frees them. */
static int put_blob(struct wbuf *w, int rc, uint8_t *b, size_t n)
{
	if (!rc && n > UINT32_MAX)
		rc = MRM_EINPUT;
	if (!rc) {
		put_u32(w, (uint32_t)n);
		put(w, b, n);
	}
	free(b);
	return rc;
}

int mrm_profile_serialize(const struct mrm_profile *p, uint8_t **buf,
			  size_t *len, struct mrm_error *err)
{
	struct wbuf w = { 0 };
	size_t i;
	int rc;

	*buf = NULL;
	*len = 0;
	put(&w, "MRMP", 4);
	put_u32(&w, MRM_PROFILE_VERSION);
	put_u64(&w, p->rows);
	put_u32(&w, (uint32_t)p->ncols);
	for (i = 0; i < p->ncols; i++) {
		const struct mrm_profile_column *c = &p->cols[i];
		uint8_t *b = NULL, type = (uint8_t)c->type;
		size_t n = 0, nl = strlen(c->name);

		put_u32(&w, (uint32_t)nl);
		put(&w, c->name, nl);
		put(&w, &type, 1);
		put_u64(&w, c->count);
		put_u64(&w, c->missing);
/* Serialises one sketch (the call fills b and n) and appends it. */
#define BLOB(call)                                   \
	do {                                         \
		b = NULL;                            \
		n = 0;                               \
		rc = (call);                         \
		if (put_blob(&w, rc, b, n))          \
			goto fail;                   \
	} while (0)
		if (c->type == MRM_PROFILE_NUMERIC) {
			size_t j;

			BLOB(mrm_moments_serialize(&c->mom, &b, &n, err));
			BLOB(mrm_kll_serialize(c->kll, &b, &n, err));
			BLOB(mrm_hll_serialize(c->hll_num, &b, &n, err));
			/* Version 2: the reference bins, u32 0 when there are none. */
			put_u32(&w, c->bins ? (uint32_t)c->nedges : 0);
			for (j = 0; c->bins && j < c->nedges; j++) {
				uint64_t bits;

				memcpy(&bits, &c->edges[j], sizeof(bits));
				put_u64(&w, bits);
			}
			for (j = 0; c->bins && j <= c->nedges; j++)
				put_u64(&w, c->bins[j]);
		}
		BLOB(mrm_hll_serialize(c->hll_text, &b, &n, err));
		BLOB(mrm_freq_serialize(c->freq, &b, &n, err));
#undef BLOB
	}
	if (w.bad)
		goto fail;
	*buf = w.p;
	*len = w.len;
	return 0;
fail:
	free(w.p);
	return mrm_error_set(err, MRM_EINPUT, "cannot serialise the profile (out of memory)");
}

struct rbuf {
	const uint8_t *p;
	size_t len, at;
};

static int get(struct rbuf *r, void *d, size_t n)
{
	if (r->len - r->at < n)
		return -1;
	memcpy(d, r->p + r->at, n);
	r->at += n;
	return 0;
}

static int get_u32(struct rbuf *r, uint32_t *v)
{
	uint8_t b[4];
	int i;

	if (get(r, b, 4))
		return -1;
	*v = 0;
	for (i = 0; i < 4; i++)
		*v |= (uint32_t)b[i] << (8 * i);
	return 0;
}

static int get_u64(struct rbuf *r, uint64_t *v)
{
	uint8_t b[8];
	int i;

	if (get(r, b, 8))
		return -1;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return 0;
}

/* A length-prefixed blob: *d points into the buffer. */
static int get_blob(struct rbuf *r, const uint8_t **d, size_t *n)
{
	uint32_t l;

	if (get_u32(r, &l) || r->len - r->at < l)
		return -1;
	*d = r->p + r->at;
	*n = l;
	r->at += l;
	return 0;
}

/* A numeric column's reference bins (version 2); NULL when fine, else what is wrong. */
static const char *get_bins(struct rbuf *r, struct mrm_profile_column *c)
{
	uint32_t k, j;
	uint64_t sum = 0;

	if (get_u32(r, &k))
		return "truncated";
	if (k == 0)
		return NULL;
	if (k > MRM_PROFILE_EDGES_MAX)
		return "absurd number of bin edges";
	if (r->len - r->at < (size_t)k * 8 + ((size_t)k + 1) * 8)
		return "truncated";
	c->edges = malloc(k * sizeof(*c->edges));
	c->bins = malloc(((size_t)k + 1) * sizeof(*c->bins));
	if (!c->edges || !c->bins)
		return "out of memory";
	c->nedges = k;
	for (j = 0; j < k; j++) {
		uint64_t bits;

		get_u64(r, &bits);
		memcpy(&c->edges[j], &bits, sizeof(bits));
		if (!isfinite(c->edges[j]) || (j && !(c->edges[j] > c->edges[j - 1])))
			return "bin edges are not finite and increasing";
	}
	for (j = 0; j <= k; j++) {
		get_u64(r, &c->bins[j]);
		if (c->bins[j] > c->count - sum)
			return "bin counts disagree with the column count";
		sum += c->bins[j];
	}
	if (sum != c->count)
		return "bin counts disagree with the column count";
	return NULL;
}

int mrm_profile_deserialize(const char *name, const void *buf, size_t len,
			    struct mrm_profile **out, struct mrm_error *err)
{
	struct rbuf r = { buf, len, 0 };
	struct mrm_profile *p = NULL;
	struct mrm_error e2 = { 0 };
	char magic[4];
	uint32_t version, ncols, i;
	uint64_t rows;
	const char *what = "truncated";

	*out = NULL;
	if (get(&r, magic, 4) || memcmp(magic, "MRMP", 4)) {
		what = len < 4 ? "truncated (no header)" : "not an mrm profile (bad magic)";
		goto bad;
	}
	if (get_u32(&r, &version))
		goto bad;
	if (version != 1 && version != MRM_PROFILE_VERSION)
		return mrm_error_set(err, MRM_EINPUT,
				     "%s: profile version %u is not supported by this mrm (supports 1, %d)",
				     name, version, MRM_PROFILE_VERSION);
	if (get_u64(&r, &rows) || get_u32(&r, &ncols))
		goto bad;
	/* A column takes at least 4 + 1 + 16 + 2 * 4 bytes. */
	if (ncols > COLS_MAX) {
		what = "absurd column count";
		goto bad;
	}
	if ((uint64_t)ncols * 29 > len - r.at)
		goto bad; /* too short for its columns: truncated */
	p = calloc(1, sizeof(*p));
	if (!p || !(p->cols = calloc(ncols ? ncols : 1, sizeof(*p->cols)))) {
		free(p);
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", name);
	}
	p->rows = rows;
	p->version = version;
	for (i = 0; i < ncols; i++) {
		struct mrm_profile_column *c = &p->cols[i];
		uint32_t nl;
		uint8_t type;
		const uint8_t *d;
		size_t n;

		p->ncols = i + 1;
		if (get_u32(&r, &nl))
			goto bad;
		if (nl > NAME_MAX_BYTES || memchr(r.p + r.at, 0, nl < r.len - r.at ? nl : r.len - r.at)) {
			what = "bad column name";
			goto bad;
		}
		if (r.len - r.at < nl)
			goto bad;
		c->name = malloc((size_t)nl + 1);
		if (!c->name) {
			what = "out of memory";
			goto bad;
		}
		get(&r, c->name, nl);
		c->name[nl] = '\0';
		if (get(&r, &type, 1) || get_u64(&r, &c->count) || get_u64(&r, &c->missing))
			goto bad;
		if (type != MRM_PROFILE_NUMERIC && type != MRM_PROFILE_CATEGORICAL) {
			what = "bad column type";
			goto bad;
		}
		c->type = type;
		if (c->count > rows || c->missing > rows - c->count || c->count + c->missing != rows) {
			what = "counts do not add up to the row count";
			goto bad;
		}
		mrm_moments_init(&c->mom);
		if (type == MRM_PROFILE_NUMERIC) {
			if (get_blob(&r, &d, &n))
				goto bad;
			if (mrm_moments_deserialize(&c->mom, d, n, &e2))
				goto sketch;
			if (get_blob(&r, &d, &n))
				goto bad;
			if (mrm_kll_deserialize(&c->kll, d, n, &e2))
				goto sketch;
			if (get_blob(&r, &d, &n))
				goto bad;
			if (mrm_hll_deserialize(&c->hll_num, d, n, &e2))
				goto sketch;
			if (c->mom.count != c->count || c->mom.missing != c->missing ||
			    mrm_kll_n(c->kll) != c->count) {
				what = "sketch counts disagree with the column counts";
				goto bad;
			}
			if (version >= 2 && (what = get_bins(&r, c)))
				goto bad;
			what = "truncated";
		}
		if (get_blob(&r, &d, &n))
			goto bad;
		if (mrm_hll_deserialize(&c->hll_text, d, n, &e2))
			goto sketch;
		if (get_blob(&r, &d, &n))
			goto bad;
		if (mrm_freq_deserialize(&c->freq, d, n, &e2))
			goto sketch;
		if (mrm_freq_n(c->freq) != c->count) {
			what = "sketch counts disagree with the column counts";
			goto bad;
		}
	}
	if (r.at != len) {
		what = "trailing bytes after the last column";
		goto bad;
	}
	*out = p;
	return 0;
sketch:
	mrm_profile_free(p);
	return mrm_error_set(err, MRM_EINPUT, "%s: corrupt profile: column %u: %s", name,
			     (unsigned)i + 1, e2.msg);
bad:
	mrm_profile_free(p);
	return mrm_error_set(err, MRM_EINPUT, "%s: corrupt profile: %s", name, what);
}

int mrm_profile_write(const struct mrm_profile *p, const char *path,
		      struct mrm_error *err)
{
	uint8_t *b;
	size_t n;
	char tmp[4096];
	FILE *f;
	int rc;

	if ((rc = mrm_profile_serialize(p, &b, &n, err)))
		return rc;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		free(b);
		return mrm_error_set(err, MRM_EINPUT, "%s: path too long", path);
	}
	f = fopen(tmp, "wb");
	if (!f) {
		free(b);
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", path, strerror(errno));
	}
	if (fwrite(b, 1, n, f) != n || fflush(f) || fsync(fileno(f))) {
		rc = errno;
		fclose(f);
		unlink(tmp);
		free(b);
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", path, strerror(rc));
	}
	free(b);
	if (fclose(f) || rename(tmp, path)) {
		rc = errno;
		unlink(tmp);
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", path, strerror(rc));
	}
	return 0;
}

int mrm_profile_read(const char *path, struct mrm_profile **out,
		     struct mrm_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	if (!f)
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot read: %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			uint8_t *q;

			if (cap >= FILE_MAX) {
				fclose(f);
				free(b);
				return mrm_error_set(err, MRM_EINPUT, "%s: too large for a profile", path);
			}
			cap = cap ? cap * 2 : 1 << 20;
			q = realloc(b, cap);
			if (!q) {
				fclose(f);
				free(b);
				return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", path);
			}
			b = q;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(b);
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot read: %s", path, strerror(errno));
	}
	fclose(f);
	rc = mrm_profile_deserialize(path, b, n, out, err);
	free(b);
	return rc;
}

bool mrm_profile_sniff(const char *path)
{
	char magic[4];
	FILE *f;
	bool yes;

	if (!path || !strcmp(path, "-") || !(f = fopen(path, "rb")))
		return false;
	yes = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "MRMP", 4);
	fclose(f);
	return yes;
}
