/*
 * The table readers' public API: opening (source, gzip, BOM, format,
 * header), column selection, the pipeline of framed chunks parsed by
 * worker threads and merged back in file order, batches and whole
 * tables, bad-row accounting and messages. internal.h has the design.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table/internal.h"
#include "table/number.h"

#define DEFAULT_MAX_FIELD ((size_t)1 << 20)
#define DEFAULT_MAX_LINE ((size_t)16 << 20)
#define DEFAULT_CHUNK ((size_t)1 << 20)
#define MAX_THREADS 8

static const char *const default_na[] = {
	"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", NULL,
};

static const char *const reason_names[MRM_TABLE_NREASONS] = {
	[MRM_TABLE_BAD_FIELDS] = "wrong number of fields",
	[MRM_TABLE_BAD_QUOTE] = "bad quoting",
	[MRM_TABLE_BAD_NUMBER] = "not a number",
	[MRM_TABLE_BAD_NONFINITE] = "infinite, NaN or out of range",
	[MRM_TABLE_BAD_TOO_LONG] = "too long",
	[MRM_TABLE_BAD_JSON] = "invalid JSON",
	[MRM_TABLE_BAD_VALUE] = "bad JSON value",
};

const char *mrm_table_reason(enum mrm_table_bad reason)
{
	if ((unsigned)reason >= MRM_TABLE_NREASONS)
		return "unknown";
	return reason_names[reason];
}

/* ---- opening --------------------------------------------------------- */

static int oom(struct mrm_table_reader *r, struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "%s: out of memory",
			     r && r->name ? r->name : "table");
}

static int add_na(struct mrm_table_reader *r, const char *s, size_t *cap)
{
	size_t len = strlen(s);
	double v;

	for (size_t i = 0; i < r->nna; i++)
		if (r->nalen[i] == len && !memcmp(r->na[i], s, len))
			return 0;
	if (r->nna == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **na = realloc(r->na, c * sizeof(*na));
		if (!na)
			return -1;
		r->na = na;
		uint32_t *nl = realloc(r->nalen, c * sizeof(*nl));
		if (!nl)
			return -1;
		r->nalen = nl;
		*cap = c;
	}
	if (!(r->na[r->nna] = strdup(s)))
		return -1;
	r->nalen[r->nna++] = (uint32_t)len;
	if (len > r->na_maxlen)
		r->na_maxlen = (uint32_t)len;
	if (len && mrm__num_parse(s, s + len, &v) == s + len)
		r->na_numeric = true;
	return 0;
}

static struct mrm_table_reader *reader_new(const char *name,
					   const struct mrm_table_options *opt,
					   struct mrm_error *err)
{
	static const struct mrm_table_options defaults;
	struct mrm_table_reader *r;
	size_t cap = 0;

	if (!opt)
		opt = &defaults;
	if (opt->delimiter == '"' || opt->delimiter == '\n' || opt->delimiter == '\r') {
		mrm_error_set(err, MRM_EUSAGE, "the delimiter cannot be a quote or a newline");
		return NULL;
	}
	if (opt->format < MRM_TABLE_AUTO || opt->format > MRM_TABLE_JSONL) {
		mrm_error_set(err, MRM_EUSAGE, "unknown table format %d", (int)opt->format);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(opt->name ? opt->name : name))) {
		free(r);
		oom(NULL, err);
		return NULL;
	}
	r->src.fd = -1;
	r->lastc = '\n';
	r->format = opt->format;
	r->delim = opt->delimiter;
	r->no_header = opt->no_header;
	r->skip_bad = opt->skip_bad_rows;
	r->allow_inf = opt->allow_inf;
	r->max_field = opt->max_field_bytes ? opt->max_field_bytes : DEFAULT_MAX_FIELD;
	r->max_line = opt->max_line_bytes ? opt->max_line_bytes : DEFAULT_MAX_LINE;
	if (r->max_line < r->max_field)
		r->max_line = r->max_field;
	r->chunk = opt->chunk_bytes ? opt->chunk_bytes : DEFAULT_CHUNK;
	if (r->chunk < 64)
		r->chunk = 64;
	r->threads = opt->threads;
	if (r->threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		r->threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
	} else if (r->threads > 64) {
		r->threads = 64; /* reading is bound by memory long before */
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv_work, NULL);
	pthread_cond_init(&r->cv_done, NULL);
	if (!opt->no_default_na)
		for (const char *const *s = default_na; *s; s++)
			if (add_na(r, *s, &cap))
				goto fail;
	if (opt->na)
		for (const char *const *s = opt->na; *s; s++)
			if (add_na(r, *s, &cap))
				goto fail;
	if (opt->columns) {
		size_t n = 0;
		while (opt->columns[n])
			n++;
		r->names = calloc(n ? n : 1, sizeof(*r->names));
		if (!r->names)
			goto fail;
		r->ncols = n;
		for (size_t i = 0; i < n; i++)
			if (!(r->names[i] = strdup(opt->columns[i])))
				goto fail;
	}
	return r;
fail:
	oom(r, err);
	mrm_table_close(r);
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcasecmp(s + n - k, suffix);
}

int mrm__carry_fill(struct mrm_table_reader *r, struct mrm_error *err)
{
	size_t got;
	int rc;

	if (r->eof)
		return MRM_OK;
	if (r->carry_cap - r->carry_len < 65536) {
		size_t cap = r->carry_cap ? r->carry_cap * 2 : 131072;
		char *c = realloc(r->carry, cap);
		if (!c)
			return oom(r, err);
		r->carry = c;
		r->carry_cap = cap;
	}
	rc = mrm__src_read(&r->src, r->carry + r->carry_len, r->carry_cap - r->carry_len - 1,
			   &got, err);
	if (rc)
		return rc;
	r->eof = got == 0;
	r->carry_len += got;
	return MRM_OK;
}

