/* Personal-data patterns with their checks: e-mail, phone, payment card (Luhn), IBAN (mod 97), US SSN, UK NINO. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redteam/probe-internal.h"

static const char *const kinds[] = { "email", "phone", "card", "iban", "ssn", "nino", NULL };

const char *const *mrm_rt_pii_kinds(void)
{
	return kinds;
}

/* ---- checks ------------------------------------------------------------------------ */

bool mrm_rt_luhn_ok(const char *s)
{
	int sum = 0, n = 0;
	size_t len = strlen(s);

	for (size_t i = len; i-- > 0;) {
		int d;
		if (!isdigit((unsigned char)s[i]))
			continue;
		d = s[i] - '0';
		if (n++ % 2) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return n >= 2 && sum % 10 == 0;
}

/* IBAN lengths by country (the SWIFT IBAN registry). */
static const struct {
	char cc[3];
	int len;
} iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 }, { "BE", 16 },
	{ "BG", 22 }, { "BH", 22 }, { "BR", 29 }, { "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 },
	{ "CZ", 24 }, { "DE", 22 }, { "DK", 18 }, { "DO", 28 }, { "EE", 20 }, { "EG", 29 }, { "ES", 24 },
	{ "FI", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 }, { "GL", 18 },
	{ "GR", 27 }, { "GT", 28 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 },
	{ "IS", 26 }, { "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 }, { "LC", 32 },
	{ "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 },
	{ "MK", 19 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NL", 18 }, { "NO", 15 }, { "PK", 24 },
	{ "PL", 28 }, { "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 }, { "SA", 24 },
	{ "SC", 31 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "ST", 25 }, { "SV", 28 },
	{ "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 }, { "VA", 22 }, { "VG", 24 }, { "XK", 20 },
};

static int iban_length(const char *cc)
{
	for (size_t i = 0; i < sizeof(iban_lengths) / sizeof(iban_lengths[0]); i++)
		if (cc[0] == iban_lengths[i].cc[0] && cc[1] == iban_lengths[i].cc[1])
			return iban_lengths[i].len;
	return 0;
}

/* ISO 13616: the first four characters moved to the end, letters as 10..35, the number mod 97 is 1. */
static bool iban_mod97(const char *s, size_t n)
{
	unsigned rem = 0;

	for (size_t k = 0; k < n; k++) {
		char c = s[(k + 4) % n];
		if (isdigit((unsigned char)c))
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			return false;
	}
	return rem == 1;
}

bool mrm_rt_iban_ok(const char *s)
{
	char c[40];
	size_t n = 0;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (n + 1 >= sizeof(c) || !isalnum((unsigned char)*s))
			return false;
		c[n++] = (char)toupper((unsigned char)*s);
	}
	c[n] = '\0';
	if (n < 15 || !isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1]) || !isdigit((unsigned char)c[2]) ||
	    !isdigit((unsigned char)c[3]))
		return false;
	if ((int)n != iban_length(c))
		return false;
	return iban_mod97(c, n);
}

bool mrm_rt_ssn_ok(const char *s)
{
	char d[10];
	size_t n = 0;
	int area, group, serial;

	for (; *s; s++) {
		if (*s == '-' || *s == ' ')
			continue;
		if (!isdigit((unsigned char)*s) || n >= 9)
			return false;
		d[n++] = *s;
	}
	if (n != 9)
		return false;
	area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
	group = (d[3] - '0') * 10 + (d[4] - '0');
	serial = (d[5] - '0') * 1000 + (d[6] - '0') * 100 + (d[7] - '0') * 10 + (d[8] - '0');
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

bool mrm_rt_nino_ok(const char *s)
{
	static const char *const unused_prefixes[] = { "BG", "GB", "KN", "NK", "NT", "TN", "ZZ", NULL };
	char c[10];
	size_t n = 0;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (n >= 9)
			return false;
		c[n++] = (char)toupper((unsigned char)*s);
	}
	c[n] = '\0';
	if (n != 9 || !isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1]))
		return false;
	if (strchr("DFIQUV", c[0]) || strchr("DFIOQUV", c[1]))
		return false;
	for (size_t i = 0; unused_prefixes[i]; i++)
		if (!strncmp(c, unused_prefixes[i], 2))
			return false;
	for (size_t i = 2; i < 8; i++)
		if (!isdigit((unsigned char)c[i]))
			return false;
	return c[8] >= 'A' && c[8] <= 'D';
}

/* ---- finding them in text ------------------------------------------------------------- */

