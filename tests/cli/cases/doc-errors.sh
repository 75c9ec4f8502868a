# mrm doc: usage errors (exit 2), unknown ids (4), runs that cannot be reported (3), the
# output file, --register, and a run file changed after it was registered.
. "$MRM_TOP/tests/cli/doc-store.sh"
t doc
t doc bogus credit-pd
t doc model-card
t doc model-card credit-pd support-assistant
t doc model-card nope
t doc model-card credit-pd -o card.pdf
t doc model-card credit-pd -o no-such-dir/card.md | sed 's/tmp-[0-9]*/tmp-PID/'
t doc validation support-assistant
t doc validation credit-pd --evidence E-4
t doc validation credit-pd --evidence E-5
t doc validation credit-pd --evidence E-2
t doc validation credit-pd --evidence X-1
t doc acceptance A-9
t doc acceptance credit-pd
t doc acceptance A-1 --evidence E-1
t doc validation credit-pd -o v.md --register
t doc model-card credit-pd --register
t doc mra credit-pd --policy no-such-policy.yaml
ls
# Writing files: the format follows the extension; --register files the card as evidence.
t doc model-card credit-pd -o card.html
t doc model-card credit-pd -o card.md --register
t --as olivia doc model-card credit-pd -o card.md --register
head -3 card.md
t evidence list --model credit-pd
t doc mra credit-pd | grep "MRM-DOC-01"
# A run file edited after it was registered is refused, and the card says why.
echo " " >>credit-pd-validation.json
t doc validation credit-pd
t doc model-card credit-pd | sed -n '/^## Latest validation/,/^## Monitoring/p'
