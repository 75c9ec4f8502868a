/* Unit tests for lib/common/targz.c: the ustar + gzip writer and reader of evidence packs, and the Markdown and HTML escaping of the document writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/targz.h"
#include "report/doc.h"

/* Writes an archive of `n` members (name, text) into a memory stream; returns its bytes. */
static char *write_archive(const char *const *names, const char *const *texts, size_t n, size_t *len)
{
	struct mrm__tgz_writer *w = NULL;
	struct mrm_error err = { 0 };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(mrm__tgz_open(f, 1764147600, &w, &err), 0);
	for (size_t i = 0; i < n; i++)
		if (mrm__tgz_add(w, names[i], texts[i], strlen(texts[i]), &err))
			fail_msg("add %s: %s", names[i], err.msg);
	assert_int_equal(mrm__tgz_close(w, &err), 0);
	fclose(f);
	return buf;
}

/* Reads every member of `data`; returns 0 at a clean end, -1 on a fault (fault kind in *fault). */
static int read_all(const char *data, size_t len, char names[][MRM__TAR_NAME_MAX + 1], char texts[][256],
		    size_t *n, enum mrm__tgz_fault *fault, bool *trailing)
{
	struct mrm__tgz_reader *r = NULL;
	struct mrm__tgz_entry e;
	struct mrm_error err = { 0 };
	FILE *f = fmemopen((void *)data, len, "rb");
	int k;

	assert_non_null(f);
	assert_int_equal(mrm__tgz_reader_open(f, &r, &err), 0);
	*n = 0;
	*trailing = false;
	while ((k = mrm__tgz_next(r, &e, &err)) == 1) {
		int64_t got, total = 0;
		snprintf(names[*n], MRM__TAR_NAME_MAX + 1, "%s", e.name);
		while ((got = mrm__tgz_read(r, texts[*n] + total, 255 - (size_t)total, &err)) > 0)
			total += got;
		texts[*n][total] = '\0';
		(*n)++;
		if (got < 0) {
			k = -1;
			break;
		}
	}
	if (k == 0)
		k = mrm__tgz_finish(r, trailing, &err);
	*fault = mrm__tgz_fault(r);
	mrm__tgz_reader_free(r);
	fclose(f);
	return k;
}

static void round_trip(void **state)
{
	/* A name longer than 100 bytes goes into ustar's prefix field. */
	char longname[200];
	const char *names[] = { "pack/manifest.json", "pack/empty.txt", longname, "pack/block.txt" };
	char block[513];
	const char *texts[] = { "{\"a\": 1}\n", "", "long", block };
	char rn[4][MRM__TAR_NAME_MAX + 1], rt[4][256];
	enum mrm__tgz_fault fault;
	bool trailing;
	size_t len, n;
	char *data;

	(void)state;
	memset(block, 'x', 512);
	block[512] = '\0';
	snprintf(longname, sizeof(longname), "pack/%0120d/file.txt", 7);
	data = write_archive(names, texts, 4, &len);
	assert_true((unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b);
	assert_int_equal(read_all(data, len, rn, rt, &n, &fault, &trailing), 0);
	assert_int_equal(fault, MRM__TGZ_OK);
	assert_false(trailing);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(rn[i], names[i]);
		if (i != 3)
			assert_string_equal(rt[i], texts[i]);
	}
	free(data);
}

static void writer_refusals(void **state)
{
	struct mrm__tgz_writer *w = NULL;
	struct mrm_error err = { 0 };
	char *buf = NULL, name[300];
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(mrm__tgz_open(f, 0, &w, &err), 0);
	assert_int_equal(mrm__tgz_begin(w, "/abs", 1, &err), MRM_EINPUT);
	assert_int_equal(mrm__tgz_begin(w, "", 1, &err), MRM_EINPUT);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(mrm__tgz_begin(w, name, 1, &err), MRM_EINPUT); /* too long, no '/' to split at */
	assert_int_equal(mrm__tgz_begin(w, "big", (uint64_t)MRM__TAR_SIZE_MAX + 1, &err), MRM_EINPUT);
	/* More or fewer bytes than announced. */
	assert_int_equal(mrm__tgz_begin(w, "x", 2, &err), 0);
	assert_int_equal(mrm__tgz_write(w, "abc", 3, &err), MRM_EINPUT);
	assert_int_equal(mrm__tgz_write(w, "a", 1, &err), 0);
	assert_int_equal(mrm__tgz_end(w, &err), MRM_EINPUT);
	mrm__tgz_free(w);
	fclose(f);
	free(buf);
}

