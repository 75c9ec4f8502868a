/*
 * The --where filter of `mrm validate`: a tokenizer, a recursive-descent
 * parser into a small tree, and a batch evaluator with SQL's three-valued
 * logic (a comparison with a missing value is unknown, and only rows whose
 * condition is true are kept).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/internal.h"

enum tok_kind {
	T_END, T_IDENT, T_NUM, T_STR, T_LP, T_RP, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_AND, T_OR, T_NOT, T_IN, T_IS, T_MISSING,
};

struct tok {
	enum tok_kind kind;
	size_t pos, len;  /* bytes of the source text */
	char *text;       /* decoded identifier or string (NUL-terminated) */
	size_t tlen;
	double num;
};

enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_IN, N_MISSING };

/* An operand: a column (index into w->cols) or a literal. */
struct operand {
	int col;          /* -1 for a literal */
	bool is_num;      /* literal number */
	double num;
	char *str;        /* literal text (owned by the token list) */
	size_t slen;
	bool str_num_ok;  /* the text literal parses as a number */
	double str_num;
};

struct node {
	enum node_kind kind;
	int op;                 /* T_EQ .. T_GE for N_CMP */
	bool neg;               /* N_IN: not in; N_MISSING: is not missing */
	struct node *a, *b;     /* children of and/or/not */
	struct operand l, r;    /* N_CMP; N_IN and N_MISSING use l */
	struct operand *list;   /* N_IN literals */
	size_t nlist;
	uint8_t *out;           /* batch results: W_FALSE, W_TRUE, W_UNKNOWN */
	size_t cap;
	uint8_t *cache;         /* per category code: result + 1, 0 = not yet */
	size_t ncache;
};

struct wcol {
	char *name;
	size_t pos;       /* first mention, for messages */
	size_t slot;      /* in the reader's batches */
};

struct mrm__where {
	char *src;
	struct tok *toks;
	size_t ntoks, at;
	struct node *root;
	struct node **nodes;   /* every node, for freeing */
	size_t nnodes, capnodes;
	struct wcol *cols;
	size_t ncols;
};

#define W_FALSE 0
#define W_TRUE 1
#define W_UNKNOWN 2

/* ---- messages ------------------------------------------------------- */

/* "--where: LINE:COL: message" for the byte offset `pos` of the source. */
static int where_error(const struct mrm__where *w, int code, size_t pos,
		       struct mrm_error *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int where_error(const struct mrm__where *w, int code, size_t pos,
		       struct mrm_error *err, const char *fmt, ...)
{
	char msg[MRM_ERROR_MAX / 2];
	size_t line = 1, col = 1, i;
	va_list ap;

	for (i = 0; i < pos && w->src[i]; i++) {
		if (w->src[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mrm_error_set(err, code, "--where: %zu:%zu: %s", line, col, msg);
}

/* How a token reads in a message: 'text' as written, or "the end". */
static const char *tok_show(const struct mrm__where *w, const struct tok *t,
			    char *buf, size_t cap)
{
	size_t n = t->len;

	if (t->kind == T_END)
		return "the end";
	if (n > 40)
		n = 40;
	snprintf(buf, cap, "'%.*s%s'", (int)n, w->src + t->pos, t->len > n ? "..." : "");
	return buf;
}

/* ---- tokens ---------------------------------------------------------- */

static int push_tok(struct mrm__where *w, size_t *cap, struct tok t)
{
	if (w->ntoks == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct tok *nt = realloc(w->toks, nc * sizeof(*nt));

		if (!nt)
			return -1;
		w->toks = nt;
		*cap = nc;
	}
	w->toks[w->ntoks++] = t;
	return 0;
}

static bool ident_start(int c)
{
	return isalpha(c) || c == '_' || (c & 0x80);
}

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || (c & 0x80);
}

static enum tok_kind keyword(const char *s, size_t n)
{
	static const struct { const char *w; enum tok_kind k; } kw[] = {
		{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "in", T_IN },
		{ "is", T_IS }, { "missing", T_MISSING }, { "null", T_MISSING },
	};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i].w) == n && !strncasecmp(kw[i].w, s, n))
			return kw[i].k;
	return T_IDENT;
}

