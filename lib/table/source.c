/* Byte sources for the readers, with transparent gzip (see source.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "table/source.h"

#define ZIN_SIZE (256 * 1024)

static void init(struct mrm__src *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->name = name;
}

int mrm__src_open_path(struct mrm__src *s, const char *path, const char *name,
		       struct mrm_error *err)
{
	init(s, name);
	if (!strcmp(path, "-")) {
		s->fd = 0;
		return MRM_OK;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s", name,
				     strerror(errno));
	s->close_fd = true;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	return MRM_OK;
}

void mrm__src_open_mem(struct mrm__src *s, const void *data, size_t len,
		       const char *name)
{
	init(s, name);
	s->mem = data;
	s->memlen = len;
}

void mrm__src_open_fn(struct mrm__src *s, mrm_table_read_fn fn, void *arg,
		      const char *name)
{
	init(s, name);
	s->fn = fn;
	s->arg = arg;
}

/* One read from the underlying source; *got 0 means its end. */
static int raw_read(struct mrm__src *s, void *buf, size_t cap, size_t *got,
		    struct mrm_error *err)
{
	ssize_t n;

	*got = 0;
	if (s->raw_eof || cap == 0)
		return MRM_OK;
	if (s->mem) {
		size_t k = s->memlen - s->mempos < cap ? s->memlen - s->mempos : cap;
		memcpy(buf, s->mem + s->mempos, k);
		s->mempos += k;
		n = (ssize_t)k;
	} else {
		if (cap > ((size_t)1 << 30))
			cap = (size_t)1 << 30;
		do {
			n = s->fn ? s->fn(s->arg, buf, cap) : read(s->fd, buf, cap);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s",
					     s->name, strerror(errno));
	}
	if (n == 0)
		s->raw_eof = true;
	s->raw_bytes += (uint64_t)n;
	*got = (size_t)n;
	return MRM_OK;
}

int mrm__src_detect(struct mrm__src *s, struct mrm_error *err)
{
	z_stream *z;
	size_t got;
	int rc;

	s->ahead = malloc(ZIN_SIZE);
	if (!s->ahead)
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", s->name);
	while (s->nahead < 2 && !s->raw_eof) {
		rc = raw_read(s, s->ahead + s->nahead, ZIN_SIZE - s->nahead, &got, err);
		if (rc)
			return rc;
		s->nahead += got;
	}
	if (s->nahead < 2 || s->ahead[0] != 0x1f || s->ahead[1] != 0x8b)
		return MRM_OK;
	z = calloc(1, sizeof(*z));
	if (!z)
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory", s->name);
	if (inflateInit2(z, 15 + 16) != Z_OK) {
		free(z);
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot start gzip", s->name);
	}
	s->z = z;
	s->gz = true;
	s->zin = s->ahead;
	s->zcap = ZIN_SIZE;
	s->ahead = NULL;
	z->next_in = s->zin;
	z->avail_in = (uInt)s->nahead;
	s->nahead = 0;
	return MRM_OK;
}

/* Makes input available to inflate; false at the end of the raw input. */
static int refill(struct mrm__src *s, bool *more, struct mrm_error *err)
{
	z_stream *z = s->z;
	size_t got;
	int rc;

	*more = true;
	if (z->avail_in)
		return MRM_OK;
	rc = raw_read(s, s->zin, s->zcap, &got, err);
	if (rc)
		return rc;
	z->next_in = s->zin;
	z->avail_in = (uInt)got;
	*more = got > 0;
	return MRM_OK;
}

static int gz_read(struct mrm__src *s, char *buf, size_t cap, size_t *got,
		   struct mrm_error *err)
{
	z_stream *z = s->z;
	bool more;
	int rc;

	*got = 0;
	while (*got < cap) {
		if (s->member_end) {
			/* After a member: another member, zero padding or the end. */
			if ((rc = refill(s, &more, err)))
				return rc;
			if (!more)
				break;
			while (z->avail_in && *z->next_in == 0) {
				z->next_in++;
				z->avail_in--;
			}
			if (!z->avail_in)
				continue;
			if (*z->next_in != 0x1f)
				return mrm_error_set(err, MRM_EINPUT,
						     "%s: trailing garbage after gzip data",
						     s->name);
			inflateReset(z);
			s->member_end = false;
		}
		if ((rc = refill(s, &more, err)))
			return rc;
		size_t want = cap - *got;
		if (want > ((size_t)1 << 30))
			want = (size_t)1 << 30;
		z->next_out = (Bytef *)buf + *got;
		z->avail_out = (uInt)want;
		rc = inflate(z, Z_NO_FLUSH);
		*got += want - z->avail_out;
		/* No input left and no progress: the stream stops mid-member. */
		if (rc == Z_BUF_ERROR && !more && z->avail_out == want)
			return mrm_error_set(err, MRM_EINPUT,
					     "%s: truncated gzip data (unexpected end of file)",
					     s->name);
		if (rc == Z_STREAM_END) {
			s->member_end = true;
		} else if (rc == Z_MEM_ERROR) {
			return mrm_error_set(err, MRM_EINPUT, "%s: out of memory in gzip",
					     s->name);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return mrm_error_set(err, MRM_EINPUT, "%s: bad gzip data: %s",
					     s->name, z->msg ? z->msg : "corrupt");
		}
	}
	return MRM_OK;
}

int mrm__src_read(struct mrm__src *s, char *buf, size_t cap, size_t *got,
		  struct mrm_error *err)
{
	size_t n, k;
	int rc;

	if (s->gz)
		return gz_read(s, buf, cap, got, err);
	*got = 0;
	if (s->aheadpos < s->nahead) {
		k = s->nahead - s->aheadpos < cap ? s->nahead - s->aheadpos : cap;
		memcpy(buf, s->ahead + s->aheadpos, k);
		s->aheadpos += k;
		*got = k;
	}
	while (*got < cap) {
		rc = raw_read(s, buf + *got, cap - *got, &n, err);
		if (rc)
			return rc;
		if (n == 0)
			break;
		*got += n;
	}
	return MRM_OK;
}

void mrm__src_close(struct mrm__src *s)
{
	if (!s)
		return;
	if (s->z) {
		inflateEnd(s->z);
		free(s->z);
	}
	free(s->zin);
	free(s->ahead);
	if (s->close_fd && s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
