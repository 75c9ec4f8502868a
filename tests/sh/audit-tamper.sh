#!/bin/sh
# Tamper tests: a small store is built with the CLI, then each copy is edited
# behind mrm's back with the sqlite3 shell (or Python's sqlite3 for forgeries
# that recompute hashes). `mrm audit verify` must exit 1, print one line
# "mrm: audit chain broken: ..." on stderr, and name the first bad event and
# the problem; the untouched store must verify. See docs/audit.md.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export MRM_USER=alice MRM_NOW=2026-11-26T09:00:00Z
base="$work/base.db"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
m() { MRM_DB="$base" "$MRM" "$@" >/dev/null; }

m init && m user add alice --role admin,validator && m user add bob --role owner &&
	m user add carol --role validator &&
	m --as bob model add credit-pd --name "Retail credit PD" --owner bob \
		--purpose "Probability of default" --type classification --data-source bureau &&
	m model add fraud --name "Card fraud" --owner bob --purpose "Flags fraudulent card payments" &&
	m --as bob model version add credit-pd 1.0 --artifact s3://models/pd-1.0 --notes "first" &&
	m --as bob model update credit-pd --team "Retail risk" &&
	m model version add fraud 2.0 --sha256 "$(printf x | sha256sum | cut -c1-64)" &&
	m --as carol model update credit-pd --status production &&
	m user add bob --role owner,auditor &&
	m --as bob model update fraud --purpose "Flags fraudulent card payments in real time" ||
	{ notok "build the base store"; exit 1; }

seq_of() { # seq_of ACTION OBJECT_ID: the last event of that action on that object
	sqlite3 "$base" "SELECT max(seq) FROM audit_events WHERE action = '$1' AND object_id = '$2'"
}
last=$(sqlite3 "$base" 'SELECT max(seq) FROM audit_events')
e_update_pd=$(seq_of model.update credit-pd)    # 8: a middle event
e_version_1=$(seq_of version.add 1)             # 6
e_version_2=$(seq_of version.add 2)             # 9
e_add_pd=$(seq_of model.add credit-pd)          # 4: credit-pd has later events
e_roles_bob=$(seq_of user.roles bob)            # 12: bob's last event
e_status_pd=$(seq_of model.status credit-pd)    # 11: credit-pd's last event
e_last_fraud=$(seq_of model.update fraud)       # 13: the last event
e_prev_fraud=$(seq_of model.version fraud)      # 10: fraud's event before the last
e_add_bob=$(seq_of user.add bob)                # 2
[ "$last" -eq 13 ] && [ "$e_last_fraud" -eq 13 ] && [ "$e_roles_bob" -eq 12 ] &&
	ok "base store has the expected 13 events" ||
	notok "base store layout changed (last=$last); update this test"

# The untouched store verifies; its head is what an auditor would anchor.
if MRM_DB="$base" "$MRM" audit verify >out 2>err && [ ! -s err ]; then
	ok "untouched store verifies (exit 0, nothing on stderr)"
else
	notok "untouched store verifies: $(cat out err)"
fi
anchor=$(MRM_DB="$base" "$MRM" --json audit verify |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["head"])')
cp "$base" "$work/pristine.db"

json_field() { python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("null" if v is None else v)' "$1"; }

# verify_broken NAME DB FIRST_BAD TEXT [OBJECT]: asserts the verdict on DB.
verify_broken() {
	name=$1 db=$2 want_first=$3 want_text=$4 want_object=${5:-}
	MRM_DB="$db" "$MRM" audit verify >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" -eq 1 ] && ok "$name: verify exits 1" || notok "$name: verify exits 1 (got $rc)"
	lines=$(wc -l <"$work/err")
	if [ "$lines" -eq 1 ] && grep -q '^mrm: audit chain broken: ' "$work/err"; then
		ok "$name: one line 'mrm: audit chain broken: ...' on stderr"
	else
		notok "$name: one-line stderr (got: $(cat "$work/err"))"
	fi
	MRM_DB="$db" "$MRM" --json audit verify >"$work/json" 2>/dev/null
	got_first=$(json_field first_bad_event <"$work/json")
	[ "$got_first" = "$want_first" ] && ok "$name: first bad event is $want_first" ||
		notok "$name: first bad event is $want_first (got $got_first; $(head -c 600 "$work/out"))"
	if python3 - "$want_text" "$want_object" "$work/json" <<'PY'; then
import json, sys
text, obj, path = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(path))
hit = [p for p in d["problems"] if text in p["problem"] and (not obj or p["object"] == obj)]
sys.exit(0 if hit and d["ok"] is False and d["problem_count"] >= 1 else 1)
PY
		ok "$name: problems name it ('$want_text'${want_object:+ on $want_object})"
	else
		notok "$name: problems name '$want_text' ${want_object:+on $want_object} (got $(cat "$work/json"))"
	fi
}

