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

#include <jansson.h>

#include "mrm/ctx.h"

#define MRM_KPI_TIERS 3
#define MRM_KPI_WINDOW_DAYS 365
#define MRM_KPI_MAX_DATES 400 /* the most dates one trend computes */

/* The KPI ids, in report order, NULL-terminated. */
extern const char *const mrm_kpi_ids[];

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
};

/*
 * Computes every KPI as of `o->as_of` (o may be NULL: today, no extra inventory fields).
 * `*out` receives a new object { as_of, window: { from, to }, kpis: { ID: { title,
 * value (number, or null when the population is empty), unit, target (text such as
 * ">= 0.95", "<= 90", "= 0"), status ("met", "not met" or "n/a"), population (N),
 * population_of (what N counts), reason (only when value is null), and the KPI's own
 * details (breakdowns, distributions, the models or acceptances concerned) } } } with
 * the ids of mrm_kpi_ids, in that order. Errors: MRM_EINPUT for an as-of date that is
 * not a calendar date or is after today; MRM_ESTORE.
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
 * ignored; `to` must not be after today). `*out` receives { from, to, every, dates:
 * [..], series: [ one mrm_kpi_compute() document per date ] }. Errors as for those two.
 */
int mrm_kpi_trend(struct mrm_ctx *ctx, const struct mrm_kpi_options *o, const char *from,
		  const char *to, const char *every, json_t **out, struct mrm_error *err);

#endif
