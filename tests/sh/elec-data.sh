#!/bin/sh
# data/elec.csv (the Elec2 stream of the demo) is what scripts/make-elec-data makes from
# ../shared/data/elec2/elec.csv, byte for byte; it has 45,312 rows every 30 minutes from
# 1996-05-07T00:00:00Z in time order, and mrm reads it (a numeric column per attribute).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$MRM_TOP/data/elec.csv"
src="$MRM_TOP/../shared/data/elec2/elec.csv"

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

if [ -f "$src" ]; then
	if python3 "$MRM_TOP/scripts/make-elec-data" "$src" "$work/elec.csv" > /dev/null &&
		cmp -s "$work/elec.csv" "$data"; then
		ok "scripts/make-elec-data rebuilds data/elec.csv byte for byte"
	else
		notok "scripts/make-elec-data does not rebuild data/elec.csv"
	fi
	sed '2s/0.439155/0.4391551/' "$src" > "$work/noisy.csv"
	if python3 "$MRM_TOP/scripts/make-elec-data" "$work/noisy.csv" "$work/x.csv" 2> "$work/err" >&2; then
		notok "a 7-decimal value is accepted"
	else
		grep -q 'noisy.csv:2: 0.4391551 is not a 6-decimal value' "$work/err" &&
			[ ! -e "$work/x.csv" ] && [ ! -e "$work/x.csv.tmp" ] && ok "a value that would be rounded is refused, no file written" ||
			notok "refusal message: $(cat "$work/err")"
	fi
else
	ok "# SKIP ../shared/data/elec2/elec.csv not present"
fi

if awk -F, 'NR == 1 { if ($0 != "timestamp,period,nswprice,nswdemand,vicprice,vicdemand,transfer,up") exit 1; next }
	NR == 2 && $1 != "1996-05-07T00:00:00Z" { exit 2 }
	NR > 2 && $1 <= prev { exit 3 }
	{ prev = $1; if ($8 != 0 && $8 != 1) exit 4; if ((NR - 2) % 48 == 0 && substr($1, 12) != "00:00:00Z") exit 5 }
	END { if (NR != 45313 || prev != "1998-12-06T23:30:00Z") exit 6 }' "$data"; then
	ok "elec.csv: header, 45,312 rows, increasing timestamps, midnight every 48 rows, up is 0/1"
else
	notok "elec.csv: layout (awk exit $?)"
fi

# Week 1 against week 2 through mrm: every attribute read as numeric.
head -n 337 "$data" > "$work/w1.csv"
{ head -n 1 "$data"; sed -n '338,673p' "$data"; } > "$work/w2.csv"
"$MRM" --json drift --reference "$work/w1.csv" --current "$work/w2.csv" \
	--columns period,nswprice,nswdemand,vicprice,vicdemand,transfer,up > "$work/d.json" 2> "$work/d.err"
rc=$?
if [ "$rc" -le 1 ] && python3 - "$work/d.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["reference"]["rows"] == 336 and d["current"]["rows"] == 336, d["reference"]
assert all(c["type"] == "numeric" for c in d["columns"].values()), d["columns"]
assert d["columns"]["period"]["statistic"] == 0, "the same half hours each week"
PY
then
	ok "mrm drift reads two weeks of elec.csv: 336 rows each, numeric columns"
else
	notok "mrm drift on two weeks of elec.csv (exit $rc): $(cat "$work/d.err")"
fi
