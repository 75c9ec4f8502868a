/*
 * mrm drift: per-column drift between a reference and a current data file, as one JSON document.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrm/drift.h"
#include "mrm/hash.h"
#include "mrm/table.h"
#include "monitor/drift-internal.h"
#include "monitor/drift-window.h"
#include "monitor/drift-profile.h"

static const char *const methods[] = { "ks", "psi", "chi2", "wasserstein", "jensen_shannon",
				       "anderson_darling", "z", NULL };

bool mrm_drift_method_known(const char *name)
{
	size_t i;

	for (i = 0; methods[i]; i++)
		if (!strcmp(methods[i], name))
			return true;
	return false;
}

static const char *type_name(enum mrm_col_type t)
{
	return t == MRM_COL_NUMERIC ? "numeric" : "categorical";
}

static json_t *problem(const char *col, const char *what)
{
	return json_pack("{s:s, s:s}", "column", col, "problem", what);
}

/*
 * One input file: its reader, and the SHA-256 of the bytes the reader read (taken as they
 * pass, so the file is read once). stdin ("-") is not hashed.
 */
struct input {
	const char *path;
	int fd;
	struct mrm_sha256 sha;
	bool hashing;
	char hex[MRM_SHA256_HEX];
	struct mrm_table_reader *r;
};

static ssize_t read_hashed(void *arg, void *buf, size_t len)
{
	struct input *in = arg;
	ssize_t n = read(in->fd, buf, len);

	if (n > 0)
		mrm_sha256_update(&in->sha, buf, (size_t)n);
	return n;
}

static void input_close(struct input *in)
{
	mrm_table_close(in->r);
	in->r = NULL;
	if (in->hashing)
		mrm_sha256_release(&in->sha);
	in->hashing = false;
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
}

static int input_open(struct input *in, const char *path, const struct mrm_table_options *opt,
		      struct mrm_error *err)
{
	struct mrm_error e = { 0 };