/* A quoted string or identifier starting at s[i] (the quote); doubled quotes escape. */
static int quoted(struct mrm__where *w, size_t i, struct tok *t, struct mrm_error *err)
{
	const char *s = w->src;
	char q = s[i];
	size_t j = i + 1, n = 0;
	char *buf;

	buf = malloc(strlen(s + i) + 1);
	if (!buf)
		return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
	for (;;) {
		if (!s[j]) {
			free(buf);
			return where_error(w, MRM_EUSAGE, i, err, "unterminated %s starting here",
					   q == '\'' ? "string" : "quoted column name");
		}
		if (s[j] == q) {
			if (s[j + 1] == q) {
				buf[n++] = q;
				j += 2;
				continue;
			}
			j++;
			break;
		}
		buf[n++] = s[j++];
	}
	buf[n] = '\0';
	t->text = buf;
	t->tlen = n;
	t->len = j - i;
	return 0;
}

static int tokenize(struct mrm__where *w, struct mrm_error *err)
{
	const char *s = w->src;
	size_t i = 0, cap = 0;
	int rc;

	for (;;) {
		struct tok t = { 0 };

		while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			i++;
		t.pos = i;
		if (!s[i]) {
			t.kind = T_END;
			if (push_tok(w, &cap, t))
				return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
			return 0;
		}
		if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
			if ((rc = quoted(w, i, &t, err)))
				return rc;
			t.kind = s[i] == '\'' ? T_STR : T_IDENT;
			if (t.kind == T_IDENT && t.tlen == 0) {
				free(t.text);
				return where_error(w, MRM_EUSAGE, i, err, "empty column name");
			}
		} else if (isdigit((unsigned char)s[i]) ||
			   ((s[i] == '-' || s[i] == '+' || s[i] == '.') &&
			    (isdigit((unsigned char)s[i + 1]) ||
			     (s[i + 1] == '.' && isdigit((unsigned char)s[i + 2]))))) {
			size_t j = i;

			if (s[j] == '-' || s[j] == '+')
				j++;
			while (isdigit((unsigned char)s[j]))
				j++;
			if (s[j] == '.') {
				j++;
				while (isdigit((unsigned char)s[j]))
					j++;
			}
			if ((s[j] == 'e' || s[j] == 'E') &&
			    (isdigit((unsigned char)s[j + 1]) ||
			     ((s[j + 1] == '-' || s[j + 1] == '+') && isdigit((unsigned char)s[j + 2])))) {
				j += 2;
				while (isdigit((unsigned char)s[j]))
					j++;
			}
			if (ident_char((unsigned char)s[j]) && s[j] != '.')
				return where_error(w, MRM_EUSAGE, i, err, "malformed number '%.*s'",
						   (int)(j - i + 1), s + i);
			{
				size_t k = s[i] == '+' ? i + 1 : i;

				if (mrm_parse_double(s + k, j - k, &t.num))
					return where_error(w, MRM_EUSAGE, i, err,
							   "malformed number '%.*s'", (int)(j - i), s + i);
			}
			t.kind = T_NUM;
			t.len = j - i;
		} else if (ident_start((unsigned char)s[i])) {
			size_t j = i;

			while (ident_char((unsigned char)s[j]))
				j++;
			t.len = j - i;
			t.kind = keyword(s + i, t.len);
			if (t.kind == T_IDENT) {
				if (!(t.text = malloc(t.len + 1)))
					return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
				memcpy(t.text, s + i, t.len);
				t.text[t.len] = '\0';
				t.tlen = t.len;
			}
		} else {
			t.len = 1;
			switch (s[i]) {
			case '(': t.kind = T_LP; break;
			case ')': t.kind = T_RP; break;
			case ',': t.kind = T_COMMA; break;
			case '=':
				t.kind = T_EQ;
				if (s[i + 1] == '=')
					t.len = 2;
				break;
			case '!':
				if (s[i + 1] != '=')
					return where_error(w, MRM_EUSAGE, i, err,
							   "unexpected '!' (use 'not' or '!=')");
				t.kind = T_NE;
				t.len = 2;
				break;
			case '<':
				t.kind = s[i + 1] == '=' ? T_LE : s[i + 1] == '>' ? T_NE : T_LT;
				t.len = t.kind == T_LT ? 1 : 2;
				break;
			case '>':
				t.kind = s[i + 1] == '=' ? T_GE : T_GT;
				t.len = t.kind == T_GE ? 2 : 1;
				break;
			default:
				if ((unsigned char)s[i] < 0x20)
					return where_error(w, MRM_EUSAGE, i, err,
							   "unexpected control character");
				return where_error(w, MRM_EUSAGE, i, err, "unexpected character '%c'", s[i]);
			}
		}
		if (push_tok(w, &cap, t)) {
			free(t.text);
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		}
		i += t.len;
	}
}

