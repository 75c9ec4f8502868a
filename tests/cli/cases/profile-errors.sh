# mrm profile refuses bad input with one line: exit 2 for the command line, 3 for data and profiles.
P="$DATA/profile"
cp "$P/small.csv" "$P/othercols.csv" "$P/badrow.csv" .
t profile
t profile small.csv
t profile small.csv -o x.profile --format xml
t profile small.csv -o x.profile --columns amuont
t profile missing.csv -o x.profile
t profile badrow.csv -o x.profile
t profile merge -o m.profile
t profile merge a.profile
t profile show
t profile show nope.profile
t profile small.csv -o a.profile
t profile othercols.csv -o b.profile
t profile merge a.profile b.profile -o m.profile
printf 'MRMP' > trunc.profile
t profile show trunc.profile
printf 'PK\003\004xxxxxxxxxxxxxxxxxxxx' > zip.profile
t profile show zip.profile
printf 'MRMP\007\000\000\000' > v7.profile
t profile show v7.profile
head -c 100 a.profile > cut.profile
t profile merge a.profile cut.profile -o m.profile
ls m.profile 2>&1
t profile small.csv -o d.profile --columns amount,grade,amount
# duplicated header names: both columns are profiled, but such profiles do not merge
cp "$P/dupnames.csv" .
t profile dupnames.csv -o dup.profile
t profile show dup.profile --top 1
t profile merge dup.profile dup.profile -o m.profile
# an output that cannot be written: exit 3, no file and no temporary left behind
t profile small.csv -o nodir/x.profile
ls nodir 2>&1
# --bins-from must name a readable profile; it is read before the data
t profile small.csv -o x.profile --bins-from nope.profile
t profile small.csv -o x.profile --bins-from small.csv
ls x.profile 2>&1
