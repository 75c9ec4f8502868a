/* gzip-compressed ustar archives with zlib: a streaming writer and a streaming reader that never extracts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "common/targz.h"

#define BLOCK 512
#define ZBUF (64 * 1024)

/* ---- ustar headers ------------------------------------------------------------------ */

/* Writes `v` as `width - 1` octal digits and a NUL into field f. */
static void octal(char *f, size_t width, uint64_t v)
{
	f[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		f[i] = (char)('0' + (v & 7));
}

/* Splits `name` into ustar's prefix (<= 155) and name (<= 100) at a '/'; false if impossible. */
static bool split_name(const char *name, char prefix[156], char base[101])
{
	size_t n = strlen(name);

	prefix[0] = '\0';
	if (n <= 100) {
		memcpy(base, name, n + 1);
		return true;
	}
	for (size_t i = n; i-- > 0;) {
		if (name[i] != '/')
			continue;
		if (i <= 155 && n - i - 1 <= 100 && n - i - 1 > 0) {
			memcpy(prefix, name, i);
			prefix[i] = '\0';
			memcpy(base, name + i + 1, n - i);
			return true;
		}
	}
	return false;
}

static void header(unsigned char h[BLOCK], const char *prefix, const char *base, uint64_t size,
		   int64_t mtime)
{
	unsigned sum = 0;

	memset(h, 0, BLOCK);
	memcpy(h, base, strlen(base));                    /* name */
	octal((char *)h + 100, 8, 0644);                  /* mode */
	octal((char *)h + 108, 8, 0);                     /* uid */
	octal((char *)h + 116, 8, 0);                     /* gid */
	octal((char *)h + 124, 12, size);                 /* size */
	octal((char *)h + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
	memset(h + 148, ' ', 8);                          /* checksum, counted as spaces */
	h[156] = '0';                                     /* typeflag: regular file */
	memcpy(h + 257, "ustar", 6);                      /* magic "ustar\0" */
	memcpy(h + 263, "00", 2);                         /* version */
	memcpy(h + 265, "mrm", 3);                        /* uname */
	memcpy(h + 297, "mrm", 3);                        /* gname */
	memcpy(h + 345, prefix, strlen(prefix));          /* prefix */
	for (int i = 0; i < BLOCK; i++)
		sum += h[i];
	octal((char *)h + 148, 7, sum);                   /* six digits, NUL, then the space kept */
	h[155] = ' ';
}

/* ---- writing ------------------------------------------------------------------------ */

struct mrm__tgz_writer {
	FILE *f;
	z_stream z;
	int64_t mtime;
	uint64_t left;    /* bytes still due in the open member */
	uint64_t written; /* bytes of the open member so far */
	bool open;        /* a member is open */
	bool failed;
	unsigned char out[ZBUF];
};

int mrm__tgz_open(FILE *f, int64_t mtime, struct mrm__tgz_writer **out, struct mrm_error *err)
{
	struct mrm__tgz_writer *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return mrm_error_set(err, MRM_ESTORE, "out of memory starting an archive");
	/* windowBits 15 + 16: a gzip wrapper with a zero header time, so the bytes depend on the content only. */
	if (deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(w);
		return mrm_error_set(err, MRM_ESTORE, "cannot start gzip compression");
	}
	w->f = f;
	w->mtime = mtime;
	*out = w;
	return MRM_OK;
}

/* Compresses `len` bytes (flush: Z_NO_FLUSH or Z_FINISH) and writes what deflate gives. */
static int deflate_some(struct mrm__tgz_writer *w, const void *data, size_t len, int flush,
			struct mrm_error *err)
{
	int zr;

	if (w->failed)
		return mrm_error_set(err, MRM_EINPUT, "the archive could not be written");
	w->z.next_in = (Bytef *)(uintptr_t)data;
	w->z.avail_in = (uInt)len;
	do {
		size_t have;
		w->z.next_out = w->out;
		w->z.avail_out = ZBUF;
		zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR) {
			w->failed = true;
			return mrm_error_set(err, MRM_EINPUT, "gzip compression failed");
		}
		have = ZBUF - w->z.avail_out;
		if (have && fwrite(w->out, 1, have, w->f) != have) {
			w->failed = true;
			return mrm_error_set(err, MRM_EINPUT, "cannot write the archive: %s",
					     strerror(errno ? errno : EIO));
		}
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return MRM_OK;
}

/* Feeds `len` bytes in pieces deflate's uInt can take. */
static int put(struct mrm__tgz_writer *w, const void *data, size_t len, struct mrm_error *err)
{
	const unsigned char *p = data;

	while (len > 0) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;
		int rc = deflate_some(w, p, n, Z_NO_FLUSH, err);
		if (rc)
			return rc;
		p += n;
		len -= n;
	}
	return MRM_OK;
}

int mrm__tgz_begin(struct mrm__tgz_writer *w, const char *name, uint64_t size, struct mrm_error *err)
{
	unsigned char h[BLOCK];
	char prefix[156], base[101];

	if (w->open)
		return mrm_error_set(err, MRM_EINPUT, "internal: archive member %s started inside another", name);
	if (!name || !*name || name[0] == '/' || strlen(name) > MRM__TAR_NAME_MAX || !split_name(name, prefix, base))
		return mrm_error_set(err, MRM_EINPUT, "archive member name '%s' is not possible in a ustar "
				     "archive", name ? name : "");
	if (size > (uint64_t)MRM__TAR_SIZE_MAX)
		return mrm_error_set(err, MRM_EINPUT, "%s: larger than 8 GiB, the ustar limit", name);
	header(h, prefix, base, size, w->mtime);
	w->left = size;
	w->written = 0;
	w->open = true;
	return put(w, h, BLOCK, err);
}

int mrm__tgz_write(struct mrm__tgz_writer *w, const void *data, size_t len, struct mrm_error *err)
{
	if (!w->open || len > w->left)
		return mrm_error_set(err, MRM_EINPUT, "internal: more archive member bytes than announced");
	w->left -= len;
	w->written += len;
	return put(w, data, len, err);
}

int mrm__tgz_end(struct mrm__tgz_writer *w, struct mrm_error *err)
{
	static const unsigned char zero[BLOCK];
	size_t pad = (size_t)((BLOCK - w->written % BLOCK) % BLOCK);

	if (!w->open || w->left)
		return mrm_error_set(err, MRM_EINPUT, "internal: archive member ended %llu bytes short",
				     (unsigned long long)w->left);
	w->open = false;
	return pad ? put(w, zero, pad, err) : MRM_OK;
}

int mrm__tgz_add(struct mrm__tgz_writer *w, const char *name, const void *data, size_t len,
		 struct mrm_error *err)
{
	int rc;

	if ((rc = mrm__tgz_begin(w, name, len, err)) || (rc = mrm__tgz_write(w, data, len, err)))
		return rc;
	return mrm__tgz_end(w, err);
}

int mrm__tgz_close(struct mrm__tgz_writer *w, struct mrm_error *err)
{
	static const unsigned char zero[2 * BLOCK];
	int rc;

	if (w->open)
		rc = mrm_error_set(err, MRM_EINPUT, "internal: archive closed inside a member");
	else if (!(rc = put(w, zero, sizeof(zero), err)))
		rc = deflate_some(w, NULL, 0, Z_FINISH, err);
	if (!rc && fflush(w->f))
		rc = mrm_error_set(err, MRM_EINPUT, "cannot write the archive: %s", strerror(errno));
	mrm__tgz_free(w);
	return rc;
}

void mrm__tgz_free(struct mrm__tgz_writer *w)
{
	if (!w)
		return;
	deflateEnd(&w->z);
	free(w);
}

/* ---- reading ------------------------------------------------------------------------ */

struct mrm__tgz_reader {
	FILE *f;
	z_stream z;
	enum mrm__tgz_fault fault;
	bool zinit;
	bool started;    /* the first bytes were read (and checked for the gzip magic) */
	unsigned members; /* gzip members ended so far */
	bool garbage;    /* bytes that are not gzip follow the last member */
	bool stream_end; /* the gzip stream (all members) has ended */
	bool in_eof;     /* the file has no more bytes */
	uint64_t headers; /* member headers read so far */
	uint64_t left;   /* unread bytes of the current member */
	uint64_t pad;    /* padding after it */
	unsigned char in[ZBUF];
	unsigned char out[ZBUF];
	size_t out_pos, out_len;
};

int mrm__tgz_reader_open(FILE *f, struct mrm__tgz_reader **out, struct mrm_error *err)
{
	struct mrm__tgz_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return mrm_error_set(err, MRM_ESTORE, "out of memory reading an archive");
	r->f = f;
	if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
		free(r);
		return mrm_error_set(err, MRM_ESTORE, "cannot start gzip decompression");
	}
	r->zinit = true;
	*out = r;
	return MRM_OK;
}