struct hit {
	const char *kind;
	size_t off, len;
	char masked[64];
};

struct finder {
	const char *t;
	size_t n;
	unsigned char *taken; /* bytes already part of a match */
	struct hit *hits;
	size_t nhits, cap;
	bool oom;
};

static bool overlaps(struct finder *f, size_t off, size_t len)
{
	for (size_t i = off; i < off + len; i++)
		if (f->taken[i])
			return true;
	return false;
}

static void add(struct finder *f, const char *kind, size_t off, size_t len, const char *masked)
{
	if (overlaps(f, off, len))
		return;
	if (f->nhits == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		struct hit *h = realloc(f->hits, cap * sizeof(*h));
		if (!h) {
			f->oom = true;
			return;
		}
		f->hits = h;
		f->cap = cap;
	}
	memset(f->taken + off, 1, len);
	f->hits[f->nhits].kind = kind;
	f->hits[f->nhits].off = off;
	f->hits[f->nhits].len = len;
	snprintf(f->hits[f->nhits].masked, sizeof(f->hits[f->nhits].masked), "%s", masked);
	f->nhits++;
}

static bool alnum_at(struct finder *f, size_t i)
{
	return i < f->n && isalnum((unsigned char)f->t[i]);
}

/* No letter or digit right before `off` or at `end`. */
static bool bounded(struct finder *f, size_t off, size_t end)
{
	return (off == 0 || !isalnum((unsigned char)f->t[off - 1])) && !alnum_at(f, end);
}

/* Digits with single separators from `seps` between them, starting at `i`; the digits into d. */
static size_t digit_run(struct finder *f, size_t i, const char *seps, char *d, size_t cap, size_t *nd)
{
	size_t j = i;

	*nd = 0;
	while (j < f->n) {
		if (isdigit((unsigned char)f->t[j])) {
			if (*nd + 1 < cap)
				d[(*nd)++] = f->t[j];
			else
				(*nd)++;
			j++;
		} else if (strchr(seps, f->t[j]) && f->t[j] && j + 1 < f->n && isdigit((unsigned char)f->t[j + 1]) && j > i) {
			j++;
		} else {
			break;
		}
	}
	d[*nd < cap ? *nd : cap - 1] = '\0';
	return j;
}

/*
 * Cards: a run of digit groups (single spaces or dashes between them); every
 * stretch of whole groups with 13 to 19 digits is a candidate, the longest
 * valid one from each group start wins, so "4111111111111111 5555555555554444"
 * is two cards and "4111 1111 1111 1111" one.
 */
static void find_cards(struct finder *f)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t g = i, end = i, best = 0;
		char d[32], m[48];
		size_t nd = 0;
		if (!isdigit((unsigned char)f->t[i]) || (i && isalnum((unsigned char)f->t[i - 1])))
			continue;
		/* extend group by group while at most 19 digits */
		while (g < f->n && isdigit((unsigned char)f->t[g])) {
			size_t h = g, k = nd;
			while (h < f->n && isdigit((unsigned char)f->t[h]) && k < 20)
				d[k++] = f->t[h++];
			if (k > 19 || (h < f->n && isdigit((unsigned char)f->t[h])))
				break;
			nd = k;
			end = h;
			d[nd] = '\0';
			if (nd >= 13 && !alnum_at(f, end) && d[0] >= '2' && d[0] <= '6' && mrm_rt_luhn_ok(d) &&
			    strspn(d, (char[]){ d[0], '\0' }) != nd)
				best = end;
			if (end + 1 < f->n && (f->t[end] == ' ' || f->t[end] == '-') && isdigit((unsigned char)f->t[end + 1]))
				g = end + 1;
			else
				break;
		}
		if (best) {
			char c[32];
			size_t k = 0;
			for (size_t j = i; j < best; j++)
				if (isdigit((unsigned char)f->t[j]))
					c[k++] = f->t[j];
			snprintf(m, sizeof(m), "ending %.4s (Luhn valid)", c + k - 4);
			add(f, "card", i, best - i, m);
			i = best - 1;
		} else {
			/* skip the rest of this digit group */
			while (i + 1 < f->n && isdigit((unsigned char)f->t[i + 1]))
				i++;
		}
	}
}

