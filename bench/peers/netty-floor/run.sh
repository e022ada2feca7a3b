#!/usr/bin/env bash
# Peer (f): the Reactor Netty floor (foreground) on 127.0.0.1:$BENCH_PORT: reads the update, forwards it
# with $BENCH_API_KEY, writes the answer back, nothing else (see src/main/java/bench/NettyFloor.java).
# JVM: $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH. Heap etc.: $BENCH_JAVA_OPTS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${BENCH_PORT:?}" "${BENCH_UPSTREAM_URL:?}" "${BENCH_API_KEY:?}"
jar=$here/target/netty-floor-peer.jar
[[ -f $jar ]] || { echo "missing $jar: run peers/netty-floor/build.sh first" >&2; exit 1; }
java_bin=java
[[ -n ${JAVA_HOME:-} ]] && java_bin=$JAVA_HOME/bin/java
# shellcheck disable=SC2086  # BENCH_JAVA_OPTS is a word list on purpose
exec "$java_bin" ${BENCH_JAVA_OPTS:--Xms256m -Xmx512m} -jar "$jar"
