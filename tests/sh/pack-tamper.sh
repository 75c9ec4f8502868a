#!/bin/sh
# Evidence packs: built from the demo-like store of tests/cli/doc-store.sh, verified, opened
# with Python's tarfile and hashlib alone (the format needs no mrm), then tampered with in
# every way tests/tools/retar.py knows: each tampering must make `mrm pack verify` exit 1 and
# name the file and the problem; a file that is not a pack exits 3. Packing refuses missing
# evidence (exit 3) unless --allow-missing, and a store whose audit chain is broken (exit 1).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export MRM_DB="$work/test.db" MRM_USER=ana
retar="$MRM_TOP/tests/tools/retar.py"
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

. "$MRM_TOP/tests/cli/doc-store.sh" >setup.log 2>&1
[ -s setup.log ] && { notok "build the store: $(cat setup.log)"; exit 0; }

# ---- writing ------------------------------------------------------------------------------
if "$MRM" pack credit-pd -o pack.tar.gz >out 2>err && [ ! -s err ] &&
	grep -q '^pack pack.tar.gz written: 18 files, [0-9]* bytes$' out &&
	grep -q '^documents: model-card mra annex-iv validation$' out &&
	grep -q '^gate: FAILED, packed as it is (gate.json names the failed controls)$' out; then
	ok "mrm pack writes the pack and says what is in it, and that the gate it packed failed"
else
	notok "mrm pack: $(cat out err)"
fi
if "$MRM" --json pack credit-pd -o pack-json.tar.gz >out 2>err &&
	grep -q '"gate": "evaluated"' out && grep -q '"gate_passed": false' out &&
	tar xzOf pack-json.tar.gz mrm-pack-credit-pd/gate.json | grep -q '"passed": false'; then
	ok "--json: gate_passed false, as gate.json in the pack records"
else
	notok "pack --json gate_passed: $(cat out err)"
fi
if "$MRM" pack verify pack.tar.gz >out 2>err && grep -q '^ok: ' out &&
	grep -q '^files: 17 listed, 18 in the pack; audit events: ' out; then
	ok "an untouched pack verifies (exit 0)"
else
	notok "verify untouched: $(cat out err)"
fi
names=$(tar tzf pack.tar.gz)
expect="mrm-pack-credit-pd/manifest.json
mrm-pack-credit-pd/documents/model-card.html
mrm-pack-credit-pd/documents/model-card.md
mrm-pack-credit-pd/documents/mra.html
mrm-pack-credit-pd/documents/mra.md
mrm-pack-credit-pd/documents/annex-iv.html
mrm-pack-credit-pd/documents/annex-iv.md
mrm-pack-credit-pd/documents/validation.html
mrm-pack-credit-pd/documents/validation.md
mrm-pack-credit-pd/model.json
mrm-pack-credit-pd/gate.json
mrm-pack-credit-pd/kpis.json
mrm-pack-credit-pd/evidence/E-1-credit-pd-validation.json
mrm-pack-credit-pd/evidence/E-2-credit-pd-validation.html
mrm-pack-credit-pd/evidence/E-3-credit-pd-validation.json
mrm-pack-credit-pd/evidence/E-5-datasheet.txt
mrm-pack-credit-pd/audit/events.jsonl
mrm-pack-credit-pd/audit/head.txt"
[ "$names" = "$expect" ] && ok "the pack's members, manifest first, in one folder" ||
	notok "members: $names"
"$MRM" pack support-assistant -o sa.tar.gz >/dev/null 2>&1 &&
	tar tzf sa.tar.gz | grep -q '^mrm-pack-support-assistant/documents/acceptance-A-1.md$' &&
	grep -q '^not included: validation document: no validation run is stored' \
		"$(printf '' >sa.out; "$MRM" pack support-assistant -o sa.tar.gz >sa.out 2>&1; echo sa.out)" &&
	ok "acceptance memos are packed; a document that cannot be made is named" ||
	notok "support-assistant pack: $(cat sa.out)"
sleep 1
"$MRM" pack credit-pd -o again.tar.gz >/dev/null 2>&1 && cmp -s pack.tar.gz again.tar.gz &&
	ok "the same store at the same time packs to the same bytes" || notok "packs differ between runs"

# The format needs no mrm: Python's tarfile and hashlib check files, event hashes, links, head.
if python3 - pack.tar.gz >out 2>&1 <<'PY'
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1], 'r:gz')
files = {m.name: t.extractfile(m).read() for m in t.getmembers()}
root = 'mrm-pack-credit-pd/'
man = json.loads(files[root + 'manifest.json'])
for f in man['files']:
    d = files[root + f['path']]
    assert hashlib.sha256(d).hexdigest() == f['sha256'] and len(d) == f['size'], f['path']
