#!/bin/sh
# The sharded path of docs/profiles.md: split a CSV into 4 shards, profile
# them in parallel processes, merge in two orders, and get the one-pass
# profile's counts, missing, min, max, mean, std, distinct and exact top
# counts (quantiles may differ within the KLL bound and are not compared).
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

awk 'BEGIN { srand(7); print "x,y,grade,code";
	for (i = 0; i < 3000; i++) {
		y = (i % 13 == 0) ? "" : sprintf("%.3f", 1000 + (i % 29) / 7);
		printf "%.9f,%s,%s,%d\n", rand() * 100 - 20, y, substr("ABCDE", i % 5 + 1, 1), i % 97
	} }' > all.csv
tail -n +2 all.csv > body.csv
split -n l/4 body.csv part.
n=0
for f in part.*; do
	n=$((n + 1))
	{ head -1 all.csv; cat "$f"; } > shard$n.csv
done
[ "$n" = 4 ] && ok "split into 4 shards" || notok "split into 4 shards (got $n)"

for i in 1 2 3 4; do
	"$MRM" profile shard$i.csv -o shard$i.profile > /dev/null &
done
wait
"$MRM" profile all.csv -o all.profile > /dev/null || notok "one pass"
"$MRM" profile merge shard1.profile shard2.profile shard3.profile shard4.profile -o m1.profile > /dev/null &&
	ok "merge 1 2 3 4" || notok "merge 1 2 3 4"
"$MRM" profile merge shard4.profile shard2.profile -o m42.profile > /dev/null &&
"$MRM" profile merge shard3.profile shard1.profile -o m31.profile > /dev/null &&
"$MRM" profile merge m31.profile m42.profile -o m2.profile > /dev/null &&
	ok "merge (3 1) (4 2)" || notok "merge (3 1) (4 2)"

summary() {
	"$MRM" profile show "$1" | grep -v -e quantiles -e undercount
}
summary all.profile > want.txt
for m in m1 m2; do
	summary $m.profile > got.txt
	if cmp -s want.txt got.txt; then
		ok "$m: merged shards equal the one-pass profile"
	else
		notok "$m: merged shards equal the one-pass profile"
		diff want.txt got.txt | sed 's/^/# /'
	fi
done
grep -q "count 3000  missing 0" want.txt && ok "x counted exactly" || notok "x counted exactly"
grep -q "count 2769  missing 231" want.txt && ok "y missing counted exactly" || notok "y missing"
grep -q "top: A (600), B (600), C (600), D (600), E (600)" want.txt && ok "grade counts" ||
	notok "grade counts"