static int fault(struct mrm__tgz_reader *r, enum mrm__tgz_fault f, struct mrm_error *err,
		 const char *msg)
{
	if (r->fault == MRM__TGZ_OK) {
		r->fault = f;
		mrm_error_set(err, MRM_EINPUT, "%s", msg);
	}
	return -1;
}

/* Refills the output buffer; 1 with bytes, 0 at the end of the gzip stream, -1 on a fault. */
static int refill(struct mrm__tgz_reader *r, struct mrm_error *err)
{
	if (r->fault)
		return -1;
	r->out_pos = r->out_len = 0;
	while (r->out_len == 0) {
		int zr;
		if (r->stream_end)
			return 0;
		if (r->z.avail_in == 0 && !r->in_eof) {
			size_t n = fread(r->in, 1, ZBUF, r->f);
			if (n == 0 && ferror(r->f))
				return fault(r, MRM__TGZ_IO, err, "cannot read the archive");
			if (n == 0)
				r->in_eof = true;
			if (!r->started && (n < 2 || r->in[0] != 0x1f || r->in[1] != 0x8b))
				return fault(r, MRM__TGZ_NOT_GZIP, err, "not a gzip file");
			r->started = true;
			r->z.next_in = r->in;
			r->z.avail_in = (uInt)n;
		}
		if (r->z.avail_in == 0 && r->in_eof)
			return fault(r, MRM__TGZ_TRUNCATED, err, "the archive is truncated (the gzip data ends early)");
		r->z.next_out = r->out;
		r->z.avail_out = ZBUF;
		zr = inflate(&r->z, Z_NO_FLUSH);
		r->out_len = ZBUF - r->z.avail_out;
		if (zr == Z_STREAM_END) {
			r->members++;
			/* Another gzip member may follow (concatenated files): go on with it. */
			if (r->z.avail_in == 0) {
				int c = fgetc(r->f);
				if (c == EOF) {
					if (ferror(r->f))
						return fault(r, MRM__TGZ_IO, err, "cannot read the archive");
					r->in_eof = true;
					r->stream_end = true;
				} else {
					r->in[0] = (unsigned char)c;
					r->z.next_in = r->in;
					r->z.avail_in = 1;
				}
			}
			if (!r->stream_end && inflateReset(&r->z) != Z_OK)
				return fault(r, MRM__TGZ_CORRUPT, err, "the archive is corrupt (gzip)");
		} else if (zr == Z_DATA_ERROR && r->members > 0 && r->z.total_out == 0) {
			/* Not a gzip member after the last one: bytes appended to the file. */
			r->garbage = true;
			r->stream_end = true;
			r->out_len = 0;
			return 0;
		} else if (zr == Z_DATA_ERROR) {
			return fault(r, MRM__TGZ_CORRUPT, err, r->z.msg && strstr(r->z.msg, "header")
							       ? "not a gzip file"
							       : "the archive is corrupt (gzip data error: it was altered)");
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			return fault(r, MRM__TGZ_CORRUPT, err, "the archive is corrupt (gzip)");
		}
	}
	return 1;
}