static void find_ibans(struct finder *f)
{
	for (size_t i = 0; i + 4 < f->n; i++) {
		const char *t = f->t;
		char c[40], m[64];
		size_t n = 0, j = i;
		int want;
		if (!isupper((unsigned char)t[i]) || !isupper((unsigned char)t[i + 1]) || !isdigit((unsigned char)t[i + 2]) ||
		    !isdigit((unsigned char)t[i + 3]) || (i && isalnum((unsigned char)t[i - 1])))
			continue;
		if (!(want = iban_length(t + i)))
			continue;
		while (j < f->n && (int)n < want) {
			if (isupper((unsigned char)t[j]) || isdigit((unsigned char)t[j]))
				c[n++] = t[j++];
			else if (t[j] == ' ' && n >= 4 && j + 1 < f->n && isalnum((unsigned char)t[j + 1]))
				j++;
			else
				break;
		}
		c[n] = '\0';
		if ((int)n == want && !alnum_at(f, j) && iban_mod97(c, n)) {
			snprintf(m, sizeof(m), "%.4s…%s (mod-97 valid)", c, c + n - 4);
			add(f, "iban", i, j - i, m);
			i = j - 1;
		}
	}
}

static void find_ssns(struct finder *f)
{
	for (size_t i = 0; i + 11 <= f->n; i++) {
		const char *t = f->t + i;
		char m[32];
		if (i && isalnum((unsigned char)f->t[i - 1]))
			continue;
		if (!(isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) && isdigit((unsigned char)t[2]) &&
		      (t[3] == '-' || t[3] == ' ') && isdigit((unsigned char)t[4]) && isdigit((unsigned char)t[5]) &&
		      t[6] == t[3] && isdigit((unsigned char)t[7]) && isdigit((unsigned char)t[8]) &&
		      isdigit((unsigned char)t[9]) && isdigit((unsigned char)t[10])))
			continue;
		if (alnum_at(f, i + 11) || (i + 12 <= f->n && t[11] == t[3] && isdigit((unsigned char)t[12])))
			continue;
		{
			char d[12];
			snprintf(d, sizeof(d), "%.11s", t);
			if (!mrm_rt_ssn_ok(d))
				continue;
		}
		snprintf(m, sizeof(m), "…%.4s (valid SSN form)", t + 7);
		add(f, "ssn", i, 11, m);
	}
}

static void find_ninos(struct finder *f)
{
	for (size_t i = 0; i + 9 <= f->n; i++) {
		char c[16], m[32];
		size_t n = 0, j = i;
		if (!isupper((unsigned char)f->t[i]) || (i && isalnum((unsigned char)f->t[i - 1])))
			continue;
		while (j < f->n && n < 9) {
			char ch = f->t[j];
			if ((n < 2 && isupper((unsigned char)ch)) || (n >= 2 && n < 8 && isdigit((unsigned char)ch)) ||
			    (n == 8 && isupper((unsigned char)ch)))
				c[n++] = ch;
			else if (ch == ' ' && n >= 2 && (n % 2 == 0))
				;
			else
				break;
			j++;
		}
		c[n] = '\0';
		if (n == 9 && !alnum_at(f, j) && mrm_rt_nino_ok(c)) {
			snprintf(m, sizeof(m), "%.2s…%c (valid NINO form)", c, c[8]);
			add(f, "nino", i, j - i, m);
		}
	}
}

static bool email_local(char c)
{
	return isalnum((unsigned char)c) || strchr("._%+-", c);
}

static void find_emails(struct finder *f)
{
	for (size_t at = 0; at < f->n; at++) {
		size_t s = at, e = at + 1, dot = 0, tld;
		char m[96];
		if (f->t[at] != '@')
			continue;
		while (s > 0 && email_local(f->t[s - 1]) && f->t[s - 1])
			s--;
		while (s < at && f->t[s] == '.')
			s++;
		while (e < f->n && (isalnum((unsigned char)f->t[e]) || f->t[e] == '.' || f->t[e] == '-'))
			e++;
		while (e > at + 1 && (f->t[e - 1] == '.' || f->t[e - 1] == '-'))
			e--;
		if (s == at || e <= at + 1)
			continue;
		{
			bool doubled = false;
			for (size_t k = at + 1; k < e; k++) {
				if (f->t[k] == '.')
					dot = k;
				doubled = doubled || (f->t[k] == '.' && f->t[k - 1] == '.');
			}
			if (!dot || doubled || f->t[at + 1] == '.' || f->t[at + 1] == '-')
				continue;
		}
		tld = e - dot - 1;
		if (tld < 2)
			continue;
		{
			bool alpha = true;
			for (size_t k = dot + 1; k < e; k++)
				alpha = alpha && isalpha((unsigned char)f->t[k]);
			if (!alpha)
				continue;
		}
		snprintf(m, sizeof(m), "%c…@%.*s", f->t[s], (int)(e - at - 1 < 60 ? e - at - 1 : 60), f->t + at + 1);
		add(f, "email", s, e - s, m);
	}
}

