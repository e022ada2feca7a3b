#!/usr/bin/env bash
# Start-up and warm-up of the gateway, the way the benchmark starts it (peers/gateway/run.sh:
# prod profile, in front of the nginx stub, -Xms256m -Xmx512m), with and without the JDK 25 AOT
# cache:
#   ready      ms from launching java to the first 200 of /actuator/health/readiness on the
#              management port (polled every 20 ms), median of --starts starts; also the
#              "Started ... in X seconds" Spring logs
#   warm-up    after the last start of a case: updates (lua/post-many-per-second.lua, 16 conns,
#              1000 ids) for --load-seconds, the 2xx answers counted per second of load
# Cases: jdk17-jar (the plain jar on JDK 17: ready only), jdk25-jar (plain jar, ready only),
# jdk25-extracted (the extracted jar, no cache) and jdk25-aot (the extracted jar with the cache
# that aot/train.sh trains on the sandbox; both with warm-up load).
# Writes OUT/warmup.md, OUT/per-second.tsv and OUT/warmup.png. About 5 minutes.
#
#   bench/warmup.sh [--out DIR] [--starts N] [--load-seconds S] [--conns N] [--steady-from RUN]
#
#   --steady-from RUN   a compare.sh results folder: its gateway updates/s (16 conns, after the
#                       JIT warm-up) is the "steady" the first 10 s are compared with
# Every wait is bounded; all load goes to 127.0.0.1; only processes started here are stopped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/jdk.sh"

out="" starts=3 load_seconds=30 conns=16 steady_from="" port=28084 stub_port=28080
while (($#)); do
    case $1 in
        --out) out=$2; shift 2 ;;
        --starts) starts=$2; shift 2 ;;
        --load-seconds) load_seconds=$2; shift 2 ;;
        --conns) conns=$2; shift 2 ;;
        --steady-from) steady_from=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
"$here/install-deps.sh"
raise_priority "${BENCH_NICE:--10}"
jdk25=$(find_jdk 25) || die "no JDK 25 found (JAVA_HOME or /usr/lib/jvm/*25*)"
jdk17=$(JAVA_HOME="" find_jdk 17) || die "no JDK 17 found (/usr/lib/jvm/*17*)"
jar=${GATEWAY_JAR:-$(ls "$repo"/target/mailreach-gateway-*.jar 2>/dev/null | grep -v '\.original$' | head -1)}
[[ -f $jar ]] || die "no gateway jar (./mvnw -DskipTests package, or GATEWAY_JAR)"
out=${out:-$here/results/warmup-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log "results: $out; JDK 25: $jdk25; JDK 17: $jdk17"

# The cache: trained now, for this jar and this JDK (a cache of another build would be ignored).
"$here/aot/train.sh" --jar "$jar" --out "$out/aot"
extracted=$out/aot/app/$(basename "$jar")
cache=$out/aot/app.aot

trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM
export BENCH_DIR BENCH_STUB_PORT=$stub_port BENCH_UPSTREAM_PORT=$stub_port
export BENCH_UPSTREAM_URL="http://127.0.0.1:$stub_port" BENCH_API_KEY=${BENCH_API_KEY:-bench-gateway-key}
export BENCH_CLIENT_API_KEY=${BENCH_CLIENT_API_KEY:-bench-client-key}
export BENCH_BODY_FILE="$here/payload/update-account-request.json"
port_in_use "$stub_port" && die "port $stub_port (stub) is already in use"
port_in_use "$port" && die "port $port is already in use"
mkdir -p "$out/work/stub"
BENCH_WORK_DIR="$out/work/stub" start_group stub "$out/work/stub.log" 'exec stub/run.sh'
stub_pid=$LAST_PID
wait_port "$stub_port" "$stub_pid" 20 || die "stub did not start"

heap=${BENCH_JAVA_OPTS:--Xms256m -Xmx512m}
# case name | JAVA_HOME | jar | extra JVM options | load (1) or ready only (0)
cases=(
    "jdk17-jar|$jdk17|$jar||0"
    "jdk25-jar|$jdk25|$jar||0"
    "jdk25-extracted|$jdk25|$extracted||1"
    "jdk25-aot|$jdk25|$extracted|-XX:AOTCache=$cache|1"
)
printf 'case\tstart\tready_ms\tstarted_s\tprocess_s\n' >"$out/starts.tsv"
printf 'case\tsecond\tok\n' >"$out/per-second.tsv"
{
    echo "date: $(date -Is); nproc=$(nproc); $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "jar: $jar"
    echo "JDK 25: $("$jdk25/bin/java" -version 2>&1 | sed -n 2p)"
    echo "JDK 17: $("$jdk17/bin/java" -version 2>&1 | sed -n 2p)"
    echo "JVM options: $heap; warm-up load: $conns conns, ${load_seconds}s, lua/post-many-per-second.lua"
} >"$out/env.txt"

for c in "${cases[@]}"; do
    IFS='|' read -r name home cjar extra load <<<"$c"
    for ((s = 1; s <= starts; s++)); do
        wait_quiet 25 120 >/dev/null || log "WARNING: machine busy; starting anyway"
        work=$out/work/$name-$s
        mkdir -p "$work"
        t0=$EPOCHREALTIME
        JAVA_HOME=$home GATEWAY_JAR=$cjar BENCH_JAVA_OPTS="$heap $extra" BENCH_PORT=$port BENCH_WORK_DIR=$work \
            start_group "$name" "$work/gateway.log" 'exec peers/gateway/run.sh'
        pid=$LAST_PID
        ready=""
        while :; do
            if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$((port + 100))/actuator/health/readiness"; then
                ready=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
                break
            fi
            kill -0 "$pid" 2>/dev/null || { tail -20 "$work/gateway.log" >&2; die "$name exited before ready"; }
            awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !((b - a) > 90) }' && die "$name not ready after 90 s"
            sleep 0.02
        done
        started=$(grep -o 'Started [A-Za-z]* in [0-9.]* seconds (process running for [0-9.]*)' "$work/gateway.log" | head -1 || true)
        st=$(sed -E 's/.* in ([0-9.]+) seconds.*/\1/' <<<"$started"); pr=$(sed -E 's/.*running for ([0-9.]+)\)/\1/' <<<"$started")
        printf '%s\t%d\t%s\t%s\t%s\n' "$name" "$s" "$ready" "${st:--}" "${pr:--}" >>"$out/starts.tsv"
        log "$name start $s: ready after $ready ms (Spring: ${started:-no Started line})"
        if ((load && s == starts)); then
            log "$name: ${load_seconds}s of updates at $conns connections"
            run_tracked "$work/wrk.txt" $((load_seconds + 30)) wrk -t2 -c"$conns" -d"${load_seconds}s" --timeout 2s \
                -s lua/post-many-per-second.lua "http://127.0.0.1:$port/api/v1/accounts/1234" \
                || die "wrk failed: $(tail -3 "$work/wrk.txt")"
            awk -v name="$name" -v max="$load_seconds" '/^BENCH_SECOND/ {
                split($2, a, "="); split($3, b, "="); if (a[2] < max) printf "%s\t%d\t%d\n", name, a[2], b[2] }' \
                "$work/wrk.txt" >>"$out/per-second.tsv"
            # the JVM's own [aot] warnings (e.g. a cache that does not match) are not JSON lines
            grep -a '\[aot' "$work/gateway.log" >"$work/aot-messages.txt" || true
        fi
        stop_group "$pid"
        forget_pid "$pid"
    done
