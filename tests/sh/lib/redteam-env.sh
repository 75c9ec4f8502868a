# Sourced by the tests/sh/redteam-*.sh scripts: a work directory (the current directory, removed
# at exit with the servers started), $MINI (one probe per category: tests/data/redteam/mini),
# $SERVER (tests/tools/llm-server), $PY, and the helpers below.
MINI=""; for f in "$MRM_TOP"/tests/data/redteam/mini/*.yaml; do MINI="$MINI --pack $f"; done
set -u
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SERVER="$MRM_BUILD/tests/tools/llm-server"
PY=/usr/bin/python3

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check NAME CONDITION...: ok when the condition holds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}
# m ARGS...: runs mrm, its output in $work/out and $work/err.
m() { "$MRM" "$@" >"$work/out" 2>"$work/err"; }
# start NAME ARGS...: a test server on a free port; sets $port and NAME_port.
start() {
	name=$1
	shift
	rm -f "$name.port"
	"$SERVER" --port 0 --port-file "$name.port" "$@" >/dev/null &
	pids="$pids $!"
	i=0
	while [ ! -s "$name.port" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(cat "$name.port")
	eval "${name}_port=$port"
}
# jq-like: py FILE EXPR prints EXPR of the JSON document d in FILE.
py() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
