/*
 * Writes a large synthetic CSV fast, for bench/profile-big.sh: the shape of the drift
 * benchmark of ../shared/bench/gen_data.py (20 numeric columns num_00..num_19 of five
 * families, 5 categorical columns cat_0..cat_4 of 3, 5, 8, 12 and 20 levels), optionally with
 * its shift (num_00 +0.3 sd, num_07 scaled 1.25 around its mean, cat_2 mass moved from level 00
 * to 05..07). Deterministic (SplitMix64), numbers with 6 decimals formatted by hand.
 *
 * usage: gen-big-csv OUT.csv BYTES [shift] [SEED]
 * Prints "rows N bytes B offsets O1 O2 O3": the row count and the byte offsets of the first
 * line of the 2nd, 3rd and 4th quarter (shard boundaries at line starts, for byte-range shards).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NNUM 20
#define NCAT 5
#define BUF (1 << 20)

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return ((double)(next() >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller, two at a time. */
static double normal(void)
{
	static double spare;
	static int have;
	double r, t;

	if (have) {
		have = 0;
		return spare;
	}
	r = sqrt(-2 * log(unif()));
	t = 6.283185307179586 * unif();
	spare = r * sin(t);
	have = 1;
	return r * cos(t);
}

/* Writes x with 6 decimals (|x| < 9e12) at p; returns the end. */
static char *put_num(char *p, double x)
{
	char tmp[24];
	int n = 0;
	int64_t v;
	uint64_t u;

	if (x < 0) {
		*p++ = '-';
		x = -x;
	}
	v = (int64_t)(x * 1e6 + 0.5);
	u = (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
		if (n == 6)
			tmp[n++] = '.';
	} while (u || n < 8);
	while (n)
		*p++ = tmp[--n];
	return p;
}

int main(int argc, char **argv)
{
	static const int ks[NCAT] = { 3, 5, 8, 12, 20 };
	double mus[NNUM], sds[NNUM], cum[NCAT][20];
	uint64_t target, rows = 0, bytes = 0, off[3] = { 0, 0, 0 };
	int shift, fd, q = 0, j, c;
	char *buf, *p;

	if (argc < 3 || !(target = strtoull(argv[2], NULL, 10))) {
		fprintf(stderr, "usage: gen-big-csv OUT.csv BYTES [shift] [SEED]\n");
		return 2;
	}
	shift = argc > 3 && !strcmp(argv[3], "shift");
	rng = argc > 4 ? strtoull(argv[4], NULL, 10) : 20240601;
	/* Fixed per-column parameters (from the seed, not the shift: both sides share them). */
	for (j = 0; j < NNUM; j++) {
		mus[j] = 5 * normal();
		sds[j] = 0.5 + 2.5 * unif();
	}
	for (c = 0; c < NCAT; c++) {
		double s = 0, p0[20];
		int i;

		for (i = 0; i < ks[c]; i++)
			s += (p0[i] = -log(unif()) - log(unif())); /* Dirichlet(2) */
		for (i = 0; i < ks[c]; i++)
			p0[i] /= s;
		if (shift && c == 2) {
			double moved = p0[0] * 0.6;

			p0[0] -= moved;
			for (i = 5; i < 8; i++)
				p0[i] += moved / 3;
		}
		for (i = 0, s = 0; i < ks[c]; i++)
			cum[c][i] = (s += p0[i]);
	}
	rng ^= shift ? 0x5eed : 0;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	buf = malloc(BUF + 4096);
	if (fd < 0 || !buf) {
		fprintf(stderr, "gen-big-csv: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	p = buf;
	for (j = 0; j < NNUM; j++)
		p += snprintf(p, 16, "num_%02d,", j);
	for (c = 0; c < NCAT; c++)
		p += snprintf(p, 16, "cat_%d%c", c, c + 1 < NCAT ? ',' : '\n');
	while (bytes + (uint64_t)(p - buf) < target) {
		if (q < 3 && bytes + (uint64_t)(p - buf) >= target / 4 * (uint64_t)(q + 1))
			off[q++] = bytes + (uint64_t)(p - buf);
		for (j = 0; j < NNUM; j++) {
			double x, mu = mus[j], sd = sds[j];

			switch (j % 5) {
			case 0: x = mu + sd * normal(); break;
			case 1: x = exp(sd / 3 * normal()); break;
			case 2: x = mu - sd + 2 * sd * unif(); break;
			case 3: x = -sd * log(unif()); break;
			default: x = -sd * (log(unif()) + log(unif())); break;
			}
			if (shift && j == 0)
				x += 0.3 * sd;
			if (shift && j == 7)
				x = mu + (x - mu) * 1.25;
			p = put_num(p, x);
			*p++ = ',';
		}
		for (c = 0; c < NCAT; c++) {
			double u = unif();
			int i = 0;

			while (i < ks[c] - 1 && u >= cum[c][i])
				i++;
			p += snprintf(p, 16, "c%d_L%02d%c", c, i, c + 1 < NCAT ? ',' : '\n');
		}
		rows++;
		if (p - buf >= BUF) {
			if (write(fd, buf, (size_t)(p - buf)) != p - buf) {
				fprintf(stderr, "gen-big-csv: write: %s\n", strerror(errno));
				return 1;
			}
			bytes += (uint64_t)(p - buf);
			p = buf;
		}
	}
	if (write(fd, buf, (size_t)(p - buf)) != p - buf || close(fd)) {
		fprintf(stderr, "gen-big-csv: write: %s\n", strerror(errno));
		return 1;
	}
	bytes += (uint64_t)(p - buf);
	free(buf);
	printf("rows %llu bytes %llu offsets %llu %llu %llu\n", (unsigned long long)rows,
	       (unsigned long long)bytes, (unsigned long long)off[0], (unsigned long long)off[1],
	       (unsigned long long)off[2]);
	return 0;
}
