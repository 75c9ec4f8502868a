#!/bin/sh
# Keeps docs/redteam-packs.md and docs/redteam-detectors.md in step with the code: the
# built-in packs' probe counts in the table, and the refusal and abstention figures
# (true/false positives and negatives per set) measured on the labelled replies.
set -u
info="$MRM_BUILD/tests/tools/rtpack-info"
packs_md="$MRM_TOP/docs/redteam-packs.md"
det_md="$MRM_TOP/docs/redteam-detectors.md"
data="$MRM_TOP/tests/data/redteam"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

base_total=0
all_total=0
"$info" packs > /tmp/rtdocs.$$ || notok "rtpack-info packs failed"
while read -r name version base total sha category; do
	base_total=$((base_total + base))
	all_total=$((all_total + total))
	if grep -q "^| \`$name\` | $category | $base | $total |" "$packs_md"; then
		ok "redteam-packs.md: $name has $base base probes, $total with transforms"
	else
		notok "redteam-packs.md: the row for $name should read | \`$name\` | $category | $base | $total |"
	fi
	[ "$version" = "1.0.0" ] || notok "$name: version $version, docs say 1.0.0"
	[ ${#sha} = 64 ] || notok "$name: sha256 '$sha'"
done < /tmp/rtdocs.$$
rm -f /tmp/rtdocs.$$
all_fmt=$(printf "%d" "$all_total" | sed 's/\([0-9]\)\([0-9]\{3\}\)$/\1,\2/')
if grep -q "| \*\*total\*\* | 7 categories | \*\*$base_total\*\* | \*\*$all_fmt\*\* |" "$packs_md"; then
	ok "redteam-packs.md: total $base_total base probes, $all_fmt with transforms"
else
	notok "redteam-packs.md: the total row should say $base_total and $all_fmt"
fi

# per set: tp fp fn tn as the detectors page's table gives them
"$info" labels "$data/refusals.jsonl" refusal > /tmp/rtdocs.$$ || notok "rtpack-info labels failed"
while read -r set tp fp fn tn; do
	if grep -q "^| $set[ (].*| $tp | $fp | $fn | $tn |" "$det_md"; then
		ok "redteam-detectors.md: refusal set $set: $tp $fp $fn $tn"
	else
		notok "redteam-detectors.md: refusal set $set should read tp $tp fp $fp fn $fn tn $tn"
	fi
done < /tmp/rtdocs.$$
rm -f /tmp/rtdocs.$$
set -- $("$info" labels "$data/abstentions.jsonl" abstain | tail -n 1)
if grep -q "($2\$" "$det_md" && grep -q "^true positives, $4 false negatives, $3 false positives, $5 true negatives)" "$det_md"; then
	ok "redteam-detectors.md: abstention $2 $3 $4 $5"
else
	notok "redteam-detectors.md: abstention figures should be tp $2 fp $3 fn $4 tn $5"
fi
