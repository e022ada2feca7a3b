package com.mailreachgateway.upstream;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.mailreachgateway.support.ChaosMailReach;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole gateway against a MailReach stand-in that fails at random: 503s, 429s, a 429 storm,
 * dropped connections (some after applying the update), and answers slower than the attempt time
 * (some applied before answering, some applied late). Many accounts are updated concurrently, each
 * with a rising sequence of updates sent 180 ms apart without waiting for answers. Whatever MailReach
 * does, every answer is a defined one within the deadline, every answer tells the truth, updates of
 * an account land in order, and once the settle window has passed MailReach holds, per account, the
 * newest update the gateway acknowledged (or a newer one that was reported as in doubt).
 */
// Hundreds of audit lines and dropped-connection warnings would go through the test JVM's stdout
// pipe; when the build is slow to drain it, a logging event loop stalls and two updates of one
// account can reach the gateway out of the order they were sent in. Nothing here checks the logs.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "logging.level.audit=warn", "logging.level.reactor.netty=error" })
@ActiveProfiles("test")
class ChaosIntegrationTests {

    private static final Logger logger = LoggerFactory.getLogger(ChaosIntegrationTests.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final int ACCOUNTS = 24;

    private static final int UPDATES = 24;

    private static final Duration DEADLINE = Duration.ofSeconds(3);

    private static final Duration ATTEMPT = Duration.ofMillis(600);

    private static final Duration SETTLE = ATTEMPT.multipliedBy(2);

    /** Measured by the test's own client, on a busy two-core machine: its send and read included. */
    private static final Duration MARGIN = Duration.ofMillis(750);

    /** Slugs that promise nothing was applied. */
    private static final Set<String> NOT_APPLIED = Set.of("not-sent", "upstream-throttled", "rate-limited",
            "circuit-open", "upstream-unavailable");

    private static final Map<Integer, Set<String>> DOCUMENTED = Map.of(502, Set.of("upstream-unavailable"), 503,
            Set.of("not-sent", "upstream-throttled", "circuit-open"), 504, Set.of("in-doubt"), 429,
            Set.of("rate-limited"));

    private static final ChaosMailReach mailReach;

    static {
        try {
            // Slow answers come 200 ms after the gateway gave up, and 1 s before its settle window ends.
            mailReach = new ChaosMailReach(20261201L, ATTEMPT.plusMillis(200));
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @DynamicPropertySource
    static void mailReachBaseUrl(DynamicPropertyRegistry registry) {
        registry.add("gateway.mailreach.base-url", mailReach::baseUrl);
    }

    @AfterAll
    static void stopMailReach() {
        mailReach.close();
    }

    @LocalServerPort
    private int port;

    @Autowired
    private MeterRegistry meters;

    @Test
    void underRandomFailuresEveryAnswerIsDefinedInTimeTruthfulAndNoAcknowledgedUpdateIsLostOrReordered() {
        // One connection per caller: the client's default pool (16) would queue callers on the test's side.
        ConnectionProvider connections = ConnectionProvider.builder("chaos-callers")
            .maxConnections(ACCOUNTS * UPDATES)
            .build();
        WebClient gateway = WebClient.builder()
            .baseUrl("http://127.0.0.1:" + this.port)
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
            .build();
        // Warm the callers' client, its connections and the gateway on other accounts first: a cold
        // client can send two updates 180 ms apart in the wrong order, which no gateway could undo.
        Flux.range(0, ACCOUNTS * 8)
            .flatMap((i) -> send(gateway, 600_000 + i % ACCOUNTS, i), ACCOUNTS * 4)
            .blockLast(Duration.ofSeconds(30));
        mailReach.unleash();
        // The callers' clock is a thread of their own: on the gateway's timer threads a busy moment
        // could send one account's updates in the wrong order.
        Scheduler callerClock = Schedulers.newSingle("chaos-callers");
        List<Mono<Answer>> calls = new ArrayList<>();
        for (int account = 0; account < ACCOUNTS; account++) {
            int id = 500_000 + account;
            for (int seq = 1; seq <= UPDATES; seq++) {
                int update = seq;
                calls.add(Mono.delay(Duration.ofMillis(180L * seq + 5L * account), callerClock)
                    .then(Mono.defer(() -> send(gateway, id, update))));
            }
        }
        // A 429 storm in the middle of the run.
        Mono<Void> storm = Mono.delay(Duration.ofMillis(1800)).doOnNext((tick) -> mailReach.storm(Duration.ofMillis(1200)))
            .then();
        List<Answer> answers = Flux.merge(storm.thenMany(Flux.empty()), Flux.merge(calls))
            .cast(Answer.class)
            .collectList()
            .block(Duration.ofSeconds(40));
        connections.dispose();
        callerClock.dispose();

        assertThat(answers).hasSize(ACCOUNTS * UPDATES);
        Map<String, Long> byOutcome = answers.stream()
            .collect(Collectors.groupingBy(Answer::outcome, TreeMap::new, Collectors.counting()));
        List<Duration> took = answers.stream().map(Answer::took).sorted().toList();
        logger.info("Chaos answers by outcome: {}; answer time p50 {} ms, p99 {} ms, max {} ms", byOutcome,
                took.get(took.size() / 2).toMillis(), took.get(took.size() * 99 / 100).toMillis(),
                took.get(took.size() - 1).toMillis());
        assertThat(answers).allSatisfy((answer) -> {
            assertThat(answer.status()).as("answer %s", answer).isNotEqualTo(500);
            assertThat(answer.took()).as("answer %s", answer).isLessThan(DEADLINE.plus(MARGIN));
            if (answer.status() != 200) {
                assertThat(DOCUMENTED.get(answer.status())).as("answer %s", answer).contains(answer.slug());
            }
        });
        assertThat(byOutcome).containsKey("200");
        Timer holds = this.meters.get("gateway.lanes.holds").timer();
        logger.info("Chaos: {} attempts reached MailReach for {} updates ({} per update); {} lane holds, {} ms in all",
                mailReach.arrivals().size() - ACCOUNTS * 8, answers.size(),
                String.format("%.2f", (mailReach.arrivals().size() - ACCOUNTS * 8) / (double) answers.size()),
                holds.count(), (long) holds.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));

        // After the settle window nothing in doubt can land any more.
        await().pollDelay(SETTLE.plusMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> true);

        Map<Integer, List<Answer>> byAccount = answers.stream()
            .collect(Collectors.groupingBy(Answer::account, ConcurrentHashMap::new, Collectors.toList()));
        byAccount.forEach((id, accountAnswers) -> {
            List<Integer> applied = mailReach.applied(id).stream().map(Integer::parseInt).toList();
            // Order: no older update took effect after a newer one (a retried one may repeat).
            for (int i = 1; i < applied.size(); i++) {
                assertThat(applied.get(i)).as("account %d applied %s", id, applied).isGreaterThanOrEqualTo(applied.get(i - 1));
            }
            // Truth: an update said to be not applied never was.
            Set<Integer> promisedNotApplied = accountAnswers.stream()
                .filter((answer) -> NOT_APPLIED.contains(answer.slug()))
                .map(Answer::update)
                .collect(Collectors.toSet());
            assertThat(applied).as("account %d applied %s, answers %s", id, applied, accountAnswers)
                .noneMatch(promisedNotApplied::contains);
            // No acknowledged update lost: MailReach ends at the newest acknowledged one, or at a
            // newer one whose caller was told it may have been applied.
            int newestAcknowledged = accountAnswers.stream()
                .filter((answer) -> answer.status() == 200)
                .mapToInt(Answer::update)
                .max()
                .orElse(0);
            int last = applied.isEmpty() ? 0 : applied.get(applied.size() - 1);
            assertThat(last).as("account %d applied %s, answers %s", id, applied, accountAnswers)
                .isGreaterThanOrEqualTo(newestAcknowledged);
            if (last > newestAcknowledged) {
                assertThat(accountAnswers).as("account %d", id)
                    .anySatisfy((answer) -> {
                        assertThat(answer.update()).isEqualTo(last);
                        assertThat(answer.slug()).isEqualTo("in-doubt");
                    });
            }
        });

        // The storm paused the key: after its first 429, MailReach saw at most one probe per second.
        long first = mailReach.firstStormAnswer();
        assertThat(first).as("the storm was met").isPositive();
        List<Long> during = mailReach.arrivals()
            .stream()
            .filter((at) -> at - first > Duration.ofMillis(100).toNanos() && at - mailReach.stormUntil() < 0)
            .sorted()
            .toList();
        logger.info("Chaos: {} calls reached MailReach during the 1.2 s storm after its first 429", during.size());
        assertThat(during.size()).as("calls during the storm").isLessThanOrEqualTo(2);
    }

    private Mono<Answer> send(WebClient gateway, int id, int update) {
        long start = System.nanoTime();
        return gateway.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.OPS_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"desc\": \"" + update + "\"}")
            .exchangeToMono((response) -> response.bodyToMono(byte[].class)
                .defaultIfEmpty(new byte[0])
                .map((body) -> new Answer(id, update, response.statusCode().value(), slug(body),
                        Duration.ofNanos(System.nanoTime() - start))));
    }

    private static String slug(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            String type = node.path("type").asString("");
            return type.isEmpty() ? "" : type.substring(type.lastIndexOf('/') + 1);
        }
        catch (RuntimeException ex) {
            return "";
        }
    }

    /** One caller's answer. */
    record Answer(int account, int update, int status, String slug, Duration took) {

        String outcome() {
            return (this.status == 200) ? "200" : this.status + " " + this.slug;
        }

    }

}
