#!/bin/sh
# mrm redteam run --model: a complete run is filed as evidence (redteam-report, its note a
# JSON summary per category), categories with successes open one finding each, a retest of
# the hardened target moves them to awaiting-verification (recorded on the finding), a
# later failing run sends them back to in-remediation; an interrupted run is not filed;
# only validators and admins file runs; the audit chain verifies throughout.
. "$MRM_TOP/tests/sh/lib/redteam-env.sh"
export MRM_DB="$work/m.db" MRM_USER=val MRM_NOW=2026-11-26T09:00:00Z
q() { sqlite3 "$MRM_DB" "$1"; }

start vuln
start hard --mode hardened
start slow --latency 30
V="http://127.0.0.1:$vuln_port/v1"
H="http://127.0.0.1:$hard_port/v1"

m init && m user add val --role admin,validator && m user add bob --role owner &&
	m model add assistant --name "Support assistant" --owner bob --purpose "Answers customers" &&
	m model version add assistant v2 --change prompt ||
	{ notok "set up the store: $(cat err)"; exit 1; }

m --as bob redteam run $MINI --target "$V" -o nope.jsonl --model assistant
check "an owner cannot file red-team runs: exit 5 before anything is sent" \
	sh -c "[ $? -eq 5 ] && [ ! -e nope.jsonl ] && grep -q 'not permitted' err"
m redteam run $MINI --target "$V" -o nope.jsonl --model ghost
check "an unknown model: exit 4 before anything is sent" sh -c "[ $? -eq 4 ] && [ ! -e nope.jsonl ]"
m redteam run $MINI --target "$V" -o nope.jsonl --model assistant --version v9
check "an unknown version: exit 4" [ $? -eq 4 ]
m redteam run $MINI --target "$V" -o nope.jsonl --finding-threshold 0.1
check "--finding-threshold without --model: exit 2" [ $? -eq 2 ]

# ---- the first run opens findings -----------------------------------------------------------

m redteam run $MINI --target "$V" -o v1.jsonl --model assistant --version v2 --json
rc=$?
cp out v1.json
failing=$(py v1.json "sum(1 for c in d['categories'].values() if c['successes'])")
check "vulnerable run filed: exit 0, evidence E-1, one finding per failing category ($failing)" \
	$PY -c "
import json; d = json.load(open('v1.json'))
assert $rc == 0 and d['filed']['evidence']['id'] == 'E-1'
assert len(d['filed']['opened']) == $failing > 0
"
check "the evidence is the run file, kind redteam-report, on version v2" \
	[ "$(q "SELECT kind || ':' || version || ':' || (path LIKE '%/v1.jsonl') FROM evidence WHERE id = 1")" = "redteam-report:v2:1" ]
check "the evidence note is a JSON summary with per-category rates" $PY -c "
import json, sqlite3
note = json.loads(sqlite3.connect('m.db').execute('SELECT note FROM evidence WHERE id = 1').fetchone()[0])
d = json.load(open('v1.json'))
assert note['mrm_redteam'] == 1 and note['attempts'] == d['attempts']
for c, x in d['categories'].items():
    assert note['categories'][c]['rate'] == x['rate'] and note['categories'][c]['successes'] == x['successes']
"
check "the findings: open, high, linked to E-1, one per failing category" \
	[ "$(q "SELECT count(*) FROM findings WHERE status = 'open' AND severity = 'high' AND evidence_id = 1 AND title LIKE 'Red team: % attacks succeed'")" -eq "$failing" ]
check "system prompt leaks are a security finding, data exfiltration a privacy one" \
	[ "$(q "SELECT category FROM findings WHERE title = 'Red team: system_prompt_leak attacks succeed'")" = security ]
m redteam run $MINI --target "$V" -o v2.jsonl --model assistant
check "the same failures again: no new finding (one weakness, one finding)" \
	sh -c "[ $? -eq 0 ] && [ \$(sqlite3 '$MRM_DB' 'SELECT count(*) FROM findings') -eq $failing ] && grep -q 'still fails (kept)' out"

# ---- an interrupted run is not filed ----------------------------------------------------------

"$MRM" redteam run $MINI --target "http://127.0.0.1:$slow_port/v1" --repeat 50 --concurrency 1 --quiet \
	-o part.jsonl --model assistant >/dev/null 2>part.err &
mp=$!
sleep 1
kill -INT "$mp"
wait "$mp"
check "an interrupted run: exit 130 and no evidence" \
	sh -c "[ $? -eq 130 ] && [ \$(sqlite3 '$MRM_DB' 'SELECT count(*) FROM evidence') -eq 2 ]"

