/*
 * Renders the HTML report of a saved result (a JSON file, or - for stdin) to
 * stdout, or atomically to a file with -o; for tests, screenshots and
 * re-rendering old results. -k names the kind of result: validation (the
 * default, `mrm validate`) or drift (`mrm drift`).
 *
 * usage: report-render [-k validation|drift] [-o OUT.html] RESULT.json|-
 * Exit status: 0, or the library's error code with its message on stderr.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mrm/report.h"

int main(int argc, char **argv)
{
	struct mrm_error err = { 0 };
	const char *out = NULL, *in, *kind = "validation";
	json_error_t je;
	json_t *doc;
	int c, rc;

	while ((c = getopt(argc, argv, "k:o:")) != -1) {
		switch (c) {
		case 'k': kind = optarg; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: report-render [-k validation|drift] [-o OUT.html] RESULT.json|-\n");
			return MRM_EUSAGE;
		}
	}
	if (optind + 1 != argc || (strcmp(kind, "validation") && strcmp(kind, "drift"))) {
		fprintf(stderr, "usage: report-render [-k validation|drift] [-o OUT.html] RESULT.json|-\n");
		return MRM_EUSAGE;
	}
	in = argv[optind];
	if (!strcmp(in, "-"))
		doc = json_loadf(stdin, 0, &je);
	else
		doc = json_load_file(in, 0, &je);
	if (!doc) {
		fprintf(stderr, "report-render: %s:%d:%d: %s\n", in, je.line, je.column, je.text);
		return MRM_EINPUT;
	}
	if (!strcmp(kind, "drift"))
		rc = out ? mrm_report_drift_html_file(doc, out, &err) :
			   mrm_report_drift_html(doc, mrm_sink_stdio, stdout, &err);
	else
		rc = out ? mrm_report_validation_html_file(doc, out, &err) :
			   mrm_report_validation_html(doc, mrm_sink_stdio, stdout, &err);
	if (rc == 0 && !out && fflush(stdout) != 0) {
		rc = MRM_EINPUT;
		mrm_error_set(&err, rc, "stdout: write error");
	}
	json_decref(doc);
	if (rc != 0)
		fprintf(stderr, "report-render: %s\n", err.msg);
	return rc;
}
