/* A buffered writer over a report sink, the stdio sink, and atomic writes of a report to a file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/internal.h"

void mrm__out_init(struct mrm__out *o, mrm_sink_fn sink, void *arg)
{
	o->sink = sink;
	o->arg = arg;
	o->rc = 0;
	o->len = 0;
	o->total = 0;
	o->ids = 0;
}

int mrm__out_flush(struct mrm__out *o)
{
	if (o->rc == 0 && o->len > 0) {
		o->rc = o->sink(o->arg, o->buf, o->len);
		if (o->rc == 0)
			o->total += o->len;
	}
	o->len = 0;
	return o->rc;
}

void mrm__out_write(struct mrm__out *o, const void *data, size_t len)
{
	if (o->rc != 0 || len == 0)
		return;
	if (o->len + len > sizeof(o->buf)) {
		if (mrm__out_flush(o) != 0)
			return;
		/* Too big for the buffer even when empty: pass it straight through. */
		if (len > sizeof(o->buf)) {
			o->rc = o->sink(o->arg, data, len);
			if (o->rc == 0)
				o->total += len;
			return;
		}
	}
	memcpy(o->buf + o->len, data, len);
	o->len += len;
}

void mrm__out_puts(struct mrm__out *o, const char *s)
{
	mrm__out_write(o, s, strlen(s));
}

void mrm__out_printf(struct mrm__out *o, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	if (o->rc != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		mrm__out_write(o, small, (size_t)n);
		return;
	}
	/* Rare: a long formatted piece. */
	char *big = malloc((size_t)n + 1);
	if (!big) {
		o->rc = MRM_EINPUT;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	mrm__out_write(o, big, (size_t)n);
	free(big);
}

int mrm__out_id(struct mrm__out *o)
{
	return ++o->ids;
}

int mrm_sink_stdio(void *arg, const void *data, size_t len)
{
	FILE *f = arg;

	if (fwrite(data, 1, len, f) != len)
		return MRM_EINPUT;
	return 0;
}

/* The file sink of mrm__render_to_file: remembers errno for the message. */
struct file_sink {
	FILE *f;
	int errnum;
};

static int file_sink(void *arg, const void *data, size_t len)
{
	struct file_sink *s = arg;

	errno = 0;
	if (fwrite(data, 1, len, s->f) != len) {
		s->errnum = errno ? errno : EIO;
		return MRM_EINPUT;
	}
	return 0;
}

int mrm__render_to_file(mrm__render_fn render, json_t *doc, const char *path,
			struct mrm_error *err)
{
	struct mrm_error inner = { 0 };
	struct file_sink fs = { NULL, 0 };
	char tmp[4096];
	int rc, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return mrm_error_set(err, MRM_EINPUT, "%s: path too long", path);
	fs.f = fopen(tmp, "wb");
	if (!fs.f)
		return mrm_error_set(err, MRM_EINPUT, "%s: cannot create: %s", tmp,
				     strerror(errno));
	rc = render(doc, file_sink, &fs, &inner);
	if (rc != 0) {
		if (fs.errnum)
			mrm_error_set(err, rc, "%s: cannot write: %s", tmp,
				      strerror(fs.errnum));
		else
			mrm_error_set(err, rc, "%s", inner.msg);
		goto fail;
	}
	if (fflush(fs.f) != 0 || fsync(fileno(fs.f)) != 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", tmp,
				   strerror(errno));
		goto fail;
	}
	n = fclose(fs.f);
	fs.f = NULL;
	if (n != 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot write: %s", tmp,
				   strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s: cannot rename %s over it: %s",
				   path, tmp, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fs.f)
		fclose(fs.f);
	remove(tmp);
	return rc;
}
