package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.mailreachgateway.MailReachGatewayApplication;
import com.mailreachgateway.support.EmbeddedRedis;
import com.mailreachgateway.support.ExternalMailReach;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.support.WireArrivals;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.mailreachgateway.redis.Replicas.client;
import static com.mailreachgateway.redis.Replicas.fallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The budget of three replicas as MailReach sees it while Redis stalls: the shared budget before,
 * each replica's local share while Redis is frozen (SIGSTOP: connections stay open, commands hang
 * until they time out), and the shared budget again once it runs (SIGCONT) and answers everything
 * that queued. However the replicas find out, and in whatever order, no one-second window at
 * MailReach may hold more than the budget: not where the shared budget hands over to the local
 * shares, nor where they hand back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedBudgetFaultIntegrationTests {

    private static final int RATE = 10;

    private static final int REPLICAS = 3;

    /** Offered load, well above the budget: one call every 40 ms, round the replicas. */
    private static final Duration EVERY = Duration.ofMillis(40);

    private static final AtomicInteger ids = new AtomicInteger(900_000);

    private final EmbeddedRedis redis = new EmbeddedRedis();

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private final List<WebClient> clients = new ArrayList<>();

    private ExternalMailReach mailReach;

    @BeforeAll
    void startReplicas() {
        this.mailReach = ExternalMailReach.start();
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        this.mailReach.stubFor(get(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        this.redis.start();
        for (int i = 0; i < REPLICAS; i++) {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(MailReachGatewayApplication.class)
                .profiles("test")
                .run("--server.port=0", "--gateway.mailreach.base-url=" + this.mailReach.apiUrl(),
                        "--gateway.mailreach.rate-limit.requests-per-second=" + RATE,
                        "--gateway.mailreach.rate-limit.max-wait=1s", "--gateway.redis.enabled=true",
                        "--gateway.redis.expected-replicas=" + REPLICAS, "--gateway.redis.probe-interval=200ms",
                        "--gateway.redis.on-failure=local-share", "--spring.data.redis.host=127.0.0.1",
                        "--spring.data.redis.port=" + this.redis.port(), "--spring.data.redis.timeout=500ms");
            this.replicas.add(context);
            this.clients.add(client(context));
        }
        // A few calls through each replica first: warm code paths, open connections.
        for (int i = 0; i < REPLICAS * 2; i++) {
            assertThat(call(i % REPLICAS, i).block(Duration.ofSeconds(10))).isEqualTo(200);
        }
    }

    @AfterAll
    void stopReplicas() {
        this.replicas.forEach(ConfigurableApplicationContext::close);
        this.redis.thaw();
        this.redis.stop();
        this.mailReach.close();
    }

    @Test
    void threeReplicasNeverPutMoreThanTheBudgetIntoOneSecondAtMailReachWhileRedisFreezesAndThaws() {
        this.mailReach.resetRequests();
        long start = System.currentTimeMillis();
        CompletableFuture<List<Integer>> answers = Flux.interval(EVERY)
            .take(Duration.ofMillis(9_000))
            .flatMap((i) -> call((int) (i % REPLICAS), i.intValue()), 1_000)
            .collectList()
            .toFuture();

        await().atMost(Duration.ofSeconds(10)).until(() -> this.mailReach.arrivals().size() >= 2 * RATE);
        long frozen = System.currentTimeMillis();
        this.redis.freeze();
        long thawed;
        try {
            await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isEqualTo(1.0)));
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() - frozen >= 3_000);
        }
        finally {
            this.redis.thaw();
            thawed = System.currentTimeMillis();
        }
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero()));
        List<Integer> statuses = answers.orTimeout(30, TimeUnit.SECONDS).join();

        Map<Integer, Long> byStatus = statuses.stream()
            .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        List<Long> arrivals = this.mailReach.arrivals();
        long before = arrivals.stream().filter((t) -> t < frozen).count();
        long during = arrivals.stream().filter((t) -> t >= frozen && t < thawed).count();
        long after = arrivals.stream().filter((t) -> t >= thawed).count();
        int busiest = WireArrivals.busiestSecond(arrivals);
        System.out.printf("[figures] 3 replicas at %d/s, Redis frozen for %d ms: answers %s; calls at MailReach %d "
                + "before, %d frozen, %d after; busiest one-second window %d (starting before the freeze %d, while "
                + "frozen %d, after the thaw %d); arrivals (ms from the freeze) %s%n", RATE, thawed - frozen, byStatus,
                before, during, after, busiest, WireArrivals.busiestSecond(arrivals, start - 1000, frozen),
                WireArrivals.busiestSecond(arrivals, frozen, thawed),
                WireArrivals.busiestSecond(arrivals, thawed, Long.MAX_VALUE),
                arrivals.stream().map((t) -> t - frozen).toList());
        // 429: no permit within max-wait; 503: none before the deadline; 504: an attempt without an
        // answer in time on a busy machine. Never a 500.
        assertThat(byStatus.keySet()).as("answers %s", byStatus).isSubsetOf(200, 429, 503, 504);
        assertThat(before).as("the shared budget was used before the freeze").isGreaterThanOrEqualTo(2 * RATE);
        assertThat(during).as("the local shares were used while Redis was frozen").isGreaterThanOrEqualTo(RATE / 2);
        assertThat(after).as("the shared budget was used again after the thaw").isGreaterThanOrEqualTo(2 * RATE);
        assertThat(busiest).as("most calls MailReach saw in one second").isLessThanOrEqualTo(RATE);
    }

    /** Even calls update an account, odd ones read one from MailReach: both spend the budget. */
    private Mono<Integer> call(int replica, int i) {
        int id = ids.incrementAndGet();
        WebClient client = this.clients.get(replica);
        WebClient.RequestHeadersSpec<?> request = (i % 2 == 0)
                ? client.post()
                    .uri("/api/v1/accounts/{id}", id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"config_rampup_increase\":2}")
                : client.get().uri("/api/v1/accounts/{id}", id).header(HttpHeaders.CACHE_CONTROL, "no-cache");
        return request.header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

}