def enc(v):
    if v is None:
        return b'-1:'
    b = v.encode()
    return str(len(b)).encode() + b':' + b
prev, full = None, 0
for line in files[root + 'audit/events.jsonl'].decode().splitlines():
    e = json.loads(line)
    assert prev is None or e['prev_hash'] == prev, e['seq']
    if not e.get('omitted'):
        k = [e['prev_hash'], str(e['seq']), e['ts'], e['recorded_at'], e['actor'], e['action'],
             e['object_type'], e['object_id'], e['model_id'], e['change'], e['state_hash']]
        assert hashlib.sha256(b''.join(enc(x) for x in k)).hexdigest() == e['hash'], e['seq']
        assert e['model_id'] == 'credit-pd'
        full += 1
    prev = e['hash']
assert prev == man['audit']['head_hash'] and full == man['audit']['model_events'] > 5
head = files[root + 'audit/head.txt'].decode()
assert head == '%d:%s\n' % (man['audit']['head_seq'], prev)
print('independent check passed')
PY
then ok "Python alone verifies the pack (files, event hashes, links, head)"; else notok "python check: $(cat out)"; fi
head=$(sqlite3 test.db "SELECT value FROM mrm_meta WHERE key = 'audit_head'")
"$MRM" pack verify pack.tar.gz | grep -q "^audit head: #${head%%:*} ${head#*:}$" &&
	ok "verify prints the head, to compare with the store's" || notok "head line"

# ---- tampering ------------------------------------------------------------------------------
# tampered NAME 'GREP LINE...' OP ARGS...: rewrites pack.tar.gz with the ops; verify must exit 1
# and print every expected line (a grep pattern per line of $2).
tampered() {
	name=$1 want=$2
	shift 2
	if ! python3 "$retar" pack.tar.gz t.tar.gz "$@" 2>err; then
		notok "$name: retar failed: $(cat err)"
		return
	fi
	"$MRM" pack verify t.tar.gz >out 2>err
	rc=$?
	miss=$(echo "$want" | while read -r w; do grep -q -- "$w" out || echo "$w"; done)
	if [ "$rc" = 1 ] && grep -q '^TAMPERED: ' out && grep -q '^mrm: pack tampered: ' err && [ -z "$miss" ]; then
		ok "$name"
	else
		notok "$name (exit $rc; not found: $miss): $(cat out err)"
	fi
}
ev=evidence/E-5-datasheet.txt
tampered "a byte of an evidence file edited: altered, and not what its audit event registered" \
	"altered  *$ev: its SHA-256
evidence-registration  *$ev: its SHA-256 .* is not the one audit event #[0-9]* registered for E-5" \
	edit-byte "$ev" 3
tampered "an evidence file edited and the manifest fixed: the audit event still names it" \
	"evidence-registration  *$ev" edit-byte "$ev" 3 + fix-manifest
tampered "a document edited: altered" "altered  *documents/mra.html: its SHA-256" \
	edit-byte documents/mra.html 100
tampered "a file removed: missing" "missing  *documents/mra.md: listed in the manifest but not in the pack" \
	remove documents/mra.md
tampered "a file added: extra" "extra  *documents/extra.txt: in the pack but not listed" \
	add documents/extra.txt "hello"
tampered "a file added and listed: still not registered if it is evidence" \
	"evidence-registration  *evidence/E-9-x.txt: no audit event in the pack registers E-9" \
	add evidence/E-9-x.txt "x" + manifest-list evidence/E-9-x.txt E-9
tampered "the manifest's hash of a file edited: altered" "altered  *model.json: its SHA-256 .* the manifest records 0000" \
	manifest-set files "$(python3 -c '
import json,sys,tarfile
m=json.load(tarfile.open("pack.tar.gz").extractfile("mrm-pack-credit-pd/manifest.json"))
for f in m["files"]:
    if f["path"]=="model.json": f["sha256"]="0"*64
print(json.dumps(m["files"]))')"
tampered "the manifest's model name edited: it contradicts model.json" \
	'manifest  *manifest.json: "model_name" differs from the model' manifest-set model_name '"Another model"'
tampered "the manifest's head edited: the events do not end there" \
	"audit-chain  *audit/events.jsonl: the events end at #[0-9]* .*, not at the head the manifest records
audit-chain  *audit/head.txt: it does not hold the head" manifest-set audit.head_hash '"'"$(printf x | sha256sum | cut -c1-64)"'"'
tampered "two audit events swapped (manifest fixed): reordered and unlinked" \
	"audit-chain  *audit/events.jsonl: event #[0-9]* follows #[0-9]*: events were reordered
audit-chain  *audit/events.jsonl: event #[0-9]* does not link to the event before it" \
	swap-lines audit/events.jsonl 2 3 + fix-manifest
