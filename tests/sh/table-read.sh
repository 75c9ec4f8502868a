#!/bin/sh
# The table readers through their test tools: files, stdin ("-") plain and
# gzipped, format and delimiter detection, bad rows (exit 3 and the
# FILE:LINE:COLUMN message, or skipped and counted), batches equal to the
# whole table, and the fuzz corpus replayed (tests/data/table/fuzz).
# MRM_SLOW_TESTS=1 adds a read of more than 4 GiB from a pipe.
set -u
cat_=$MRM_BUILD/tests/tools/table-cat
fuzz=$MRM_BUILD/tests/tools/table-fuzz
data=$MRM_TOP/tests/data/table
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# check WHAT EXPECTED-OUTPUT -- ARGS...: runs table-cat, compares stdout and
# stderr (together) and expects exit 0.
check() {
	what=$1 want=$2
	shift 3
	got=$("$cat_" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
		ok "$what"
	else
		notok "$what (exit $rc)"
		printf 'want:\n%s\ngot:\n%s\n' "$want" "$got"
	fi
}

# fails WHAT CODE MESSAGE -- ARGS...: expects exit CODE and this stderr.
fails() {
	what=$1 code=$2 want=$3
	shift 4
	"$cat_" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	got=$(cat "$work/err")
	if [ "$rc" -eq "$code" ] && [ "$got" = "table-cat: $want" ]; then
		ok "$what"
	else
		notok "$what (exit $rc, want $code)"
		printf 'want: table-cat: %s\ngot:  %s\n' "$want" "$got"
	fi
}

clf_summary='format csv delimiter '"','"' columns 3: label, score, group
rows 6 lines 7 bytes 79
label: numeric missing 0 sum 3 min 0 max 1
score: numeric missing 2 sum 1.381595 min 0.069375999999999993 max 0.5
group: categorical missing 0 categories 5
no bad rows'
clf_rows='1	0.475414	C
1	0.33680500000000002	B
0	0.069375999999999993	A
0	<NA>	A
1	<NA>	E
0	0.5	D'

check "CSV file" "$clf_summary" -- "$data/clf-small.csv"
check "CSV rows" "$clf_rows" -- -p "$data/clf-small.csv"
check "CSV from stdin" "$clf_rows" -- -p - <"$data/clf-small.csv"
check "gzip file, by content" "$clf_rows" -- -p "$data/clf-small.csv.gz"
gzip -c "$data/clf-small.csv" >"$work/renamed.dat"
check "gzip file without a .gz name" "$clf_rows" -- -p "$work/renamed.dat"
check "gzip on stdin" "$clf_rows" -- -p - <"$data/clf-small.csv.gz"
got=$(gzip -c "$data/clf-small.csv" | "$cat_" -p -t 2 -k 64 - 2>&1)
[ "$got" = "$clf_rows" ] && ok "gzip from a pipe, small chunks, 2 threads" ||
	notok "gzip from a pipe, small chunks, 2 threads: $got"
check "batches equal the whole table" "$clf_summary" -- -S -t 2 -k 64 "$data/clf-small.csv"
check "one column, numeric" "0.475414
0.33680500000000002
0.069375999999999993
<NA>
<NA>
0.5" -- -p -c score:num "$data/clf-small.csv"

check "semicolons, BOM, CRLF, quotes" 'format csv delimiter '"';'"' columns 3: id, amount, note
rows 3 lines 5 bytes 74
id: numeric missing 0 sum 6 min 1 max 3
amount: numeric missing 0 sum 3.25 min -0.5 max 2.25
note: categorical missing 0 categories 3
no bad rows' -- "$data/semicolon.csv"
got=$("$cat_" -p -c note:text "$data/semicolon.csv" | tr -d '\r')
want='a;b
say "hi"
two
lines'
[ "$got" = "$want" ] && ok "quoted delimiter, newline and doubled quotes kept" ||
	notok "quoted delimiter, newline and doubled quotes kept: $got"
check "no header: c1, c2, c3; TAB detected" 'format csv delimiter TAB columns 3: c1, c2, c3
rows 2 lines 2 bytes 16
c1: numeric missing 0 sum 3 min 1 max 2
c2: numeric missing 0 sum 6 min 2.5 max 3.5
c3: categorical missing 0 categories 2
no bad rows' -- -H "$data/no-header.tsv"

check "JSON Lines" '1	0.90000000000000002	A
0	0.25	<NA>
1	<NA>	B' -- -p "$data/basic.jsonl"
check "JSON Lines on stdin, by content" '1	0.90000000000000002	A
0	0.25	<NA>
1	<NA>	B' -- -p - <"$data/basic.jsonl"

fails "not a number: exit 3 and where" 3 \
	"$data/bad-rows.csv:3:2: column 'score': 'abc' is not a number" -- -c score:num "$data/bad-rows.csv"
fails "on stdin the file is <stdin>" 3 \
	"<stdin>:3:2: column 'score': 'abc' is not a number" -- -c score:num - <"$data/bad-rows.csv"
fails "wrong number of fields" 3 \
	"$data/bad-rows.csv:4:3: expected 3 fields, found 2" -- -c label:num "$data/bad-rows.csv"
check "bad rows skipped and counted" 'format csv delimiter '"','"' columns 3: label, score, group
rows 2 lines 6 bytes 56
score: numeric missing 0 sum 1.4 min 0.5 max 0.90000000000000002
3 bad rows skipped: 1 wrong number of fields (line 4), 1 not a number (line 3), 1 infinite, NaN or out of range (line 5)' -- -s -c score:num "$data/bad-rows.csv"
check "inf allowed when asked" 'format csv delimiter '"','"' columns 3: label, score, group
rows 3 lines 6 bytes 56
score: numeric missing 0 sum inf min 0.5 max inf
2 bad rows skipped: 1 wrong number of fields (line 4), 1 not a number (line 3)' -- -s -i -c score:num "$data/bad-rows.csv"
fails "invalid JSON line" 3 "$data/bad.jsonl:2:23: invalid JSON: unexpected token near '}'" -- "$data/bad.jsonl"
fails "a column that does not exist" 3 \
	"$data/clf-small.csv: no column 'scroe' (columns: label, score, group)" -- -c scroe:num "$data/clf-small.csv"
fails "a file that does not exist" 3 \
	"cannot read $work/nope.csv: No such file or directory" -- "$work/nope.csv"
: >"$work/empty.csv"
fails "an empty file" 3 "$work/empty.csv: empty file (no header line)" -- "$work/empty.csv"
head -c 60 "$data/clf-small.csv.gz" >"$work/cut.gz"
fails "truncated gzip" 3 "$work/cut.gz: truncated gzip data (unexpected end of file)" -- "$work/cut.gz"

out=$("$fuzz" "$data/fuzz" 2>&1)
n=$(ls "$data/fuzz" | wc -l)
[ "$out" = "table-fuzz: $n inputs ok" ] && ok "fuzz corpus replays ($n inputs)" ||
	notok "fuzz corpus replays: $out"

# More than 4 GiB and 2^32 lines' worth of counters, through a pipe.
if [ "${MRM_SLOW_TESTS:-0}" = 1 ]; then
	got=$( (echo "a,b"; yes "1,2") | head -c 4400000004 |
		"$cat_" -S -c b:num - 2>&1 | sed -n 2p)
	[ "$got" = "rows 1100000000 lines 1100000001 bytes 4400000004" ] &&
		ok "a 4.4 GB stream from stdin" || notok "a 4.4 GB stream from stdin: $got"
fi
exit 0
