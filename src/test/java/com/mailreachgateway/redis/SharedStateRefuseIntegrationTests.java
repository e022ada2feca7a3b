package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
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
 * Two replicas with {@code gateway.redis.on-failure: refuse} against one MailReach stub and one real
 * Redis: while Redis is away they send nothing to MailReach and say so with a 503 of its own, cached
 * reads go on, readiness stays UP, and they take updates again by themselves once Redis is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedStateRefuseIntegrationTests {

    private static final int REPLICAS = 2;

    /** The test profile's deadline (3 s): no answer may take longer, Redis or not. */
    private static final Duration DEADLINE = Duration.ofSeconds(3);

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(20));

    private final EmbeddedRedis redis = new EmbeddedRedis();

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private final List<WebClient> clients = new ArrayList<>();

    /** Updated through replica 0 and read through replica 1 while Redis was up. */
    private final int cached = 700_001;

    @BeforeAll
    void startReplicas() {
        this.mailReach.start();
        this.redis.start();
        for (int i = 0; i < REPLICAS; i++) {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(MailReachGatewayApplication.class)
                .profiles("test")
                .run("--server.port=0", "--gateway.mailreach.base-url=" + this.mailReach.baseUrl() + "/api",
                        "--gateway.redis.enabled=true", "--gateway.redis.on-failure=refuse",
                        "--gateway.redis.expected-replicas=" + REPLICAS, "--gateway.redis.probe-interval=200ms",
                        "--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + this.redis.port(),
                        "--spring.data.redis.timeout=200ms");
            this.replicas.add(context);
            this.clients.add(client(context));
        }
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        this.mailReach.stubFor(post(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(this.cached)))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(this.cached, "first_name", "\"Cached\""))));
        assertThat(update(0, this.cached).block(DEADLINE.plusSeconds(2)).status()).isEqualTo(200);
        Answer read = read(1, this.cached);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.cache()).isEqualTo("HIT");
    }

    @AfterAll
    void stopReplicas() {
        this.replicas.forEach(ConfigurableApplicationContext::close);
        this.redis.stop();
        this.mailReach.stop();
    }

    @Test
    @Order(1)
    void whileRedisIsDownAnUpdateAnswers503SharedStateUnavailableAndNothingReachesMailReach() {
        this.redis.stop();
        this.mailReach.resetRequests();
        // At once, before any replica has noticed: the first command or lock call that fails tells it.
        for (int replica = 0; replica < REPLICAS; replica++) {
            int id = 700_100 + replica;
            int through = replica;
            Timed first = timed(() -> update(through, id));
            assertRefused(first, "update right after Redis stopped");
            System.out.printf("[figures] refuse: first update on replica %d right after Redis stopped: %d %s in %d ms%n",
                    replica, first.answer().status(), first.answer().body().replaceAll(".*/problems/([a-z-]+).*", "$1"),
                    first.millis());
        }
        await().atMost(Duration.ofSeconds(3))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isEqualTo(1.0)));
        for (int i = 0; i < 6; i++) {
            int replica = i % REPLICAS;
            int id = 700_200 + i;
            Timed answer = timed(() -> update(replica, id));
            assertRefused(answer, "update in refuse mode");
            assertThat(answer.answer().body()).as("the problem of its own")
                .contains("/problems/shared-state-unavailable");
            assertThat(answer.answer().retryAfter()).as("Retry-After: the probe interval, rounded up to 1 s")
                .isEqualTo("1");
        }
        this.mailReach.verify(0, postRequestedFor(urlPathMatching("/api/v1/.*")));
        this.mailReach.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
        System.out.printf("[figures] refuse: Redis down, updates answered 503 shared-state-unavailable "
                + "(Retry-After 1), MailReach received %d calls%n", this.mailReach.getAllServeEvents().size());
    }

    @Test
    @Order(2)
    void whileRedisIsDownACachedReadStillAnswersAndReadinessStaysUp() {
        for (int replica = 0; replica < REPLICAS; replica++) {
            Answer read = read(replica, this.cached);
            assertThat(read.status()).as("cached read on replica %d", replica).isEqualTo(200);
            assertThat(read.body()).contains("\"first_name\": \"Cached\"");
            assertThat(read.cache()).isEqualTo("HIT");
            assertThat(management(this.replicas.get(replica), "/actuator/health/readiness"))
                .as("readiness: Redis down is a degraded mode, not an unready gateway")
                .contains("\"status\":\"UP\"");
        }
        this.mailReach.verify(0, anyRequestedFor(urlPathMatching("/api/.*")));
    }

    @Test
    @Order(3)
    void whenRedisIsBackUpdatesSucceedAgainWithoutARestart() {
        this.redis.start();
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> {
                for (int replica = 0; replica < REPLICAS; replica++) {
                    assertThat(update(replica, 700_300 + replica).block(DEADLINE.plusSeconds(2)).status())
                        .as("replica %d after Redis came back", replica)
                        .isEqualTo(200);
                }
            });
        System.out.printf("[figures] refuse: Redis back, updates on every replica answered 200 again after %d ms%n",
                (System.nanoTime() - back) / 1_000_000);
        this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero());
    }

    private static void assertRefused(Timed timed, String what) {
        assertThat(timed.answer().status()).as(what + ": 503, never a 500").isEqualTo(503);
        assertThat(timed.answer().contentType()).as(what).startsWith("application/problem+json");
        assertThat(timed.answer().body()).as(what + ": said not applied").containsPattern(
                "/problems/(shared-state-unavailable|not-sent)\"");
        assertThat(timed.millis()).as(what + ": answered within the deadline").isLessThan(DEADLINE.toMillis());
    }

    private Mono<Answer> update(int replica, int id) {
        return this.clients.get(replica)
            .post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"config_rampup_increase\":2}")
            .exchangeToMono((response) -> response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map((body) -> new Answer(response.statusCode().value(), body,
                        response.headers().contentType().map(Object::toString).orElse(""),
                        response.headers().asHttpHeaders().getFirst("Retry-After"),
                        response.headers().asHttpHeaders().getFirst("X-Cache"))));
    }

    private Answer read(int replica, int id) {
        return this.clients.get(replica)
            .get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .exchangeToMono((response) -> response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map((body) -> new Answer(response.statusCode().value(), body,
                        response.headers().contentType().map(Object::toString).orElse(""),
                        response.headers().asHttpHeaders().getFirst("Retry-After"),
                        response.headers().asHttpHeaders().getFirst("X-Cache"))))
            .block(DEADLINE.plusSeconds(2));
    }

    /** One answer, and how long it took; bounded a little past the deadline so a hang fails the test. */
    private static Timed timed(java.util.function.Supplier<Mono<Answer>> call) {
        long start = System.nanoTime();
        Answer answer = call.get().block(DEADLINE.plusSeconds(2));
        return new Timed(answer, (System.nanoTime() - start) / 1_000_000);
    }

    private record Answer(int status, String body, String contentType, String retryAfter, String cache) {
    }

    private record Timed(Answer answer, long millis) {
    }

}
