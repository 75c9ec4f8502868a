# mrm redteam report and diff on hand-made run files (tests/fixtures/gen_redteam_runs.py),
# --fail-on exit codes, and the usage errors of mrm redteam (nothing here reaches a target).
cp "$DATA"/redteam/*.jsonl .
t redteam report before.jsonl
t redteam report before.jsonl --fail-on 'prompt_injection>0.5'
t redteam report before.jsonl --fail-on 'prompt_injection>=67%' --fail-on 'LLM07>0' --fail-on 'any>0.9'
t redteam report before.jsonl --fail-on 'overall>0.5' --worst 1
t --json redteam report after.jsonl --worst 1
t redteam diff before.jsonl after.jsonl
t redteam diff after.jsonl after.jsonl
t redteam report before.jsonl --html before.html
t redteam report before.jsonl --fail-on 'injections>0.1'
t redteam report before.jsonl --fail-on 'jailbreak>2'
t redteam report
t redteam report none.jsonl
t redteam diff before.jsonl
t redteam
t redteam attack
t redteam run -o r.jsonl
t redteam run --target localhost:8080 -o r.jsonl
t redteam run --target http://127.0.0.1:9/v1
t redteam run --target http://127.0.0.1:9/v1 -o r.jsonl --temperature 3
t redteam run --target http://127.0.0.1:9/v1 -o r.jsonl --reply-path a.b
t redteam run --target cmd: -o r.jsonl
t redteam run --target cmd:./bot -o r.jsonl --api-key-env HOME
t redteam run --target http://127.0.0.1:9/v1 -o r.jsonl --header 'X-Trace'
t redteam run --target http://127.0.0.1:9/v1 -o r.jsonl --finding-severity high
t redteam run --target http://127.0.0.1:9/v1 -o r.jsonl --model m --finding-severity severe