# ---- the retest of the hardened target ---------------------------------------------------------

m redteam run $MINI --target "$H" -o h.jsonl --model assistant --json
rc=$?
cp out h.json
fixed=$(py h.json "sum(1 for k, c in d['categories'].items() if c['successes'] == 0 and json.load(open('v1.json'))['categories'][k]['successes'])")
check "hardened retest: exit 0, the findings of every category now clean ($fixed) -> awaiting-verification" \
	sh -c "[ $rc -eq 0 ] && [ $fixed -gt 0 ] && [ \$(sqlite3 '$MRM_DB' \"SELECT count(*) FROM findings WHERE status = 'awaiting-verification'\") -eq $fixed ]"
check "the retest is recorded on each of them" \
	[ "$(q "SELECT count(*) FROM findings WHERE description LIKE '%Retest 2026-11-26 (evidence E-3, %h.jsonl): 0 of % attacks succeeded.'")" -eq "$fixed" ]
check "the findings stay unverified: a validator's verification is still needed to close" \
	[ "$(q "SELECT count(*) FROM findings WHERE verified_by IS NOT NULL OR closed_at IS NOT NULL")" -eq 0 ]
check "a category still failing keeps its finding open" \
	[ "$(q "SELECT count(*) FROM findings WHERE status = 'open'")" -eq $((failing - fixed)) ]
m redteam run $MINI --target "$V" -o v3.jsonl --model assistant
check "failing again after the retest: back to in-remediation, the failed retest recorded" \
	[ "$(q "SELECT count(*) FROM findings WHERE status = 'in-remediation' AND description LIKE '%still succeed%'")" -eq "$fixed" ]

# ---- report --model files a run made elsewhere; threshold --------------------------------------

m redteam run $MINI --target "$V" -o ci.jsonl
m redteam report ci.jsonl --model assistant --finding-threshold 1 --json
check "report --model files a finished run (evidence E-5); above threshold 1 nothing opens" \
	sh -c "[ $? -eq 0 ] && [ \$(sqlite3 '$MRM_DB' \"SELECT count(*) FROM evidence WHERE id = 5 AND kind = 'redteam-report'\") -eq 1 ]" 
check "every red-team finding was opened once" [ "$(q "SELECT count(*) FROM findings")" -eq "$failing" ]

# ---- the filing is one transaction: a failure midway leaves the store as it was -----------------

m model add helper --name "Helper bot" --owner bob --purpose "Drafts replies" || notok "add model helper: $(cat err)"
# The second finding of a filing fails (after the evidence and a first finding were written).
q "CREATE TRIGGER inject_fail BEFORE INSERT ON findings WHEN (SELECT count(*) FROM findings WHERE model_id = 'helper') >= 1
   BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
sqlite3 "$MRM_DB" .dump >before.sql
m redteam report ci.jsonl --model helper
rc=$?
sqlite3 "$MRM_DB" .dump >after.sql
check "a finding that fails midway: exit $rc (not 0), the error said, the store unchanged (no evidence, no finding, no audit event)" \
	sh -c "[ $rc -ne 0 ] && grep -q 'injected failure' err && cmp -s before.sql after.sql"
q "DROP TRIGGER inject_fail"
# A retest whose move of a finding fails: the evidence of the retest is not kept either.
q "CREATE TRIGGER inject_fail BEFORE UPDATE OF status ON findings BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
sqlite3 "$MRM_DB" .dump >before.sql
m redteam report h.jsonl --model assistant
rc=$?
sqlite3 "$MRM_DB" .dump >after.sql
check "a retest whose move to awaiting-verification fails: exit $rc (not 0), the store unchanged" \
	sh -c "[ $rc -ne 0 ] && grep -q 'injected failure' err && cmp -s before.sql after.sql"
q "DROP TRIGGER inject_fail"
m redteam report ci.jsonl --model helper --json
check "without the fault the same filing goes through: evidence E-6 and $failing findings on helper" \
	sh -c "[ $? -eq 0 ] && [ \$(sqlite3 '$MRM_DB' \"SELECT count(*) FROM findings WHERE model_id = 'helper' AND evidence_id = 6\") -eq $failing ]"
m audit verify
check "the audit chain verifies after the filings" [ $? -eq 0 ]
m evidence verify --model assistant
check "every run file filed is unchanged (evidence verify: 5 checked)" sh -c "[ $? -eq 0 ] && grep -q \"5 checked\" out"
