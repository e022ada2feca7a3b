package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.mailreachgateway.MailReachGatewayApplication;
import com.mailreachgateway.support.EmbeddedRedis;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.mailreachgateway.redis.Replicas.client;
import static com.mailreachgateway.redis.Replicas.fallback;
import static com.mailreachgateway.redis.Replicas.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Outcomes that depend on Redis, with two replicas ({@code on-failure: refuse}, one attempt per update)
 * against one MailReach stub and one real Redis: an update the account lock refuses is recorded like
 * any other, and a copy an update in doubt could not drop from Redis during an outage is not served
 * as fresh by another replica once Redis answers again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(OutputCaptureExtension.class)
class SharedStateOutcomeIntegrationTests {

    private static final int REPLICAS = 2;

    /** The test profile's response timeout and the settle window after it (twice as long). */
    private static final Duration SETTLE = Duration.ofMillis(1200);

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20));

    private final EmbeddedRedis redis = new EmbeddedRedis();

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    @BeforeAll
    void startReplicas() {
        this.mailReach.start();
        this.redis.start();
        for (int i = 0; i < REPLICAS; i++) {
            this.replicas.add(new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("test")
                .run("--server.port=0", "--gateway.mailreach.base-url=" + this.mailReach.baseUrl() + "/api",
                        "--gateway.mailreach.retry.max-attempts=1", "--gateway.redis.enabled=true",
                        "--gateway.redis.on-failure=refuse", "--gateway.redis.expected-replicas=" + REPLICAS,
                        "--gateway.redis.probe-interval=200ms", "--spring.data.redis.host=127.0.0.1",
                        "--spring.data.redis.port=" + this.redis.port(), "--spring.data.redis.timeout=200ms"));
        }
    }

    @AfterAll
    void stopReplicas() {
        this.replicas.forEach(ConfigurableApplicationContext::close);
        this.redis.stop();
        this.mailReach.stop();
    }

    @Test
    @Order(1)
    void anUpdateInDoubtWhoseCopyCouldNotBeDroppedDuringARedisOutageIsNotServedAsAFreshHitByAnotherReplicaOnceRedisIsBack() {
        int id = 710_001;
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        this.mailReach.stubFor(post(urlPathMatching(path))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id, "first_name", "\"Before\""))));
        assertThat(update(0, id, "req-before").block(Duration.ofSeconds(5))).isEqualTo(200);
        Read cached = read(1, id);
        assertThat(cached.cache()).as("the copy replica 0 stored, shared").isEqualTo("HIT");
        assertThat(cached.body()).contains("\"Before\"");

        // The next update reaches MailReach, which applies it but answers too late: in doubt. Redis freezes
        // meanwhile, so the copy from before cannot be dropped from it.
        this.mailReach.resetMappings();
        this.mailReach.stubFor(post(urlPathMatching(path))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id, "first_name", "\"After\"")).withFixedDelay(1500)));
        this.mailReach.stubFor(get(urlPathMatching(path))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id, "first_name", "\"After\""))));
        var inDoubt = update(0, id, "req-in-doubt").toFuture();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> this.mailReach.findAll(postRequestedFor(urlPathMatching(path))).size() == 2);
        this.redis.freeze();
        try {
            assertThat(inDoubt.join()).as("the update in doubt").isEqualTo(504);
            long answered = System.nanoTime();
            await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isEqualTo(1.0)));
            // Past the settle window's end, when the copy is dropped a second time (still without Redis).
            await().atMost(SETTLE.plusSeconds(3))
                .until(() -> System.nanoTime() - answered > SETTLE.plusMillis(300).toNanos());
        }
        finally {
            this.redis.thaw();
        }
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero()));

        Read after = read(1, id);
        assertThat(after.cache()).as("replica 1 once Redis is back: not the copy from before as fresh")
            .isNotEqualTo("HIT");
        assertThat(after.body()).contains("\"After\"");
        assertThat(metric(this.replicas.get(0), "gateway_redis_eviction_failures_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    void whileRedisIsDownAnUpdateRefusedByTheAccountLockIsCountedAndAuditedOnce(CapturedOutput output) {
        this.redis.stop();
        try {
            // In fallback, the account lock refuses at once, before the update's work starts.
            await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isEqualTo(1.0)));
            for (int replica = 0; replica < REPLICAS; replica++) {
                double before = updates(this.replicas.get(replica), "shared_state_unavailable");
                String requestId = "lock-refused-" + replica;
                assertThat(update(replica, 710_100 + replica, requestId).block(Duration.ofSeconds(5))).isEqualTo(503);
                assertThat(updates(this.replicas.get(replica), "shared_state_unavailable")).isEqualTo(before + 1);
                assertThat(auditLines(output, requestId)).singleElement()
                    .asString()
                    .contains("account=" + (710_100 + replica), "outcome=shared_state_unavailable", "status=503",
                            "tier=-");
            }
            this.mailReach.verify(0, postRequestedFor(urlPathMatching("/api/v1/accounts/7101\\d\\d")));
        }
        finally {
            this.redis.start();
        }
    }

    private Mono<Integer> update(int replica, int id, String requestId) {
        return client(this.replicas.get(replica)).post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .header("X-Request-Id", requestId)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"first_name\":\"" + requestId + "\"}")
            .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

    private Read read(int replica, int id) {
        return client(this.replicas.get(replica)).get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .exchangeToMono((response) -> response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map((body) -> new Read(response.statusCode().value(), body,
                        response.headers().asHttpHeaders().getFirst("X-Cache"))))
            .block(Duration.ofSeconds(5));
    }

    private static List<String> auditLines(CapturedOutput output, String requestId) {
        return output.getAll()
            .lines()
            .filter((line) -> line.contains("[" + requestId + "]") && line.contains("update caller="))
            .toList();
    }

    private static double updates(ConfigurableApplicationContext replica, String outcome) {
        Matcher sample = Pattern
            .compile("(?m)^gateway_updates_total\\{[^}]*caller=\"crm\",outcome=\"" + outcome + "\"[^}]*} (\\S+)$")
            .matcher(management(replica, "/actuator/prometheus"));
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private static double metric(ConfigurableApplicationContext replica, String name) {
        Matcher sample = Pattern.compile("(?m)^" + name + "\\{[^}]*} (\\S+)$")
            .matcher(management(replica, "/actuator/prometheus"));
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private record Read(int status, String body, String cache) {
    }

}
