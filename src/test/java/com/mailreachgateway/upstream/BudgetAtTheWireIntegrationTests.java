package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.mailreachgateway.support.ExternalMailReach;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.support.WireArrivals;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budget as MailReach sees it, with a crowd on one replica: 1000 callers at once, calling again
 * and again for seconds, half updates and half reads (both spend the budget), against 20 requests/s.
 * Permits are granted on time by the limiter, but a request only counts where it reaches MailReach:
 * behind a thousand inbound requests a busy event loop must not send several together.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@TestPropertySource(properties = {
        "gateway.mailreach.rate-limit.requests-per-second=" + BudgetAtTheWireIntegrationTests.RATE,
        "gateway.mailreach.rate-limit.max-wait=4s", "gateway.mailreach.deadline=6s" })
@DirtiesContext
class BudgetAtTheWireIntegrationTests {

    static final int RATE = 20;

    private static final int CALLERS = 1000;

    /** How long the crowd keeps calling. */
    private static final Duration CROWD_STAYS = Duration.ofSeconds(6);

    /** What a caller does between an answer and its next call. */
    private static final Duration THINK_TIME = Duration.ofSeconds(1);

    private static final AtomicInteger ids = new AtomicInteger(700_000);

    /** MailReach's stand-in, in a process of its own so that its arrival times are not the test JVM's. */
    private static ExternalMailReach stub;

    @Value("${local.server.port}")
    private int port;

    @DynamicPropertySource
    static void externalMailReach(DynamicPropertyRegistry registry) {
        registry.add("gateway.mailreach.base-url", () -> stub().apiUrl());
    }

    private static synchronized ExternalMailReach stub() {
        if (stub == null) {
            stub = ExternalMailReach.start();
        }
        return stub;
    }

    @AfterAll
    static void stopStub() {
        if (stub != null) {
            stub.close();
            stub = null;
        }
    }

    @Test
    void thousandConcurrentCallersOnOneReplicaNeverPutMoreThanTheLimitIntoAnyOneSecondAtMailReach() {
        // The account of the path: the gateway refuses (502) an answer about another account.
        stub().stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        stub().stubFor(get(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        ConnectionProvider connections = ConnectionProvider.builder("crowd")
            .maxConnections(CALLERS)
            .pendingAcquireMaxCount(-1)
            .build();
        try {
            WebClient gateway = WebClient.builder()
                .baseUrl("http://127.0.0.1:" + this.port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
                .build();
            // A few calls first, so that the crowd finds the code paths warm and the pool to MailReach open.
            Flux.range(0, 4).concatMap((i) -> send(gateway, i)).blockLast(Duration.ofSeconds(10));
            stub().resetRequests();

            // A crowd that stays: each caller calls again a moment after each answer, for several seconds.
            long end = System.nanoTime() + CROWD_STAYS.toNanos();
            List<Integer> statuses = Flux.range(0, CALLERS)
                .flatMap((caller) -> Mono.defer(() -> send(gateway, caller))
                    .delayElement(THINK_TIME)
                    .repeat(() -> System.nanoTime() < end), CALLERS)
                .collectList()
                .block(Duration.ofSeconds(60));

            Map<Integer, Long> byStatus = statuses.stream()
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
            List<Long> arrivals = stub().arrivals();
            int busiest = WireArrivals.busiestSecond(arrivals);
            System.out.printf("[figures] %d callers at once on one replica at %d/s: answers %s, %d calls at MailReach, "
                    + "busiest one-second window %d%n", CALLERS, RATE, byStatus, arrivals.size(), busiest);
            // 200 sent; 429 no permit within max-wait; 503 no permit before the deadline; 504 an attempt
            // left without an answer in time on a busy machine. Never a 500.
            assertThat(byStatus.keySet()).as("answers %s", byStatus).isSubsetOf(200, 429, 503, 504);
            assertThat(arrivals.size()).as("MailReach received a request for each caller answered 200")
                .isGreaterThanOrEqualTo(byStatus.getOrDefault(200, 0L).intValue());
            assertThat(arrivals.size()).as("the budget was used for seconds on end").isGreaterThanOrEqualTo(3 * RATE);
            assertThat(busiest).as("most calls MailReach saw in one second, arrivals %s", arrivals)
                .isLessThanOrEqualTo(RATE);
        }
        finally {
            connections.dispose();
        }
    }

    /** Even callers update an account, odd ones read one (not cached: a read from MailReach). */
    private static Mono<Integer> send(WebClient gateway, int i) {
        int id = ids.incrementAndGet();
        WebClient.RequestHeadersSpec<?> request = (i % 2 == 0)
                ? gateway.post()
                    .uri("/api/v1/accounts/{id}", id)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"config_rampup_increase\":2}")
                : gateway.get().uri("/api/v1/accounts/{id}", id).header(HttpHeaders.CACHE_CONTROL, "no-cache");
        return request.header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

}
