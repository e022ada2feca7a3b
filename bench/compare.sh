#!/usr/bin/env bash
# The comparison of issue 10 in one command: installs missing tools, builds the gateway jar, the
# Spring Cloud Gateway peer and the Reactor Netty floor peer, then runs the measurement of record
# of the shared harness (five run-all.sh sessions, every JVM on JDK 25 with -Xms256m -Xmx512m
# and a JIT warm-up, but the memory part, which runs the gateway as the chart does):
#   updates  POST over 1000 ids, 16 conns:  nginx, SCG, gateway, floor
#   paced    POST, 8 conns, 10 ms pace:     direct, SCG, gateway, floor (added latency at equal load)
#   reads    GET over 1000 ids, 16 conns:   nginx, gateway         (the gateway's cache)
#   memory   POST over 1000 ids, 16 conns:  gateway and floor with the Helm chart's jvmOptions (peak RSS)
#   redis    POST over 1000 ids, 16 conns:  gateway with gateway.redis.enabled (a redis-server of its own)
# The floor (peers/netty-floor) is Reactor Netty alone, forwarding the update and nothing else: what
# any gateway on this stack pays before it does anything of its own, so the bound under the goals.
# Writes RUN/results.md (table + ratios against the goals) and RUN/chart.png.
# About 20 minutes on 2 cores. All load goes to 127.0.0.1; every wait is bounded.
#
#   bench/compare.sh [--out DIR] [--jvm-warmup S] [--duration S] [--no-build] [--quick]
#                    [--parts "updates paced reads memory redis"] [--quiet-wait S] [--retries N]
#
#   --out DIR        results folder (default bench/results/compare-<timestamp>)
#   --jvm-warmup S   un-recorded load before each JVM is measured (default 100, as of record)
#   --duration S     seconds per measured run (default 15)
#   --no-build       use the jars already built (target/, peers/scg/target/)
#   --quick          --jvm-warmup 10 --duration 5: checks the harness end to end, no numbers to quote
#   --parts LIST     only these parts (default all five), e.g. to redo one into an existing --out
#   --quiet-wait S   before each run wait at most S s for the machine to be quiet (default 300)
#   --retries N      measure a disturbed run again at most N times (default 3); on a machine
#                    shared with other builds, lower both to bound the time (noisier numbers)
# Environment: JAVA_HOME (a JDK 25; default the one under /usr/lib/jvm), BENCH_JAVA_OPTS,
# GATEWAY_ARGS, BENCH_NICE (see README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/jdk.sh"

out="" jvm_warmup=100 duration=15 build=1 parts="updates paced reads memory redis" quiet_wait=300 retries=3
while (($#)); do
    case $1 in
        --out) out=$2; shift 2 ;;
        --jvm-warmup) jvm_warmup=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --quick) jvm_warmup=10; duration=5; shift ;;
        --parts) parts=$2; shift 2 ;;
        --quiet-wait) quiet_wait=$2; shift 2 ;;
        --retries) retries=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

"$here/install-deps.sh"
JAVA_HOME=$(find_jdk 25) || die "no JDK 25 found (JAVA_HOME or /usr/lib/jvm/*25*)"
export JAVA_HOME
log "JDK 25: $JAVA_HOME"

if ((build)); then
    log "building the gateway jar (./mvnw -DskipTests package)"
    (cd "$repo" && ./mvnw -q -B -DskipTests package)
    log "building the SCG peer"
    "$here/peers/scg/build.sh"
    log "building the Reactor Netty floor peer"
    "$here/peers/netty-floor/build.sh"
fi
GATEWAY_JAR=$(ls "$repo"/target/mailreach-gateway-*.jar 2>/dev/null | grep -v '\.original$' | head -1) \
    || die "no gateway jar in target/ (drop --no-build)"
export GATEWAY_JAR
[[ -f $here/peers/scg/target/scg-peer.jar ]] || "$here/peers/scg/build.sh"
[[ -f $here/peers/netty-floor/target/netty-floor-peer.jar ]] || "$here/peers/netty-floor/build.sh"

out=${out:-$here/results/compare-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log "results: $out"
{
    echo "gateway jar: $GATEWAY_JAR ($(cd "$repo" && git describe --always --dirty 2>/dev/null || echo unknown))"
    echo "command: bench/compare.sh --jvm-warmup $jvm_warmup --duration $duration --parts \"$parts\" --quiet-wait $quiet_wait --retries $retries ($(date -Is))"
} >>"$out/run.txt"

# The JVM options the Helm chart runs the gateway with (one quoted line in values.yaml).
chart_jvm_options() {
    sed -n 's/^jvmOptions: *"\(.*\)"$/\1/p' "$repo/helm/mailreach-gateway/values.yaml"
}
[[ -n $(chart_jvm_options) ]] || die "no jvmOptions line in helm/mailreach-gateway/values.yaml"

sut=(--sut e-gateway 28084 'exec peers/gateway/run.sh')
floor=(--sut f-floor 28085 'exec peers/netty-floor/run.sh')
common=(--passes 1 --jvm-warmup "$jvm_warmup" --duration "$duration")
quiet=(--quiet-wait "$quiet_wait" --retries "$retries")
t0=$SECONDS
for part in $parts; do
    rm -rf "${out:?}/$part" # a part is always measured whole
    case $part in
        updates) BENCH_LUA=post-many.lua "$here/run-all.sh" "${common[@]}" --conns 16 --only "b-nginx d-scg" \
                     "${sut[@]}" "${floor[@]}" --out "$out/updates" -- "${quiet[@]}" ;;
        paced) BENCH_LUA=post-many.lua "$here/run-all.sh" "${common[@]}" --conns 8 --only "a-direct d-scg" \
                     "${sut[@]}" "${floor[@]}" --out "$out/paced" -- --pace-ms 10 "${quiet[@]}" ;;
        reads) BENCH_LUA=get-many.lua "$here/run-all.sh" "${common[@]}" --conns 16 --only "b-nginx" \
                     "${sut[@]}" --out "$out/reads" -- "${quiet[@]}" ;;
        memory) BENCH_JAVA_OPTS=$(chart_jvm_options) MALLOC_ARENA_MAX=2 BENCH_LUA=post-many.lua "$here/run-all.sh" \
                     "${common[@]}" --conns 16 --only "" "${sut[@]}" "${floor[@]}" --out "$out/memory" -- "${quiet[@]}" ;;
        redis) redis_port=28379
               redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
                   >"$out/redis-server.log" 2>&1 &
               redis_pid=$!
               for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$redis_port) 2>/dev/null && break; sleep 0.1; done
               # a redis-server already on the port would be measured instead of ours: refuse
               sleep 0.2
               kill -0 "$redis_pid" 2>/dev/null \
                   || die "redis-server did not start on $redis_port (in use? see $out/redis-server.log)"
               GATEWAY_ARGS="--gateway.redis.enabled=true --spring.data.redis.url=redis://127.0.0.1:$redis_port ${GATEWAY_ARGS:-}" \
                   BENCH_LUA=post-many.lua "$here/run-all.sh" "${common[@]}" --conns 16 --only "" "${sut[@]}" \
                   --out "$out/redis" -- "${quiet[@]}" || { kill "$redis_pid"; exit 1; }
               kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true ;;
        *) die "unknown part: $part (updates, paced, reads, memory, redis)" ;;
    esac
done
log "measured in $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s"
"$here/summarize.sh" "$out"
