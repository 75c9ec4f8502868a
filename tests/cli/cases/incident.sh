# Incidents: open, the lifecycle times and their order, root cause, linked
# findings, list/show with durations, and every error exit.
t init
t user add alice --role admin,validator
t --as alice user add bob --role owner
t --as alice user add carol --role approver
t --as alice user add dave --role auditor
t --as bob model add credit-pd --name "Credit PD" --owner bob --purpose "Probability of default"
t --as bob model add chat --name "Assistant" --owner bob --purpose "Customer questions" --type llm
t --as alice finding add credit-pd --severity high --category performance --title "PD drifts on new applicants"
t --as alice finding add credit-pd --severity medium --category documentation --title "Monitoring plan incomplete"
t --as alice finding add chat --severity high --category security --title "Prompt injection"

# open: onset and detection given, a finding linked
t --as bob incident open credit-pd --severity sev2 --title "Approval rate jumped" --started 2026-11-24T22:00:00Z --detected 2026-11-25T06:30:00Z --description "Approvals up 12 points overnight" --finding F-1
# open with defaults: started and detected are now
t --as carol incident open chat --severity sev3 --title "Assistant quoted a retired rate"
t incident list
t incident list --open

# the lifecycle: mitigated, then resolved with a root cause
t --as bob incident update I-1 --mitigated 2026-11-25T08:00:00Z
t --as bob incident update I-1 --resolved 2026-11-26T08:30:00Z --root-cause data-drift --root-cause-note "Bureau changed a field encoding" --finding F-2
t incident show I-1
t --json incident show I-1
# a correction of a time already set is allowed (and audited)
t --as alice incident update I-1 --detected 2026-11-25T06:00:00Z
echo "# its audit event keeps the old detected time:"
t --json audit log --object incident:I-1 --limit 1 | sed -n '/"before"/,/}/p'
t incident list --open
t incident list --model chat
t --json incident list --model credit-pd --open

# times: order, future, resolved needs mitigated, bad values
t --as bob incident open credit-pd --severity sev1 --title "Order" --started 2026-11-25T10:00:00Z --detected 2026-11-25T09:00:00Z
t --as bob incident open credit-pd --severity sev1 --title "Future" --started 2026-11-27T00:00:00Z
t --as bob incident open credit-pd --severity sev1 --title "Bad time" --started "yesterday"
t --as carol incident update I-2 --resolved 2026-11-26T08:59:00Z
t --as carol incident update I-2 --mitigated 2026-11-26T08:00:00Z
t --as carol incident update I-2 --mitigated 2026-11-26T10:00:00Z
t --as alice incident update I-1 --resolved 2026-11-25T07:00:00Z
t --as alice incident update I-1 --started 2026-11-25T07:00:00Z
t --as carol incident update I-2 --mitigated 2026-11-26T09:00:00Z --resolved 2026-11-26T09:00:00Z --root-cause prompt-injection
t --as carol incident update I-2 --root-cause gremlins
t --as carol incident update I-2 --severity sev5
t --as carol incident update I-2 --title ""
t --as carol incident update I-2 --severity sev3
t --as carol incident update I-2

# linked findings: unknown, another model's, already linked, twice, bad id
t --as bob incident update I-1 --finding F-9
t --as carol incident update I-2 --finding F-1
t --as bob incident update I-1 --finding F-1
t --as carol incident update I-2 --finding F-3 --finding F-3
t --as carol incident update I-2 --finding X-3
t --as carol incident update I-2 --finding F-3

# usage, unknown ids, permissions
t --as bob incident open credit-pd --title "No severity"
t --as bob incident open credit-pd --severity sev2
t --as bob incident open credit-pd --severity critical --title "Bad severity"
t --as bob incident open nope --severity sev2 --title "Unknown model"
t --as dave incident open credit-pd --severity sev2 --title "Auditor"
t --as dave incident update I-1 --root-cause process
t --as mallory incident open credit-pd --severity sev2 --title "Stranger"
t --as bob incident update I-9 --mitigated 2026-11-26T08:00:00Z
t --as bob incident update bogus --mitigated 2026-11-26T08:00:00Z
t incident show I-9
t incident list --model nope
t incident
t incident close I-1
t --as dave incident list
t audit log --object incident:I-1
t audit verify
