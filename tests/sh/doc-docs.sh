#!/bin/sh
# docs/documents.md agrees with the MRA the binary writes: every recommendation rule with
# its decision and condition, the rating scale, every risk category and its aggravator.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export MRM_DB="$work/test.db" MRM_USER=ana
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

. "$MRM_TOP/tests/cli/doc-store.sh" >setup.log 2>&1
[ -s setup.log ] && { notok "build the store: $(cat setup.log)"; exit 0; }
"$MRM" --json doc mra credit-pd >mra.json || { notok "mrm --json doc mra"; exit 0; }
out=$(python3 - mra.json "$MRM_TOP/docs/documents.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
doc = open(sys.argv[2]).read()
bad = []
for r in d['rubric']['recommendation_rules']:
    row = '| %s | %s | %s |' % (r['id'], r['decision'].replace('-', ' '), r['rule'])
    if row not in doc:
        bad.append(row)
scale = ', '.join('%s %s' % (x['scores'], x['rating']) for x in d['rubric']['ratings'])
if scale.replace(', ', ', ') not in doc.replace('**', ''):
    bad.append('scale ' + scale)
for r in d['risks']:
    if '`%s`' % r['id'] not in doc:
        bad.append('category ' + r['id'])
print('\n'.join(bad))
PY
)
[ -z "$out" ] && ok "docs/documents.md lists the MRA's rules, rating scale and categories as the binary applies them" ||
	notok "docs/documents.md differs from the binary: $out"