# tamper NAME SQL FIRST_BAD TEXT [OBJECT]: applies SQL to a fresh copy.
tamper() {
	cp "$base" "$work/case.db"
	if ! sqlite3 "$work/case.db" "$2"; then
		notok "$1: could not apply the edit"
		return
	fi
	verify_broken "$1" "$work/case.db" "$3" "$4" "${5:-}"
}

# forge NAME PYTHON: runs Python on a fresh copy with `db` (sqlite3
# connection), `last` (seq, hash) and append_event(...) that chains a
# correctly hashed event and moves the head, as mrm would.
forge() {
	cp "$base" "$work/case.db"
	python3 - "$work/case.db" "$2" <<'PY' || echo "not ok - $1: forgery script failed"
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def canon(o): return json.dumps(o, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
def sha(s): return hashlib.sha256(s.encode()).hexdigest()
def enc(f): return "-1:" if f is None else "%d:%s" % (len(f.encode()), f)
# The state hash of a row of text columns (docs/audit.md): sorted by name, name/kind/value.
def state(row): return sha("".join(enc(k) + enc("t") + enc(row[k]) for k in sorted(row)))
def append_event(actor, action, otype, oid, model, change, state):
    seq, prev = db.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    seq += 1
    ts = "2026-11-26T09:00:00Z"
    fields = [prev, str(seq), ts, ts, actor, action, otype, oid, model, canon(change), state]
    h = sha("".join("-1:" if f is None else "%d:%s" % (len(f.encode()), f) for f in fields))
    db.execute("INSERT INTO audit_events (seq, ts, recorded_at, actor, action, object_type, object_id,"
               " model_id, change, state_hash, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
               (seq, ts, ts, actor, action, otype, oid, model, canon(change), state, prev, h))
    db.execute("UPDATE mrm_meta SET value = ? WHERE key = 'audit_head'", ("%d:%s" % (seq, h),))
exec(sys.argv[2])
db.commit()
PY
}

# ---- events ---------------------------------------------------------------

tamper "edit an event's change text" \
	"UPDATE audit_events SET change = replace(change, 'Retail risk', 'Wholesale') WHERE seq = $e_update_pd" \
	"$e_update_pd" "event #$e_update_pd was altered"
tamper "edit an event's actor" \
	"UPDATE audit_events SET actor = 'carol' WHERE seq = $e_version_1" \
	"$e_version_1" "event #$e_version_1 was altered"
tamper "edit an event's time" \
	"UPDATE audit_events SET ts = '2026-01-01T00:00:00Z' WHERE seq = $e_version_2" \
	"$e_version_2" "event #$e_version_2 was altered"
tamper "delete a middle event (its object has later events)" \
	"DELETE FROM audit_events WHERE seq = $e_add_pd" \
	"$((e_add_pd + 1))" "events were deleted or renumbered"
# The deleted event was bob's last: bob's row no longer matches bob's
# remaining last event (#2), but the first bad EVENT is where the chain
# breaks, #13 -- not #2, which is intact (see the report on audit.c).
tamper "delete a middle event that was its object's last" \
	"DELETE FROM audit_events WHERE seq = $e_roles_bob" \
	"$((e_roles_bob + 1))" "events were deleted or renumbered"
# Removing the newest event leaves an intact-looking chain; the head
# recorded in the store gives it away. The first bad event is the missing
# #13, not fraud's previous event #10 (see the report on audit.c).
tamper "delete the last event" \
	"DELETE FROM audit_events WHERE seq = $last" \
	"$last" "events at the end were removed or replaced"
tamper "insert a forged event (naive hash)" \
	"INSERT INTO audit_events (seq, ts, recorded_at, actor, action, object_type, object_id, model_id, change, state_hash, prev_hash, hash)
	 SELECT seq + 1, ts, recorded_at, 'mallory', 'model.update', 'model', 'fraud', 'fraud', '{}', state_hash, hash,
	        'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0'
	 FROM audit_events WHERE seq = $last" \
	"$((last + 1))" "event #$((last + 1)) was altered"
tamper "swap two events' contents (reorder)" \
	"CREATE TEMP TABLE a AS SELECT * FROM audit_events WHERE seq = $e_version_1;
	 CREATE TEMP TABLE b AS SELECT * FROM audit_events WHERE seq = $e_version_2;
	 UPDATE audit_events SET (ts, recorded_at, actor, action, object_type, object_id, model_id, change, state_hash, prev_hash, hash) =
	   (SELECT ts, recorded_at, actor, action, object_type, object_id, model_id, change, state_hash, prev_hash, hash FROM b) WHERE seq = $e_version_1;
	 UPDATE audit_events SET (ts, recorded_at, actor, action, object_type, object_id, model_id, change, state_hash, prev_hash, hash) =
	   (SELECT ts, recorded_at, actor, action, object_type, object_id, model_id, change, state_hash, prev_hash, hash FROM a) WHERE seq = $e_version_2;" \
	"$e_version_1" "event #$e_version_1 does not link to the event before it"
tamper "swap two events' sequence numbers" \
	"UPDATE audit_events SET seq = -1 WHERE seq = $e_version_1;
	 UPDATE audit_events SET seq = $e_version_1 WHERE seq = $e_version_2;
	 UPDATE audit_events SET seq = $e_version_2 WHERE seq = -1;" \
	"$e_version_1" "event #$e_version_1 was altered"
tamper "renumber events (insert a gap)" \
	"UPDATE audit_events SET seq = -seq WHERE seq >= $e_update_pd;
	 UPDATE audit_events SET seq = 1 - seq WHERE seq < 0;" \
	"$((e_update_pd + 1))" "events were deleted or renumbered"
tamper "renumber events (close the gap left by a deletion)" \
	"DELETE FROM audit_events WHERE seq = $e_add_pd;
	 UPDATE audit_events SET seq = seq - 1 WHERE seq > $e_add_pd;" \
	"$e_add_pd" "event #$e_add_pd does not link to the event before it"
tamper "edit the store's head" \
	"UPDATE mrm_meta SET value = '$last:0000' WHERE key = 'audit_head'" \
	"$last" "the store's head records $last:0000"

# A forger who recomputes hashes and moves the head: the chain is intact,
# but replaying it shows fraud's row is not what the forged event says.
forge "forged event with a valid hash and head" \
	'append_event("mallory", "model.status", "model", "fraud", "fraud", {"before": {"status": "development"}, "after": {"status": "retired"}}, sha(canon({"status": "retired"})))'
verify_broken "forged event with a valid hash and head" "$work/case.db" "$((last + 1))" \
	"model fraud was changed outside mrm" "model fraud"

# ---- governance rows --------------------------------------------------------

tamper "edit a governance row (models)" \
	"UPDATE models SET status = 'retired' WHERE id = 'credit-pd'" \
	"$e_status_pd" "model credit-pd was changed outside mrm (it differs from its last audit event #$e_status_pd)" \
	"model credit-pd"
tamper "edit a governance row (users: grant a role)" \
	"UPDATE users SET roles = 'admin,approver,owner' WHERE name = 'bob'" \
	"$e_roles_bob" "user bob was changed outside mrm" "user bob"
tamper "edit a governance row (versions)" \
	"UPDATE versions SET artifact_sha256 = 'ab' WHERE id = 2" \
	"$e_version_2" "version V-2 was changed outside mrm" "version V-2"
tamper "delete a governance row" \
	"DELETE FROM versions WHERE id = 1" \
	"$e_version_1" "version V-1 was deleted outside mrm (its last audit event is #$e_version_1)" "version V-1"
tamper "insert a governance row" \
	"INSERT INTO models (id, name, owner, purpose, type, status, created_at, updated_at)
	 VALUES ('shadow', 'Shadow model', 'bob', 'unregistered', 'other', 'production', '2026-11-26T09:00:00Z', '2026-11-26T09:00:00Z')" \
	"null" "model shadow was inserted outside mrm (no audit event records it)" "model shadow"
tamper "insert a governance row (users)" \
	"INSERT INTO users (name, roles, created_at) VALUES ('mallory', 'admin', '2026-11-26T09:00:00Z')" \
	"null" "user mallory was inserted outside mrm" "user mallory"

# ---- what verify cannot see, and what catches it ------------------------------

# Rewriting consistently (row + correctly hashed event + head) verifies:
# only a head anchored outside the store (docs/audit.md) reveals it.
forge "consistent rewrite" '
db.execute("UPDATE users SET roles = ? WHERE name = ?", ("admin,owner", "bob"))
name, roles, created = db.execute("SELECT name, roles, created_at FROM users WHERE name = ?", ("bob",)).fetchone()
row = {"name": name, "roles": roles, "created_at": created}
append_event("alice", "user.roles", "user", "bob", None, {"before": {"roles": "auditor,owner"}, "after": row}, state(row))'
MRM_DB="$work/case.db" "$MRM" audit verify >/dev/null 2>&1 &&
	ok "consistent rewrite: verify alone cannot tell (exit 0)" ||
	notok "consistent rewrite: expected verify to pass (the forgery script is wrong)"
head=$(MRM_DB="$work/case.db" "$MRM" --json audit verify | json_field head)
[ "$head" != "$anchor" ] && ok "consistent rewrite: the head differs from the anchored head" ||
	notok "consistent rewrite: head unchanged"

# Nothing above touched the base store.
if MRM_DB="$base" "$MRM" audit verify >/dev/null 2>&1 && cmp -s "$base" "$work/pristine.db"; then
	ok "the untouched copy still verifies and is byte-identical"
else
	notok "the untouched copy still verifies"
fi
head=$(MRM_DB="$base" "$MRM" --json audit verify | json_field head)
[ "$head" = "$anchor" ] && ok "the untouched copy's head equals the anchored head" ||
	notok "untouched head changed"
