#!/bin/sh
# mrm gate --junit and mrm controls test --junit write JUnit XML that validates against the
# JUnit schema CI systems read (tests/data/junit/junit-10.xsd, with xmllint --schema), whose
# counts and test cases agree with the gate's JSON, and which a broken document fails (so the
# validation can fail). Exit codes of a gate in CI: 0 passed, 1 failed, 3 an unwritable report.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
py=/usr/bin/python3
xsd="$MRM_TOP/tests/data/junit/junit-10.xsd"
data="$MRM_TOP/tests/data"
export MRM_DB="$work/t.db" MRM_USER=alice MRM_NOW=2026-11-01T09:00:00Z
cd "$work" || exit 1

if ! command -v xmllint >/dev/null 2>&1; then
	notok "xmllint is not installed (scripts/install-deps installs libxml2-utils)"
	exit 1
fi
# Every setup step must succeed.
q() { "$MRM" "$@" >/dev/null 2>&1 || { notok "setup: mrm $*"; exit 1; }; }
valid() { xmllint --noout --schema "$xsd" "$1" >"$work/xmllint.log" 2>&1; }

q init
q user add alice --role admin,validator
q user add bob --role owner
q user add carol --role approver
q --as bob model add credit --name "Credit <PD> & \"limits\"" --owner bob --purpose "PD" --status production \
	--team risk --intended-use limits --out-of-scope-use marketing --population retail --data-source bureau \
	--deployment batch
q --as bob tier assess credit --answers "$data/tier-credit-pd.yaml"
q --as bob model version add credit 1.0
for k in risk-assessment model-card data-sheet monitoring-plan drift-report; do
	echo "$k" >"$k.txt"
	q --as bob evidence add credit "$k" "$k.txt" --version 1.0
done
cp "$data/validate/tiny.csv" .
q validate --data tiny.csv --label outcome --score score --group group --tests "$data/validate/tests-pass.yaml" \
	--model credit --version 1.0
q signoff credit --role validator
q --as carol signoff credit --role approver
q review open credit
q --as carol review decide R-1 approve --note "sound"
q --as bob monitor add credit --signal drift_share --warn 0.3 --alert 0.5
q --as bob model add dev --name "Dev <model>" --owner bob --purpose "x"
# a failure whose reason holds markup: the finding title is shown nowhere, the reason is escaped
q finding add credit --severity high --category fairness --title "Gap <b>" --owner bob
q --as carol accept credit --finding F-1 --rationale "ok" --expires 2026-12-01

"$MRM" gate credit --junit gate.xml >out.txt 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "a failing gate exits 1 and still writes its JUnit report" || notok "gate exit $rc: $(cat out.txt)"
if valid gate.xml; then ok "gate JUnit validates against junit-10.xsd"; else notok "gate.xml invalid: $(cat xmllint.log)"; fi
"$MRM" --json gate credit >gate.json 2>/dev/null
check=$($py - gate.xml gate.json <<'EOF'
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
doc = json.load(open(sys.argv[2]))
suites = root.findall("testsuite")
bad = []
if root.tag != "testsuites" or len(suites) != 1:
    bad.append("one testsuite under testsuites")
s = suites[0]
cases = s.findall("testcase")
n = len(doc["controls"]) + len(doc["not_applicable"])
fails = [c for c in doc["controls"] if c["status"] == "fail"]
waived = [c for c in doc["controls"] if c["status"] == "waived"]
if len(cases) != n or s.get("tests") != str(n) or root.get("tests") != str(n):
    bad.append("tests %s/%s, %d cases, want %d" % (s.get("tests"), root.get("tests"), len(cases), n))
if s.get("failures") != str(len(fails)) or len(s.findall("testcase/failure")) != len(fails):
    bad.append("failures")
if s.get("skipped") != str(len(waived) + len(doc["not_applicable"])):
    bad.append("skipped")
by_name = {c.get("name").split(":")[0]: c for c in cases}
for c in doc["controls"]:
    tc = by_name.get(c["id"])
    if tc is None:
        bad.append("no case " + c["id"]); continue
    f, sk = tc.find("failure"), tc.find("skipped")
    if c["status"] == "fail" and (f is None or f.get("message") != c["reason"] or f.text != c["reason"]):
        bad.append("failure of " + c["id"])
    if c["status"] == "waived" and (sk is None or sk.get("message") != "waived: " + c["reason"]):
        bad.append("skipped of " + c["id"])
    if c["status"] == "pass" and (f is not None or sk is not None):
        bad.append("pass of " + c["id"])
    if tc.get("classname") != "mrm.gate.credit":
        bad.append("classname")
props = {p.get("name"): p.get("value") for p in s.find("properties")}
if props.get("model") != "credit" or props.get("passed") != "false" or props.get("policy_sha256") != doc["policy"]["sha256"]:
    bad.append("properties %r" % props)
if not waived or not fails:
    bad.append("the case needs a waived and a failed control")
print("; ".join(bad))
EOF
)
[ -z "$check" ] && ok "JUnit cases, counts, messages and properties match the gate JSON" || notok "JUnit vs JSON: $check"

# the schema can fail: a testcase without a name, a count that is not a number
sed 's/<testcase name="[^"]*"/<testcase/' gate.xml >broken1.xml
sed 's/tests="\([0-9]*\)" failures/tests="many" failures/' gate.xml >broken2.xml
# (a schema that does not compile fails too: the log must say the document fails to validate)
if ! valid broken1.xml && grep -q "broken1.xml fails to validate" xmllint.log; then
	ok "a testcase without a name is invalid"
else
	notok "a testcase without a name: $(cat xmllint.log)"
fi
if ! valid broken2.xml && grep -q "broken2.xml fails to validate" xmllint.log; then
	ok "a non-numeric count is invalid"
else
	notok "a non-numeric count: $(cat xmllint.log)"
fi

# a passing gate: after the acceptance's model is complete and the monitor requirement met
q --as bob monitor add credit --signal metric:roc_auc --warn 0.7 --alert 0.6 --label outcome --score score
"$MRM" gate credit --junit pass.xml >out.txt 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "a passing gate exits 0" || notok "passing gate exit $rc: $(cat out.txt)"
if valid pass.xml && ! grep -q "<failure" pass.xml; then ok "a passing gate's JUnit validates, without failures"; else notok "pass.xml: $(cat xmllint.log)"; fi

# controls test over the inventory: one suite per model
"$MRM" controls test --junit inventory.xml >out.txt 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "controls test exits 1 on a gap" || notok "controls test exit $rc"
if valid inventory.xml; then ok "controls test JUnit validates"; else notok "inventory.xml invalid: $(cat xmllint.log)"; fi
n=$(grep -c "<testsuite " inventory.xml)
[ "$n" -eq 2 ] && ok "controls test JUnit has one testsuite per model" || notok "$n testsuites"

# a report that cannot be written: exit 3, and no stray temporary file
"$MRM" gate credit --junit "$work/no/such/dir/gate.xml" >out.txt 2>&1
rc=$?
[ "$rc" -eq 3 ] && grep -q "gate.xml" out.txt && ok "an unwritable --junit path exits 3 naming it" ||
	notok "unwritable junit: exit $rc: $(cat out.txt)"