done

steady=""
if [[ -n $steady_from && -s $steady_from/figures.txt ]]; then
    steady=$(awk '$1 == "updates" && $2 == "e-gateway" {print $3}' "$steady_from/figures.txt")
fi
awk -F'\t' -v steady="$steady" -v secs="$load_seconds" -v starts="$starts" '
FILENAME ~ /starts/ && FNR > 1 { r[$1] = r[$1] (r[$1] == "" ? "" : ", ") $3; v[$1, ++nr[$1]] = $3; sp[$1] = sp[$1] (sp[$1] == "" ? "" : ", ") $4
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
FILENAME ~ /per-second/ && FNR > 1 { ps[$1, $2] = $3; if ($2 < 10) a[$1] += $3; else if ($2 < 20) b[$1] += $3; else c[$1] += $3; has[$1] = 1 }
function median(name,   i, j, t, m, x) {
    m = nr[name]; for (i = 1; i <= m; i++) x[i] = v[name, i] + 0
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    return (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
}
END {
    label["jdk17-jar"] = "plain jar, JDK 17"; label["jdk25-jar"] = "plain jar, JDK 25"
    label["jdk25-extracted"] = "extracted jar, JDK 25, no AOT cache"; label["jdk25-aot"] = "extracted jar, JDK 25, AOT cache"
    print "| case | ready ms (median; each start) | Spring \"Started\" s | updates/s, s 0-10 of load | s 10-20 | s 20-" secs " | first 10 s vs steady |"
    print "|---|---|---|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
        k = order[i]
        if (has[k]) { x = sprintf("%.0f | %.0f | %.0f", a[k] / 10, b[k] / 10, c[k] / (secs - 20)); q = (steady != "" ? sprintf("%.0f %%", a[k] / 10 / steady * 100) : "-") }
        else { x = "- | - | -"; q = "-" }
        printf "| %s | %.0f (%s) | %s | %s | %s |\n", label[k], median(k), r[k], sp[k], x, q
    }
    print ""
    if (steady != "") print "steady: " steady " updates/s, the gateway in the compare run (16 conns, after 100 s of JIT warm-up)."
    printf "\nper second of load (2xx answers):\n\n| second |"
    for (i = 1; i <= n; i++) if (has[order[i]]) printf " %s |", order[i]
    printf "\n|---:|"; for (i = 1; i <= n; i++) if (has[order[i]]) printf "---:|"
    print ""
    for (s = 0; s < secs; s++) {
        printf "| %d |", s; for (i = 1; i <= n; i++) if (has[order[i]]) printf " %s |", ps[order[i], s]
        print ""
    }
}' "$out/starts.tsv" "$out/per-second.tsv" >"$out/warmup.md"

awk -F'\t' 'NR > 1 { v[$2, $1] = $3; if (!($1 in s)) { s[$1] = 1; o[++n] = $1 }; if ($2 > m) m = $2 }
    END { printf "second"; for (i = 1; i <= n; i++) printf " %s", o[i]; print ""
          for (t = 0; t <= m; t++) { printf "%d", t; for (i = 1; i <= n; i++) printf " %s", v[t, o[i]]; print "" } }' \
    "$out/per-second.tsv" >"$out/per-second.dat"
gnuplot <<GP
set terminal pngcairo size 800,380 font "sans,10"
set output "$out/warmup.png"
set title "gateway updates/s per second of load after start (16 conns, 2 cores, JDK 25)"
set xlabel "second of load"; set ylabel "updates/s"; set grid; set key bottom right; set yrange [0:*]
plot "$out/per-second.dat" using 1:2 with linespoints title "extracted jar, no AOT cache", \
     "" using 1:3 with linespoints title "extracted jar, AOT cache (trained on the sandbox)"
GP
cat "$out/warmup.md"
log "results: $out (warmup.md, starts.tsv, per-second.tsv, warmup.png)"
