# mrm policy: the built-in default, a team's file, extends: default, and every kind of bad file.
# No store is needed: a policy is a file, checked without touching mrm.db.
cp "$DATA"/policy/*.yaml .
t policy show
t policy check ours.yaml
t policy show --policy ours.yaml
t --json policy show --policy ours.yaml
t policy check extends.yaml
t policy show --policy extends.yaml
t --json policy check extends.yaml
# bad files: exit 3 with FILE:LINE:COL and the field
t policy check bad-syntax.yaml
t policy check bad-control.yaml
t policy check bad-kind.yaml
t policy check negative-age.yaml
t policy check loosen.yaml
t policy check duplicate.yaml
t policy check unknown-role.yaml
t policy check unknown-tier.yaml
t policy check missing-param.yaml
t policy show --policy bad-kind.yaml
t --json policy check bad-kind.yaml
t policy check no-such-policy.yaml
# usage
t policy
t policy check
t policy show extra
t policy enforce
ls mrm.db test.db 2>&1