static void reader_faults(void **state)
{
	const char *names[] = { "p/a.txt", "p/b.txt" };
	const char *texts[] = { "alpha", "beta" };
	char rn[4][MRM__TAR_NAME_MAX + 1], rt[4][256], *bad;
	enum mrm__tgz_fault fault;
	bool trailing;
	size_t len, n;
	char *data = write_archive(names, texts, 2, &len);

	(void)state;
	/* Not gzip at all. */
	assert_int_equal(read_all("hello world", 11, rn, rt, &n, &fault, &trailing), -1);
	assert_int_equal(fault, MRM__TGZ_NOT_GZIP);
	/* Cut short: truncated. */
	assert_int_equal(read_all(data, len - 10, rn, rt, &n, &fault, &trailing), -1);
	assert_int_equal(fault, MRM__TGZ_TRUNCATED);
	/* A flipped byte in the middle: corrupt (deflate data or CRC). */
	bad = malloc(len);
	memcpy(bad, data, len);
	bad[len / 2] ^= 0x40;
	assert_int_equal(read_all(bad, len, rn, rt, &n, &fault, &trailing), -1);
	assert_true(fault == MRM__TGZ_CORRUPT || fault == MRM__TGZ_TRUNCATED);
	free(bad);
	/* Appended bytes: read fine, flagged as trailing. */
	bad = malloc(len + 4);
	memcpy(bad, data, len);
	memcpy(bad + len, "junk", 4);
	assert_int_equal(read_all(bad, len + 4, rn, rt, &n, &fault, &trailing), 0);
	assert_true(trailing);
	assert_int_equal(n, 2);
	free(bad);
	free(data);
}

/* The document writer's escaping, through a Markdown and an HTML paragraph and table cell. */
static int mem_sink(void *arg, const void *data, size_t len)
{
	FILE *f = arg;
	return fwrite(data, 1, len, f) == len ? 0 : MRM_EINPUT;
}

static char *doc_text(bool html, const char *text)
{
	static const char *const head[] = { "A" };
	struct mrm__doc *d = malloc(sizeof(*d));
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	mrm__doc_init(d, html, mem_sink, f);
	mrm__doc_p(d, text);
	mrm__doc_table(d, head, 1);
	mrm__doc_row(d);
	mrm__doc_cell(d, text);
	mrm__doc_table_end(d);
	assert_int_equal(mrm__doc_finish(d), 0);
	free(d);
	fclose(f);
	return buf;
}

static void escaping(void **state)
{
	char *s;

	(void)state;
	s = doc_text(false, "1. <b>x</b> *y* [l](u) a|b\n# h");
	assert_string_equal(s, "1\\. \\<b\\>x\\</b\\> \\*y\\* \\[l\\](u) a\\|b \\# h\n\n"
			       "| A |\n| --- |\n| 1. \\<b\\>x\\</b\\> \\*y\\* \\[l\\](u) a\\|b \\# h |\n\n");
	free(s);
	/* At the start of a paragraph, leading spaces (a code block) are dropped and '-' escaped. */
	s = doc_text(false, "   - indented bullet");
	assert_int_equal(strncmp(s, "\\- indented bullet\n\n", 20), 0);
	free(s);
	s = doc_text(true, "<script>&\"'");
	assert_non_null(strstr(s, "<p>&lt;script&gt;&amp;&quot;&#39;</p>"));
	assert_non_null(strstr(s, "<td>&lt;script&gt;&amp;&quot;&#39;</td>"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(writer_refusals),
		cmocka_unit_test(reader_faults),
		cmocka_unit_test(escaping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
