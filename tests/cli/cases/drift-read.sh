# mrm drift reads its two files at the same time, numbers packed; nothing it reports may
# depend on that. A column (b) that turns categorical after the reference's first 32,768
# values (the reference is read again, and the current with b categorical), errors in both
# files (the reference's is reported), the current on stdin, a gzipped reference.
awk 'BEGIN { print "a,b,c"; for (i = 0; i < 70000; i++)
	printf "%.4f,%s,%d\n", sin(i) * 3, i == 69990 ? "late" : sprintf("%d", i % 5), i % 7 }' >ref.csv
awk 'BEGIN { print "a,b,c"; for (i = 0; i < 50000; i++)
	printf "%.4f,%d.0,%d\n", sin(i) * 3 + 0.1, i % 4, i % 9 }' >cur.csv
t drift --reference ref.csv --current cur.csv
t drift --reference ref.csv --current cur.csv --json --columns b
t drift --reference cur.csv --current ref.csv --columns a,b
printf 'a,b\n1,2\n3\n' >bad-ref.csv
printf 'a,b\n1,2\n4,5,6\n' >bad-cur.csv
t drift --reference bad-ref.csv --current bad-cur.csv
t drift --reference ref.csv --current bad-cur.csv
t drift --reference ref.csv --current - --columns a,c <cur.csv
gzip -n -c ref.csv >ref.csv.gz
t drift --reference ref.csv.gz --current cur.csv --columns a,c
