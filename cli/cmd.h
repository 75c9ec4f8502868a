/*
 * The mrm command line: the command table, argument parsing and output.
 *
 * Adding a command group:
 *   1. write cli/cmd-<name>.c with `int cmd_<name>(struct cli *c, int argc,
 *      char **argv)`; argv[0] is the group name;
 *   2. add a row to the table in cli/main.c (name, function, one-line
 *      summary, usage text);
 *   3. put the behaviour in lib/ (cli/ only parses, calls and renders);
 *   4. document it in docs/cli.md and add a case under tests/cli/cases/.
 */
#ifndef MRM_CLI_CMD_H
#define MRM_CLI_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "mrm/error.h"

struct mrm_ctx;

/* The version `mrm --version` prints and evidence packs record. */
#ifndef MRM_VERSION
#define MRM_VERSION "0.1.0"
#endif

/* Global options, parsed by main before the command runs. */
struct cli {
	const char *db;    /* --db, $MRM_DB, ./mrm.db */
	const char *actor; /* --as, $MRM_USER, the OS user */
	const char *now;   /* $MRM_NOW */
	bool json;         /* --json */
	const char *usage; /* the running command's usage text */
	struct mrm_error err;
};

typedef int (*cli_fn)(struct cli *c, int argc, char **argv);

struct cli_command {
	const char *name;
	cli_fn fn;
	const char *summary;
	const char *usage;
};

/* ---- arguments -------------------------------------------------------- */

enum cli_opt_kind {
	OPT_VALUE, /* --name VALUE or --name=VALUE */
	OPT_BOOL,  /* --name */
	OPT_LIST,  /* repeatable --name VALUE; values collected in a JSON array */
};

struct cli_opt {
	const char *name;       /* flag without dashes, e.g. "intended-use" */
	enum cli_opt_kind kind;
	const char *field;      /* key in the result; NULL: name with '-' -> '_' */
};

#define CLI_MAX_POS 16

struct cli_args {
	json_t *opts; /* field -> string, true, or array of strings */
	const char *pos[CLI_MAX_POS];
	int npos;
};

/*
 * Parses argv[0..argc) (after the command words) against `spec`, ending
 * with a NULL name. Unknown flags, missing values and too many positional
 * arguments are usage errors (MRM_EUSAGE). `--help` prints c->usage and
 * returns -1 (the caller returns 0). Free with cli_args_release().
 */
int cli_parse(struct cli *c, int argc, char **argv, const struct cli_opt *spec,
	      struct cli_args *out);
void cli_args_release(struct cli_args *a);

/* String value of an option, or NULL. */
const char *cli_opt(const struct cli_args *a, const char *field);

/*
 * The comma-separated values of a repeatable flag (`--group a,b --group c`)
 * as a NULL-terminated array in `*out`, its strings in `*buf`; both NULL if
 * the flag is absent, and the caller frees both. A flag given with no value
 * is a usage error.
 */
int cli_opt_list(struct cli *c, const struct cli_args *a, const char *field,
		 const char ***out, char **buf);

struct mrm_table_options;

/*
 * The data-reading flags every command that reads files shares (--format,
 * --delimiter, --no-header, --skip-bad-rows, --na) into `o`; the --na list
 * is returned in `*na` / `*nbuf` for the caller to free. Bad values are
 * usage errors.
 */
int cli_read_options(struct cli *c, const struct cli_args *a, struct mrm_table_options *o,
		     const char ***na, char **nbuf);

/*
 * --timeout SECONDS of the commands that deliver alerts into `*out` (0 when absent: the
 * library's default); not a number in (0, 3600] is a usage error. (cli/cmd-monitor.c)
 */
int cli_timeout(struct cli *c, const struct cli_args *a, double *out);

/*
 * After a command that delivered alerts: one "mrm: warning: delivery D-N ... failed"
 * line on stderr per delivery of doc's "deliveries" still queued. (cli/cmd-monitor.c)
 */
void cli_warn_queued(json_t *doc);

/* Requires exactly `min`..`max` positional arguments; `what` names them. */
int cli_need_pos(struct cli *c, const struct cli_args *a, int min, int max,
		 const char *what);

/* Reports a usage error in c->err and returns MRM_EUSAGE. */
int cli_usage_error(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Opens the store and the context for a command (create for mrm init). */
int cli_open(struct cli *c, bool create, struct mrm_ctx **ctx);

/* ---- output ----------------------------------------------------------- */

struct cli_col {
	const char *key;    /* field of each row */
	const char *header; /* column title */
};

/* Prints a JSON document (the --json output); steals `doc`. */
void cli_print_json(json_t *doc);

/* Prints rows of `arr` as an aligned table of `cols` (NULL-key terminated). */
void cli_print_table(json_t *arr, const struct cli_col *cols);

/*
 * Prints an object as "key: value" lines; nested arrays and objects are
 * printed compactly. Keys in `skip` (NULL-terminated, may be NULL) are left
 * out (e.g. sub-lists printed as tables after).
 */
void cli_print_record(json_t *obj, const char *const *skip);

/* Renders a scalar JSON value as display text into buf. */
const char *cli_text(json_t *v, char *buf, size_t cap);

/* ---- commands ----------------------------------------------------------- */

int cmd_init(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_model(struct cli *c, int argc, char **argv);
int cmd_tier(struct cli *c, int argc, char **argv);
int cmd_evidence(struct cli *c, int argc, char **argv);
int cmd_finding(struct cli *c, int argc, char **argv);
int cmd_accept(struct cli *c, int argc, char **argv);
int cmd_acceptance(struct cli *c, int argc, char **argv);
int cmd_review(struct cli *c, int argc, char **argv);
int cmd_signoff(struct cli *c, int argc, char **argv);
int cmd_incident(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_validate(struct cli *c, int argc, char **argv);
int cmd_drift(struct cli *c, int argc, char **argv);
int cmd_profile(struct cli *c, int argc, char **argv);
int cmd_controls(struct cli *c, int argc, char **argv);
int cmd_policy(struct cli *c, int argc, char **argv);
int cmd_monitor(struct cli *c, int argc, char **argv);
int cmd_alert(struct cli *c, int argc, char **argv);
int cmd_kpi(struct cli *c, int argc, char **argv);
int cmd_gate(struct cli *c, int argc, char **argv);

/*
 * Prints the controls of a gate document (mrm_gate_run) as CONTROL, STATUS,
 * REASON lines, reasons wrapped; with `problems_only` only the failed and
 * waived ones, indented, without a header (mrm controls test). (cli/cmd-gate.c)
 */
void cli_print_gate_controls(json_t *doc, bool problems_only);
int cmd_doc(struct cli *c, int argc, char **argv);
int cmd_pack(struct cli *c, int argc, char **argv);
int cmd_redteam(struct cli *c, int argc, char **argv);

#endif
