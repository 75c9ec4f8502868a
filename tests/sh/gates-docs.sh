#!/bin/sh
# docs/gates.md stays in step with the binary: it has a section for every check kind of the
# catalogue and names every control; its CI recipes are valid YAML with the steps the page
# promises (install, the gate with --junit, the report kept even when the gate fails); the
# reason texts it quotes for the golden session are the ones the binary printed there.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
py=/usr/bin/python3
doc="$MRM_TOP/docs/gates.md"

"$MRM" --json controls list >"$work/list.json" || { notok "mrm --json controls list"; exit 1; }

missing=$($py - "$work/list.json" "$doc" <<'EOF'
import json, sys
doc = open(sys.argv[2]).read()
ks = json.load(open(sys.argv[1]))["controls"]
out = sorted({"### %s (" % k["check"] for k in ks if "### %s (" % k["check"] not in doc})
out += [k["id"] for k in ks if k["id"] not in doc]
print(" ".join(out))
EOF
)
[ -z "$missing" ] && ok "docs/gates.md has a section per check kind and names every control" ||
	notok "docs/gates.md misses: $missing"

bad=$($py - "$doc" <<'EOF'
import re, sys, yaml
doc = open(sys.argv[1]).read()
blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
out = []
if len(blocks) != 2:
    out.append("%d yaml blocks, want 2" % len(blocks))
for b in blocks:
    try:
        y = yaml.safe_load(b)
    except yaml.YAMLError as e:
        out.append("invalid YAML: %s" % e)
        continue
    if "jobs" in y:  # GitHub Actions
        steps = y["jobs"]["gate"]["steps"]
        runs = " ".join(s.get("run", "") for s in steps)
        up = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
        if "make -C" not in runs or 'mrm gate "$MODEL_ID" --junit gate.xml' not in runs:
            out.append("github: install or gate step")
        if not up or up[0].get("if") != "always()" or up[0]["with"]["path"] != "gate.xml":
            out.append("github: the report upload must run always")
    else:  # GitLab CI
        j = y["model-gate"]
        if 'mrm gate "$MODEL_ID" --junit gate.xml' not in j["script"]:
            out.append("gitlab: gate step")
        if j["artifacts"]["when"] != "always" or j["artifacts"]["reports"]["junit"] != "gate.xml":
            out.append("gitlab: the JUnit report must be kept always")
print("; ".join(out))
EOF
)
[ -z "$bad" ] && ok "the CI recipes are valid YAML with install, gate --junit and an always-kept report" ||
	notok "CI recipes: $bad"

# Reasons quoted from the golden sessions must be what the binary printed there.
bad=$($py - "$doc" "$MRM_TOP/tests/cli/cases/gate.out" "$MRM_TOP/tests/cli/cases/controls-test.out" <<'EOF'
import json, re, sys
doc = open(sys.argv[1]).read()
golden = " ".join(open(sys.argv[2]).read().split()) + " " + " ".join(open(sys.argv[3]).read().split())
quoted = [
    "1 open high finding (at most 0): F-1: remediate and close findings, or have their risk accepted",
    "over the limits but for the acceptances in force: high 0 open and 1 risk-accepted (at most 0); waived by A-1 (accepted by carol, expires 2026-12-10, covers F-1)",
    "1 open high finding (at most 0): F-1 (its acceptance expired 2026-12-10)",
    "F-1 (high, open) is open again: acceptance A-1 by carol expired 2026-12-10",
    "version 2.0 (retrain) since the last review R-1 (of version 1.0, approved on 2026-10-01) is a material change: R-2 (opened 2026-12-10 for 2.0) is still open; an approver decides it (mrm review decide R-2 approve --note TEXT)",
    "never reviewed: a validator opens a review (mrm review open forecast) and an approver decides it",
    "15 gaps in 2 of 3 models",
]
print("; ".join(q for q in quoted if q not in golden or " ".join(q.split()) not in " ".join(doc.split())))
EOF
)
[ -z "$bad" ] && ok "reasons quoted in docs/gates.md match the golden sessions" || notok "not in the golden or the page: $bad"
