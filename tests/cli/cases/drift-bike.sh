# mrm drift on the bike-sharing data (UCI, day.csv): January against February 2011, split with
#   awk -F, 'NR==1 || $2 ~ /^2011-01/' day.csv > bike-jan.csv   (and 2011-02 for bike-feb.csv).
# The weather and rental counts are compared; identifiers and calendar columns are left out.
cp "$DATA/drift-cli/bike-jan.csv" "$DATA/drift-cli/bike-feb.csv" .
t drift --reference bike-jan.csv --current bike-feb.csv \
	--columns temp,atemp,hum,windspeed,weathersit,casual,registered,cnt
t drift --reference bike-jan.csv --current bike-feb.csv --columns cnt,weathersit --json
t drift --reference bike-jan.csv --current bike-feb.csv \
	--columns temp,atemp,hum,windspeed,weathersit,casual,registered,cnt --correction holm