/* ---- parser ------------------------------------------------------------ */

static struct tok *peek(struct mrm__where *w)
{
	return &w->toks[w->at];
}

static struct tok *next(struct mrm__where *w)
{
	struct tok *t = &w->toks[w->at];

	if (t->kind != T_END)
		w->at++;
	return t;
}

static struct node *new_node(struct mrm__where *w, enum node_kind k)
{
	struct node *n;

	if (w->nnodes == w->capnodes) {
		size_t nc = w->capnodes ? w->capnodes * 2 : 16;
		struct node **nn = realloc(w->nodes, nc * sizeof(*nn));

		if (!nn)
			return NULL;
		w->nodes = nn;
		w->capnodes = nc;
	}
	if (!(n = calloc(1, sizeof(*n))))
		return NULL;
	n->kind = k;
	n->l.col = n->r.col = -1;
	w->nodes[w->nnodes++] = n;
	return n;
}

static int column_index(struct mrm__where *w, const struct tok *t)
{
	size_t i;
	struct wcol *nc;

	for (i = 0; i < w->ncols; i++)
		if (!strcmp(w->cols[i].name, t->text))
			return (int)i;
	nc = realloc(w->cols, (w->ncols + 1) * sizeof(*nc));
	if (!nc)
		return -1;
	w->cols = nc;
	w->cols[w->ncols] = (struct wcol){ t->text, t->pos, 0 };
	return (int)w->ncols++;
}

static const char *op_text(int op)
{
	switch (op) {
	case T_EQ: return "=";
	case T_NE: return "!=";
	case T_LT: return "<";
	case T_LE: return "<=";
	case T_GT: return ">";
	default: return ">=";
	}
}

static void literal_of(const struct tok *t, struct operand *o)
{
	o->col = -1;
	if (t->kind == T_NUM) {
		o->is_num = true;
		o->num = t->num;
	} else {
		o->str = t->text;
		o->slen = t->tlen;
		o->str_num_ok = t->tlen > 0 && !mrm_parse_double(t->text, t->tlen, &o->str_num);
	}
}

/* A column or a literal; `after` names what came before, for messages. */
static int operand(struct mrm__where *w, struct operand *o, const char *after,
		   struct mrm_error *err)
{
	struct tok *t = peek(w);
	char buf[64];

	if (t->kind == T_IDENT) {
		int c = column_index(w, t);

		if (c < 0)
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		next(w);
		memset(o, 0, sizeof(*o));
		o->col = c;
		return 0;
	}
	if (t->kind == T_NUM || t->kind == T_STR) {
		next(w);
		memset(o, 0, sizeof(*o));
		literal_of(t, o);
		return 0;
	}
	if (after)
		return where_error(w, MRM_EUSAGE, t->pos, err, "expected a value after '%s', found %s",
				   after, tok_show(w, t, buf, sizeof(buf)));
	return where_error(w, MRM_EUSAGE, t->pos, err, "expected a column name, found %s",
			   tok_show(w, t, buf, sizeof(buf)));
}

