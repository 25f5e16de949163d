#!/usr/bin/env bash
# The fresh-machine path: `npm start` with no DATABASE_URL (embedded PostgreSQL, demo data), wait for
# ready, log in as `secretary`, fetch the OpenAPI document, stop; start again and check the data survived.
# The restart runs `npm run start:prod` (the same built server, without `npm start`'s second full build of the API,
# the web UI and the client): the first start has checked the build, the second checks the data.
set -euo pipefail
cd "$(dirname "$0")/.."
own_data=
[ -n "${GONGWEN_DATA_DIR:-}" ] || { GONGWEN_DATA_DIR=$(mktemp -d /tmp/gongwen-smoke-XXXXXX); own_data=$GONGWEN_DATA_DIR; }
export GONGWEN_DATA_DIR
chmod 755 "$GONGWEN_DATA_DIR"
export PORT="${PORT:-3917}" GONGWEN_EMBEDDED_PG_PORT="${GONGWEN_EMBEDDED_PG_PORT:-54391}" LOG_LEVEL=warn
base="http://127.0.0.1:$PORT"
log=$(mktemp)
pid=

start() {
  setsid npm run "${1:-start}" >"$log" 2>&1 &   # own process group, so stop() reaches node behind npm
  pid=$!
  local t0=$SECONDS
  until curl -fs "$base/health/ready" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "smoke: gongwen exited"; cat "$log"; exit 1; fi
    if ((SECONDS - t0 > 120)); then echo "smoke: not ready within 120 s"; cat "$log"; exit 1; fi
    sleep 1
  done
  echo "smoke: ready after $((SECONDS - t0)) s"
}
stop() {
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # stopped: every process of the group gone (the API drains first, then stops its PostgreSQL, which is in the
  # group too), not only the HTTP port closed — the data directory is removed next
  for _ in $(seq 1 80); do kill -0 -- "-$pid" 2>/dev/null || { pid=; return 0; }; sleep 0.5; done
  echo "smoke: gongwen did not stop within 40 s"; ps -o pid,stat,args -g "$pid" || true; exit 1
}
# (the data directory only when this script made it: a given GONGWEN_DATA_DIR is the caller's)
trap 'stop; rm -f "$log"; [ -z "$own_data" ] || rm -rf "$own_data"' EXIT

curl -fs "$base/health/live" >/dev/null 2>&1 && { echo "smoke: something already listens on $PORT"; exit 1; }
start
login=$(curl -fs -X POST "$base/api/auth/login" -H 'content-type: application/json' -d '{"username":"secretary","password":"gongwen-demo"}')
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$login")
curl -fs "$base/api/openapi.json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const d=JSON.parse(s);if(d.openapi!=="3.1.0")process.exit(1);console.log("smoke: OpenAPI "+d.openapi+", "+Object.keys(d.paths).length+" paths")})'
curl -fs -X POST "$base/api/auth/tokens" -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"smoke-persist"}' >/dev/null
stop

start start:prod
login=$(curl -fs -X POST "$base/api/auth/login" -H 'content-type: application/json' -d '{"username":"secretary","password":"gongwen-demo"}')
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$login")
curl -fs "$base/api/auth/tokens" -H "authorization: Bearer $token" | grep -q smoke-persist
echo "smoke: data survived a restart"
echo "smoke: 4 passed, 0 failed"
