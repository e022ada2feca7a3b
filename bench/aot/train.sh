#!/usr/bin/env bash
# Trains a JDK 25 AOT cache (JEP 483 classes loaded and linked, JEP 515 method profiles) for the
# gateway jar, the way the Dockerfile's training stage does, so its effect can be measured here
# without Docker (bench/warmup.sh uses it):
#   1. extracts the Boot jar (java -Djarmode=tools -jar ... extract): a plain class path of jars,
#      which the AOT cache needs (classes from the nested-jar launcher are not cached);
#   2. starts the extracted jar on JDK 25 with -XX:AOTCacheOutput (one-step training), on the
#      built-in MailReach sandbox, ECS console logging as in production, and the rate limit
#      raised so the short workload is not queued;
#   3. runs aot/workload.sh (the same workload as the image build), stops the JVM with SIGTERM;
#      at exit the JVM writes the cache (it forks a second JVM to assemble it).
# Output: DIR/app/<jar> + DIR/app/lib/ and DIR/app.aot (default DIR: target/aot). Use it with
#   java -XX:AOTCache=DIR/app.aot -jar DIR/app/<jar>
# from any working directory (the class path is recorded as absolute paths here); the cache is
# only valid for that JDK build and those exact jars: retrain after every build.
#
#   bench/aot/train.sh [--jar JAR] [--out DIR] [--seconds S] [--port P]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/../lib/common.sh"
source "$here/../lib/jdk.sh"

jar="" out=$repo/target/aot seconds=${AOT_TRAIN_SECONDS:-20} port=18090
while (($#)); do
    case $1 in
        --jar) jar=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
jar=${jar:-$(ls "$repo"/target/mailreach-gateway-*.jar 2>/dev/null | grep -v '\.original$' | head -1)}
[[ -f $jar ]] || die "no gateway jar (./mvnw -DskipTests package, or --jar)"
java_home=$(find_jdk 25) || die "no JDK 25 found (JAVA_HOME or /usr/lib/jvm/*25*)"
java=$java_home/bin/java
mgmt=$((port + 1))
port_in_use "$port" && die "port $port is in use (--port)"
port_in_use "$mgmt" && die "port $mgmt is in use (--port)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/app" "$out/app.aot" "$out/app.aot.config"
"$java" -Djarmode=tools -jar "$jar" extract --destination "$out/app" >/dev/null
app=$out/app/$(basename "$jar")
log "extracted $(basename "$jar") to $out/app ($(ls "$out/app/lib" | wc -l) jars in lib/)"

trap 'stop_all' EXIT
trap 'log "interrupted"; exit 130' INT TERM
log "training on $("$java" -version 2>&1 | head -1): workload ${seconds}s against the sandbox"
t0=$SECONDS
# shellcheck disable=SC2016
start_group gateway-training "$out/training.log" \
    "exec \"$java\" ${BENCH_JAVA_OPTS:--Xms256m -Xmx512m} -XX:AOTCacheOutput=\"$out/app.aot\" -jar \"$app\" \
      --server.port=$port --management.server.port=$mgmt --logging.structured.format.console=com.mailreachgateway.system.EcsLogFormatter \
      --gateway.mailreach.rate-limit.requests-per-second=1000"
gw=$LAST_PID
AOT_TRAIN_SECONDS=$seconds "$here/workload.sh" "http://127.0.0.1:$port" "http://127.0.0.1:$mgmt" \
    || { tail -20 "$out/training.log" >&2; die "training workload failed"; }
# SIGTERM: graceful shutdown, then the JVM writes the cache; assembling it takes a while, so
# wait up to 180 s before stop_all (EXIT trap) escalates.
kill -TERM "$gw"
for ((i = 0; i < 900; i++)); do kill -0 "$gw" 2>/dev/null || break; sleep 0.2; done
[[ -s $out/app.aot ]] || { tail -20 "$out/training.log" >&2; die "no cache written"; }
log "AOT cache: $out/app.aot ($(du -m "$out/app.aot" | cut -f1) MB) in $((SECONDS - t0)) s; use: -XX:AOTCache=$out/app.aot -jar $app"