static int parse_or(struct mrm__where *w, struct node **out, struct mrm_error *err);

static int parse_in(struct mrm__where *w, struct node *n, struct mrm_error *err)
{
	struct tok *t = peek(w);
	char buf[64];
	size_t cap = 0;

	if (t->kind != T_LP)
		return where_error(w, MRM_EUSAGE, t->pos, err, "expected '(' after 'in', found %s",
				   tok_show(w, t, buf, sizeof(buf)));
	next(w);
	for (;;) {
		t = peek(w);
		if (t->kind != T_NUM && t->kind != T_STR)
			return where_error(w, MRM_EUSAGE, t->pos, err,
					   "expected a number or a 'quoted' value in the list, found %s",
					   tok_show(w, t, buf, sizeof(buf)));
		if (n->nlist == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct operand *nl = realloc(n->list, nc * sizeof(*nl));

			if (!nl)
				return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
			n->list = nl;
			cap = nc;
		}
		memset(&n->list[n->nlist], 0, sizeof(n->list[0]));
		literal_of(t, &n->list[n->nlist++]);
		next(w);
		t = next(w);
		if (t->kind == T_RP)
			return 0;
		if (t->kind != T_COMMA)
			return where_error(w, MRM_EUSAGE, t->pos, err,
					   "expected ',' or ')' in the list, found %s",
					   tok_show(w, t, buf, sizeof(buf)));
	}
}

/* predicate := operand (cmp operand | [not] in (...) | is [not] missing) */
static int parse_predicate(struct mrm__where *w, struct node **out, struct mrm_error *err)
{
	struct operand l;
	struct tok *t, *first = peek(w);
	struct node *n;
	char buf[64];
	int rc;

	if ((rc = operand(w, &l, NULL, err)))
		return rc;
	t = peek(w);
	if (t->kind >= T_EQ && t->kind <= T_GE) {
		int op = t->kind;

		next(w);
		if (!(n = new_node(w, N_CMP)))
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		n->op = op;
		n->l = l;
		if ((rc = operand(w, &n->r, op_text(op), err)))
			return rc;
		if (n->l.col < 0 && n->r.col < 0)
			return where_error(w, MRM_EUSAGE, first->pos, err,
					   "compares two values; one side must be a column");
		*out = n;
		return 0;
	}
	if (l.col < 0)
		return where_error(w, MRM_EUSAGE, first->pos, err,
				   "expected a column name, found %s", tok_show(w, first, buf, sizeof(buf)));
	if (t->kind == T_IN || (t->kind == T_NOT && w->toks[w->at + 1].kind == T_IN)) {
		if (!(n = new_node(w, N_IN)))
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		n->neg = t->kind == T_NOT;
		n->l = l;
		next(w);
		if (n->neg)
			next(w);
		*out = n;
		return parse_in(w, n, err);
	}
	if (t->kind == T_IS) {
		next(w);
		if (!(n = new_node(w, N_MISSING)))
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		n->l = l;
		if (peek(w)->kind == T_NOT) {
			n->neg = true;
			next(w);
		}
		t = peek(w);
		if (t->kind != T_MISSING)
			return where_error(w, MRM_EUSAGE, t->pos, err,
					   "expected 'missing' after '%s', found %s",
					   n->neg ? "is not" : "is", tok_show(w, t, buf, sizeof(buf)));
		next(w);
		*out = n;
		return 0;
	}
	{
		char buf2[64];

		return where_error(w, MRM_EUSAGE, t->pos, err,
				   "expected a comparison (= != < <= > >=), 'in' or 'is' after %s, found %s",
				   tok_show(w, first, buf, sizeof(buf)), tok_show(w, t, buf2, sizeof(buf2)));
	}
}

