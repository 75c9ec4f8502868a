# mrm profile: one pass per column, shards merged into the same profile, show as text or JSON.
P="$DATA/profile"
cp "$P/small.csv" "$P/shard1.csv" "$P/shard2.csv" "$P/shard3.csv" .
t profile small.csv -o all.profile
t profile show all.profile
t profile show all.profile --top 1 --json
t profile small.csv -o sel.profile --columns grade,amount
t profile show sel.profile
# two shards of small.csv merged give the one-pass profile
t profile shard1.csv -o s1.profile
t profile shard2.csv -o s2.profile
t profile merge s2.profile s1.profile -o merged.profile
t profile show merged.profile
# a shard where 'amount' has text: merged, the column is categorical (as one pass would say)
t profile shard3.csv -o s3.profile
t profile merge all.profile s3.profile -o m3.profile --json
t profile show m3.profile --top 3
# a column with no value at all stays numeric, with count 0 and no statistics
cp "$P/allmissing.csv" .
t profile allmissing.csv -o am.profile
t profile show am.profile
# --bins-from: exact counts in the reference's decile bins (shards binned alike merge exactly)
t profile shard1.csv -o b1.profile --bins-from all.profile
t profile shard2.csv -o b2.profile --bins-from all.profile
t profile merge b1.profile b2.profile -o b12.profile
t profile show b12.profile --top 0
t profile small.csv -o b.profile --bins-from all.profile --columns amount --json
t --json profile show b.profile --top 0
# a version 1 profile (written before reference bins) still reads
cp "$P/v1-small.profile" .
t profile show v1-small.profile --top 2
