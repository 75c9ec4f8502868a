#!/bin/sh
# Alert delivery end to end, against a local webhook receiver (tests/tools/webhook-server.py):
# an alert is delivered exactly once; a receiver answering 500, down, or too slow leaves it
# queued, and a later run (or `mrm alert deliver`) delivers it; file routes hold one JSON
# object per line; the exit codes of each case; tampering with the new tables is detected
# by `mrm audit verify`; a schema version 1 store is upgraded by `mrm init`.
# Data: data/bike-day.csv split by dteday into January and February 2011.
set -u
work=$(mktemp -d)
server=""
stop_server() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null
		wait "$server" 2>/dev/null
		server=""
	fi
}
trap 'stop_server; rm -rf "$work"' EXIT
cd "$work" || exit 1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export MRM_DB="$work/m.db" MRM_USER=root MRM_NOW=2026-11-26T09:00:00Z

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { # check NAME CONDITION...
	name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
q() { sqlite3 "$MRM_DB" "$1"; }
m() { "$MRM" "$@" >"$work/out" 2>"$work/err"; }
lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# start_server [PORT]: the receiver on a free loopback port (or PORT); sets $port.
start_server() {
	rm -f port
	python3 "$MRM_TOP/tests/tools/webhook-server.py" port mode bodies 3 ${1:-} &
	server=$!
	i=0
	while [ ! -s port ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(cat port)
}

awk -F, 'NR == 1 || $2 ~ /^2011-01/' "$MRM_TOP/data/bike-day.csv" >jan.csv
awk -F, 'NR == 1 || $2 ~ /^2011-02/' "$MRM_TOP/data/bike-day.csv" >feb.csv
check "bike-day.csv splits into 31 January and 28 February days" \
	[ "$(lines jan.csv)" -eq 32 ] && [ "$(lines feb.csv)" -eq 29 ]

echo ok >mode
start_server
[ -n "$port" ] && ok "webhook receiver listens on 127.0.0.1:$port" || notok "webhook receiver starts"
url="http://127.0.0.1:$port/hooks/mrm"

m init && m user add root --role admin,validator && m user add bob --role owner &&
	m model add rentals --name "Bike rentals" --owner bob --purpose "Daily demand" --status production &&
	m model add kiosk --name "Kiosk demand" --owner bob --purpose "Per kiosk demand" --status production &&
	m --as bob monitor add rentals --signal drift:cnt --warn 0.05 --alert 0.01 --reference jan.csv --route "$url" &&
	m --as bob monitor add kiosk --signal drift_share --warn 0.25 --alert 0.9 --reference jan.csv \
		--columns temp,atemp,hum,windspeed,weathersit,casual,registered,cnt --route "$url" &&
	m --as bob monitor add kiosk --signal drift:temp:psi --warn 1 --alert 5 --reference jan.csv \
		--route "$work/alerts.jsonl" ||
	{ notok "set up the store: $(cat "$work/err")"; exit 1; }

# ---- delivered exactly once --------------------------------------------------------

m monitor run rentals --data feb.csv
rc=$?
check "alert-level result: run exits 1" [ "$rc" -eq 1 ]
check "the receiver got exactly one body" [ "$(lines bodies)" -eq 1 ]
if python3 - bodies bodies.headers <<'PY'; then
import json, sys
body = json.loads(open(sys.argv[1]).readline())
head = json.loads(open(sys.argv[2]).readline())
assert body["type"] == "mrm.alert" and body["alert"] == "AL-1" and body["level"] == "alert"
assert body["model"]["id"] == "rentals" and body["monitor"]["signal"] == "drift:cnt"
assert abs(body["value"] - 1.41158310768144e-05) < 1e-15 and body["threshold"] == 0.01
assert body["data"]["sha256"] and body["run"] == 1 and body["result"] == "MR-1"
assert head["Content-Type"] == "application/json" and head["Idempotency-Key"] == "AL-1"
PY
	ok "the body is the alert's JSON, sent as application/json with its idempotency key"
else
	notok "body and headers of the delivered alert"
fi
check "delivery D-1 recorded delivered after 1 attempt" \
	[ "$(q "SELECT status || ':' || attempts FROM alert_deliveries WHERE id = 1")" = "delivered:1" ]
m monitor run rentals --data feb.csv
m alert deliver
rc=$?
check "a second run (alert still open) and alert deliver send nothing more" \
	[ "$rc" -eq 0 ] && [ "$(lines bodies)" -eq 1 ] && grep -q "0 delivered, 0 queued" out

# ---- receiver answers 500: queued, delivered by the next run -------------------------

echo 500 >mode
m alert resolve AL-1 actioned
start=$(date +%s)
m monitor run rentals --data feb.csv
rc=$?
check "500: the run still exits 1 for the alert-level result" [ "$rc" -eq 1 ]
check "500: a warning names the delivery, the route and HTTP 500" \
	grep -q "^mrm: warning: delivery D-2 of AL-2 to $url failed: HTTP 500 (3 attempts); it stays queued" err
check "500: the delivery stays pending after 3 attempts with the error" \
	[ "$(q "SELECT status || ':' || attempts || ':' || last_error FROM alert_deliveries WHERE id = 2")" = "pending:3:HTTP 500 (3 attempts)" ]
check "500: the result and the alert are stored anyway" \
	[ "$(q "SELECT count(*) FROM alerts WHERE id = 2 AND status = 'open'")" -eq 1 ]
check "500: nothing recorded by the receiver" [ "$(lines bodies)" -eq 1 ]
echo ok >mode
m monitor run rentals --data feb.csv
check "next run: the queued alert is delivered first" \
	grep -q "^delivered AL-2 to $url (D-2)" out
check "next run: delivered exactly once, no new alert (AL-2 still open)" \
	[ "$(lines bodies)" -eq 2 ] && [ "$(q 'SELECT count(*) FROM alerts')" -eq 2 ]
check "the second body is AL-2" [ "$(sed -n 2p bodies | python3 -c 'import json,sys; print(json.load(sys.stdin)["alert"])')" = AL-2 ]

# ---- only a delivery fails: exit 7 ---------------------------------------------------

echo 500 >mode
m monitor run kiosk --data feb.csv
rc=$?
check "warn-level alert with a failed webhook: exit 7" [ "$rc" -eq 7 ]
check "exit 7 message says it stays queued" \
	grep -q "^mrm: 1 alert delivery failed and stays queued" err
check "the file route of the same run was delivered" [ "$(lines alerts.jsonl)" -eq 1 ]

# ---- receiver down: queued, then delivered when it is back ----------------------------

stop_server
m alert deliver
rc=$?
check "receiver down: alert deliver exits 7" [ "$rc" -eq 7 ]
check "receiver down: the connection error is named" grep -q "D-3 of AL-3 to $url failed: .*127.0.0.1" err
check "receiver down: D-3 still pending" [ "$(q "SELECT status FROM alert_deliveries WHERE id = 3")" = pending ]
echo ok >mode
start_server "$port"
m monitor run kiosk --data feb.csv
rc=$?
check "receiver back: the next run delivers the queue and exits 0 (warn only)" \
	[ "$rc" -eq 0 ] && grep -q "^delivered AL-3 to $url (D-3)" out
check "receiver back: AL-3 delivered exactly once" \
	[ "$(grep -c '"alert":"AL-3"' bodies)" -eq 1 ]

# ---- receiver too slow: timeout, queued -----------------------------------------------

echo slow >mode
m alert resolve AL-3 false-positive
start=$(date +%s)
MRM_WEBHOOK_TIMEOUT=1 "$MRM" monitor run kiosk --data feb.csv >out 2>err
rc=$?
took=$(($(date +%s) - start))
check "slow receiver: exit 7, timed out after 1 s" [ "$rc" -eq 7 ] && grep -q "timed out after 1 s (3 attempts)" err
check "slow receiver: the run is bounded by the timeout ($took s for 3 attempts)" [ "$took" -le 10 ]
check "slow receiver: the new alert stays pending" \
	[ "$(q "SELECT d.status FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.id = 5")" = pending ]
echo ok >mode
m alert deliver --timeout 5
rc=$?
check "alert deliver after the slow spell: exit 0, delivered" [ "$rc" -eq 0 ] && grep -q "1 delivered, 0 queued" out

# ---- no alert lost ----------------------------------------------------------------------

stop_server
if python3 - bodies alerts.jsonl "$MRM_DB" <<'PY'; then
import json, sqlite3, sys
got = {}
for path in sys.argv[1:3]:
    for line in open(path):
        a = json.loads(line)          # every line is one JSON object
        got[a["alert"]] = got.get(a["alert"], 0) + 1
db = sqlite3.connect(sys.argv[3])
routed = ["AL-%d" % r[0] for r in db.execute(
    "SELECT a.id FROM alerts a JOIN monitors m ON m.id = a.monitor_id WHERE m.route IS NOT NULL")]
assert sorted(got) == sorted(routed), (got, routed)
assert all(n == 1 for n in got.values()), got
assert db.execute("SELECT count(*) FROM alert_deliveries WHERE status <> 'delivered'").fetchone()[0] == 0
PY
	ok "every routed alert reached its route exactly once; file route lines are JSON"
else
	notok "every routed alert reached its route exactly once"
fi
m audit verify && ok "audit verify passes after all of it" || notok "audit verify: $(cat err)"
m export -o export.json && "$MRM" --db imported.db init >/dev/null &&
	"$MRM" --db imported.db import export.json >out 2>err &&
	[ "$(sqlite3 imported.db 'SELECT count(*) FROM alert_deliveries')" -eq "$(q 'SELECT count(*) FROM alert_deliveries')" ] &&
	ok "export and import carry monitors, results, alerts and deliveries (chain verified)" ||
	notok "export/import round trip: $(cat err)"

# ---- tampering with the new tables is detected -----------------------------------------

cp "$MRM_DB" pristine.db
tamper() { # tamper NAME SQL TEXT
	cp pristine.db case.db
	sqlite3 case.db "$2"
	MRM_DB="$work/case.db" "$MRM" audit verify >out 2>err
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "$3" out err; then ok "tamper: $1"; else notok "tamper: $1 (exit $rc: $(cat out err))"; fi
}
tamper "alert re-labelled actioned" "UPDATE alerts SET resolution = 'actioned' WHERE id = 3" "alert AL-3"
tamper "delivery marked failed" "UPDATE alert_deliveries SET status = 'failed' WHERE id = 1" "alert_delivery D-1"
tamper "result deleted" "DELETE FROM monitor_results WHERE id = 1" "monitor_result MR-1"
tamper "monitor threshold raised" "UPDATE monitors SET alert = 0.001 WHERE id = 1" "monitor M-1"

# ---- a schema version 1 store is upgraded by mrm init ---------------------------------

# A store with data at version 1: made by this mrm, then the version 2 tables dropped
# (no event is about them yet), exactly the schema of migration 0001.
"$MRM" --db v1.db init >/dev/null && "$MRM" --db v1.db user add root --role admin >/dev/null &&
	"$MRM" --db v1.db model add old --name Old --owner root --purpose p >/dev/null
sqlite3 v1.db "DROP TABLE alert_deliveries; DROP TABLE alerts; DROP TABLE monitor_results;
	DROP TABLE monitors; PRAGMA user_version = 1;"
MRM_DB="$work/v1.db" "$MRM" monitor list >out 2>err
rc=$?
check "version 1 store: commands ask for mrm init (exit 6)" \
	[ "$rc" -eq 6 ] && grep -q "store schema version 1 is older than this mrm's (2); run 'mrm init'" err
MRM_DB="$work/v1.db" "$MRM" init >out 2>err
check "mrm init upgrades it from 1 to 2" grep -q "upgraded mrm store .* from schema version 1 to 2" out
MRM_DB="$work/v1.db" "$MRM" monitor add old --signal drift_share --warn 0.2 --alert 0.5 >/dev/null 2>&1 &&
	MRM_DB="$work/v1.db" "$MRM" audit verify >out 2>err
check "the upgraded store keeps its data, takes monitors and verifies" \
	[ $? -eq 0 ] && [ "$(sqlite3 v1.db 'SELECT count(*) FROM models')" -eq 1 ]
