# syntax=docker/dockerfile:1
# Image of mailreach-gateway: built with the Maven Wrapper on a JDK 17, run on a Java 25 JRE.
#   docker build -t mailreach-gateway:0.1.0 .

# --- build: compile, package, and split the Boot jar into its layers -------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /workspace

COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY src src
# The cache mount keeps Maven's downloads from one build to the next.
RUN --mount=type=cache,target=/workspace/.m2 ./mvnw -B -Dmaven.repo.local=.m2/repository -DskipTests package \
 && cp target/mailreach-gateway-*.jar app.jar \
 && java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

# --- run: JRE only, non-root ---------------------------------------------------------------
FROM eclipse-temurin:25-jre
RUN groupadd --gid 10001 gateway \
 && useradd --uid 10001 --gid gateway --no-create-home --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app

# One image layer per Boot layer, least often changed first: a code change only replaces
# the last one.
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./

# The heap follows the container's memory limit; an OutOfMemoryError ends the JVM so that
# Kubernetes restarts the pod instead of leaving it half alive.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
# 8080: the gateway API; 8081: management (health, info, prometheus)
EXPOSE 8080 8081
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
