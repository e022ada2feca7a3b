#!/usr/bin/env bash
# Builds peers/netty-floor/target/netty-floor-peer.jar with the repository's Maven Wrapper (compiles
# for Java 17, runs on 17+). Everything resolves from Maven Central.
set -euo pipefail
cd "$(dirname "$0")"
../../../mvnw -B -q -DskipTests -f pom.xml package
ls -l target/netty-floor-peer.jar
