/*
 * Declared tests of `mrm validate --tests FILE.yaml`: a YAML list of
 * conditions such as "roc_auc >= 0.75", "recall >= 0.6 for each sex" or
 * "roc_auc_difference >= 0 with p_value < 0.05", checked against the
 * finished result document. The grammar is in docs/validate.md.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "validate/internal.h"

enum op { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ, OP_NE };
enum kind { K_OVERALL, K_FAIRNESS, K_COMPARISON };
enum scope { S_NONE, S_COLUMN, S_EACH, S_VALUE };
enum bound { B_VALUE, B_CI_LOW, B_CI_HIGH };

struct vtest {
	char *name;
	char *condition;
	char *metric;
	enum kind kind;
	enum bound bound;
	enum op op;
	double target;
	enum scope scope;
	char *group;        /* group key */
	char *value;        /* slice name for S_VALUE */
	bool with_p;
	enum op p_op;
	double p_target;
};

struct mrm__vtests {
	struct vtest *t;
	size_t n;
};

static const char *const fairness_names[] = {
	"demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference",
	"equalized_odds_ratio", "equal_opportunity_difference", "disparate_impact_ratio", NULL,
};
static const char *const comparison_names[] = {
	"roc_auc_difference", "roc_auc_champion", "roc_auc_challenger", "z", "p_value", NULL,
};
static const char *const regression_names[] = {
	"mae", "mse", "rmse", "r2", "mape", "median_absolute_error", "rows", NULL,
};
static const char *const multiclass_names[] = {
	"accuracy", "precision_macro", "precision_micro", "precision_weighted", "recall_macro",
	"recall_micro", "recall_weighted", "f1_macro", "f1_micro", "f1_weighted", "log_loss",
	"rows", NULL,
};
static const char *const binary_extra[] = {
	"calibration_slope", "calibration_intercept", "rows", "positives", NULL,
};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

static bool is_binary_metric(const char *s)
{
	return mrm_binary_metric_id(s) >= 0 || in_list(binary_extra, s);
}

/* "<binary metric>_difference" from the champion comparison. */
static bool is_difference(const char *s)
{
	size_t n = strlen(s);
	char buf[64];

	if (n <= 11 || n - 11 >= sizeof(buf) || strcmp(s + n - 11, "_difference"))
		return false;
	memcpy(buf, s, n - 11);
	buf[n - 11] = '\0';
	return mrm_binary_metric_id(buf) >= 0;
}

void mrm__vtests_known(enum mrm_validate_task task, char *buf, size_t cap)
{
	size_t len = 0, i;
	const char *const *l;

	buf[0] = '\0';
#define ADD(...) (len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, __VA_ARGS__))
	if (task == MRM_TASK_BINARY) {
		for (i = 0; i < MRM_BINARY_METRIC_COUNT; i++)
			ADD("%s%s", i ? ", " : "", mrm_binary_metric_name((int)i));
		for (l = binary_extra; *l; l++)
			ADD(", %s", *l);
		for (l = fairness_names; *l; l++)
			ADD(", %s", *l);
		for (l = comparison_names; *l; l++)
			ADD(", %s", *l);
		ADD(", METRIC_difference");
		return;
	}
	for (l = task == MRM_TASK_REGRESSION ? regression_names : multiclass_names, i = 0; *l; l++, i++)
		ADD("%s%s", i ? ", " : "", *l);
#undef ADD
}

/* ---- the condition language ------------------------------------------------------ */

struct lexer {
	const char *s;
	size_t at;
	const char *path;
	yaml_mark_t mark;  /* where the condition starts in the file */
	size_t quote;      /* 1 when the scalar was quoted */
	struct mrm_error *err;
};

