# mrm doc acceptance: the memo of a risk acceptance (who, what, why, until when, triggers,
# the authority rule and the policy's, status now), while active, after revocation, and as
# JSON.
. "$MRM_TOP/tests/cli/doc-store.sh"
t doc acceptance A-1
t --json doc acceptance A-1
q --as paul acceptance revoke A-1 --reason "Vendor fix deployed"
t doc acceptance A-1
# An acceptance the core allows (at most 365 days) but the policy does not (high: 180 days at tier 2).
q --as vera finding add support-assistant --severity high --category safety --title "Advice given on request"
q --as paul accept support-assistant --finding F-3 --rationale "Rare; monitored by the complaints team" \
	--expires 2027-09-30
t doc acceptance A-2
