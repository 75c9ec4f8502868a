/*
 * Red-team probe packs, transforms and detectors: the offline half of mrm redteam.
 *
 * (Interface copy for the online half, lib/redteam/{target,runner,runfile,results}.c;
 * the probe-pack module replaces this file and lib/redteam/probe-stub.c at merge.)
 */
#ifndef MRM_REDTEAM_PROBE_H
#define MRM_REDTEAM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mrm/error.h"

struct mrm_rt_message {
	char *role;
	char *content;
};

struct mrm_rt_probe {
	char *id;
	/* prompt_injection jailbreak system_prompt_leak data_exfiltration harmful_content
	 * excessive_agency hallucination */
	char *category;
	char **owasp, **atlas, **nist; /* NULL-terminated */
	struct mrm_rt_message *turns;  /* sent after the system prompt; the last is the user turn */
	size_t nturns;
	char *transform;
	json_t *tools;                 /* OpenAI tool definitions or NULL */
	json_t *detectors;
	char *expected;
};

struct mrm_rt_pack {
	char *name, *version, *sha256, *path;
	struct mrm_rt_probe *probes;
	size_t nprobes;
};

/* Loads a built-in pack by name or a pack file by path into `*out` (free with mrm_rt_pack_free). */
int mrm_rt_pack_load(const char *name_or_path, struct mrm_rt_pack **out, struct mrm_error *err);
void mrm_rt_pack_free(struct mrm_rt_pack *p);
/* The names of the built-in packs, NULL-terminated. */
const char *const *mrm_rt_builtin_packs(void);

struct mrm_rt_reply {
	const char *content;
	json_t *tool_calls; /* [{ "name", "arguments" }] or NULL */
};

/* *verdict = { "success": BOOL, "detector": NAME, "evidence": TEXT, "needs_judge": BOOL } */
int mrm_rt_detect(const struct mrm_rt_probe *p, const struct mrm_rt_reply *r,
		  const char *const *secrets, json_t **verdict, struct mrm_error *err);
char *mrm_rt_judge_prompt(const struct mrm_rt_probe *p, const struct mrm_rt_reply *r);
int mrm_rt_judge_parse(const char *answer, bool *success, struct mrm_error *err);

#endif