	in->path = path;
	in->fd = -1;
	in->hashing = false;
	in->hex[0] = 0;
	in->r = NULL;
	if (!strcmp(path, "-"))
		return mrm_table_open(path, opt, &in->r, err);
	if ((in->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return mrm_error_set(err, MRM_EINPUT, "cannot read %s: %s", path, strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	in->hashing = !mrm_sha256_init(&in->sha, &e);
	return mrm_table_open_fn(path, read_hashed, in, opt, &in->r, err);
}

/* After the last batch: the digest of what was read. */
static void input_digest(struct input *in)
{
	if (in->hashing)
		mrm_sha256_final(&in->sha, in->hex);
	in->hashing = false;
}

static json_t *side(const struct input *in, uint64_t rows)
{
	json_t *s = json_pack("{s:s, s:I}", "path", in->path, "rows", (json_int_t)rows);

	json_object_set_new(s, "sha256", in->hex[0] ? json_string(in->hex) : json_null());
	return s;
}

static bool listed(const char *const *cols, const char *name)
{
	for (; cols && *cols; cols++)
		if (!strcmp(*cols, name))
			return true;
	return false;
}

/* Called once the first batch of a side is in (may be NULL). */
struct first_batch {
	void (*fn)(void *arg, const struct drift_side *s);
	void *arg;
};

/*
 * Reads every row left in `r` (whose selected columns are the side's) into a new side, batch
 * by batch, and sorts it; `compact` keeps the numbers packed (DRIFT_EORDER: read again plain).
 * Each batch also goes to `x` (duplicates, windows, labels).
 */
static int read_side(struct mrm_table_reader *r, const char *const *names, size_t n,
		     bool compact, const struct first_batch *first, struct drift_extra *x,
		     struct drift_side **out, struct mrm_error *err)
{
	const struct mrm_table *b;
	int rc;

	if ((rc = drift_side_new(n, names, out, err)))
		return rc;
	if (compact)
		drift_side_compact(*out);
	while (!(rc = mrm_table_next(r, &b, err)) && b) {
		if ((rc = drift_side_add(*out, b, NULL, 0, err)) || (rc = drift_extra_batch(x, b, err)))
			break;
		if (first && first->fn && (*out)->rows == b->nrows)
			first->fn(first->arg, *out);
	}
	if (!rc && !(rc = drift_extra_end(x, err)))
		rc = drift_side_finish(*out, err);
	if (rc) {
		drift_side_free(*out);
		*out = NULL;
	}
	return rc;
}

/*
 * Selects the columns `names` as `types` in the input and reads it into a side: compact, or
 * plain when a column turned categorical too late for that (the file is then read again).
 * `*x` (freed and made again for each read) collects the quality and window data of the side;
 * for the current (`current`) it also selects the timestamp, label and score columns.
 */
static int read_input(const struct mrm_drift_options *o, bool current, struct input *in,
		      const struct mrm_table_options *opt, const char *const *names,
		      const enum mrm_col_type *types, size_t n, const struct first_batch *first,
		      struct drift_extra **x, struct drift_side **out, struct mrm_error *err)
{
	bool compact = in->fd >= 0;
	size_t i;
	int rc;

	for (;;) {
		for (i = 0; i < n; i++)
			if ((rc = mrm_table_select(in->r, names[i], types[i], NULL, err)))
				return rc;
		drift_extra_free(*x);
		*x = NULL;
		if ((rc = drift_extra_new(o, current, n, names, x, err)) ||
		    (current && (rc = drift_extra_select(*x, in->r, err))))
			return rc;
		rc = read_side(in->r, names, n, compact, first, *x, out, err);
		if (rc != DRIFT_EORDER)
			break;
		input_close(in);
		if ((rc = input_open(in, in->path, opt, err)))
			return rc;
		compact = false;
	}
	if (!rc) {
		/* Read through: the digest, and the reader's buffers back. */
		input_digest(in);
		mrm_table_close(in->r);
		in->r = NULL;
	}
	return rc;
}

/*
 * The current, read on a thread of its own while the reference is read. Its columns' types
 * depend on the reference's (a categorical reference column is read as categorical): they are
 * taken from the reference's first batch, and the current is read again if a reference column
 * turned categorical later.
 */
struct cur_read {
	const struct mrm_drift_options *o;
	struct drift_extra *x;
	struct input *in;
	const struct mrm_table_options *opt;
	const char *const *names;
	enum mrm_col_type *types;
	size_t n;
	struct drift_side *side;
	struct mrm_error err;
	int rc;
	pthread_t th;
	bool started;
};

static enum mrm_col_type cur_type(const struct drift_col *ref)
{
	return ref->type == MRM_COL_NUMERIC ? MRM_COL_AUTO : MRM_COL_CATEGORICAL;
}

static void *cur_thread(void *arg)
{
	struct cur_read *c = arg;

	c->rc = read_input(c->o, true, c->in, c->opt, c->names, c->types, c->n, NULL, &c->x, &c->side,
			   &c->err);
	return NULL;
}

static void start_cur(void *arg, const struct drift_side *ref)
{
	struct cur_read *c = arg;

	if (c->started)
		return;
	for (size_t i = 0; i < c->n; i++)
		c->types[i] = cur_type(&ref->cols[i]);
	c->started = !pthread_create(&c->th, NULL, cur_thread, c);
}

static int oom(struct mrm_error *err)
{
	return mrm_error_set(err, MRM_EINPUT, "out of memory");
}

/* Columns compared by several threads: a column's result object is touched by one only. */
struct compare_job {
	const struct mrm_drift_options *o;
	const struct drift_side *rs, *cs;
	struct drift_result *res;
	size_t *order; /* the columns to compare, the most values first */
	size_t n, next;
	pthread_mutex_t mu;
	int *rc;
	struct mrm_error *errs;
};

static void *compare_worker(void *arg)
{
	struct compare_job *j = arg;
	struct drift_scratch sc = { 0 };

	for (;;) {
		size_t i;

		pthread_mutex_lock(&j->mu);
		i = j->next < j->n ? j->order[j->next++] : SIZE_MAX;
		pthread_mutex_unlock(&j->mu);
		if (i == SIZE_MAX)
			break;
		j->rc[i] = drift_compare_with(j->o, &j->rs->cols[i], &j->cs->cols[i], true, &j->res[i],
					      &sc, &j->errs[i]);
	}
	drift_scratch_free(&sc);
	return NULL;
}

/* Threads for the comparisons: one per online CPU (at most 8), or as the read options say. */
static int compare_threads(const struct mrm_drift_options *o)
{
	long n = o->read.threads > 0 ? o->read.threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* The work of comparing column i: its numbers on both sides (categories count as one). */
static uint64_t column_work(const struct drift_side *rs, const struct drift_side *cs, size_t i)
{
	return rs->cols[i].type == MRM_COL_NUMERIC ? (uint64_t)rs->cols[i].n + cs->cols[i].n + 1 : 1;
}

/*
 * Compares every column whose result object exists and is not yet decided (same type on both
 * sides), as drift_compare would one after the other. The largest go first, so that the
 * threads finish together.
 */
static int compare_columns(const struct mrm_drift_options *o, const struct drift_side *rs,
			   const struct drift_side *cs, struct drift_result *res, size_t n,
			   struct mrm_error *err)
{
	struct compare_job j = { .o = o, .rs = rs, .cs = cs, .res = res };
	pthread_t th[8];
	int nth = 0, want = compare_threads(o) - 1, rc = 0;
	size_t i, k;

	j.rc = calloc(n + 1, sizeof(*j.rc));
	j.errs = calloc(n + 1, sizeof(*j.errs));
	j.order = calloc(n + 1, sizeof(*j.order));
	if (!j.rc || !j.errs || !j.order) {
		free(j.rc);
		free(j.errs);
		free(j.order);
		return oom(err);
	}
	for (i = 0; i < n; i++) {
		if (!res[i].obj || rs->cols[i].type != cs->cols[i].type)
			continue;
		/* Insertion by work, descending; equal work keeps column order. */
		for (k = j.n; k > 0 && column_work(rs, cs, j.order[k - 1]) < column_work(rs, cs, i); k--)
			j.order[k] = j.order[k - 1];
		j.order[k] = i;
		j.n++;
	}
	pthread_mutex_init(&j.mu, NULL);
	while (nth < want && (size_t)nth + 1 < j.n &&
	       !pthread_create(&th[nth], NULL, compare_worker, &j))
		nth++;
	compare_worker(&j);
	while (nth > 0)
		pthread_join(th[--nth], NULL);
	pthread_mutex_destroy(&j.mu);
	for (i = 0; i < n && !rc; i++)
		if ((rc = j.rc[i]))
			mrm_error_set(err, j.errs[i].code ? j.errs[i].code : rc, "%s", j.errs[i].msg);
	free(j.rc);
	free(j.errs);
	free(j.order);
	return rc;
}

int mrm_drift_run(const struct mrm_drift_options *o, json_t **out, struct mrm_error *err)
{
	struct input ri = { .fd = -1 }, ci = { .fd = -1 };
	struct mrm_table_reader *rr, *cr;
	struct mrm_table_options ropt = o->read, copt = o->read;
	struct drift_side *rs = NULL, *cs = NULL;
	struct drift_extra *rx = NULL, *cx = NULL;
	struct drift_outcome oc;
	json_t *doc = NULL, *cols = NULL, *schema = NULL;
	struct drift_result *res = NULL;
	char **names = NULL;
	enum mrm_col_type *types = NULL, *ctypes = NULL;
	struct cur_read cr_ = { 0 };
	struct first_batch first = { 0 };
	size_t i, nref, ncur, nsel = 0, tested = 0, drifted = 0;
	char label[96];
	int rc;

	*out = NULL;
	if ((rc = drift_method_check(o, err)) || (rc = drift_extra_check(o, err)))
		return rc;
	/* A profile on either side (by its magic bytes): the sketch path (drift-profile.c). */
	if (drift_profile_inputs(o))
		return drift_profile_run(o, out, err);
	ropt.name = NULL;
	copt.name = NULL;
	if (strcmp(o->reference, "-") && strcmp(o->current, "-") && !o->read.threads) {
		/* The two files are read at once (below): half the CPUs each. */
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		ropt.threads = copt.threads = cpus > 3 ? (int)(cpus / 2) : 1;
	}
	if ((rc = input_open(&ri, o->reference, &ropt, err)) ||
	    (rc = input_open(&ci, o->current, &copt, err)))
		goto out;
	rr = ri.r;
	cr = ci.r;
	nref = mrm_table_ncols(rr);
	ncur = mrm_table_ncols(cr);
	doc = json_object();
	cols = json_object();
	schema = json_array();
	res = calloc(nref + 1, sizeof(*res));
	names = calloc(nref + 1, sizeof(*names));
	types = calloc(nref + 1, sizeof(*types));
	ctypes = calloc(nref + 1, sizeof(*ctypes));
	if (!doc || !cols || !schema || !res || !names || !types || !ctypes) {
		rc = oom(err);
		goto out;
	}
	/* Names asked for must exist on one side at least. */
	for (i = 0; o->columns && o->columns[i]; i++)
		if (mrm_table_find(rr, o->columns[i]) < 0 && mrm_table_find(cr, o->columns[i]) < 0) {
			char list[512];
			size_t j, at = 0;

			list[0] = 0;
			for (j = 0; j < nref && at < sizeof(list); j++)
				at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", j ? ", " : "",
						       mrm_table_colname(rr, j));
			rc = mrm_error_set(err, MRM_EINPUT, "no column '%s' in either file (columns: %s)",
					   o->columns[i], list);
			goto out;
		}
	/* The reference, every column selected (as asked) with the reader's inference. */
	for (i = 0; i < nref; i++) {
		const char *name = mrm_table_colname(rr, i);

		if (mrm_table_find(rr, name) != (long)i || (o->columns && !listed(o->columns, name)) ||
		    drift_extra_special(o, name))
			continue;
		if (mrm_table_find(cr, name) < 0) {
			json_array_append_new(schema, problem(name, "missing_in_current"));
			continue;
		}
		if (!(names[nsel] = strdup(name))) {
			rc = oom(err);
			goto out;
		}
		types[nsel++] = MRM_COL_AUTO;
	}
	for (i = 0; i < ncur; i++) {
		const char *name = mrm_table_colname(cr, i);

		if (mrm_table_find(cr, name) == (long)i && mrm_table_find(rr, name) < 0 &&
		    (!o->columns || listed(o->columns, name)) && !drift_extra_special(o, name))
			json_array_append_new(schema, problem(name, "new_in_current"));
	}
	/*
	 * Both files at once (each reader on half the CPUs): the current starts after the
	 * reference's first batch, see struct cur_read. stdin is read after the other file.
	 */
	cr_.o = o;
	cr_.in = &ci;
	cr_.opt = &copt;
	cr_.names = (const char *const *)names;
	cr_.types = ctypes;
	cr_.n = nsel;
	if (ri.fd >= 0 && ci.fd >= 0) {
		first.fn = start_cur;
		first.arg = &cr_;
	}
	rc = read_input(o, false, &ri, &ropt, (const char *const *)names, types, nsel, &first, &rx,
			&rs, err);
	if (cr_.started)
		pthread_join(cr_.th, NULL);
	if (rc)
		goto out;
	if (rs->rows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "reference %s: no rows", o->reference);
		goto out;
	}
	/* The current: numeric columns may turn categorical (retyped); categorical ones stay so. */
	for (i = 0; i < nsel; i++) {
		types[i] = cur_type(&rs->cols[i]);
		if (cr_.started && ctypes[i] != types[i])
			cr_.started = false;
	}
	if (cr_.started) {
		cs = cr_.side;
		cr_.side = NULL;
		cx = cr_.x;
		cr_.x = NULL;
		if ((rc = cr_.rc)) {
			mrm_error_set(err, cr_.err.code ? cr_.err.code : rc, "%s", cr_.err.msg);
			goto out;
		}
	} else {
		/* Not read yet, or read with other types: (again) now. */
		if (cr_.side || ci.r == NULL || cr_.rc) {
			drift_side_free(cr_.side);
			cr_.side = NULL;
			input_close(&ci);
			if ((rc = input_open(&ci, o->current, &copt, err)))
				goto out;
		}
		if ((rc = read_input(o, true, &ci, &copt, (const char *const *)names, types, nsel, NULL,
				     &cx, &cs, err)))
			goto out;
	}
	if (cs->rows == 0) {
		rc = mrm_error_set(err, MRM_EINPUT, "current %s: no rows", o->current);
		goto out;
	}
	for (i = 0; i < nsel; i++) {
		const struct drift_col *a = &rs->cols[i], *b = &cs->cols[i];
		bool a_all = a->missing == rs->rows, b_all = b->missing == cs->rows;

		if (a->type != b->type && !a_all && !b_all) {
			json_t *p = problem(a->name, "retyped");

			json_object_set_new(p, "reference_type", json_string(type_name(a->type)));
			json_object_set_new(p, "current_type", json_string(type_name(b->type)));
			json_array_append_new(schema, p);
			continue;
		}
		res[i].obj = json_object();
		if (!res[i].obj) {
			rc = oom(err);
			goto out;
		}
		if (a->type != b->type)
			/* One side entirely missing: the type of the side that has values. */
			drift_not_compared(&res[i], type_name(a_all ? b->type : a->type), a_all ?
					   "every reference value is missing" :
					   "every current value is missing");
	}
	/* The comparisons, on several threads; the first failure in column order is reported. */
	if ((rc = compare_columns(o, rs, cs, res, nsel, err)))
		goto out;
	for (i = 0; i < nsel; i++) {
		if (!res[i].obj)
			continue;
		json_object_set_new(res[i].obj, "reference_missing",
				    json_integer((json_int_t)rs->cols[i].missing));
		json_object_set_new(res[i].obj, "current_missing",
				    json_integer((json_int_t)cs->cols[i].missing));
	}
	drift_correct(res, nsel, o->correction);
	json_object_set_new(doc, "reference", side(&ri, rs->rows));
	json_object_set_new(doc, "current", side(&ci, cs->rows));
	drift_method_label(o, label, sizeof(label));
	json_object_set_new(doc, "method", json_string(label));
	json_object_set_new(doc, "correction", json_string(o->correction == MRM_CORRECTION_HOLM ? "holm" :
							   o->correction == MRM_CORRECTION_BONFERRONI ?
							   "bonferroni" : "none"));
	for (i = 0; i < nsel; i++)
		if (res[i].obj)
			json_object_set(cols, names[i], res[i].obj);
	json_object_set(doc, "columns", cols);
	json_object_set(doc, "schema", schema);
	drift_summarise(doc, res, nsel, &tested, &drifted);
	if ((rc = drift_extra_finish(o, rx, cx, rs, cs, res, doc, &oc, err)))
		goto out;
	*out = doc;
	doc = NULL;
	mrm_error_clear(err);
	rc = 0;
	rc = drift_outcome_status(*out, tested, drifted, &oc, err);
out:
	for (i = 0; res && i < nref + 1; i++)
		json_decref(res[i].obj);
	free(res);
	for (i = 0; names && i < nsel; i++)
		free(names[i]);
	free(names);
	free(types);
	free(ctypes);
	drift_side_free(cr_.side);
	json_decref(doc);
	json_decref(cols);
	json_decref(schema);
	drift_side_free(rs);
	drift_side_free(cs);
	drift_extra_free(rx);
	drift_extra_free(cx);
	drift_extra_free(cr_.x);
	input_close(&ri);
	input_close(&ci);
	return rc;
}