tampered "an audit event's actor edited (manifest fixed): its hash does not match" \
	"audit-chain  *audit/events.jsonl: event #[0-9]* was altered: its hash does not match its content" \
	event-set first actor '"mallory"' + fix-manifest
tampered "an audit event marked omitted with its content edited (manifest fixed): caught" \
	"audit-chain  *audit/events.jsonl: event #[0-9]* is marked omitted but carries content" \
	event-set first actor '"mallory"' + event-set first omitted true + fix-manifest
tampered "the last audit event removed (manifest fixed): the chain stops before the head" \
	"audit-chain  *audit/events.jsonl: the events end at #" drop-last-line audit/events.jsonl + fix-manifest
tampered "a path outside the pack's folder: bad-name" "bad-name  *../evil: an absolute path" \
	add-raw ../evil "x"
tampered "an absolute path: bad-name" "bad-name  */etc/passwd: an absolute path" add-raw /etc/passwd "x"
tampered "a member in another folder: bad-name" "bad-name  *other/file.txt: outside the pack's folder" \
	add-raw other/file.txt "x"
tampered "a symbolic link: not-a-file" "not-a-file  *evidence/link: a member of tar type '2'" \
	add-symlink evidence/link /etc/passwd
tampered "a member twice: duplicate" "duplicate  *model.json: the pack holds this file more than once" \
	duplicate model.json

# Damage to the archive itself.
size=$(wc -c <pack.tar.gz)
head -c $((size * 3 / 4)) pack.tar.gz >cut.tar.gz
"$MRM" pack verify cut.tar.gz >out 2>err
[ $? = 1 ] && grep -q '^  truncated  *the archive is truncated' out && grep -q '^  missing  *audit/head.txt' out &&
	ok "a truncated archive: truncated, and the files it lost are named missing" || notok "truncated: $(cat out err)"
head -c 100 pack.tar.gz >stub.tar.gz
"$MRM" pack verify stub.tar.gz >out 2>err
[ $? = 3 ] && grep -q '^mrm: stub.tar.gz: not an mrm pack: the archive is truncated' err && [ ! -s out ] &&
	ok "an archive cut before its manifest is not a pack (exit 3)" || notok "stub: $(cat out err)"
{ cat pack.tar.gz; printf 'appended'; } >tail.tar.gz
"$MRM" pack verify tail.tar.gz >out 2>err
[ $? = 1 ] && grep -q '^  trailing-data  *data follows the end of the archive' out &&
	ok "bytes appended to the file: trailing-data" || notok "trailing: $(cat out err)"
