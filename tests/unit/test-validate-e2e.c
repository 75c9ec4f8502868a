/*
 * End-to-end tests of `mrm validate`: runs the mrm binary on the fixtures of
 * tests/data/validate and compares its --json document with the values that
 * tests/fixtures/gen_validate_fixtures.py computed with scikit-learn, scipy
 * and Fairlearn's formulas (1e-9, relative above 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#define TOL 1e-9
#define MAX_REPORTS 20

static char top[4096], shared[4096];

static void dirs(void)
{
	const char *t = getenv("MRM_TOP");
	FILE *f;

	snprintf(top, sizeof(top), "%s", t && *t ? t : ".");
	snprintf(shared, sizeof(shared), "%s/../shared", top);
	snprintf(shared + strlen(shared), sizeof(shared) - strlen(shared), "%s", "");
	{
		char probe[8300];

		snprintf(probe, sizeof(probe), "%s/data/README.md", shared);
		f = fopen(probe, "r");
		if (f)
			fclose(f);
		else
			snprintf(shared, sizeof(shared), "/work/shared");
	}
}

static const char *mrm_binary(void)
{
	const char *m = getenv("MRM");

	return m && *m ? m : "./build/mrm";
}

/* Runs mrm with argv; returns its stdout and sets *status to the exit code. */
static char *run(char **argv, int *status)
{
	int fd[2];
	pid_t pid;
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int st;

	assert_non_null(buf);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* stderr holds the one-line message of a failed test: not part of the check. */
		if (null >= 0)
			dup2(null, 2);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	close(fd[0]);
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	buf[len] = '\0';
	return buf;
}

struct cmp {
	const char *name;
	int bad;
};

static void report(struct cmp *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct cmp *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (c->bad++ >= MAX_REPORTS)
		return;
	fprintf(stderr, "%s: %s: ", c->name, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Every key of `want` must be in `got` with an equal value. */
static void compare(struct cmp *c, const char *path, json_t *want, json_t *got)
{
	char sub[1024];

	if (json_is_string(want) && !strcmp(json_string_value(want), "<any>")) {
		if (!got)
			report(c, path, "missing");
		return;
	}
	if (!got) {
		report(c, path, "missing");
		return;
	}
	if (json_is_number(want)) {
		double w = json_number_value(want), g;

		if (!json_is_number(got)) {
			report(c, path, "want %.17g, got %s", w, json_is_null(got) ? "null" : "a non-number");
			return;
		}
		g = json_number_value(got);
		if (!(fabs(g - w) <= TOL * fmax(1.0, fabs(w))))
			report(c, path, "want %.17g, got %.17g", w, g);
		return;
	}
	if (json_is_null(want)) {
		if (!json_is_null(got))
			report(c, path, "want null");
		return;
	}
	if (json_is_boolean(want)) {
		if (json_typeof(want) != json_typeof(got))
			report(c, path, "want %s", json_is_true(want) ? "true" : "false");
		return;
	}
	if (json_is_string(want)) {
		if (!json_is_string(got) || strcmp(json_string_value(want), json_string_value(got)))
			report(c, path, "want '%s', got '%s'", json_string_value(want),
			       json_is_string(got) ? json_string_value(got) : "(not text)");
		return;
	}
	if (json_is_array(want)) {
		size_t i;
		json_t *v;

		if (!json_is_array(got) || json_array_size(got) != json_array_size(want)) {
			report(c, path, "want an array of %zu, got %zu", json_array_size(want),
			       json_is_array(got) ? json_array_size(got) : 0);
			return;
		}
		json_array_foreach(want, i, v) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			compare(c, sub, v, json_array_get(got, i));
		}
		return;
	}
	{
		const char *key;
		json_t *v;

		if (!json_is_object(got)) {
			report(c, path, "want an object");
			return;
		}
		json_object_foreach(want, key, v) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			compare(c, sub, v, json_object_get(got, key));
		}
	}
}

static void run_case(json_t *tc)
{
	const char *name = json_string_value(json_object_get(tc, "name"));
	json_t *args = json_object_get(tc, "args"), *a, *got;
	char *argv[64], *out;
	char store[64][8300];
	json_error_t je;
	size_t i, n = 0;
	int status;
	struct cmp c = { name, 0 };

	argv[n++] = (char *)mrm_binary();
	argv[n++] = "--json";
	argv[n++] = "validate";
	json_array_foreach(args, i, a) {
		const char *s = json_string_value(a);

		if (!strncmp(s, "@D/", 3))
			snprintf(store[i], sizeof(store[i]), "%s/tests/data/validate/%s", top, s + 3);
		else if (!strncmp(s, "@S/", 3))
			snprintf(store[i], sizeof(store[i]), "%s/%s", shared, s + 3);
		else
			snprintf(store[i], sizeof(store[i]), "%s", s);
		argv[n++] = store[i];
	}
	argv[n] = NULL;
	out = run(argv, &status);
	if (status != json_integer_value(json_object_get(tc, "exit")))
		fail_msg("%s: exit %d, expected %d", name, status,
			 (int)json_integer_value(json_object_get(tc, "exit")));
	got = json_loads(out, 0, &je);
	if (!got)
		fail_msg("%s: output is not JSON (%s): %.200s", name, je.text, out);
	compare(&c, "", json_object_get(tc, "expected"), got);
	json_decref(got);
	free(out);
	if (c.bad)
		fail_msg("%s: %d values differ from the reference", name, c.bad);
}

static void one_case(void **state)
{
	run_case(*state);
}

int main(void)
{
	char path[8300];
	json_error_t je;
	struct CMUnitTest *tests;
	json_t *cases, *tc;
	size_t i, n;
	int rc;

	dirs();
	snprintf(path, sizeof(path), "%s/tests/data/validate/cases.json", top);
	cases = json_load_file(path, 0, &je);
	if (!cases) {
		fprintf(stderr, "cannot load %s: %s\n", path, je.text);
		return 1;
	}
	n = json_array_size(cases);
	tests = calloc(n + 1, sizeof(*tests));
	if (!tests)
		return 1;
	/* One cmocka test per case, so that one failure does not hide the others. */
	json_array_foreach(cases, i, tc) {
		tests[i].name = json_string_value(json_object_get(tc, "name"));
		tests[i].test_func = one_case;
		tests[i].initial_state = tc;
	}
	rc = _cmocka_run_group_tests("validate-e2e", tests, n, NULL, NULL);
	free(tests);
	json_decref(cases);
	return rc;
}