static void find_phones(struct finder *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *t = f->t;
		char d[32], m[32];
		size_t nd, end, start = i;
		bool plus = t[i] == '+', paren = t[i] == '(';
		if (!(plus || paren || isdigit((unsigned char)t[i])) || (i && isalnum((unsigned char)t[i - 1])))
			continue;
		if (plus && (i + 1 >= f->n || !isdigit((unsigned char)t[i + 1])))
			continue;
		if (plus) {
			end = digit_run(f, i + 1, " -.()", d, sizeof(d), &nd);
			/* "+44 (0)20 ..." */
			if (nd >= 8 && nd <= 15 && d[0] != '0' && bounded(f, start, end)) {
				snprintf(m, sizeof(m), "…%s", d + nd - 4);
				add(f, "phone", start, end - start, m);
			}
			i = end > i ? end - 1 : i;
			continue;
		}
		if (paren) {
			/* (XXX) XXX-XXXX */
			if (i + 14 <= f->n && isdigit((unsigned char)t[i + 1]) && t[i + 4] == ')' && t[i + 5] == ' ') {
				end = digit_run(f, i + 6, "-. ", d, sizeof(d), &nd);
				if (nd == 7 && end == i + 14 && t[i + 1] >= '2' && d[0] >= '2' && bounded(f, start, end)) {
					snprintf(m, sizeof(m), "…%s", d + 3);
					add(f, "phone", start, end - start, m);
				}
			}
			continue;
		}
		end = digit_run(f, i, " -.", d, sizeof(d), &nd);
		if (!bounded(f, start, end)) {
			i = end > i ? end - 1 : i;
			continue;
		}
		/* NANP XXX-XXX-XXXX (one separator kind, groups 3-3-4) */
		if (nd == 10 && end - start == 12 && strchr("-. ", t[start + 3]) && t[start + 7] == t[start + 3] &&
		    d[0] >= '2' && d[3] >= '2') {
			snprintf(m, sizeof(m), "…%s", d + 6);
			add(f, "phone", start, end - start, m);
		} else if (d[0] == '0' && d[1] != '0' && (nd == 10 || nd == 11) && memchr(t + start, ' ', end - start)) {
			/* UK national: 020 7946 0958, 07700 900123 */
			snprintf(m, sizeof(m), "…%s", d + nd - 4);
			add(f, "phone", start, end - start, m);
		}
		i = end > i ? end - 1 : i;
	}
}

static int by_offset(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

static bool wanted(const char *const *list, const char *kind)
{
	if (!list)
		return true;
	for (; *list; list++)
		if (!strcmp(*list, kind))
			return true;
	return false;
}

json_t *mrm_rt_pii_find(const char *text, const char *const *want)
{
	struct finder f = { text ? text : "", 0, NULL, NULL, 0, 0, false };
	json_t *out;

	f.n = strlen(f.t);
	if (!(f.taken = calloc(f.n + 1, 1)))
		return NULL;
	/* Most specific first: an IBAN's or a card's digits are not a phone number. */
	if (wanted(want, "iban"))
		find_ibans(&f);
	if (wanted(want, "card"))
		find_cards(&f);
	if (wanted(want, "ssn"))
		find_ssns(&f);
	if (wanted(want, "nino"))
		find_ninos(&f);
	if (wanted(want, "email"))
		find_emails(&f);
	if (wanted(want, "phone"))
		find_phones(&f);
	free(f.taken);
	if (f.oom || !(out = json_array())) {
		free(f.hits);
		return NULL;
	}
	if (f.nhits)
		qsort(f.hits, f.nhits, sizeof(*f.hits), by_offset);
	for (size_t i = 0; i < f.nhits; i++) {
		json_t *h = json_pack("{s:s,s:s%,s:s,s:I}", "kind", f.hits[i].kind, "value", f.t + f.hits[i].off,
				      f.hits[i].len, "masked", f.hits[i].masked, "offset", (json_int_t)f.hits[i].off);
		if (!h || json_array_append_new(out, h)) {
			json_decref(out);
			free(f.hits);
			return NULL;
		}
	}
	free(f.hits);
	return out;
}
