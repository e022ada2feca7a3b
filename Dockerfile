# syntax=docker/dockerfile:1
# Image of mailreach-gateway: built with the Maven Wrapper on a JDK 17, run on a Java 25 JRE with
# a JDK AOT cache (JEP 483/514/515: classes loaded and linked, method profiles) trained in the
# build against the built-in MailReach sandbox.
#   docker build -t mailreach-gateway:0.1.0 .

# --- build: compile, package, and split the Boot jar into its layers -------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /workspace

COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY src src
# The cache mount keeps Maven's downloads from one build to the next. The jar is extracted
# without --launcher: a plain class path (app.jar + lib/), which the AOT cache needs (classes
# loaded through the nested-jar launcher are not cached).
RUN --mount=type=cache,target=/workspace/.m2 ./mvnw -B -Dmaven.repo.local=.m2/repository -DskipTests package \
 && cp target/mailreach-gateway-*.jar app.jar \
 && java -Djarmode=tools -jar app.jar extract --layers --destination extracted

# --- runtime: JRE only, the application, non-root user ---------------------------------------
FROM eclipse-temurin:25-jre AS runtime
RUN groupadd --gid 10001 gateway \
 && useradd --uid 10001 --gid gateway --no-create-home --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app

# One image layer per Boot layer, least often changed first: a code change only replaces
# the last one (app.jar).
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./

# The chart's jvmOptions (helm/mailreach-gateway/values.yaml, sized from the benchmark's peak RSS);
# an OutOfMemoryError ends the JVM so that Kubernetes restarts the pod instead of leaving it half
# alive. Set here too so the training run below uses the same options as production.
ENV JAVA_TOOL_OPTIONS="-XX:+UseSerialGC -Xms64m -Xmx128m -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=160m -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2

# --- train: run the jar on the sandbox with a short workload, write the AOT cache ------------
# Same base image, same JDK, same /app class path as the final image (the cache is only valid
# for those). The workload script is the one bench/aot/train.sh runs locally.
FROM runtime AS train
COPY bench/aot/workload.sh /usr/local/bin/aot-workload.sh
RUN command -v curl >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends curl; }
RUN set -e; \
    java -XX:AOTCacheOutput=/app/app.aot -jar app.jar \
      --logging.structured.format.console=com.mailreachgateway.system.EcsLogFormatter --gateway.mailreach.rate-limit.requests-per-second=1000 \
      >/tmp/training.log 2>&1 & \
    pid=$!; \
    AOT_TRAIN_SECONDS=20 aot-workload.sh http://127.0.0.1:8080 http://127.0.0.1:8081 \
      || { tail -50 /tmp/training.log; kill "$pid"; exit 1; }; \
    kill -TERM "$pid"; \
    i=0; while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 900 ]; do sleep 0.2; i=$((i + 1)); done; \
    tail -3 /tmp/training.log; \
    test -s /app/app.aot

# --- run: the runtime stage plus the trained cache -------------------------------------------
FROM runtime
COPY --from=train /app/app.aot /app/app.aot
USER 10001:10001
# 8080: the gateway API; 8081: management (health, info, prometheus)
EXPOSE 8080 8081
# With a cache that does not match (another JDK build or other jars) the JVM warns and starts
# without it.
ENTRYPOINT ["java", "-XX:AOTCache=app.aot", "-jar", "app.jar"]