static int fill_carry(struct mrm_table_reader *r, size_t want,
		      struct mrm_error *err)
{
	while (r->carry_len < want && !r->eof) {
		int rc = mrm__carry_fill(r, err);
		if (rc)
			return rc;
	}
	return MRM_OK;
}

static int finish_open(struct mrm_table_reader *r, const char *path,
		       const struct mrm_table_options *opt,
		       struct mrm_table_reader **out, struct mrm_error *err)
{
	int rc;

	if ((rc = mrm__src_detect(&r->src, err)) || (rc = fill_carry(r, 3, err)))
		goto fail;
	/* The size of the text, when known, hints at the number of rows. */
	if (!r->src.gz) {
		struct stat st;
		if (r->src.mem)
			r->src_size = r->src.memlen;
		else if (r->src.fd >= 0 && !fstat(r->src.fd, &st) && S_ISREG(st.st_mode))
			r->src_size = (uint64_t)st.st_size;
	}
	if (r->carry_len >= 3 && !memcmp(r->carry, "\xEF\xBB\xBF", 3)) {
		memmove(r->carry, r->carry + 3, r->carry_len - 3);
		r->carry_len -= 3;
		r->stats.bytes += 3;
	}
	if (r->format == MRM_TABLE_AUTO) {
		const char *p = path ? path : r->name;
		char base[4096];
		snprintf(base, sizeof(base), "%s", p);
		if (ends_with(base, ".gz"))
			base[strlen(base) - 3] = '\0';
		if (ends_with(base, ".jsonl") || ends_with(base, ".ndjson")) {
			r->format = MRM_TABLE_JSONL;
		} else if (ends_with(base, ".csv") || ends_with(base, ".tsv")) {
			r->format = MRM_TABLE_CSV;
		} else {
			/* By content: a first visible character '{'. */
			size_t i = 0;
			for (;;) {
				while (i < r->carry_len &&
				       strchr(" \t\r\n", r->carry[i]))
					i++;
				if (i < r->carry_len || r->eof ||
				    r->carry_len > r->max_line)
					break;
				if ((rc = fill_carry(r, r->carry_len + 1, err)))
					goto fail;
			}
			r->format = i < r->carry_len && r->carry[i] == '{' ?
					    MRM_TABLE_JSONL :
					    MRM_TABLE_CSV;
		}
	}
	if (r->format == MRM_TABLE_CSV) {
		if (opt && opt->columns && !opt->no_header) {
			rc = mrm_error_set(err, MRM_EUSAGE,
					   "%s: column names can only be given for a CSV file without a header",
					   r->name);
			goto fail;
		}
		rc = mrm__csv_header(r, err);
	} else {
		r->delim = 0;
		rc = mrm__jsonl_header(r, err);
	}
	if (rc)
		goto fail;
	r->stats.lines = r->line;
	*out = r;
	return MRM_OK;
fail:
	mrm_table_close(r);
	*out = NULL;
	return rc ? rc : MRM_EINPUT;
}

int mrm_table_open(const char *path, const struct mrm_table_options *opt,
		   struct mrm_table_reader **out, struct mrm_error *err)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct mrm_table_reader *r = reader_new(name, opt, err);
	int rc;

	*out = NULL;
	if (!r)
		return err && err->code ? err->code : MRM_EINPUT;
	if ((rc = mrm__src_open_path(&r->src, path, r->name, err))) {
		mrm_table_close(r);
		return rc;
	}
	return finish_open(r, path, opt, out, err);
}

int mrm_table_open_mem(const char *name, const void *data, size_t len,
		       const struct mrm_table_options *opt,
		       struct mrm_table_reader **out, struct mrm_error *err)
{
	struct mrm_table_reader *r = reader_new(name, opt, err);

	*out = NULL;
	if (!r)
		return err && err->code ? err->code : MRM_EINPUT;
	mrm__src_open_mem(&r->src, data, len, r->name);
	return finish_open(r, NULL, opt, out, err);
}

int mrm_table_open_fn(const char *name, mrm_table_read_fn fn, void *arg,
		      const struct mrm_table_options *opt,
		      struct mrm_table_reader **out, struct mrm_error *err)
{
	struct mrm_table_reader *r = reader_new(name, opt, err);

	*out = NULL;
	if (!r)
		return err && err->code ? err->code : MRM_EINPUT;
	mrm__src_open_fn(&r->src, fn, arg, r->name);
	return finish_open(r, NULL, opt, out, err);
}

static void release_slot_data(struct mrm__slot *s)
{
	free(s->num);
	free(s->codes);
	free(s->off);
	free(s->text);
	free(s->valid);
	s->num = NULL;
	s->codes = NULL;
	s->off = NULL;
	s->text = NULL;
	s->valid = NULL;
	s->tlen = s->tcap = 0;
	s->cap = s->nmissing = 0;
}