python3 -c '
import sys
b = bytearray(open("pack.tar.gz", "rb").read())
b[len(b) // 2] ^= 0x55
open("flip.tar.gz", "wb").write(b)'
"$MRM" pack verify flip.tar.gz >out 2>err
rc=$?
{ [ $rc = 1 ] && grep -q '^  corrupt  *the archive is corrupt' out; } ||
	{ [ $rc = 3 ] && grep -q 'not an mrm pack: the archive is corrupt' err; } &&
	ok "a flipped byte in the compressed data: corrupt (exit $rc)" || notok "flip: $rc $(cat out err)"

# Not a pack at all: exit 3, one line.
printf 'hello\n' >text.txt
gzip -c text.txt >text.gz
tar czf nomanifest.tar.gz text.txt
python3 "$retar" pack.tar.gz badjson.tar.gz manifest-raw '{"format": "mrm-pack", "files": [' 2>/dev/null
python3 "$retar" pack.tar.gz other.tar.gz manifest-raw '{"format": "zip", "files": []}' 2>/dev/null
: >empty.tar.gz
mkdir dir.tar.gz
for c in "text.txt:not a gzip file" "text.gz:not a tar archive" "nomanifest.tar.gz:no manifest.json" \
	"badjson.tar.gz:manifest.json is not valid JSON" "other.tar.gz:manifest.json is not a pack manifest" \
	"empty.tar.gz:not a gzip file" "dir.tar.gz:not a regular file" "nope.tar.gz:No such file or directory"; do
	f=${c%%:*} why=${c#*:}
	"$MRM" pack verify "$f" >out 2>err
	rc=$?
	if [ $rc = 3 ] && [ ! -s out ] && [ "$(wc -l <err)" = 1 ] && grep -q "^mrm: $f: not an mrm pack: $why" err; then
		ok "not a pack: $f (exit 3: $why)"
	else
		notok "not a pack $f: exit $rc $(cat out err)"
	fi
done
"$MRM" --json pack verify t.tar.gz >out 2>/dev/null
python3 -c '
import json, sys
d = json.load(open("out"))
assert d["ok"] is False and d["problem_count"] == len(d["problems"]) >= 1
assert d["model"] == "credit-pd" and d["head"]["seq"] > 0
' && ok "--json gives ok, problems and the head" || notok "--json verify: $(cat out)"

# ---- refusals when packing -----------------------------------------------------------------
mv datasheet.txt datasheet.away
"$MRM" pack credit-pd -o miss.tar.gz >out 2>err
[ $? = 3 ] && [ ! -e miss.tar.gz ] && ! ls miss.tar.gz.tmp-* >/dev/null 2>&1 &&
	grep -q "^mrm: missing: evidence E-5 ($work/datasheet.txt) cannot be read: No such file or directory$" err &&
	grep -q "^mrm: evidence E-5 ($work/datasheet.txt) cannot be read: No such file or directory; 1 evidence file is missing or changed, no pack written" err &&
	ok "a missing evidence file: named, exit 3, nothing written" || notok "missing evidence: $(cat out err)"
"$MRM" pack credit-pd -o miss.tar.gz --allow-missing >out 2>err
[ $? = 0 ] && grep -q '^mrm: warning: not in the pack: evidence E-5' err &&
	"$MRM" pack verify miss.tar.gz >out 2>&1 &&
	grep -q '^note: evidence E-5 was missing when the pack was made: cannot be read' out &&
	! tar tzf miss.tar.gz | grep -q E-5 &&
	ok "--allow-missing writes the pack, lists the file as missing, and it verifies" ||
	notok "--allow-missing: $(cat out err)"
printf 'changed\n' >datasheet.txt
"$MRM" pack credit-pd -o changed.tar.gz >out 2>err
[ $? = 3 ] && grep -q "^mrm: missing: evidence E-5 .* changed since it was registered" err &&
	ok "a changed evidence file counts as missing (exit 3)" || notok "changed evidence: $(cat out err)"
mv datasheet.away datasheet.txt
cp test.db tampered.db
sqlite3 tampered.db "UPDATE findings SET severity = 'low' WHERE id = 1"
MRM_DB=tampered.db "$MRM" pack credit-pd -o bad.tar.gz >out 2>err
[ $? = 1 ] && [ ! -e bad.tar.gz ] && grep -q '^mrm: audit chain broken: .*; no pack written (mrm audit verify)$' err &&
	ok "a store whose audit chain is broken is not packed (exit 1)" || notok "tampered store: $(cat out err)"
"$MRM" pack nope -o x.tar.gz >out 2>err
[ $? = 4 ] && grep -q "^mrm: no model 'nope'" err && ok "unknown model: exit 4" || notok "unknown model: $(cat err)"
"$MRM" pack credit-pd >out 2>err
[ $? = 2 ] && grep -q '^mrm: missing -o OUT.tar.gz' err && ok "no -o: exit 2" || notok "no -o: $(cat err)"
"$MRM" pack verify >out 2>err
[ $? = 2 ] && grep -q '^mrm: missing pack file' err && ok "verify without a file: exit 2" || notok "verify usage: $(cat err)"
"$MRM" pack credit-pd -o no/such/dir.tar.gz >out 2>err
[ $? = 3 ] && grep -q 'cannot create' err && ok "an output that cannot be created: exit 3" || notok "bad output: $(cat err)"

# Random damage (a fixed seed): byte changes, cuts and insertions must give exit 1 (tampered)
# or 3 (not a pack), never a crash, a sanitizer report or exit 0. Bytes 4-9 of the gzip
# header (time, flags, OS) are left alone: no checksum covers them, the content is unchanged.
out=$(python3 - "$MRM" pack.tar.gz <<'PY'
import random, subprocess, sys
random.seed(11)
src = open(sys.argv[2], 'rb').read()
bad = []
for i in range(60):
    b = bytearray(src)
    r = random.random()
    if r < 0.5:
        for _ in range(random.randint(1, 4)):
            b[random.randrange(10, len(b))] ^= random.randrange(1, 256)
    elif r < 0.8:
        b = b[:random.randrange(len(b))]
    else:
        pos = random.randrange(len(b))
        b = b[:pos] + bytes(random.randrange(256) for _ in range(random.randint(1, 50))) + b[pos:]
    open('fuzz.tar.gz', 'wb').write(b)
    p = subprocess.run([sys.argv[1], 'pack', 'verify', 'fuzz.tar.gz'], capture_output=True, text=True)
    if p.returncode not in (1, 3) or 'Sanitizer' in p.stderr or 'runtime error' in p.stderr:
        bad.append('case %d: exit %d %s' % (i, p.returncode, p.stderr[-300:]))
print('\n'.join(bad))
PY
)
[ -z "$out" ] && ok "60 randomly damaged packs: each exits 1 or 3, none crashes" || notok "random damage: $out"
