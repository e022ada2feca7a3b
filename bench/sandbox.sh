#!/usr/bin/env bash
# Measures what the gateway costs on top of the MailReach it fronts, in one run on loopback:
# the sandbox MailReach called directly versus the same call through the gateway. Reports the
# median (p50), p90 and p99 latency and throughput of each, and the ratios. Needs wrk
# (apt-get install wrk) and a JDK; builds the jar first. One wrk thread: on a 2-core machine more
# load-generator threads only steal CPU from the gateway being measured. Load goes to 127.0.0.1 only and every
# run is bounded in time.
#
#   bench/sandbox.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
CONNECTIONS="${2:-4}"
PORT=18080
MGMT=18081
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

./mvnw -q -B -DskipTests package
JAR=$(ls target/mailreach-gateway-*.jar | grep -v original | head -1)
# The rate limit is raised far above MailReach's 20/s: the bench measures the gateway's own
# cost, not the limiter's queueing (which the tests prove separately).
java -Xmx512m -jar "$JAR" --server.port=$PORT --management.server.port=$MGMT \
  --gateway.mailreach.rate-limit.requests-per-second=1000000 --logging.level.audit=WARN \
  > target/bench-gateway.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$MGMT/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 1
done

run() { # name, connections, lua, url, header
  local name=$1 connections=$2 lua=$3 url=$4 header=$5
  # warm-up (JIT), then the measured run
  wrk -t1 -c"$connections" -d5s -s "bench/$lua" -H "$header" "$url" >/dev/null
  local line
  line=$(wrk -t1 -c"$connections" -d"${DURATION}s" -s "bench/$lua" -H "$header" "$url" | grep '^RESULT')
  case "$line" in *" errors=0") ;; *) echo "$name: requests failed: $line" >&2; exit 1 ;; esac
  echo "$name c=$connections ${line#RESULT }"
}

BASE=http://127.0.0.1:$PORT
KEY="X-Api-Key: sandbox-ops-key"
MR="X-Api-Key: sandbox-mailreach-key"
curl -fs "$BASE/api/v1/accounts/1234" -H "$KEY" >/dev/null   # fill the cache
{
  # one connection: the latency of a single request, nothing queued
  run direct_get   1 get.lua  "$BASE/sandbox/api/v1/accounts/1234" "$MR"
  run gateway_hit  1 get.lua  "$BASE/api/v1/accounts/1234" "$KEY"
  run direct_post  1 post.lua "$BASE/sandbox/api/v1/accounts/ACCOUNT" "$MR"
  run gateway_post 1 post.lua "$BASE/api/v1/accounts/ACCOUNT" "$KEY"
  # CONNECTIONS connections: throughput
  run direct_post  "$CONNECTIONS" post.lua "$BASE/sandbox/api/v1/accounts/ACCOUNT" "$MR"
  run gateway_post "$CONNECTIONS" post.lua "$BASE/api/v1/accounts/ACCOUNT" "$KEY"
} | tee target/bench-results.txt

RSS_KB=$(ps -o rss= -p $PID | tr -d ' ')
HEAP=$(curl -fs "http://127.0.0.1:$MGMT/actuator/metrics/jvm.memory.used?tag=area:heap" | sed 's/.*"value":\([0-9.E]*\).*/\1/')
echo "memory rss_mib=$((RSS_KB / 1024)) heap_used_bytes=$HEAP" | tee -a target/bench-results.txt

awk '
  { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[$1 $2, kv[1]] = kv[2] } }
  END {
    printf "ratio gateway_post/direct_post c=1 p50=%.2f\n", v["gateway_postc=1","p50_ms"] / v["direct_postc=1","p50_ms"]
    printf "ratio gateway_hit/direct_get   c=1 p50=%.2f\n", v["gateway_hitc=1","p50_ms"] / v["direct_getc=1","p50_ms"]
    printf "ratio gateway_post/direct_post c='"$CONNECTIONS"' rps=%.2f\n", v["gateway_postc='"$CONNECTIONS"'","rps"] / v["direct_postc='"$CONNECTIONS"'","rps"]
  }' target/bench-results.txt | tee -a target/bench-results.txt
