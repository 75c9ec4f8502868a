/*
 * Governance KPIs: the figures a model risk function reports on its whole programme
 * (inventory coverage, review completion and cycle time, intake quality, open high
 * findings and their age, repeat findings, incidents and their detection and
 * mitigation times, monitoring coverage, alert false positives, risk acceptances and
 * overdue reviews), each computed from the store alone as of the end of a day.
 *
 * "As of D" means the state at D's last second (UTC): each model, finding and incident
 * is taken as its last audit event on or before then recorded it (the audit trail keeps
 * every row's state after every change), so a report for a past date gives the figure
 * that was true then, whatever changed since. Figures over a period use the 365 days
 * ending on D (D - 364 to D inclusive). A KPI whose population is empty has value null
 * and a reason, never 0 or 100 %. The exact definitions, targets and why are in
 * docs/kpi.md.
 */
#ifndef MRM_KPI_H
#define MRM_KPI_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mrm/ctx.h"

#define MRM_KPI_TIERS 3
#define MRM_KPI_WINDOW_DAYS 365
#define MRM_KPI_MAX_DATES 400 /* the most dates one trend computes */

/* The KPI ids, in report order, NULL-terminated. */
extern const char *const mrm_kpi_ids[];
#define MRM_KPI_COUNT 15 /* how many there are */

/* What a KPI's value measures, which decides the numbers a target may hold. */
enum mrm_kpi_scale {
	MRM_KPI_SCALE_PERCENT, /* a ratio 0..1 in the JSON; targets and tables give it in percent */
	MRM_KPI_SCALE_COUNT,   /* a whole number of things (findings, models, acceptances) */
	MRM_KPI_SCALE_AMOUNT,  /* a quantity 0 or more (days, hours, a rate) */
};

/* How a target compares: the value must be at least, at most, exactly, above or below it. */
enum mrm_kpi_op { MRM_KPI_AT_LEAST, MRM_KPI_AT_MOST, MRM_KPI_EQUAL, MRM_KPI_ABOVE, MRM_KPI_BELOW };

/* A target of one KPI. */
struct mrm_kpi_target {
	const char *kpi; /* an id of mrm_kpi_ids */
	enum mrm_kpi_op op;
	double value; /* in the KPI's unit as the JSON gives it: a ratio (0..1) for percentages */
};

/* What a KPI is: its id, title, unit (as in the JSON), scale and mrm's default target. */
struct mrm_kpi_info {
	const char *id, *title, *unit;
	enum mrm_kpi_scale scale;
	struct mrm_kpi_target target; /* mrm's default (docs/kpi.md gives the reasons) */
};

/* The KPI with this id (exact), or NULL when there is none. Static data: never freed. */
const struct mrm_kpi_info *mrm_kpi_info(const char *id);

/*
 * Parses a target of KPI `id` as a policy writes it: an operator (>=, <=, =, > or <) and a
 * number in the KPI's unit, spaces allowed around them: ">= 95", "<=72", "= 0". A
 * percentage is written in percent, 0 to 100, with an optional "%" (">= 95" and ">= 95%"
 * are 0.95 in `out->value`); a number above 0 and at most 1 without the "%" is refused as
 * ambiguous (">= 1" could be 100 % written as a ratio). Counts are whole numbers. `out->kpi`
 * points at the KPI's static id. Errors (MRM_EINPUT, one line without a position: the caller
 * says where): an unknown id; no operator or an unknown one; no number or not a number
 * (digits with an optional decimal point and minus sign only: no exponent, inf or nan); "%"
 * on a KPI that is not a percentage; a number outside the unit's range (a negative one, a
 * percentage above 100, a count that is not whole, more than 1e9); a target no value can
 * meet ("> 100" on a percentage, "< 0").
 */
int mrm_kpi_target_parse(const char *id, const char *text, struct mrm_kpi_target *out,
			 struct mrm_error *err);

