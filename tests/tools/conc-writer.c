/*
 * Concurrency stress for tests/sh/concurrency.sh: forks PROCS processes
 * that each open their own context on one store and perform N mutations
 * through the public API, then reports how many failed.
 *
 * usage: conc-writer DB PROCS N [finding|model|version]
 *   finding  (default) each mutation is mrm_finding_add of a finding
 *            titled "cP-I" on the model "conc" (one audit event each);
 *   model    each mutation is mrm_model_add of a distinct model
 *            "cP-I" (one audit event each);
 *   version  each mutation is mrm_version_add of a distinct version "pP-I"
 *            of the one model "conc" (two audit events each: the version
 *            and the model's current_version), so every writer contends
 *            for the same row.
 * The store must exist with user "alice" (admin, validator) and, for
 * "finding" and "version", the model "conc". Exit 0 when every mutation
 * succeeded; each failure is one line on stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "mrm/ctx.h"
#include "mrm/finding.h"
#include "mrm/model.h"

enum kind { FINDING, MODEL, VERSION };

static int mutate(struct mrm_ctx *ctx, enum kind kind, int proc, int i,
		  struct mrm_error *err)
{
	char id[64];
	json_t *f;
	int rc;

	if (kind == FINDING) {
		snprintf(id, sizeof(id), "c%d-%d", proc, i);
		f = json_pack("{s:s,s:s,s:s}", "severity", "low", "category", "governance", "title", id);
		rc = mrm_finding_add(ctx, "conc", f, NULL, err);
		json_decref(f);
		return rc;
	}
	if (kind == VERSION) {
		snprintf(id, sizeof(id), "p%d-%d", proc, i);
		return mrm_version_add(ctx, "conc", id, NULL, NULL, err);
	}
	snprintf(id, sizeof(id), "c%d-%d", proc, i);
	f = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "name", "concurrency", "owner", "alice",
		      "purpose", "stress test");
	rc = mrm_model_add(ctx, f, NULL, err);
	json_decref(f);
	return rc;
}

static int child(const char *db, int proc, int n, enum kind kind)
{
	struct mrm_ctx_options o = { .db = db, .actor = "alice" };
	struct mrm_error err = { 0 };
	struct mrm_ctx *ctx = NULL;
	int failed = 0;

	if (mrm_ctx_open(&o, &ctx, &err)) {
		fprintf(stderr, "conc-writer[%d]: %s\n", proc, err.msg);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		mrm_error_clear(&err);
		if (mutate(ctx, kind, proc, i, &err)) {
			/* One line per failure: the test prints them. */
			fprintf(stderr, "conc-writer[%d] mutation %d: %s\n", proc, i, err.msg);
			failed++;
		}
	}
	mrm_ctx_free(ctx);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum kind kind = FINDING;
	int procs, n, bad = 0;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: conc-writer DB PROCS N [finding|model|version]\n");
		return 2;
	}
	procs = atoi(argv[2]);
	n = atoi(argv[3]);
	if (argc == 5 && !strcmp(argv[4], "model"))
		kind = MODEL;
	else if (argc == 5 && !strcmp(argv[4], "version"))
		kind = VERSION;
	else if (argc == 5 && strcmp(argv[4], "finding")) {
		fprintf(stderr, "conc-writer: unknown kind '%s'\n", argv[4]);
		return 2;
	}
	if (procs < 1 || procs > 64 || n < 0) {
		fprintf(stderr, "conc-writer: bad PROCS or N\n");
		return 2;
	}
	fflush(NULL);
	for (int p = 0; p < procs; p++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("conc-writer: fork");
			return 1;
		}
		if (pid == 0)
			_exit(child(argv[1], p, n, kind));
	}
	for (int p = 0; p < procs; p++) {
		int status;
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	if (bad)
		fprintf(stderr, "conc-writer: %d of %d processes reported failures\n", bad, procs);
	return bad ? 1 : 0;
}
