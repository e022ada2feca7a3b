package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.mailreachgateway.MailReachGatewayApplication;
import com.mailreachgateway.support.EmbeddedRedis;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.mailreachgateway.redis.Replicas.client;
import static com.mailreachgateway.redis.Replicas.fallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What operators read in the log when Redis stalls: two replicas, updates flowing, Redis frozen
 * (SIGSTOP: connections stay open, nothing answers) for a few seconds and thawed. The README promises
 * one WARN line per replica when it goes into fallback and one when it is back; every failed command
 * is counted, none is an ERROR with a stack trace, and a replica stops without Lettuce warnings.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisFaultLoggingIntegrationTests {

    private static final int REPLICAS = 2;

    private static final Duration FREEZE = Duration.ofMillis(2500);

    private static final Pattern STACK_TRACE = Pattern.compile("(?m)^(\\s+at |Caused by: |\\s+\\.\\.\\. \\d+ more)");

    private static final Pattern ERROR_LINE = Pattern.compile("(?m)^\\S+\\s+ERROR\\s");

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20));

    private final EmbeddedRedis redis = new EmbeddedRedis();

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private final AtomicInteger ids = new AtomicInteger(800_000);

    @AfterEach
    void stop() {
        this.replicas.forEach(ConfigurableApplicationContext::close);
        this.redis.stop();
        this.mailReach.stop();
    }

    @Test
    void whenRedisFreezesAndThawsEachReplicaLogsOneWarnEachWayAndNoErrorOrStackTraceUpToItsShutdown(
            CapturedOutput output) {
        this.mailReach.start();
        this.redis.start();
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        for (int i = 0; i < REPLICAS; i++) {
            this.replicas.add(replica());
        }
        for (int i = 0; i < REPLICAS; i++) {
            assertThat(update(i).block(Duration.ofSeconds(10))).as("replica %d answers with Redis up", i).isEqualTo(200);
        }

        // Updates keep coming through both replicas, every 50 ms, from before the freeze to after the thaw.
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        Sinks.Empty<Void> stopTraffic = Sinks.empty();
        Disposable traffic = Flux.interval(Duration.ofMillis(50))
            .takeUntilOther(stopTraffic.asMono())
            .flatMap((tick) -> update((int) (tick % REPLICAS)), 256)
            .subscribe(statuses::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses.size() >= 10);

        long frozenAt = System.nanoTime();
        this.redis.freeze();
        try {
            await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isEqualTo(1.0)));
            await().atMost(FREEZE.plusSeconds(2)).until(() -> System.nanoTime() - frozenAt >= FREEZE.toNanos());
        }
        finally {
            this.redis.thaw();
        }
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero()));
        int beforeStop = statuses.size();
        await().atMost(Duration.ofSeconds(5)).until(() -> statuses.size() >= beforeStop + 10);
        stopTraffic.tryEmitEmpty();
        await().atMost(Duration.ofSeconds(10)).until(traffic::isDisposed);
        this.replicas.forEach(ConfigurableApplicationContext::close);
        this.replicas.clear();

        assertThat(statuses).as("answers while Redis froze and thawed: local share, never a 500")
            .isNotEmpty()
            .allMatch((status) -> status == 200 || status == 503);
        String log = output.getAll();
        assertThat(count(log, "Redis unreachable (")).as("one WARN per replica going into fallback:%n%s", log)
            .isEqualTo(REPLICAS);
        assertThat(count(log, "Redis answers again")).as("one WARN per replica back on shared state:%n%s", log)
            .isEqualTo(REPLICAS);
        assertThat(log).as("Reactor's default hook for errors nobody handled").doesNotContain("onErrorDropped");
        assertThat(log).as("Lettuce closing a connection twice at shutdown").doesNotContain("Connection is already closed");
        assertThat(ERROR_LINE.matcher(log).find()).as("an ERROR line:%n%s", log).isFalse();
        assertThat(STACK_TRACE.matcher(log).find()).as("a stack trace:%n%s", log).isFalse();
    }

    private ConfigurableApplicationContext replica() {
        return new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("test")
            .run("--server.port=0", "--gateway.mailreach.base-url=" + this.mailReach.baseUrl() + "/api",
                    "--gateway.mailreach.rate-limit.requests-per-second=100", "--gateway.redis.enabled=true",
                    "--gateway.redis.expected-replicas=" + REPLICAS, "--gateway.redis.probe-interval=200ms",
                    "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + this.redis.port(),
                    "--spring.data.redis.timeout=200ms");
    }

    private Mono<Integer> update(int replica) {
        return client(this.replicas.get(replica)).post()
            .uri("/api/v1/accounts/{id}", this.ids.incrementAndGet())
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_increase\":2}")
            .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

    private static long count(String log, String text) {
        return log.lines().filter((line) -> line.contains(text)).count();
    }

}