static int parse_unary(struct mrm__where *w, struct node **out, struct mrm_error *err)
{
	struct tok *t = peek(w);
	struct node *n;
	char buf[64];
	int rc;

	if (t->kind == T_NOT) {
		next(w);
		if (!(n = new_node(w, N_NOT)))
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		*out = n;
		return parse_unary(w, &n->a, err);
	}
	if (t->kind == T_LP) {
		size_t open = t->pos;

		next(w);
		if ((rc = parse_or(w, out, err)))
			return rc;
		t = peek(w);
		if (t->kind != T_RP) {
			char where_open[32];

			snprintf(where_open, sizeof(where_open), "%zu", open + 1);
			return where_error(w, MRM_EUSAGE, t->pos, err,
					   "expected ')' to close the '(' at column %s, found %s",
					   where_open, tok_show(w, t, buf, sizeof(buf)));
		}
		next(w);
		return 0;
	}
	if (t->kind == T_END)
		return where_error(w, MRM_EUSAGE, t->pos, err,
				   w->at == 0 ? "empty expression" : "expected a condition, found the end");
	if (t->kind != T_IDENT && t->kind != T_NUM && t->kind != T_STR)
		return where_error(w, MRM_EUSAGE, t->pos, err, "expected a condition, found %s",
				   tok_show(w, t, buf, sizeof(buf)));
	return parse_predicate(w, out, err);
}

static int parse_and(struct mrm__where *w, struct node **out, struct mrm_error *err)
{
	struct node *n;
	int rc;

	if ((rc = parse_unary(w, out, err)))
		return rc;
	while (peek(w)->kind == T_AND) {
		next(w);
		if (!(n = new_node(w, N_AND)))
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		n->a = *out;
		*out = n;
		if ((rc = parse_unary(w, &n->b, err)))
			return rc;
	}
	return 0;
}

static int parse_or(struct mrm__where *w, struct node **out, struct mrm_error *err)
{
	struct node *n;
	int rc;

	if ((rc = parse_and(w, out, err)))
		return rc;
	while (peek(w)->kind == T_OR) {
		next(w);
		if (!(n = new_node(w, N_OR)))
			return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
		n->a = *out;
		*out = n;
		if ((rc = parse_and(w, &n->b, err)))
			return rc;
	}
	return 0;
}

void mrm__where_free(struct mrm__where *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->nnodes; i++) {
		free(w->nodes[i]->list);
		free(w->nodes[i]->out);
		free(w->nodes[i]->cache);
		free(w->nodes[i]);
	}
	free(w->nodes);
	for (i = 0; i < w->ntoks; i++)
		free(w->toks[i].text);
	free(w->toks);
	free(w->cols);
	free(w->src);
	free(w);
}

