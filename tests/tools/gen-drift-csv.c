/*
 * Writes a synthetic reference or current CSV with known drift for the profile-drift tests
 * (tests/sh/drift-profile.sh, tests/sh/sharded-profile.sh): the same seed and side always give
 * the same bytes, on any platform (SplitMix64, no libm randomness).
 *
 * usage: gen-drift-csv ROWS ref|cur [SEED]   (CSV on stdout)
 *
 * Columns, reference -> current:
 *   n_same   normal(0, 1)                  -> the same (no drift)
 *   n_mean   normal(0, 1)                  -> normal(0.5, 1) (drift: normalised W1 0.5)
 *   n_tiny   normal(0, 1)                  -> normal(0.01, 1) (no drift)
 *   n_scale  lognormal(0, 0.5)             -> 1.5 x the same (drift)
 *   n_int    binomial(9, 0.5), integers    -> binomial(9, 0.52) (ties; no drift)
 *   n_heavy  Pareto(1.5) (heavy tail)      -> the same (no drift)
 *   n_miss   normal(3, 2), 10% missing     -> the same, 30% missing
 *   n_const  5                             -> 5 (constant reference)
 *   c_small  A B C D at 40 30 20 10%       -> 10 20 30 40% (drift)
 *   c_bin    yes/no 50/50                  -> 52/48 (no drift)
 *   c_many   5000 categories, half Zipf-like -> the same (more than 1000 categories)
 *   c_new    A B C                         -> A B C and 5% D (a new category)
 *   ref_only / cur_only                    only on one side (schema)
 *   retyped  numbers                       -> numbers and 1% "n/a-ish" text
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t next(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double unif(void)
{
	return ((double)(next() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

static int pick(const double *p, int k)
{
	double u = unif(), s = 0;
	int i;

	for (i = 0; i < k - 1; i++) {
		s += p[i];
		if (u < s)
			return i;
	}
	return k - 1;
}

int main(int argc, char **argv)
{
	static const double small_ref[] = { 0.4, 0.3, 0.2, 0.1 }, small_cur[] = { 0.1, 0.2, 0.3, 0.4 };
	static const double new_ref[] = { 0.5, 0.3, 0.2, 0 }, new_cur[] = { 0.45, 0.3, 0.2, 0.05 };
	long rows, i;
	int cur;

	if (argc < 3 || (rows = atol(argv[1])) <= 0 ||
	    (strcmp(argv[2], "ref") && strcmp(argv[2], "cur"))) {
		fprintf(stderr, "usage: gen-drift-csv ROWS ref|cur [SEED]\n");
		return 2;
	}
	cur = !strcmp(argv[2], "cur");
	state = (argc > 3 ? strtoull(argv[3], NULL, 10) : 20261126) * 2 + (uint64_t)cur;
	printf("n_same,n_mean,n_tiny,n_scale,n_int,n_heavy,n_miss,n_const,c_small,c_bin,c_many,c_new,%s,retyped\n",
	       cur ? "cur_only" : "ref_only");
	for (i = 0; i < rows; i++) {
		double scale = exp(0.5 * normal()) * (cur ? 1.5 : 1);
		int bin = 0, j, many;

		for (j = 0; j < 9; j++)
			bin += unif() < (cur ? 0.52 : 0.5);
		/* Half Zipf-like (index ~ 1 / u, capped at 5000), half uniform over 1..5000. */
		many = unif() < 0.5 ? (int)fmin(5000, floor(1 / unif())) : 1 + (int)(5000 * unif());
		printf("%.6f,%.6f,%.6f,%.6f,%d,%.6f,", normal(), normal() + (cur ? 0.5 : 0),
		       normal() + (cur ? 0.01 : 0), scale, bin, pow(unif(), -1 / 1.5));
		if (unif() < (cur ? 0.3 : 0.1))
			printf(",");
		else
			printf("%.4f,", 3 + 2 * normal());
		printf("5,%c,%s,k%04d,%c,%ld,", "ABCD"[pick(cur ? small_cur : small_ref, 4)],
		       unif() < (cur ? 0.52 : 0.5) ? "yes" : "no", many,
		       "ABCD"[pick(cur ? new_cur : new_ref, 4)], i % 100);
		if (cur && unif() < 0.01)
			printf("unknown\n");
		else
			printf("%.3f\n", 10 * unif());
	}
	return ferror(stdout) ? 1 : 0;
}
