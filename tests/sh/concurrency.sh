#!/bin/sh
# Concurrent writers on one store lose nothing and leave a valid audit chain:
# 8 processes x 1000 findings through the library (tests/tools/conc-writer),
# 8 processes x 1000 versions of one model (all writers update the same
# model row), then 4 shell loops x 25 `mrm model add` through the CLI.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export MRM_DB="$work/c.db" MRM_USER=alice MRM_NOW=2026-11-26T09:00:00Z
# Writers queue on the lock; under ASan a long queue must not time out.
export MRM_BUSY_TIMEOUT_MS=60000
writer="$MRM_BUILD/tests/tools/conc-writer"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
q() { sqlite3 "$MRM_DB" "$1"; }

"$MRM" init >/dev/null && "$MRM" user add alice --role admin,validator >/dev/null &&
	"$MRM" model add conc --name "Contended model" --owner alice --purpose "stress" >/dev/null ||
	{ notok "set up the store"; exit 1; }
before=$(q 'SELECT count(*) FROM audit_events')

# 1. Library: 8 processes x 1000 findings on one model.
start=$(date +%s)
if "$writer" "$MRM_DB" 8 1000 finding 2>"$work/err"; then
	ok "8 processes x 1000 finding adds: every mutation succeeded"
else
	notok "8 processes x 1000 finding adds: $(head -n 3 "$work/err")"
fi
findings=$(q "SELECT count(*) FROM findings WHERE model_id = 'conc'")
[ "$findings" -eq 8000 ] && ok "exactly 8000 findings stored" || notok "8000 findings stored (got $findings)"
distinct=$(q "SELECT count(DISTINCT title) FROM findings WHERE model_id = 'conc'")
[ "$distinct" -eq 8000 ] && ok "each finding stored once (8000 distinct titles)" ||
	notok "8000 distinct findings (got $distinct)"
events=$(q 'SELECT count(*) FROM audit_events')
[ "$events" -eq $((before + 8000)) ] && ok "exactly 8000 audit events added" ||
	notok "8000 audit events added (got $((events - before)))"
gaps=$(q 'SELECT max(seq) - count(*) FROM audit_events')
[ "$gaps" -eq 0 ] && ok "audit sequence has no gaps" || notok "audit sequence has $gaps gaps"
if "$MRM" audit verify >"$work/out" 2>&1; then ok "audit verify intact after 8000 concurrent findings"
else notok "audit verify after concurrent findings: $(head -n 3 "$work/out")"; fi
echo "# findings: $(($(date +%s) - start)) s"

# 2. Library: 8 processes x 1000 versions of ONE model (every writer updates
#    the same model row too: two events per mutation).
before=$(q 'SELECT count(*) FROM audit_events')
if "$writer" "$MRM_DB" 8 1000 version 2>"$work/err"; then
	ok "8 processes x 1000 versions of one model: every mutation succeeded"
else
	notok "8 processes x 1000 versions of one model: $(head -n 3 "$work/err")"
fi
versions=$(q "SELECT count(*) FROM versions WHERE model_id = 'conc'")
[ "$versions" -eq 8000 ] && ok "exactly 8000 versions stored" || notok "8000 versions stored (got $versions)"
events=$(q 'SELECT count(*) FROM audit_events')
[ "$events" -eq $((before + 16000)) ] && ok "exactly 16000 audit events added (version + model per mutation)" ||
	notok "16000 audit events added (got $((events - before)))"
gaps=$(q 'SELECT max(seq) - count(*) FROM audit_events')
[ "$gaps" -eq 0 ] && ok "audit sequence still has no gaps" || notok "audit sequence has $gaps gaps"
if "$MRM" audit verify >"$work/out" 2>&1; then ok "audit verify intact after concurrent versions"
else notok "audit verify after concurrent versions: $(head -n 3 "$work/out")"; fi

# 3. CLI: 4 shell loops x 25 `mrm model add`.
before=$(q 'SELECT count(*) FROM audit_events')
for p in 1 2 3 4; do
	(
		fails=0
		for i in $(seq 1 25); do
			"$MRM" model add "cli$p-$i" --name "CLI $p $i" --owner alice --purpose "cli stress" \
				>/dev/null 2>>"$work/cli-err" || fails=$((fails + 1))
		done
		echo "$fails" >"$work/cli-$p"
	) &
done
wait
fails=$(cat "$work"/cli-1 "$work"/cli-2 "$work"/cli-3 "$work"/cli-4 | awk '{s += $1} END {print s}')
[ "$fails" -eq 0 ] && ok "4 loops x 25 'mrm model add': no command failed" ||
	notok "4 loops x 25 'mrm model add': $fails failed: $(head -n 2 "$work/cli-err")"
models=$(q "SELECT count(*) FROM models WHERE id LIKE 'cli%'")
[ "$models" -eq 100 ] && ok "exactly 100 CLI models stored" || notok "100 CLI models stored (got $models)"
events=$(q 'SELECT count(*) FROM audit_events')
[ "$events" -eq $((before + 100)) ] && ok "exactly 100 audit events added by the CLI loops" ||
	notok "100 audit events added (got $((events - before)))"
gaps=$(q 'SELECT max(seq) - count(*) FROM audit_events')
[ "$gaps" -eq 0 ] && ok "audit sequence has no gaps after the CLI loops" || notok "audit sequence has $gaps gaps"
if "$MRM" audit verify >"$work/out" 2>&1; then ok "audit verify intact after the CLI loops"
else notok "audit verify after the CLI loops: $(head -n 3 "$work/out")"; fi
echo "# took $(($(date +%s) - start)) s"
