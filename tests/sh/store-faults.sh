#!/bin/sh
# Store faults and bad input: files that are not mrm stores, stores newer or
# older than the binary, a missing store, a locked store, a full disk, and
# refused commands. Each must exit with the documented code and a one-line
# "mrm: ..." message, and leave the store exactly as it was (its export is
# byte-identical and `mrm audit verify` passes). Also export/import at the
# command line (docs/export.md).
set -u
work=$(mktemp -d)
mnt=""
cleanup() {
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
export MRM_USER=alice MRM_NOW=2026-11-26T09:00:00Z
export MRM_DB="$work/s.db"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
sum() { sha256sum "$1" | cut -c1-64; }

# run CODE PATTERN DESCRIPTION -- ARGS...: runs mrm, asserts the exit code and
# (for failures) one stderr line "mrm: ..." matching PATTERN (grep -E).
run() {
	want=$1 pattern=$2 what=$3
	shift 4
	"$MRM" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		notok "$what: exit $want (got $rc: $(head -c 300 "$work/err"))"
		return 1
	fi
	if [ "$want" -ne 0 ]; then
		if [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -q '^mrm: ' "$work/err"; then
			notok "$what: one line 'mrm: ...' on stderr (got: $(cat "$work/err"))"
			return 1
		fi
		if ! grep -Eq -- "$pattern" "$work/err"; then
			notok "$what: message matches '$pattern' (got: $(cat "$work/err"))"
			return 1
		fi
	fi
	ok "$what: exit $want${pattern:+, '$pattern'}"
}

# A snapshot of everything in the store (MRM_NOW fixes exported_at).
snapshot() { MRM_DB="${1:-$MRM_DB}" "$MRM" export >"$work/snap-${2:-x}" 2>&1; }
unchanged() { # unchanged WHAT [DB]: compares with the snapshot taken before
	db=${2:-$MRM_DB}
	MRM_DB="$db" "$MRM" export >"$work/snap-after" 2>&1
	if cmp -s "$work/snap-x" "$work/snap-after" && MRM_DB="$db" "$MRM" audit verify >/dev/null 2>&1; then
		ok "$1: store unchanged and audit verify intact"
	else
		notok "$1: store unchanged and audit verify intact"
	fi
}

"$MRM" init >/dev/null && "$MRM" user add alice --role admin,validator >/dev/null &&
	"$MRM" user add bob --role owner >/dev/null &&
	"$MRM" model add m1 --name "Model one" --owner bob --purpose "Scores things" >/dev/null &&
	"$MRM" model version add m1 1.0 >/dev/null || { notok "set up the store"; exit 1; }
cp s.db good.db

# ---- files that are not mrm stores ----------------------------------------------

head -c 16384 /dev/urandom >junk.db
before=$(sum junk.db)
run 6 "junk.db is not an mrm store" "random bytes: model list" -- --db junk.db model list
run 6 "is not an mrm store" "random bytes: init refuses to overwrite" -- --db junk.db init
run 6 "is not an mrm store" "random bytes: audit verify" -- --db junk.db audit verify
[ "$(sum junk.db)" = "$before" ] && [ ! -e junk.db-wal ] && ok "random bytes: file untouched" ||
	notok "random bytes: file untouched"
printf 'name,score\nalice,1\n' >text.db
run 6 "is not an mrm store" "a small text file: model list" -- --db text.db model list
sqlite3 other.db "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('cat.jpg');"
before=$(sum other.db)
run 6 "is not an mrm store \(a SQLite database of another application\)" \
	"another application's SQLite db: model list" -- --db other.db model list
run 6 "another application" "another application's SQLite db: init refuses" -- --db other.db init
run 6 "another application" "another application's SQLite db: user add refuses" -- --db other.db user add x --role admin
[ "$(sum other.db)" = "$before" ] && [ "$(sqlite3 other.db 'SELECT count(*) FROM sqlite_master')" -eq 1 ] &&
	ok "another application's SQLite db: untouched" || notok "another application's SQLite db: untouched"

# ---- schema versions --------------------------------------------------------------

cp good.db newer.db
sqlite3 newer.db 'PRAGMA user_version = 999'
before=$(sum newer.db)
run 6 "store schema version 999 is newer than this mrm supports .*upgrade mrm" \
	"store newer than the binary: model list" -- --db newer.db model list
run 6 "newer" "store newer than the binary: model add" -- --db newer.db model add m9 --name x --owner bob --purpose p
run 6 "newer" "store newer than the binary: init does not downgrade" -- --db newer.db init
[ "$(sqlite3 newer.db 'PRAGMA user_version')" -eq 999 ] && [ "$(sqlite3 newer.db 'SELECT count(*) FROM models')" -eq 1 ] &&
	ok "store newer than the binary: untouched" || notok "store newer than the binary: untouched"

# "Older" here is a store marked as mrm's at
# version 0 (before the first migration): commands send the user to
# `mrm init`, which upgrades it.
sqlite3 older.db 'PRAGMA application_id = 1836215601'
run 6 "store schema version 0 is older than this mrm's \(2\); run 'mrm init' to upgrade it" \
	"older store: model list asks for mrm init" -- --db older.db model list
run 0 "" "older store: mrm init upgrades it" -- --db older.db init
run 0 "" "older store: usable after the upgrade" -- --db older.db model list
run 0 "" "current store: mrm init is a no-op" -- --db good.db init
grep -q "is up to date (schema version 2)" "$work/out" && ok "current store: init says it is up to date" ||
	notok "current store: init says it is up to date (got $(cat "$work/out"))"

# ---- missing store ----------------------------------------------------------------

for cmd in "model list" "model add m2 --name x --owner bob --purpose p" "audit verify" "export" "user list"; do
	# shellcheck disable=SC2086
	run 6 "no store at $work/missing.db \(run 'mrm init'" "missing store: $cmd" -- --db "$work/missing.db" $cmd
done
run 6 "no store at" "missing store: import" -- --db "$work/missing.db" import good.db
ls missing.db* >/dev/null 2>&1 && notok "missing store: no file created" || ok "missing store: no file created"

# ---- locked store ------------------------------------------------------------------

snapshot
rm -f "$work/locker-done"
(
	echo '.timeout 5000'
	echo 'BEGIN IMMEDIATE;'
	echo "INSERT INTO mrm_meta (key, value) VALUES ('locker', 'x');"
	# hold the write lock until the test says so (at most 20 s)
	i=0
	while [ ! -e "$work/locker-done" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	echo 'ROLLBACK;'
) | sqlite3 "$MRM_DB" &
locker=$!
i=0
while sqlite3 "$MRM_DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
start=$(date +%s%N)
MRM_BUSY_TIMEOUT_MS=200 run 6 "store is locked by another process \(waited 200 ms\); nothing was changed" \
	"locked store: model add" -- model add m2 --name "Model two" --owner bob --purpose "p"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 200 ] && ok "locked store: waited the busy timeout ($ms ms)" || notok "locked store: waited ($ms ms)"
MRM_BUSY_TIMEOUT_MS=200 run 6 "locked" "locked store: model version add" -- model version add m1 2.0
MRM_BUSY_TIMEOUT_MS=200 run 0 "" "locked store: reads still work" -- model list
touch "$work/locker-done"
wait "$locker"
unchanged "locked store"
run 0 "" "after the lock: the same add succeeds" -- model add m2 --name "Model two" --owner bob --purpose "p"
cp s.db good.db

# ---- full disk ----------------------------------------------------------------------

# A mutation big enough to need more than the space left: 5 fields of 65000
# bytes, about 650 KB with its audit event.
BIG=$(head -c 65000 /dev/zero | tr '\0' x)
export BIG
bigadd() {
	"$MRM" model add big --name "Big" --owner bob --purpose "$BIG" --intended-use "$BIG" \
		--out-of-scope-use "$BIG" --population "$BIG" --deployment "$BIG"
}
snapshot
# 1) a file-size limit (ulimit -f): writes past it fail with EFBIG.
(
	ulimit -f 256 # 128-256 KB (the unit is 512 or 1024 bytes by shell)
	bigadd >"$work/out" 2>"$work/err"
	echo $? >"$work/rc"
)
rc=$(cat "$work/rc")
if [ "$rc" -eq 6 ] && [ "$(wc -l <"$work/err")" -eq 1 ] &&
	grep -Eq '^mrm: .*(disk full|I/O error).*nothing was changed' "$work/err"; then
	ok "file size limit (ulimit -f): exit 6, one line ($(cut -c1-90 "$work/err"))"
else
	notok "file size limit (ulimit -f): exit 6 and one line (got $rc: $(head -c 300 "$work/err"))"
fi
unchanged "file size limit"
# 2) a really full file system: a small tmpfs (needs root and mount).
mkdir -p "$work/tmpfs"
if mount -t tmpfs -o size=1m tmpfs "$work/tmpfs" 2>/dev/null; then
	mnt="$work/tmpfs"
	export MRM_DB="$mnt/s.db"
	"$MRM" init >/dev/null && "$MRM" user add alice --role admin,validator >/dev/null &&
		"$MRM" user add bob --role owner >/dev/null
	snapshot
	avail=$(df -k "$mnt" | awk 'NR == 2 { print $4 }')
	# leave ~100 KB: enough to open the store, not for the mutation
	dd if=/dev/zero of="$mnt/fill" bs=1k count=$((avail - 100)) 2>/dev/null
	run 6 "disk full while .*; nothing was changed" "full disk (tmpfs): model add" -- model add big \
		--name "Big" --owner bob --purpose "$BIG" --intended-use "$BIG" --out-of-scope-use "$BIG" \
		--population "$BIG" --deployment "$BIG"
	rm -f "$mnt/fill"
	unchanged "full disk (tmpfs)"
	run 0 "" "full disk (tmpfs): the add succeeds once there is space" -- model add small --name S --owner bob --purpose p
	umount "$mnt" && mnt=""
	export MRM_DB="$work/s.db"
else
	echo "ok - # skip full disk on tmpfs (mount not permitted here; ulimit -f covered it)"
fi

# ---- bad input: exit code and the store unchanged ------------------------------------------

snapshot
run 3 "next_review_due.*day out of range" "invalid date" -- model add m3 --name x --owner bob --purpose p --next-review-due 2026-02-30
run 3 "invalid next_review_due|next_review_due" "malformed date" -- model add m3 --name x --owner bob --purpose p --next-review-due 30/01/2027
run 3 "invalid type 'quantum' \(expected one of: classification" "bad enum (type)" -- model add m3 --name x --owner bob --purpose p --type quantum
run 3 "invalid status 'live'" "bad enum (status)" -- model update m1 --status live
run 3 "invalid change_type|change_type" "bad enum (version change)" -- model version add m1 3.0 --change refactor
run 3 "invalid role 'king'" "bad enum (role)" -- user add carol --role king
run 3 "model 'm1' already exists" "duplicate model id" -- model add m1 --name x --owner bob --purpose p
run 3 "model 'm1' already has version '1.0'" "duplicate version" -- model version add m1 1.0
run 3 "user 'bob' already exists with roles owner" "duplicate user" -- user add bob --role owner
run 3 "invalid id 'Bad Id'" "invalid model id" -- model add "Bad Id" --name x --owner bob --purpose p
run 3 "unknown user 'nobody' in owner" "unknown owner" -- model add m3 --name x --owner nobody --purpose p
run 2 "missing --purpose" "missing required field" -- model add m3 --name x --owner bob
run 2 "unknown option '--colour'" "unknown flag" -- model add m3 --name x --owner bob --purpose p --colour red
run 4 "no model 'nope'" "unknown model id (update)" -- model update nope --team x
run 4 "no model 'nope'" "unknown model id (version add)" -- model version add nope 1.0
run 4 "no model 'nope'" "unknown model id (show)" -- model show nope
run 4 "no model 'nope'" "unknown model id (audit log)" -- audit log --model nope
run 5 "not permitted: 'mallory' is not a registered user" "unregistered actor" -- --as mallory model add m3 --name x --owner bob --purpose p
run 5 "not permitted: bob cannot add or change users" "missing role" -- --as bob user add eve --role admin
unchanged "after every refused command"

# ---- export and import at the command line --------------------------------------------------

run 0 "" "export -o" -- export -o "$work/a.json"
grep -Eq '^exported [0-9]+ rows \([0-9]+ audit events\) to ' "$work/out" && ok "export -o: says what it wrote" ||
	notok "export -o: says what it wrote (got $(cat "$work/out"))"
ls "$work"/a.json.tmp* >/dev/null 2>&1 && notok "export -o: no temporary file left" || ok "export -o: no temporary file left"
"$MRM" export >"$work/stdout.json" && cmp -s "$work/a.json" "$work/stdout.json" &&
	ok "export to stdout: the same document" || notok "export to stdout: the same document"
"$MRM" --json export -o "$work/j.json" >"$work/out" &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["events"] > 0 and d["file"].endswith("j.json") and d["tables"]["models"] == 2' "$work/out" &&
	ok "export --json -o: a JSON summary" || notok "export --json -o: a JSON summary ($(cat "$work/out"))"
run 3 "cannot write $work/no/such/dir/x.json" "export into a missing directory" -- export -o "$work/no/such/dir/x.json"
[ -e "$work/no" ] && notok "export into a missing directory: nothing created" || ok "export into a missing directory: nothing created"

MRM_DB="$work/b.db" "$MRM" init >/dev/null
run 0 "" "import into a new store" -- --db "$work/b.db" import "$work/a.json"
grep -q "audit chain verified" "$work/out" && ok "import: says the chain was verified" || notok "import: says verified ($(cat "$work/out"))"
MRM_DB="$work/b.db" "$MRM" export >"$work/b.json"
cmp -s "$work/a.json" "$work/b.json" && ok "export after import is byte-identical" || notok "export after import is byte-identical"
run 0 "" "imported store verifies" -- --db "$work/b.db" audit verify
snapshot "$work/b.db"
run 3 "import needs an empty store" "import into a non-empty store" -- --db "$work/b.db" import "$work/a.json"
unchanged "import into a non-empty store" "$work/b.db"

MRM_DB="$work/c.db" "$MRM" init >/dev/null
snapshot "$work/c.db"
printf '{"format": "mrm-export",\n  "format_version": 1,\n  oops}\n' >"$work/bad.json"
run 3 "bad.json:3:3: " "import of invalid JSON names file:line:column" -- --db "$work/c.db" import "$work/bad.json"
run 3 "cannot read $work/none.json" "import of a missing file" -- --db "$work/c.db" import "$work/none.json"
sed 's/"purpose":"Scores things"/"purpose":"Scores other things"/' "$work/a.json" >"$work/t.json"
run 1 "refused: audit chain broken: .*model m1 was changed outside mrm|refused: audit chain broken: event" \
	"import of a tampered export" -- --db "$work/c.db" import "$work/t.json"
sed 's/"team":null/"colour":null/' "$work/a.json" >"$work/u.json"
run 3 "tables.models\[0\]: unknown column 'colour' in table models" "import with an unknown column" -- --db "$work/c.db" import "$work/u.json"
unchanged "refused imports leave the store empty" "$work/c.db"
run 2 "missing FILE.json" "import without a file" -- --db "$work/c.db" import
run 0 "" "import from stdin" -- --db "$work/c.db" import - <"$work/a.json"
