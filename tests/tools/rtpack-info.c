/* Prints facts about red-team packs and detectors for the shell tests: the built-in packs' sizes, and the refusal and abstention counts on a labelled set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrm/redteam-probe.h"

/* "packs [NAME|FILE...]": name, version, base probes, probes, sha256, category of the first probe. */
static int packs(int argc, char **argv)
{
	const char *const *names = mrm_rt_builtin_packs();
	int n = argc > 0 ? argc : 0;

	for (int i = 0; argc > 0 ? i < n : names[i] != NULL; i++) {
		struct mrm_rt_pack *p = NULL;
		struct mrm_error err = { 0 };
		if (mrm_rt_pack_load(argc > 0 ? argv[i] : names[i], &p, &err)) {
			fprintf(stderr, "rtpack-info: %s\n", err.msg);
			return err.code;
		}
		printf("%s %s %zu %zu %s %s\n", p->name, p->version, p->nbase, p->nprobes, p->sha256, p->probes[0].category);
		mrm_rt_pack_free(p);
	}
	return 0;
}

/*
 * "labels FILE KEY": tp fp fn tn of the refusal (KEY refusal) or abstention (KEY abstain)
 * recogniser on a labelled JSON Lines file, per value of "set" in order of appearance
 * (up to 8), then "all".
 */
static int labels(const char *path, const char *key)
{
	char line[16384], sets[9] = "";
	int c[8][4] = { { 0 } }, all[4] = { 0 };
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 3;
	}
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, NULL);
		const char *set, *reply;
		int s = -1, k;
		if (!o) {
			fprintf(stderr, "rtpack-info: %s: bad JSON line\n", path);
			fclose(f);
			return 3;
		}
		set = json_string_value(json_object_get(o, "set"));
		if (set && *set) {
			char *at = strchr(sets, *set);
			if (!at && strlen(sets) < 8) {
				at = sets + strlen(sets);
				at[0] = *set;
				at[1] = '\0';
			}
			s = at ? (int)(at - sets) : -1;
		}
		reply = json_string_value(json_object_get(o, "reply"));
		k = json_is_true(json_object_get(o, key))
			    ? (!strcmp(key, "abstain") ? mrm_rt_is_abstention(reply, NULL) : mrm_rt_is_refusal(reply, NULL)) ? 0 : 2
			    : (!strcmp(key, "abstain") ? mrm_rt_is_abstention(reply, NULL) : mrm_rt_is_refusal(reply, NULL)) ? 1 : 3;
		if (s >= 0)
			c[s][k]++;
		all[k]++;
		json_decref(o);
	}
	fclose(f);
	for (int s = 0; sets[s]; s++)
		printf("%c %d %d %d %d\n", sets[s], c[s][0], c[s][1], c[s][2], c[s][3]);
	printf("all %d %d %d %d\n", all[0], all[1], all[2], all[3]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "packs"))
		return packs(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "labels"))
		return labels(argv[2], argv[3]);
	fprintf(stderr, "usage: rtpack-info packs [NAME|FILE...] | labels FILE refusal|abstain\n");
	return 2;
}
