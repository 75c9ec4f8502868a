# mrm doc validation: the stored run of mrm validate --model (the newest, or --evidence E-N):
# the run, metrics with intervals, tests with pass/fail and failed slices, slices, fairness,
# warnings, the validator and the reviews of the version.
. "$MRM_TOP/tests/cli/doc-store.sh"
t doc validation credit-pd
t doc validation credit-pd --evidence E-3
