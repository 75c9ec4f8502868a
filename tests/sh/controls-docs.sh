#!/bin/sh
# The documentation agrees with the built-in catalogue and default policy:
# docs/controls.md names every control and prints each framework's coverage
# counts as the binary computes them; docs/policy.md names every control the
# default policy enforces and every field a tier may hold; every example
# policy in docs/policy.md is accepted by `mrm policy check`.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
py=/usr/bin/python3
controls="$MRM_TOP/docs/controls.md"
policy="$MRM_TOP/docs/policy.md"

"$MRM" --json controls list >"$work/list.json" && "$MRM" --json controls coverage >"$work/cov.json" &&
	"$MRM" --json policy show >"$work/policy.json" || { notok "mrm controls/policy --json"; exit 1; }

missing=$($py -c '
import json, sys
doc = open(sys.argv[2]).read()
print(" ".join(k["id"] for k in json.load(open(sys.argv[1]))["controls"] if k["id"] not in doc))
' "$work/list.json" "$controls")
[ -z "$missing" ] && ok "docs/controls.md names every control" || notok "docs/controls.md misses: $missing"

bad=$($py -c '
import json, sys
doc = open(sys.argv[2]).read()
for f in json.load(open(sys.argv[1]))["frameworks"]:
    row = "| %s | %d | %d | %d | %.1f |" % (f["id"], f["items"], f["addressed"], f["not_addressed"], f["percent"])
    if row not in doc:
        print(row)
' "$work/cov.json" "$controls")
[ -z "$bad" ] && ok "docs/controls.md coverage table matches mrm controls coverage" ||
	notok "docs/controls.md lacks the rows: $bad"

missing=$($py -c '
import json, sys
doc = open(sys.argv[2]).read()
p = json.load(open(sys.argv[1]))
need = set()
for t in p["tiers"].values():
    need.update(t["controls"])
    need.update(k for k in t if k != "inherited")
print(" ".join(sorted(n for n in need if n not in doc)))
' "$work/policy.json" "$policy")
[ -z "$missing" ] && ok "docs/policy.md names every default control and tier field" ||
	notok "docs/policy.md misses: $missing"

# Every ```yaml block of docs/policy.md (and docs/kpi.md) that starts with "name:" is a complete policy.
$py -c '
import re, sys
n = 0
for path in sys.argv[3:]:
    for block in re.findall(r"```yaml\n(.*?)```", open(path).read(), re.S):
        if block.startswith("name:"):
            n += 1
            open("%s/example-%d.yaml" % (sys.argv[2], n), "w").write(block)
print(n)
' "$policy" "$work" "$policy" "$MRM_TOP/docs/kpi.md" >"$work/count"
n=$(cat "$work/count")
[ "$n" -ge 4 ] && ok "docs/policy.md and docs/kpi.md have $n complete example policies" ||
	notok "docs/policy.md and docs/kpi.md have $n example policies"
for f in "$work"/example-*.yaml; do
	[ -f "$f" ] || continue
	if out=$("$MRM" policy check "$f" 2>&1); then
		ok "example $(basename "$f") is valid"
	else
		notok "example $(basename "$f"): $out"
	fi
done