/* Reads exactly n bytes of the tar stream into buf (NULL: skip them); 1 ok, 0 at stream end, -1 fault. */
static int take(struct mrm__tgz_reader *r, unsigned char *buf, uint64_t n, struct mrm_error *err)
{
	while (n > 0) {
		size_t k;
		if (r->out_pos == r->out_len) {
			int rc = refill(r, err);
			if (rc <= 0)
				return rc;
		}
		k = r->out_len - r->out_pos;
		if (k > n)
			k = (size_t)n;
		if (buf) {
			memcpy(buf, r->out + r->out_pos, k);
			buf += k;
		}
		r->out_pos += k;
		n -= k;
	}
	return 1;
}

static bool all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Parses an octal field; false if it holds anything but octal digits, spaces and NULs. */
static bool parse_octal(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool any = false;

	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
		any = true;
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return any;
}

int mrm__tgz_next(struct mrm__tgz_reader *r, struct mrm__tgz_entry *e, struct mrm_error *err)
{
	unsigned char h[BLOCK];
	uint64_t sum = 0, stored = 0;
	size_t pn, nn;
	int rc;

	if ((rc = take(r, NULL, r->left + r->pad, err)) < 0)
		return -1;
	if (rc == 0 && r->left + r->pad > 0)
		return fault(r, MRM__TGZ_TRUNCATED, err, "the archive is truncated (a member is cut short)");
	r->left = r->pad = 0;
	rc = take(r, h, BLOCK, err);
	if (rc < 0)
		return -1;
	if (rc == 0 && r->headers == 0)
		return fault(r, MRM__TGZ_NOT_TAR, err, "not a tar archive (the gzip data is shorter than a tar header)");
	if (rc == 0)
		return fault(r, MRM__TGZ_TRUNCATED, err, "the archive is truncated (no end-of-archive blocks)");
	if (all_zero(h, BLOCK)) {
		/* The end: a second zero block must follow. */
		rc = take(r, h, BLOCK, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return fault(r, MRM__TGZ_TRUNCATED, err, "the archive is truncated (one end block of two)");
		if (!all_zero(h, BLOCK))
			return fault(r, MRM__TGZ_CORRUPT, err, "the archive is corrupt (a zero block inside it)");
		return 0;
	}
	for (int i = 0; i < BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	if ((!parse_octal(h + 148, 8, &stored) || stored != sum) && r->headers == 0)
		return fault(r, MRM__TGZ_NOT_TAR, err, "not a tar archive (no valid tar header)");
	if (!parse_octal(h + 148, 8, &stored) || stored != sum)
		return fault(r, MRM__TGZ_CORRUPT, err, "the archive is corrupt (a tar header's checksum "
						       "does not match: it was altered)");
	r->headers++;
	if (!parse_octal(h + 124, 12, &e->size))
		return fault(r, MRM__TGZ_CORRUPT, err, "the archive is corrupt (a tar header's size is not a number)");
	e->type = (char)h[156];
	/* ustar: prefix (if any) "/" name; without the magic the prefix field means nothing. */
	pn = memcmp(h + 257, "ustar", 5) ? 0 : strnlen((const char *)h + 345, 155);
	nn = strnlen((const char *)h, 100);
	if (pn) {
		memcpy(e->name, h + 345, pn);
		e->name[pn] = '/';
		memcpy(e->name + pn + 1, h, nn);
		e->name[pn + 1 + nn] = '\0';
	} else {
		memcpy(e->name, h, nn);
		e->name[nn] = '\0';
	}
	/* Only regular files carry data a reader must consume; others' sizes are skipped as well. */
	r->left = e->size;
	r->pad = (BLOCK - e->size % BLOCK) % BLOCK;
	return 1;
}

int64_t mrm__tgz_read(struct mrm__tgz_reader *r, void *buf, size_t cap, struct mrm_error *err)
{
	uint64_t n = r->left < cap ? r->left : cap;
	int rc;

	if (n == 0)
		return 0;
	rc = take(r, buf, n, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fault(r, MRM__TGZ_TRUNCATED, err, "the archive is truncated (a member is cut short)");
	r->left -= n;
	return (int64_t)n;
}

int mrm__tgz_finish(struct mrm__tgz_reader *r, bool *trailing, struct mrm_error *err)
{
	*trailing = false;
	for (;;) {
		int rc;
		if (r->out_pos < r->out_len) {
			if (!all_zero(r->out + r->out_pos, r->out_len - r->out_pos))
				*trailing = true;
			r->out_pos = r->out_len;
		}
		rc = refill(r, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
	}
	if (r->garbage)
		*trailing = true;
	return 0;
}

enum mrm__tgz_fault mrm__tgz_fault(const struct mrm__tgz_reader *r)
{
	return r->fault;
}

void mrm__tgz_reader_free(struct mrm__tgz_reader *r)
{
	if (!r)
		return;
	if (r->zinit)
		inflateEnd(&r->z);
	free(r);
}