void mrm_table_close(struct mrm_table_reader *r)
{
	if (!r)
		return;
	if (r->threads_started) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_broadcast(&r->cv_work);
		pthread_mutex_unlock(&r->mu);
		for (int i = 0; i < r->nth; i++)
			pthread_join(r->th[i], NULL);
	}
	free(r->th);
	for (int i = 0; r->jobs && i < r->njobs; i++) {
		struct mrm__job *j = &r->jobs[i];
		for (size_t s = 0; j->cols && s < r->nslots; s++) {
			struct mrm__lcol *c = &j->cols[s];
			free(c->num);
			free(c->codes);
			free(c->off);
			free(c->text);
			free(c->miss);
			free(c->map);
			free(c->valid);
			mrm__dict_release(&c->dict);
		}
		free(j->cols);
		free(j->bcols);
		free(j->buf);
		free(j->scratch);
		free(j->pend);
		free(j->missing);
		free(j->undo);
	}
	free(r->jobs);
	for (size_t s = 0; s < r->nslots; s++) {
		release_slot_data(&r->slots[s]);
		mrm__dict_release(&r->slots[s].dict);
	}
	free(r->slots);
	free(r->field_slot);
	free(r->field_kind);
	for (size_t i = 0; r->names && i < r->ncols; i++)
		free(r->names[i]);
	free(r->names);
	for (size_t i = 0; i < r->nna; i++)
		free(r->na[i]);
	free(r->na);
	free(r->nalen);
	free(r->carry);
	mrm__src_close(&r->src);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv_work);
	pthread_cond_destroy(&r->cv_done);
	free(r->name);
	free(r);
}

/* ---- columns --------------------------------------------------------- */

size_t mrm_table_ncols(const struct mrm_table_reader *r)
{
	return r->ncols;
}

const char *mrm_table_colname(const struct mrm_table_reader *r, size_t i)
{
	return i < r->ncols ? r->names[i] : NULL;
}

enum mrm_table_format mrm_table_format_of(const struct mrm_table_reader *r)
{
	return r->format;
}

char mrm_table_delimiter(const struct mrm_table_reader *r)
{
	return r->delim;
}

const char *mrm_table_name(const struct mrm_table_reader *r)
{
	return r->name;
}

long mrm_table_find(const struct mrm_table_reader *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (!strcmp(r->names[i], name))
			return (long)i;
	return -1;
}

static int no_column(const struct mrm_table_reader *r, const char *name,
		     struct mrm_error *err)
{
	char list[640];
	size_t n = 0;

	list[0] = '\0';
	for (size_t i = 0; i < r->ncols; i++) {
		size_t k = strlen(r->names[i]);
		if (n + k + 8 >= sizeof(list)) {
			snprintf(list + n, sizeof(list) - n, ", ...");
			break;
		}
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
				      i ? ", " : "", r->names[i]);
	}
	return mrm_error_set(err, MRM_EINPUT, "%s: no column '%.200s' (columns: %s)",
			     r->name, name, r->ncols ? list : "none");
}

static int add_slot(struct mrm_table_reader *r, size_t field,
		    enum mrm_col_type type, size_t *slot, struct mrm_error *err)
{
	struct mrm__slot *s;

	if (r->started)
		return mrm_error_set(err, MRM_EUSAGE,
				     "%s: columns must be selected before reading",
				     r->name);
	if (type < MRM_COL_NUMERIC || type > MRM_COL_AUTO)
		return mrm_error_set(err, MRM_EUSAGE, "unknown column type %d",
				     (int)type);
	s = realloc(r->slots, (r->nslots + 1) * sizeof(*s));
	if (!s)
		return oom(r, err);
	r->slots = s;
	s = &r->slots[r->nslots];
	memset(s, 0, sizeof(*s));
	s->field = field;
	s->want = type;
	s->next = -1;
	atomic_init(&s->auto_cat, 0);
	mrm__dict_init(&s->dict);
	if (slot)
		*slot = r->nslots;
	r->nslots++;
	return MRM_OK;
}

int mrm_table_select(struct mrm_table_reader *r, const char *name,
		     enum mrm_col_type type, size_t *slot, struct mrm_error *err)
{
	long i = mrm_table_find(r, name);

	if (i < 0)
		return no_column(r, name, err);
	return add_slot(r, (size_t)i, type, slot, err);
}

int mrm_table_select_all(struct mrm_table_reader *r, enum mrm_col_type type,
			 struct mrm_error *err)
{
	for (size_t i = 0; i < r->ncols; i++) {
		int rc = add_slot(r, i, type, NULL, err);
		if (rc)
			return rc;
	}
	return MRM_OK;
}

/* ---- the pipeline ---------------------------------------------------- */

static void parse(const struct mrm_table_reader *r, struct mrm__job *j)
{
	if (r->format == MRM_TABLE_JSONL)
		mrm__jsonl_parse(r, j);
	else
		mrm__csv_parse(r, j);
}

/* The next job waiting to be parsed, now taken; NULL if none. Under r->mu. */
static struct mrm__job *claim(struct mrm_table_reader *r)
{
	while (r->seq_parse < r->seq_framed) {
		struct mrm__job *j = &r->jobs[r->seq_parse % (uint64_t)r->njobs];
		r->seq_parse++;
		/* Skipped: bad-row jobs, and jobs already consumed. */
		if (j->seq == r->seq_parse - 1 && j->state == MRM__JOB_READY) {
			j->state = MRM__JOB_BUSY;
			return j;
		}
	}
	return NULL;
}

/* Parses a claimed job outside the lock. Under r->mu. */
static void parse_claimed(struct mrm_table_reader *r, struct mrm__job *j)
{
	pthread_mutex_unlock(&r->mu);
	parse(r, j);
	pthread_mutex_lock(&r->mu);
	j->state = MRM__JOB_DONE;
	pthread_cond_broadcast(&r->cv_done);
}