/*
 * The text of a target into `buf`, returned: "OP N" with N in the JSON's unit (">= 0.95",
 * as the KPI document's "target"), or with `percent` a percentage in percent (">= 95%", as
 * a policy writes it; other scales are the same either way).
 */
const char *mrm_kpi_target_text(const struct mrm_kpi_target *t, bool percent, char *buf, size_t cap);

/* Whether `value` meets target `t` (within 1e-12, so 19/20 meets ">= 0.95"). */
bool mrm_kpi_target_met(const struct mrm_kpi_target *t, double value);

struct mrm_kpi_options {
	/* "YYYY-MM-DD"; NULL: today (the context's effective date). Not after today. */
	const char *as_of;
	/*
	 * The model fields inventory_coverage requires at each tier beyond the ones it
	 * always requires (owner, purpose, intended_use and a tier): a policy's
	 * inventory_fields (inventory_fields[0] for tier 1; an untiered model uses tier
	 * 1's). Each a NULL-terminated list of model columns, or NULL for none. The caller
	 * keeps them alive during the call. Text fields must not be blank, data_sources
	 * must be a non-empty list.
	 */
	const char *const *inventory_fields[MRM_KPI_TIERS];
	/*
	 * Targets that replace mrm's defaults, each KPI at most once (a policy's kpis:, see
	 * mrm_kpi_target_parse): the KPIs they name report "target_source": "policy", the
	 * others their default target and "default". The caller keeps them alive.
	 */
	const struct mrm_kpi_target *targets;
	size_t ntargets;
	/*
	 * The policy the targets and inventory fields come from, reported at the top of the
	 * document as "policy": { name, source, sha256 }; policy_name NULL: "policy": null.
	 */
	const char *policy_name, *policy_source, *policy_sha256;
};

/*
 * Computes every KPI as of `o->as_of` (o may be NULL: today, no extra inventory fields,
 * mrm's default targets). `*out` receives a new object { as_of, window: { from, to },
 * policy: { name, source, sha256 } or null, kpis: { ID: { title, value (number, or null
 * when the population is empty), unit, target (text such as ">= 0.95", "<= 90", "= 0"),
 * target_source ("policy" or "default"), status ("met", "not met" or "n/a"), population
 * (N), population_of (what N counts), reason (only when value is null), and the KPI's own
 * details (breakdowns, distributions, the models or acceptances concerned) } } } with the
 * ids of mrm_kpi_ids, in that order. Errors: MRM_EINPUT for an as-of date that is not a
 * calendar date or is after today, and for targets naming an unknown KPI, one twice, or
 * a value that is not a finite number; MRM_ESTORE.
 */
int mrm_kpi_compute(struct mrm_ctx *ctx, const struct mrm_kpi_options *o, json_t **out,
		    struct mrm_error *err);

/*
 * The dates of a trend: `from`, then every `every` ("Nd", "Nw" or "Nm", N from 1 to
 * 366; months are calendar months from `from`, a day past a month's end becoming its
 * last day), up to `to`, and `to` itself when the steps do not land on it. `*out`
 * receives a new array of "YYYY-MM-DD". Errors (MRM_EINPUT): bad dates, `from` after
 * `to`, a bad `every`, more than MRM_KPI_MAX_DATES dates.
 */
int mrm_kpi_dates(const char *from, const char *to, const char *every, json_t **out,
		  struct mrm_error *err);

/*
 * Computes the KPIs at each date of mrm_kpi_dates(from, to, every) (o->as_of is
 * ignored; `to` must not be after today). `*out` receives { from, to, every, policy (as
 * in each document), dates: [..], series: [ one mrm_kpi_compute() document per date ] }.
 * Errors as for those two.
 */
int mrm_kpi_trend(struct mrm_ctx *ctx, const struct mrm_kpi_options *o, const char *from,
		  const char *to, const char *every, json_t **out, struct mrm_error *err);

#endif