int mrm__where_parse(const char *expr, struct mrm__where **out, struct mrm_error *err)
{
	struct mrm__where *w;
	char buf[64];
	int rc;

	*out = NULL;
	if (!(w = calloc(1, sizeof(*w))) || !(w->src = strdup(expr))) {
		free(w);
		return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
	}
	if ((rc = tokenize(w, err)) || (rc = parse_or(w, &w->root, err)))
		goto fail;
	if (peek(w)->kind != T_END) {
		struct tok *t = peek(w);

		rc = where_error(w, MRM_EUSAGE, t->pos, err,
				 t->kind == T_RP ? "unexpected %s (no '(' to close)"
						 : "expected 'and', 'or' or the end, found %s",
				 tok_show(w, t, buf, sizeof(buf)));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	mrm__where_free(w);
	return rc;
}

size_t mrm__where_ncols(const struct mrm__where *w)
{
	return w->ncols;
}

const char *mrm__where_col(const struct mrm__where *w, size_t i)
{
	return w->cols[i].name;
}

int mrm__where_column_error(const struct mrm__where *w, size_t i, const char *list,
			    struct mrm_error *err)
{
	return where_error(w, MRM_EINPUT, w->cols[i].pos, err, "no column '%s' (columns: %s)",
			   w->cols[i].name, list);
}

void mrm__where_bind(struct mrm__where *w, size_t i, size_t slot)
{
	w->cols[i].slot = slot;
}

/* ---- evaluation ------------------------------------------------------- */

enum vkind { V_MISSING, V_NUM, V_TEXT };

struct value {
	enum vkind kind;
	double num;
	const char *s;
	size_t len;
};

static bool text_is_nan(const char *s, size_t len)
{
	return len == 3 && (!memcmp(s, "NaN", 3) || !memcmp(s, "nan", 3));
}

static struct value col_value(const struct mrm_table_column *c, uint64_t i)
{
	struct value v = { V_MISSING, 0, NULL, 0 };

	if (c->type == MRM_COL_NUMERIC) {
		if (!isnan(c->num[i])) {
			v.kind = V_NUM;
			v.num = c->num[i];
		}
	} else if (c->codes[i] != MRM_TABLE_NA_CODE) {
		uint32_t code = c->codes[i];

		v.s = c->dict->str[code];
		v.len = c->dict->len[code];
		if (!text_is_nan(v.s, v.len))
			v.kind = V_TEXT;
	}
	return v;
}

static struct value lit_value(const struct operand *o)
{
	struct value v = { V_MISSING, 0, NULL, 0 };

	if (o->is_num) {
		v.kind = V_NUM;
		v.num = o->num;
	} else {
		v.kind = V_TEXT;
		v.s = o->str;
		v.len = o->slen;
	}
	return v;
}

static uint8_t truth(int op, int c)
{
	switch (op) {
	case T_EQ: return c == 0;
	case T_NE: return c != 0;
	case T_LT: return c < 0;
	case T_LE: return c <= 0;
	case T_GT: return c > 0;
	default: return c >= 0;
	}
}

/* a OP b in three-valued logic (see docs/validate.md, "The --where language"). */
static uint8_t compare(struct value a, struct value b, int op)
{
	if (a.kind == V_MISSING || b.kind == V_MISSING)
		return W_UNKNOWN;
	if (a.kind == V_TEXT && b.kind == V_TEXT) {
		size_t n = a.len < b.len ? a.len : b.len;
		int c = memcmp(a.s, b.s, n);

		if (c == 0)
			c = (a.len > b.len) - (a.len < b.len);
		return truth(op, c);
	}
	/* A number on one side: the text on the other side must read as one. */
	if (a.kind == V_TEXT && mrm_parse_double(a.s, a.len, &a.num))
		return op == T_EQ ? W_FALSE : op == T_NE ? W_TRUE : W_UNKNOWN;
	if (b.kind == V_TEXT && mrm_parse_double(b.s, b.len, &b.num))
		return op == T_EQ ? W_FALSE : op == T_NE ? W_TRUE : W_UNKNOWN;
	return truth(op, (a.num > b.num) - (a.num < b.num));
}

static uint8_t in_list(const struct node *n, struct value v)
{
	size_t i;
	uint8_t r = W_FALSE;

	if (v.kind == V_MISSING)
		return W_UNKNOWN;
	for (i = 0; i < n->nlist; i++) {
		uint8_t c = compare(v, lit_value(&n->list[i]), T_EQ);

		if (c == W_TRUE) {
			r = W_TRUE;
			break;
		}
	}
	if (n->neg)
		r = r == W_TRUE ? W_FALSE : W_TRUE;
	return r;
}

/* One predicate on one row. */
static uint8_t eval_row(const struct mrm__where *w, const struct node *n,
			const struct mrm_table *b, uint64_t i)
{
	struct value l = n->l.col >= 0 ? col_value(&b->cols[w->cols[n->l.col].slot], i)
				       : lit_value(&n->l);

	switch (n->kind) {
	case N_MISSING:
		return (l.kind == V_MISSING) != n->neg ? W_TRUE : W_FALSE;
	case N_IN:
		return in_list(n, l);
	default: {
		struct value r = n->r.col >= 0 ? col_value(&b->cols[w->cols[n->r.col].slot], i)
					       : lit_value(&n->r);
		return compare(l, r, n->op);
	}
	}
}

/* The operand of a predicate that is a categorical column while the other is a literal. */
static const struct mrm_table_column *cached_col(const struct mrm__where *w,
						 const struct node *n,
						 const struct mrm_table *b)
{
	const struct mrm_table_column *c;

	if (n->l.col < 0 || (n->kind == N_CMP && n->r.col >= 0))
		return NULL;
	c = &b->cols[w->cols[n->l.col].slot];
	return c->type == MRM_COL_CATEGORICAL ? c : NULL;
}

static int eval_node(const struct mrm__where *w, struct node *n, const struct mrm_table *b)
{
	uint64_t i, rows = b->nrows;
	int rc;

	if (n->cap < rows) {
		uint8_t *o = realloc(n->out, rows);

		if (!o)
			return -1;
		n->out = o;
		n->cap = rows;
	}
	switch (n->kind) {
	case N_AND:
	case N_OR:
		if ((rc = eval_node(w, n->a, b)) || (rc = eval_node(w, n->b, b)))
			return rc;
		for (i = 0; i < rows; i++) {
			uint8_t x = n->a->out[i], y = n->b->out[i];

			if (n->kind == N_AND)
				n->out[i] = (x == W_FALSE || y == W_FALSE) ? W_FALSE :
					    (x == W_TRUE && y == W_TRUE) ? W_TRUE : W_UNKNOWN;
			else
				n->out[i] = (x == W_TRUE || y == W_TRUE) ? W_TRUE :
					    (x == W_FALSE && y == W_FALSE) ? W_FALSE : W_UNKNOWN;
		}
		return 0;
	case N_NOT:
		if ((rc = eval_node(w, n->a, b)))
			return rc;
		for (i = 0; i < rows; i++) {
			uint8_t x = n->a->out[i];

			n->out[i] = x == W_UNKNOWN ? W_UNKNOWN : x == W_TRUE ? W_FALSE : W_TRUE;
		}
		return 0;
	default:
		break;
	}
	{
		const struct mrm_table_column *c = cached_col(w, n, b);

		if (c) {
			/* Categories repeat: decide each code once. */
			uint32_t nd = c->dict->n;

			if (n->ncache < nd) {
				uint8_t *nc = realloc(n->cache, nd);

				if (!nc)
					return -1;
				memset(nc + n->ncache, 0, nd - n->ncache);
				n->cache = nc;
				n->ncache = nd;
			}
			for (i = 0; i < rows; i++) {
				uint32_t code = c->codes[i];

				if (code == MRM_TABLE_NA_CODE) {
					n->out[i] = eval_row(w, n, b, i);
					continue;
				}
				if (!n->cache[code])
					n->cache[code] = (uint8_t)(eval_row(w, n, b, i) + 1);
				n->out[i] = (uint8_t)(n->cache[code] - 1);
			}
			return 0;
		}
	}
	if (n->kind == N_CMP && n->l.col >= 0 && n->r.col < 0 && n->r.is_num &&
	    b->cols[w->cols[n->l.col].slot].type == MRM_COL_NUMERIC) {
		/* The common case, column OP number, without the generic path. */
		const double *x = b->cols[w->cols[n->l.col].slot].num, t = n->r.num;

		for (i = 0; i < rows; i++) {
			double v = x[i];

			n->out[i] = isnan(v) ? W_UNKNOWN : truth(n->op, (v > t) - (v < t));
		}
		return 0;
	}
	for (i = 0; i < rows; i++)
		n->out[i] = eval_row(w, n, b, i);
	return 0;
}

int mrm__where_eval(struct mrm__where *w, const struct mrm_table *batch, uint8_t *keep,
		    struct mrm_error *err)
{
	uint64_t i;

	if (batch->nrows == 0)
		return 0;
	if (eval_node(w, w->root, batch))
		return mrm_error_set(err, MRM_EINPUT, "--where: out of memory");
	for (i = 0; i < batch->nrows; i++)
		keep[i] = w->root->out[i] == W_TRUE;
	return 0;
}