static void *worker(void *arg)
{
	struct mrm_table_reader *r = arg;

	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		struct mrm__job *j = claim(r);
		if (j)
			parse_claimed(r, j);
		else
			pthread_cond_wait(&r->cv_work, &r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* The calling thread parses too: threads - 1 workers. */
static void start_threads(struct mrm_table_reader *r)
{
	r->th = calloc((size_t)r->threads, sizeof(*r->th));
	if (!r->th)
		return;
	for (int i = 0; i < r->threads - 1; i++) {
		if (pthread_create(&r->th[i], NULL, worker, r))
			break;
		r->nth++;
	}
	r->threads_started = r->nth > 0;
}

static int start(struct mrm_table_reader *r, struct mrm_error *err)
{
	if (r->failed)
		return mrm_error_set(err, r->failed, "%s", r->ferr.msg);
	if (r->started)
		return MRM_OK;
	r->started = true;
	r->field_slot = malloc((r->ncols ? r->ncols : 1) * sizeof(*r->field_slot));
	r->field_kind = calloc(r->ncols ? r->ncols : 1, 1);
	if (!r->field_slot || !r->field_kind)
		return oom(r, err);
	for (size_t f = 0; f < r->ncols; f++)
		r->field_slot[f] = -1;
	for (size_t s = 0; s < r->nslots; s++) {
		struct mrm__slot *sl = &r->slots[s];
		size_t f = sl->field;
		static const uint8_t kinds[] = {
			[MRM_COL_NUMERIC] = MRM__K_NUM,
			[MRM_COL_CATEGORICAL] = MRM__K_CAT,
			[MRM_COL_TEXT] = MRM__K_TEXT,
			[MRM_COL_AUTO] = MRM__K_AUTO,
		};
		sl->cur = sl->want == MRM_COL_AUTO ? MRM_COL_NUMERIC : sl->want;
		if (r->field_slot[f] < 0) {
			r->field_slot[f] = (int)s;
			r->field_kind[f] = kinds[sl->want];
		} else {
			int t = r->field_slot[f];
			while (r->slots[t].next >= 0)
				t = r->slots[t].next;
			r->slots[t].next = (int)s;
			r->field_kind[f] = MRM__K_MULTI;
		}
	}
	r->njobs = r->threads > 1 ? 2 * r->threads + 2 : 1;
	r->jobs = calloc((size_t)r->njobs, sizeof(*r->jobs));
	if (!r->jobs)
		return oom(r, err);
	for (int i = 0; i < r->njobs; i++) {
		struct mrm__job *j = &r->jobs[i];
		j->cols = calloc(r->nslots + 1, sizeof(*j->cols));
		j->bcols = calloc(r->nslots + 1, sizeof(*j->bcols));
		j->pend = calloc(r->nslots + 1, sizeof(*j->pend));
		j->missing = calloc(r->nslots + 1, sizeof(*j->missing));
		j->undo = calloc(r->nslots + 1, sizeof(*j->undo));
		if (!j->cols || !j->bcols || !j->pend || !j->missing || !j->undo)
			return oom(r, err);
		for (size_t s = 0; s < r->nslots; s++)
			mrm__dict_init(&j->cols[s].dict);
	}
	return MRM_OK;
}

static int fail(struct mrm_table_reader *r, int code, struct mrm_error *err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct mrm_table_reader *r, int code, struct mrm_error *err,
		const char *fmt, ...)
{
	va_list ap;

	if (!r->failed) {
		r->failed = code;
		r->ferr.code = code;
		va_start(ap, fmt);
		vsnprintf(r->ferr.msg, sizeof(r->ferr.msg), fmt, ap);
		va_end(ap);
	}
	return mrm_error_set(err, r->failed, "%s", r->ferr.msg);
}

/* The next job in file order, parsed; NULL at the end. */
static int pump(struct mrm_table_reader *r, struct mrm__job **out,
		struct mrm_error *err)
{
	struct mrm__job *j;

	while (!r->frame_done &&
	       r->seq_framed - r->seq_consumed < (uint64_t)r->njobs) {
		struct mrm_error ferr = { 0 };
		int rc;

		j = &r->jobs[r->seq_framed % (uint64_t)r->njobs];
		rc = mrm__frame(r, j, &ferr);
		if (rc == MRM__FRAME_EOF) {
			r->frame_done = true;
			break;
		}
		if (rc) {
			j->kind = MRM__JOB_ERR;
			j->err = rc;
			snprintf(j->errmsg, sizeof(j->errmsg), "%s", ferr.msg);
			r->frame_done = true;
		}
		if (j->kind == MRM__JOB_ROWS && !r->threads_started && r->threads > 1 &&
		    !(r->eof && r->carry_len == 0))
			start_threads(r);
		pthread_mutex_lock(&r->mu);
		j->seq = r->seq_framed++;
		j->state = j->kind == MRM__JOB_ROWS ? MRM__JOB_READY : MRM__JOB_DONE;
		pthread_cond_signal(&r->cv_work);
		pthread_mutex_unlock(&r->mu);
		if (!r->threads_started)
			break; /* one chunk at a time */
	}
	if (r->seq_consumed == r->seq_framed) {
		/* What the framer dropped after the last job; a last line
		 * without a newline is a line too. */
		if (r->lastc != '\n') {
			r->pending_lines++;
			r->lastc = '\n';
		}
		r->line += r->pending_lines;
		r->stats.lines = r->line;
		r->stats.bytes += r->pending_bytes;
		r->pending_lines = r->pending_bytes = 0;
		*out = NULL;
		return MRM_OK;
	}
	j = &r->jobs[r->seq_consumed % (uint64_t)r->njobs];
	if (!r->threads_started) {
		if (j->state == MRM__JOB_READY) {
			parse(r, j);
			j->state = MRM__JOB_DONE;
		}
	} else {
		/* Help with the parsing while the next job is not done. */
		pthread_mutex_lock(&r->mu);
		while (j->state != MRM__JOB_DONE) {
			struct mrm__job *k = claim(r);
			if (k)
				parse_claimed(r, k);
			else
				pthread_cond_wait(&r->cv_done, &r->mu);
		}
		pthread_mutex_unlock(&r->mu);
	}
	(void)err;
	*out = j;
	return MRM_OK;
}

static void release(struct mrm_table_reader *r, struct mrm__job *j)
{
	pthread_mutex_lock(&r->mu);
	j->state = MRM__JOB_FREE;
	r->seq_consumed++;
	pthread_mutex_unlock(&r->mu);
}

/* ---- messages -------------------------------------------------------- */

static void excerpt(const struct mrm__bad *b, char *out, size_t size)
{
	size_t n = 0;

	out[n++] = '\'';
	for (size_t i = 0; i < b->textlen && n + 8 < size; i++) {
		unsigned char c = (unsigned char)b->text[i];
		if (c == '\'' || c == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%c", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			n += (size_t)snprintf(out + n, size - n, "\\%c",
					      c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	if (b->truncated && n + 5 < size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n++] = '\'';
	out[n] = '\0';
}

static void format_bad(const struct mrm_table_reader *r, const struct mrm__bad *b,
		       uint64_t line, char *buf, size_t size)
{
	char val[MRM__EXCERPT * 4 + 16], col[300] = "";
	unsigned long long ln = (unsigned long long)line;
	unsigned fld = b->field + 1;

	excerpt(b, val, sizeof(val));
	if (b->field < r->ncols && b->reason != MRM_TABLE_BAD_JSON &&
	    b->reason != MRM_TABLE_BAD_FIELDS && b->sub != MRM__SUB_LINE)
		snprintf(col, sizeof(col), "column '%.250s': ", r->names[b->field]);
	switch (b->reason) {
	case MRM_TABLE_BAD_FIELDS:
		snprintf(buf, size, "%s:%llu:%u: expected %u fields, found %u", r->name,
			 ln, fld, b->expected, b->found);
		break;
	case MRM_TABLE_BAD_QUOTE:
		if (b->sub == MRM__SUB_UNTERMINATED)
			snprintf(buf, size, "%s:%llu:%u: %sunterminated quoted field",
				 r->name, ln, fld, col);
		else
			snprintf(buf, size, "%s:%llu:%u: %stext %s after the closing quote",
				 r->name, ln, fld, col, val);
		break;
	case MRM_TABLE_BAD_NUMBER:
		snprintf(buf, size, "%s:%llu:%u: %s%s is not a number", r->name, ln,
			 fld, col, val);
		break;
	case MRM_TABLE_BAD_NONFINITE:
		snprintf(buf, size, "%s:%llu:%u: %s%s %s", r->name, ln, fld, col, val,
			 b->sub == MRM__SUB_INF ? "is infinite (not allowed)" :
			 b->sub == MRM__SUB_NAN ?
						  "is NaN (not one of the missing-value spellings)" :
						  "is out of range for a double");
		break;
	case MRM_TABLE_BAD_TOO_LONG:
		if (b->sub == MRM__SUB_LINE)
			snprintf(buf, size, "%s:%llu:%u: line longer than %zu bytes",
				 r->name, ln, fld, r->max_line);
		else
			snprintf(buf, size, "%s:%llu:%u: %sfield longer than %zu bytes",
				 r->name, ln, fld, col, r->max_field);
		break;
	case MRM_TABLE_BAD_JSON:
		if (b->sub == MRM__SUB_NOT_OBJECT)
			snprintf(buf, size, "%s:%llu:1: not a JSON object", r->name, ln);
		else
			snprintf(buf, size, "%s:%llu:%u: invalid JSON: %.*s", r->name, ln,
				 fld, (int)b->textlen, b->text);
		break;
	case MRM_TABLE_BAD_VALUE:
		snprintf(buf, size, "%s:%llu:%u: %s%s", r->name, ln, fld, col,
			 b->sub == MRM__SUB_ARRAY  ? "an array is not a value" :
			 b->sub == MRM__SUB_OBJECT ? "an object is not a value" :
			 b->text[0] == 't'	   ? "true is not a number" :
						     "false is not a number");
		break;
	default:
		snprintf(buf, size, "%s:%llu:%u: bad row", r->name, ln, fld);
	}
}

int mrm_table_bad_summary(const struct mrm_table_reader *r, char *buf, size_t size)
{
	const struct mrm_table_stats *st = &r->stats;
	size_t n = 0;
	bool first = true;

#define PUT(...)                                                                \
	do {                                                                    \
		int k_ = snprintf(buf + (n < size ? n : size),                  \
				  n < size ? size - n : 0, __VA_ARGS__);        \
		n += k_ > 0 ? (size_t)k_ : 0;                                   \
	} while (0)

	if (!size)
		buf = NULL;
	if (!st->bad_rows) {
		PUT("no bad rows");
		return (int)n;
	}
	PUT("%" PRIu64 " bad row%s skipped:", st->bad_rows, st->bad_rows == 1 ? "" : "s");
	for (int k = 0; k < MRM_TABLE_NREASONS; k++) {
		if (!st->bad[k])
			continue;
		PUT("%s %" PRIu64 " %s (line%s", first ? "" : ",", st->bad[k],
		    reason_names[k], st->bad[k] == 1 ? "" : "s");
		first = false;
		for (int i = 0; i < MRM_TABLE_BAD_LINES && st->bad_lines[k][i]; i++)
			PUT("%s %" PRIu64, i ? "," : "", st->bad_lines[k][i]);
		PUT("%s)", st->bad[k] > MRM_TABLE_BAD_LINES ? ", ..." : "");
	}
#undef PUT
	return (int)n;
}

/* ---- merging --------------------------------------------------------- */

static void set_bits(uint8_t *v, uint64_t from, uint64_t to)
{
	while (from < to && (from & 7))
		v[from >> 3] |= (uint8_t)(1u << (from & 7)), from++;
	if (from < to && to - from >= 8) {
		memset(v + (from >> 3), 0xff, (size_t)((to - from) >> 3));
		from += (to - from) & ~(uint64_t)7;
	}
	while (from < to)
		v[from >> 3] |= (uint8_t)(1u << (from & 7)), from++;
}

static int global_code(struct mrm_table_reader *r, struct mrm__slot *sl,
		       const char *s, size_t len, uint32_t *code,
		       struct mrm_error *err)
{
	bool added;

	if (mrm__dict_intern(&sl->dict, s, len, false, code, &added))
		return fail(r, MRM_EINPUT, err,
			    "%s: out of memory (or more than 4 billion categories)",
			    r->name);
	return MRM_OK;
}

/* Local to global codes for a job's categorical column. */
static int build_map(struct mrm_table_reader *r, struct mrm__slot *sl,
		     struct mrm__lcol *c, struct mrm_error *err)
{
	uint32_t n = c->dict.pub.n;
	int rc;

	if (c->mapcap < n) {
		uint32_t *m = realloc(c->map, (size_t)n * sizeof(*m));
		if (!m)
			return fail(r, MRM_EINPUT, err, "%s: out of memory", r->name);
		c->map = m;
		c->mapcap = n;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (c->dict.flag[i])
			c->map[i] = MRM_TABLE_NA_CODE;
		else if ((rc = global_code(r, sl, c->dict.str[i], c->dict.len[i],
					   &c->map[i], err)))
			return rc;
	}
	return MRM_OK;
}

/* Turns the accumulated numbers of an AUTO column into categories. */
static int promote_global(struct mrm_table_reader *r, struct mrm__slot *sl,
			  uint64_t nrows, struct mrm_error *err)
{
	char buf[32];
	int rc;

	sl->cur = MRM_COL_CATEGORICAL;
	atomic_store(&sl->auto_cat, 1);
	if (!sl->num)
		return MRM_OK;
	sl->codes = malloc((size_t)(sl->cap ? sl->cap : 1) * sizeof(*sl->codes));
	if (!sl->codes)
		return fail(r, MRM_EINPUT, err, "%s: out of memory", r->name);
	for (uint64_t i = 0; i < nrows; i++) {
		if (isnan(sl->num[i])) {
			sl->codes[i] = MRM_TABLE_NA_CODE;
			continue;
		}
		int n = mrm__num_format(sl->num[i], buf);
		if ((rc = global_code(r, sl, buf, (size_t)n, &sl->codes[i], err)))
			return rc;
	}
	free(sl->num);
	sl->num = NULL;
	return MRM_OK;
}

static int grow_slot(struct mrm_table_reader *r, struct mrm__slot *sl,
		     uint64_t need, struct mrm_error *err)
{
	uint64_t cap = sl->cap ? sl->cap : r->rows_hint > 1024 ? r->rows_hint : 1024;

	if (need <= sl->cap)
		return MRM_OK;
	while (cap < need)
		cap *= 2;
	if (sl->cur == MRM_COL_NUMERIC) {
		double *p = realloc(sl->num, (size_t)cap * sizeof(*p));
		if (!p)
			goto oom;
		sl->num = p;
	} else if (sl->cur == MRM_COL_CATEGORICAL) {
		uint32_t *p = realloc(sl->codes, (size_t)cap * sizeof(*p));
		if (!p)
			goto oom;
		sl->codes = p;
	} else {
		uint64_t *p = realloc(sl->off, (size_t)(cap + 1) * sizeof(*p));
		if (!p)
			goto oom;
		if (!sl->off)
			p[0] = 0;
		sl->off = p;
	}
	if (sl->valid) {
		uint8_t *v = realloc(sl->valid, (size_t)((cap + 7) / 8));
		if (!v)
			goto oom;
		memset(v + (sl->cap + 7) / 8, 0, (size_t)((cap + 7) / 8 - (sl->cap + 7) / 8));
		sl->valid = v;
	}
	sl->cap = cap;
	return MRM_OK;
oom:
	return fail(r, MRM_EINPUT, err, "%s: out of memory after %" PRIu64 " rows",
		    r->name, r->stats.rows);
}

/* Appends a job's column to the whole-table column (mrm_table_read_all). */
static int append(struct mrm_table_reader *r, struct mrm__slot *sl,
		  struct mrm__lcol *c, uint64_t base, uint64_t n,
		  struct mrm_error *err)
{
	int rc;

	if (!n)
		return MRM_OK;
	if ((rc = grow_slot(r, sl, base + n, err)))
		return rc;
	if (c->type == MRM_COL_NUMERIC) {
		memcpy(sl->num + base, c->num, (size_t)n * sizeof(double));
	} else if (c->type == MRM_COL_CATEGORICAL) {
		const uint32_t *map = c->map;
		uint32_t *d = sl->codes + base;
		for (uint64_t i = 0; i < n; i++)
			d[i] = c->codes[i] == MRM_TABLE_NA_CODE ? MRM_TABLE_NA_CODE :
								  map[c->codes[i]];
	} else {
		if (sl->tcap - sl->tlen < c->tlen) {
			size_t cap = sl->tcap ? sl->tcap : 65536;
			while (cap - sl->tlen < c->tlen)
				cap *= 2;
			char *t = realloc(sl->text, cap);
			if (!t)
				return fail(r, MRM_EINPUT, err, "%s: out of memory",
					    r->name);
			sl->text = t;
			sl->tcap = cap;
		}
		if (c->tlen)
			memcpy(sl->text + sl->tlen, c->text, c->tlen);
		for (uint64_t i = 0; i < n; i++)
			sl->off[base + i + 1] = sl->tlen + c->off[i + 1];
		sl->tlen += c->tlen;
	}
	if (c->nmissing && !sl->valid) {
		sl->valid = calloc(1, (size_t)((sl->cap + 7) / 8));
		if (!sl->valid)
			return fail(r, MRM_EINPUT, err, "%s: out of memory", r->name);
		set_bits(sl->valid, 0, base);
	}
	if (sl->valid) {
		if (!c->nmissing) {
			set_bits(sl->valid, base, base + n);
		} else {
			for (uint64_t i = 0; i < n; i++)
				if (!((c->miss[i >> 3] >> (i & 7)) & 1))
					sl->valid[(base + i) >> 3] |=
						(uint8_t)(1u << ((base + i) & 7));
		}
	}
	sl->nmissing += c->nmissing;
	return MRM_OK;
}

/* The batch view of a job's column. */
static int view(struct mrm_table_reader *r, struct mrm__job *j, size_t s,
		struct mrm_error *err)
{
	struct mrm__lcol *c = &j->cols[s];
	struct mrm_table_column *bc = &j->bcols[s];
	const struct mrm__slot *sl = &r->slots[s];
	uint64_t n = j->nrows;

	memset(bc, 0, sizeof(*bc));
	bc->name = r->names[sl->field];
	bc->type = c->type;
	bc->field = sl->field;
	bc->nmissing = c->nmissing;
	if (c->nmissing) {
		size_t nb = (size_t)((n + 7) / 8);
		if (c->validcap < nb) {
			uint8_t *v = realloc(c->valid, nb);
			if (!v)
				return fail(r, MRM_EINPUT, err, "%s: out of memory",
					    r->name);
			c->valid = v;
			c->validcap = nb;
		}
		for (size_t i = 0; i < nb; i++)
			c->valid[i] = (uint8_t)~c->miss[i];
		if (n & 7)
			c->valid[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
		bc->valid = c->valid;
	}
	if (c->type == MRM_COL_NUMERIC) {
		bc->num = c->num;
	} else if (c->type == MRM_COL_CATEGORICAL) {
		for (uint64_t i = 0; i < n; i++)
			if (c->codes[i] != MRM_TABLE_NA_CODE)
				c->codes[i] = c->map[c->codes[i]];
		bc->codes = c->codes;
		bc->dict = &sl->dict.pub;
	} else {
		bc->offsets = c->off;
		bc->text = c->text ? c->text : (char *)"";
	}
	return MRM_OK;
}

/*
 * Takes a parsed job in file order: errors, bad rows, line numbers, and
 * its columns into a batch view or onto the whole table.
 */
static int consume(struct mrm_table_reader *r, struct mrm__job *j, bool whole,
		   struct mrm_error *err)
{
	const uint64_t base = r->line + j->pre_lines + 1; /* the job's first line */
	char msg[MRM_ERROR_MAX];
	int rc;

	if (j->kind == MRM__JOB_ERR)
		return fail(r, j->err, err, "%s", j->errmsg);
	if (j->err)
		return fail(r, j->err, err, "%s: %s", r->name, j->errmsg);
	if (j->has_first && !r->skip_bad) {
		format_bad(r, &j->first, base + j->first.line, msg, sizeof(msg));
		return fail(r, MRM_EINPUT, err, "%s", msg);
	}
	for (int k = 0; k < MRM_TABLE_NREASONS; k++) {
		uint64_t had = r->stats.bad[k];
		if (!j->nbad[k])
			continue;
		for (uint64_t i = 0; i < j->nbad[k] && i < MRM_TABLE_BAD_LINES &&
				     had + i < MRM_TABLE_BAD_LINES;
		     i++) {
			const struct mrm__bad *b = &j->bad[k][i];
			r->stats.bad_lines[k][had + i] = base + b->line;
			if (had + i == 0)
				format_bad(r, b, base + b->line, r->stats.bad_example[k],
					   sizeof(r->stats.bad_example[k]));
		}
		r->stats.bad[k] += j->nbad[k];
		r->stats.bad_rows += j->nbad[k];
	}
	r->line += j->pre_lines + j->nlines;
	r->stats.lines = r->line;
	r->stats.bytes += j->bytes;
	if (j->kind != MRM__JOB_ROWS)
		return MRM_OK;
	/* Size the whole columns for the file from the first chunk's rows
	 * per byte, so they grow once (a hint: a wrong guess costs a realloc). */
	if (whole && !r->rows_hint && j->nrows && r->src_size > j->bytes)
		r->rows_hint = (uint64_t)((double)r->src_size / (double)j->bytes *
					  (double)j->nrows * 1.02) + 1024;
	for (size_t s = 0; s < r->nslots; s++) {
		struct mrm__slot *sl = &r->slots[s];
		struct mrm__lcol *c = &j->cols[s];

		if (sl->want == MRM_COL_AUTO) {
			if (c->type == MRM_COL_CATEGORICAL && sl->cur == MRM_COL_NUMERIC) {
				if ((rc = promote_global(r, sl, whole ? r->acc_rows : 0, err)))
					return rc;
			} else if (c->type == MRM_COL_NUMERIC &&
				   sl->cur == MRM_COL_CATEGORICAL) {
				if (mrm__to_categorical(r, j, (uint32_t)s))
					return fail(r, MRM_EINPUT, err, "%s: %s", r->name,
						    j->errmsg);
			}
		}
		if (c->type == MRM_COL_CATEGORICAL &&
		    (rc = build_map(r, sl, c, err)))
			return rc;
		rc = whole ? append(r, sl, c, r->acc_rows, j->nrows, err) :
			     view(r, j, s, err);
		if (rc)
			return rc;
	}
	j->batch.nrows = j->nrows;
	j->batch.ncols = r->nslots;
	j->batch.cols = j->bcols;
	j->batch.first_line = j->nrows ? base + j->first_row_line : 0;
	r->stats.rows += j->nrows;
	if (whole)
		r->acc_rows += j->nrows;
	return MRM_OK;
}

/* ---- reading --------------------------------------------------------- */

int mrm_table_next(struct mrm_table_reader *r, const struct mrm_table **batch,
		   struct mrm_error *err)
{
	struct mrm__job *j;
	int rc;

	*batch = NULL;
	if ((rc = start(r, err)))
		return rc;
	if (r->held) {
		release(r, &r->jobs[r->seq_consumed % (uint64_t)r->njobs]);
		r->held = false;
	}
	for (;;) {
		if ((rc = pump(r, &j, err)))
			return rc;
		if (!j)
			return MRM_OK;
		rc = consume(r, j, false, err);
		if (rc || j->kind != MRM__JOB_ROWS || j->nrows == 0) {
			release(r, j);
			if (rc)
				return rc;
			continue;
		}
		r->held = true;
		*batch = &j->batch;
		return MRM_OK;
	}
}

int mrm_table_each(struct mrm_table_reader *r,
		   int (*fn)(const struct mrm_table *batch, void *arg), void *arg,
		   struct mrm_error *err)
{
	const struct mrm_table *b;
	int rc;

	while (!(rc = mrm_table_next(r, &b, err)) && b)
		if ((rc = fn(b, arg)))
			return rc;
	return rc;
}

struct owned_table {
	struct mrm_table pub;
	struct mrm__dict *dicts;
	char **names;
	size_t n;
};

void mrm_table_free(struct mrm_table *t)
{
	struct owned_table *o = (struct owned_table *)t;

	if (!t)
		return;
	for (size_t s = 0; s < o->n; s++) {
		struct mrm_table_column *c = &t->cols[s];
		free(c->num);
		free(c->codes);
		free(c->offsets);
		free(c->text);
		free(c->valid);
		mrm__dict_release(&o->dicts[s]);
		free(o->names[s]);
	}
	free(o->dicts);
	free(o->names);
	free(t->cols);
	free(o);
}

static void *shrink(void *p, size_t size)
{
	void *q = size ? realloc(p, size) : NULL;
	if (!size) {
		free(p);
		return NULL;
	}
	return q ? q : p;
}

int mrm_table_read_all(struct mrm_table_reader *r, struct mrm_table **out,
		       struct mrm_error *err)
{
	struct owned_table *o = NULL;
	struct mrm__job *j;
	uint64_t first_line = 0, n;
	int rc;

	*out = NULL;
	if ((rc = start(r, err)))
		return rc;
	if (r->held) {
		release(r, &r->jobs[r->seq_consumed % (uint64_t)r->njobs]);
		r->held = false;
	}
	r->acc_rows = 0;
	for (;;) {
		if ((rc = pump(r, &j, err)))
			goto fail;
		if (!j)
			break;
		rc = consume(r, j, true, err);
		if (!rc && !first_line && j->kind == MRM__JOB_ROWS && j->nrows)
			first_line = j->batch.first_line;
		release(r, j);
		if (rc)
			goto fail;
	}
	n = r->acc_rows;
	o = calloc(1, sizeof(*o));
	if (!o)
		goto oom;
	o->pub.cols = calloc(r->nslots + 1, sizeof(*o->pub.cols));
	o->dicts = calloc(r->nslots + 1, sizeof(*o->dicts));
	o->names = calloc(r->nslots + 1, sizeof(*o->names));
	if (!o->pub.cols || !o->dicts || !o->names)
		goto oom;
	o->pub.nrows = n;
	o->pub.ncols = r->nslots;
	o->pub.first_line = first_line;
	for (size_t s = 0; s < r->nslots; s++) {
		struct mrm__slot *sl = &r->slots[s];
		struct mrm_table_column *c = &o->pub.cols[s];

		/* Everything the column needs first, then move the arrays. */
		if (sl->want == MRM_COL_TEXT) {
			if (!sl->off && !(sl->off = calloc(1, sizeof(*sl->off))))
				goto oom;
			if (!sl->text && !(sl->text = calloc(1, 1)))
				goto oom;
		}
		if (!(o->names[s] = strdup(r->names[sl->field])))
			goto oom;
		o->n = s + 1;
		c->name = o->names[s];
		c->type = sl->cur;
		c->field = sl->field;
		c->nmissing = sl->nmissing;
		if (sl->nmissing) {
			c->valid = shrink(sl->valid, (size_t)((n + 7) / 8));
			if (n & 7)
				c->valid[n / 8] &= (uint8_t)((1u << (n & 7)) - 1);
		} else {
			free(sl->valid);
		}
		sl->valid = NULL;
		if (sl->cur == MRM_COL_NUMERIC) {
			c->num = shrink(sl->num, (size_t)n * sizeof(double));
			sl->num = NULL;
		} else if (sl->cur == MRM_COL_CATEGORICAL) {
			c->codes = shrink(sl->codes, (size_t)n * sizeof(uint32_t));
			sl->codes = NULL;
			o->dicts[s] = sl->dict;
			mrm__dict_init(&sl->dict);
			c->dict = &o->dicts[s].pub;
		} else {
			c->offsets = shrink(sl->off, (size_t)(n + 1) * sizeof(uint64_t));
			c->text = sl->tlen ? shrink(sl->text, sl->tlen) : sl->text;
			sl->off = NULL;
			sl->text = NULL;
		}
		release_slot_data(sl);
	}
	*out = &o->pub;
	return MRM_OK;
oom:
	rc = fail(r, MRM_EINPUT, err, "%s: out of memory", r->name);
fail:
	if (o)
		mrm_table_free(&o->pub);
	for (size_t s = 0; s < r->nslots; s++)
		release_slot_data(&r->slots[s]);
	return rc;
}

const struct mrm_table_stats *mrm_table_stats(const struct mrm_table_reader *r)
{
	return &r->stats;
}