static int cond_error(struct lexer *x, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cond_error(struct lexer *x, size_t pos, const char *fmt, ...)
{
	char msg[MRM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mrm_error_set(x->err, MRM_EINPUT, "%s:%zu:%zu: %s", x->path, x->mark.line + 1,
			     x->mark.column + 1 + x->quote + pos, msg);
}

static void skip_space(struct lexer *x)
{
	while (x->s[x->at] && isspace((unsigned char)x->s[x->at]))
		x->at++;
}

static bool word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '&' || c == '-' || (c & 0x80);
}

/* A word (metric, keyword, column) or a quoted name; NULL at the end. */
static char *word(struct lexer *x, size_t *pos, bool *quoted)
{
	size_t start;
	char *w;

	skip_space(x);
	*pos = x->at;
	*quoted = false;
	if (x->s[x->at] == '\'' || x->s[x->at] == '"') {
		char q = x->s[x->at++];
		size_t n = 0;

		w = malloc(strlen(x->s + x->at) + 1);
		if (!w)
			return NULL;
		while (x->s[x->at] && !(x->s[x->at] == q && x->s[x->at + 1] != q)) {
			if (x->s[x->at] == q)
				x->at++;
			w[n++] = x->s[x->at++];
		}
		if (!x->s[x->at]) {
			free(w);
			return NULL;
		}
		x->at++;
		w[n] = '\0';
		*quoted = true;
		return w;
	}
	start = x->at;
	while (x->s[x->at] && word_char((unsigned char)x->s[x->at]))
		x->at++;
	if (x->at == start)
		return NULL;
	w = malloc(x->at - start + 1);
	if (!w)
		return NULL;
	memcpy(w, x->s + start, x->at - start);
	w[x->at - start] = '\0';
	return w;
}

static int parse_op(struct lexer *x, enum op *op, const char *after)
{
	const char *s;
	size_t pos;

	skip_space(x);
	pos = x->at;
	s = x->s + x->at;
	if (!strncmp(s, ">=", 2)) {
		*op = OP_GE;
		x->at += 2;
	} else if (!strncmp(s, "<=", 2)) {
		*op = OP_LE;
		x->at += 2;
	} else if (!strncmp(s, "==", 2)) {
		*op = OP_EQ;
		x->at += 2;
	} else if (!strncmp(s, "!=", 2)) {
		*op = OP_NE;
		x->at += 2;
	} else if (*s == '>') {
		*op = OP_GT;
		x->at++;
	} else if (*s == '<') {
		*op = OP_LT;
		x->at++;
	} else if (*s == '=') {
		*op = OP_EQ;
		x->at++;
	} else {
		return cond_error(x, pos, "expected a comparison (>= > <= < = !=) after '%s'", after);
	}
	return 0;
}

static int parse_number(struct lexer *x, double *v, const char *after)
{
	size_t pos, start;

	skip_space(x);
	pos = start = x->at;
	if (x->s[x->at] == '-' || x->s[x->at] == '+')
		x->at++;
	while (isdigit((unsigned char)x->s[x->at]) || x->s[x->at] == '.' || x->s[x->at] == 'e' ||
	       x->s[x->at] == 'E' ||
	       ((x->s[x->at] == '-' || x->s[x->at] == '+') && (x->s[x->at - 1] == 'e' || x->s[x->at - 1] == 'E')))
		x->at++;
	if (x->at == start || mrm_parse_double(x->s + start + (x->s[start] == '+'),
					       x->at - start - (x->s[start] == '+'), v))
		return cond_error(x, pos, "expected a number after '%s'", after);
	return 0;
}

static const char *op_text(enum op op)
{
	static const char *const t[] = { ">=", ">", "<=", "<", "=", "!=" };

	return t[op];
}

static int parse_condition(struct lexer *x, const struct mrm__vtests_scope *sc, struct vtest *t)
{
	char known[1024];
	size_t pos, i;
	bool q;
	char *w = NULL;
	int rc;

	if (!(w = word(x, &pos, &q)))
		return cond_error(x, pos, "expected a metric name");
	if (!q && (!strcmp(w, "ci_low") || !strcmp(w, "ci_high"))) {
		t->bound = w[3] == 'l' ? B_CI_LOW : B_CI_HIGH;
		skip_space(x);
		if (x->s[x->at] != '(') {
			rc = cond_error(x, x->at, "expected '(' after '%s'", w);
			free(w);
			return rc;
		}
		x->at++;
		free(w);
		if (!(w = word(x, &pos, &q)))
			return cond_error(x, pos, "expected a metric name in ci_%s(...)",
					  t->bound == B_CI_LOW ? "low" : "high");
		skip_space(x);
		if (x->s[x->at] != ')') {
			rc = cond_error(x, x->at, "expected ')' after '%s'", w);
			free(w);
			return rc;
		}
		x->at++;
	}
	t->metric = w;
	/* Which part of the document the metric is in. */
	if (sc->task == MRM_TASK_BINARY) {
		if (is_binary_metric(w))
			t->kind = K_OVERALL;
		else if (in_list(fairness_names, w))
			t->kind = K_FAIRNESS;
		else if (in_list(comparison_names, w) || is_difference(w))
			t->kind = K_COMPARISON;
		else {
			mrm__vtests_known(sc->task, known, sizeof(known));
			return cond_error(x, pos, "unknown metric '%s' (known: %s)", w, known);
		}
	} else if (in_list(sc->task == MRM_TASK_REGRESSION ? regression_names : multiclass_names, w)) {
		t->kind = K_OVERALL;
	} else {
		mrm__vtests_known(sc->task, known, sizeof(known));
		return cond_error(x, pos, "unknown metric '%s' for --task %s (known: %s)", w,
				  sc->task == MRM_TASK_REGRESSION ? "regression" : "multiclass", known);
	}
	if (t->bound != B_VALUE && t->kind != K_OVERALL)
		return cond_error(x, pos, "ci_low/ci_high apply to the metrics of the rows, not to '%s'", w);
	if (sc->streaming && t->kind == K_OVERALL &&
	    (mrm_binary_metric_id(w) == MRM_ROC_AUC || mrm_binary_metric_id(w) == MRM_GINI ||
	     mrm_binary_metric_id(w) == MRM_AVERAGE_PRECISION ||
	     mrm_binary_metric_id(w) == MRM_KS_STATISTIC || !strcmp(w, "calibration_slope") ||
	     !strcmp(w, "calibration_intercept")))
		return cond_error(x, pos, "'%s' needs every score: not available with --streaming", w);
	if (t->kind == K_COMPARISON && !sc->champion)
		return cond_error(x, pos, "'%s' compares with a champion: give --champion COLUMN", w);
	if (t->kind == K_FAIRNESS && sc->ngroups == 0)
		return cond_error(x, pos, "'%s' is a fairness metric: give --group COLUMN", w);
	if ((rc = parse_op(x, &t->op, w)) || (rc = parse_number(x, &t->target, op_text(t->op))))
		return rc;
	/* for [each] COLUMN [= VALUE] */
	skip_space(x);
	if (!strncasecmp(x->s + x->at, "for", 3) && !word_char((unsigned char)x->s[x->at + 3])) {
		size_t fpos = x->at;
		char *g;

		x->at += 3;
		if (!(g = word(x, &pos, &q)))
			return cond_error(x, pos, "expected a --group column after 'for'");
		if (!q && !strcasecmp(g, "each")) {
			free(g);
			t->scope = S_EACH;
			if (!(g = word(x, &pos, &q)))
				return cond_error(x, pos, "expected a --group column after 'for each'");
		} else {
			t->scope = S_COLUMN;
		}
		t->group = g;
		for (i = 0; i < sc->ngroups && strcmp(sc->groups[i], g); i++)
			;
		if (i == sc->ngroups) {
			char list[512];
			size_t len = 0;

			list[0] = '\0';
			for (i = 0; i < sc->ngroups && len < sizeof(list); i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
							sc->groups[i]);
			return cond_error(x, pos, "'%s' is not a --group column (groups: %s)", g,
					  sc->ngroups ? list : "none; give --group");
		}
		skip_space(x);
		if (t->scope == S_COLUMN && x->s[x->at] == '=') {
			x->at += x->s[x->at + 1] == '=' ? 2 : 1;
			if (!(t->value = word(x, &pos, &q)))
				return cond_error(x, pos, "expected a value of '%s' after '='", g);
			t->scope = S_VALUE;
		}
		if (t->kind == K_FAIRNESS && t->scope != S_COLUMN)
			return cond_error(x, fpos, "'%s' compares the slices of a column: write '%s ... for %s'",
					  w, w, g);
		if (t->kind == K_COMPARISON)
			return cond_error(x, fpos, "'%s' is not computed per slice", w);
		if (t->kind == K_OVERALL && t->scope == S_COLUMN)
			return cond_error(x, fpos, "'%s ... for %s' is ambiguous: write 'for each %s' "
					  "(every slice) or 'for %s = VALUE' (one slice)", w, g, g, g);
		if (t->kind == K_OVERALL && (!strcmp(w, "calibration_slope") ||
					     !strcmp(w, "calibration_intercept")))
			return cond_error(x, fpos, "'%s' is not computed per slice", w);
	} else if (t->kind == K_FAIRNESS) {
		if (sc->ngroups != 1)
			return cond_error(x, x->at, "'%s' needs a column: write '%s ... for COLUMN'", w, w);
		t->scope = S_COLUMN;
		if (!(t->group = strdup(sc->groups[0])))
			return cond_error(x, x->at, "out of memory");
	}
	/* with p_value OP X */
	skip_space(x);
	if (!strncasecmp(x->s + x->at, "with", 4) && !word_char((unsigned char)x->s[x->at + 4])) {
		char *p;

		x->at += 4;
		if (!(p = word(x, &pos, &q)) || strcmp(p, "p_value")) {
			free(p);
			return cond_error(x, pos, "expected 'p_value' after 'with'");
		}
		free(p);
		if (t->kind != K_COMPARISON)
			return cond_error(x, pos, "'with p_value' applies to the champion comparison "
					  "(e.g. roc_auc_difference), not to '%s'", w);
		t->with_p = true;
		if ((rc = parse_op(x, &t->p_op, "p_value")) ||
		    (rc = parse_number(x, &t->p_target, op_text(t->p_op))))
			return rc;
	}
	skip_space(x);
	if (x->s[x->at])
		return cond_error(x, x->at, "unexpected '%.20s' (expected 'for', 'with' or the end)",
				  x->s + x->at);
	return 0;
}

/* ---- the file -------------------------------------------------------------------- */

static int at_mark(struct mrm_error *err, const char *path, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int at_mark(struct mrm_error *err, const char *path, yaml_mark_t m, const char *fmt, ...)
{
	char msg[MRM_ERROR_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mrm_error_set(err, MRM_EINPUT, "%s:%zu:%zu: %s", path, m.line + 1, m.column + 1, msg);
}

static void test_release(struct vtest *t)
{
	free(t->name);
	free(t->condition);
	free(t->metric);
	free(t->group);
	free(t->value);
}

void mrm__vtests_free(struct mrm__vtests *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		test_release(&v->t[i]);
	free(v->t);
	free(v);
}

static char *trimmed(const char *s)
{
	size_t n;
	char *o;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!(o = malloc(n + 1)))
		return NULL;
	memcpy(o, s, n);
	o[n] = '\0';
	return o;
}

static int one_test(const char *path, yaml_document_t *doc, yaml_node_t *item,
		    const struct mrm__vtests_scope *sc, struct vtest *t, struct mrm_error *err)
{
	yaml_node_t *cond = NULL, *name = NULL;
	struct lexer x = { 0 };

	if (item->type == YAML_SCALAR_NODE) {
		cond = item;
	} else if (item->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p;

		for (p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			yaml_node_t *v = yaml_document_get_node(doc, p->value);
			const char *key;

			if (!k || !v || k->type != YAML_SCALAR_NODE)
				return at_mark(err, path, item->start_mark, "a test's keys must be text");
			key = (const char *)k->data.scalar.value;
			if (v->type != YAML_SCALAR_NODE)
				return at_mark(err, path, v->start_mark, "'%s' must be text", key);
			if (!strcmp(key, "condition"))
				cond = v;
			else if (!strcmp(key, "name"))
				name = v;
			else
				return at_mark(err, path, k->start_mark,
					       "unknown key '%s' in a test (expected name, condition)", key);
		}
		if (!cond)
			return at_mark(err, path, item->start_mark, "a test needs a 'condition'");
	} else {
		return at_mark(err, path, item->start_mark,
			       "a test is a condition (text) or a mapping with name and condition");
	}
	if (!(t->condition = trimmed((const char *)cond->data.scalar.value)))
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	if (!*t->condition)
		return at_mark(err, path, cond->start_mark, "empty condition");
	t->name = name ? trimmed((const char *)name->data.scalar.value) : strdup(t->condition);
	if (!t->name)
		return mrm_error_set(err, MRM_EINPUT, "out of memory");
	x.s = (const char *)cond->data.scalar.value;
	x.path = path;
	x.mark = cond->start_mark;
	x.quote = cond->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		  cond->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	x.err = err;
	return parse_condition(&x, sc, t);
}

int mrm__vtests_load(const char *path, const struct mrm__vtests_scope *sc,
		     struct mrm__vtests **out, struct mrm_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *list = NULL;
	struct mrm__vtests *v = NULL;
	bool loaded = false;
	FILE *f;
	int rc = 0;

	*out = NULL;
	if (!(f = fopen(path, "rb")))
		return mrm_error_set(err, MRM_EINPUT, "cannot read tests file %s: %s", path, strerror(errno));
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return mrm_error_set(err, MRM_EINPUT, "%s: out of memory starting the YAML parser", path);
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = at_mark(err, path, parser.problem_mark, "%s%s%s",
			     parser.problem ? parser.problem : "invalid YAML",
			     parser.context ? " " : "", parser.context ? parser.context : "");
		goto out;
	}
	loaded = true;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		rc = mrm_error_set(err, MRM_EINPUT, "%s:1:1: no tests (expected 'tests:' and a list of conditions)",
				   path);
		goto out;
	}
	if (root->type == YAML_SEQUENCE_NODE) {
		list = root;
	} else if (root->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p;

		for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			yaml_node_t *val = yaml_document_get_node(&doc, p->value);

			if (!k || k->type != YAML_SCALAR_NODE ||
			    strcmp((const char *)k->data.scalar.value, "tests")) {
				rc = at_mark(err, path, k ? k->start_mark : root->start_mark,
					     "unknown key '%s' (expected 'tests')",
					     k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?");
				goto out;
			}
			if (!val || val->type != YAML_SEQUENCE_NODE) {
				rc = at_mark(err, path, val ? val->start_mark : k->start_mark,
					     "'tests' must be a list of conditions");
				goto out;
			}
			list = val;
		}
	}
	if (!list) {
		rc = at_mark(err, path, root->start_mark, "expected 'tests:' and a list of conditions");
		goto out;
	}
	if (!(v = calloc(1, sizeof(*v))) ||
	    !(v->t = calloc((size_t)(list->data.sequence.items.top - list->data.sequence.items.start) + 1,
			    sizeof(*v->t)))) {
		rc = mrm_error_set(err, MRM_EINPUT, "out of memory");
		goto out;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(&doc, *it);

		if (!item) {
			rc = at_mark(err, path, list->start_mark, "malformed YAML list");
			goto out;
		}
		v->n++;
		if ((rc = one_test(path, &doc, item, sc, &v->t[v->n - 1], err)))
			goto out;
	}
	if (v->n == 0) {
		rc = at_mark(err, path, list->start_mark, "the list of tests is empty");
		goto out;
	}
	*out = v;
	v = NULL;
out:
	mrm__vtests_free(v);
	if (loaded)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* ---- evaluation -------------------------------------------------------------------- */

static bool holds(enum op op, double v, double target)
{
	switch (op) {
	case OP_GE: return v >= target;
	case OP_GT: return v > target;
	case OP_LE: return v <= target;
	case OP_LT: return v < target;
	case OP_EQ: return v == target;
	default: return v != target;
	}
}

/* The value of metric `m` in a population object (the result or a slice). */
static json_t *metric_of(json_t *pop, const struct vtest *t, const char **reason)
{
	json_t *v;

	*reason = NULL;
	if (!strcmp(t->metric, "rows"))
		return json_object_get(pop, json_object_get(pop, "rows") ? "rows" : "n");
	if (!strcmp(t->metric, "positives"))
		return json_object_get(pop, "positives");
	if (t->bound != B_VALUE) {
		json_t *ci = json_object_get(json_object_get(pop, "ci"), t->metric);

		if (!json_is_array(ci)) {
			*reason = json_string_value(json_object_get(json_object_get(pop, "ci_undefined"), t->metric));
			if (!*reason)
				*reason = json_string_value(json_object_get(json_object_get(pop, "undefined"), t->metric));
			if (!*reason)
				*reason = "no confidence interval for this metric (use --bootstrap)";
			return NULL;
		}
		return json_array_get(ci, t->bound == B_CI_LOW ? 0 : 1);
	}
	v = json_object_get(json_object_get(pop, "metrics"), t->metric);
	if (!json_is_number(v))
		*reason = json_string_value(json_object_get(json_object_get(pop, "undefined"), t->metric));
	return v;
}

static json_t *eval_one(const struct vtest *t, json_t *res)
{
	json_t *o = json_pack("{s:s,s:s}", "name", t->name, "condition", t->condition);
	json_t *c = json_object_get(res, "comparison");
	json_t *v = NULL;
	const char *reason = NULL;
	bool passed = false;

	if (t->kind == K_OVERALL && t->scope == S_NONE) {
		v = metric_of(res, t, &reason);
	} else if (t->kind == K_OVERALL && t->scope == S_VALUE) {
		json_t *slice = json_object_get(json_object_get(json_object_get(res, "groups"), t->group),
						t->value);

		if (!slice) {
			reason = "";
		} else {
			v = metric_of(slice, t, &reason);
		}
		json_object_set_new(o, "slice", json_string(t->value));
	} else if (t->kind == K_OVERALL && t->scope == S_EACH) {
		json_t *g = json_object_get(json_object_get(res, "groups"), t->group), *s;
		json_t *slices = json_object();
		const char *key, *bad = NULL;
		double worst = NAN;
		bool all = true, low = t->op == OP_GE || t->op == OP_GT;

		json_object_foreach(g, key, s) {
			const char *why = NULL;
			json_t *x = metric_of(s, t, &why);
			bool ok = json_is_number(x) && holds(t->op, json_number_value(x), t->target);

			json_object_set_new(slices, key, json_pack("{s:O?,s:b}", "value",
								    json_is_number(x) ? x : NULL, "passed", ok));
			if (!json_is_number(x)) {
				if (all && !reason) {
					bad = key;
					reason = why ? why : "undefined";
				}
				all = false;
				continue;
			}
			all &= ok;
			if (isnan(worst) || (low ? json_number_value(x) < worst : json_number_value(x) > worst))
				worst = json_number_value(x);
		}
		if (!json_object_size(slices))
			reason = "no slices in the data";
		json_object_set_new(o, "slices", slices);
		passed = all && !reason;
		json_object_set_new(o, "passed", json_boolean(passed));
		json_object_set_new(o, "value", mrm__jnum(worst));
		if (reason) {
			char buf[512];

			snprintf(buf, sizeof(buf), bad ? "%s undefined in slice '%s': %s" : "%s%s%s",
				 bad ? t->metric : "", bad ? bad : "", reason);
			json_object_set_new(o, "reason", json_string(buf));
		}
		return o;
	} else if (t->kind == K_FAIRNESS) {
		json_t *f = json_object_get(json_object_get(res, "fairness"), t->group);

		v = json_object_get(f, t->metric);
		if (!json_is_number(v))
			reason = json_string_value(json_object_get(json_object_get(f, "undefined"), t->metric));
		json_object_set_new(o, "group", json_string(t->group));
	} else {
		if (json_object_get(c, t->metric)) {
			v = json_object_get(c, t->metric);
			if (!json_is_number(v))
				reason = json_string_value(json_object_get(json_object_get(c, "undefined"),
									   t->metric));
		} else {
			char base[64];
			size_t n = strlen(t->metric) - 11;

			snprintf(base, sizeof(base), "%.*s", (int)n, t->metric);
			v = json_object_get(json_object_get(json_object_get(c, "metrics"), base), "difference");
			if (!json_is_number(v))
				reason = "undefined for the champion or the challenger";
		}
		if (t->with_p) {
			json_t *p = json_object_get(c, "p_value");

			json_object_set(o, "p_value", p ? p : json_null());
			if (!json_is_number(p) && !reason) {
				reason = json_string_value(json_object_get(json_object_get(c, "undefined"), "p_value"));
				if (!reason)
					reason = "p_value is undefined";
			}
		}
	}
	if (json_is_number(v)) {
		passed = holds(t->op, json_number_value(v), t->target);
		if (t->with_p && passed)
			passed = json_is_number(json_object_get(c, "p_value")) &&
				 holds(t->p_op, json_number_value(json_object_get(c, "p_value")), t->p_target);
		json_object_set(o, "value", v);
	} else {
		json_object_set_new(o, "value", json_null());
		if (!reason)
			reason = "undefined";
	}
	json_object_set_new(o, "passed", json_boolean(passed && !reason));
	if (reason) {
		char buf[512];

		if (t->scope == S_VALUE && !*reason)
			snprintf(buf, sizeof(buf), "no slice %s = '%s' in the data", t->group, t->value);
		else
			snprintf(buf, sizeof(buf), "%s is undefined: %s", t->metric, reason);
		json_object_set_new(o, "reason", json_string(buf));
	}
	return o;
}

json_t *mrm__vtests_eval(const struct mrm__vtests *v, json_t *res, size_t *failed)
{
	json_t *a = json_array();
	size_t i;

	*failed = 0;
	for (i = 0; v && i < v->n; i++) {
		json_t *o = eval_one(&v->t[i], res);

		*failed += !json_is_true(json_object_get(o, "passed"));
		json_array_append_new(a, o);
	}
	return a;
}
