package com.mailreachgateway.upstream;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.mailreachgateway.state.AccountLanes;
import com.mailreachgateway.support.ChaosMailReach;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.system.RequestIds;
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
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole gateway against a MailReach stand-in that fails at random: 503s, 429s, a 429 storm,
 * dropped connections (some after applying the update), and answers slower than the attempt time
 * (some applied before answering, some applied late). Many accounts are updated concurrently, each
 * with a rising sequence of updates sent 180 ms apart without waiting for answers. Whatever MailReach
 * does, every answer is a defined one within the deadline, every answer tells the truth, updates of
 * an account land in the order the gateway received them, and once the settle window has passed
 * MailReach holds, per account, the newest update (in that order) the gateway acknowledged, or a
 * newer one that was reported as in doubt.
 * <p>
 * The order is the one in which the gateway received the updates, recorded server-side by a web filter,
 * not the one the test meant to send them in: on a busy machine the test's client (same JVM, same two
 * cores) can hold a request back for hundreds of milliseconds while the next one, on another
 * connection, goes, and the gateway rightly runs them in the order it got them. So the test sends an
 * update only once the gateway has received the one before, and checks MailReach's order against the
 * recorded one. Likewise the time an answer took is the gateway's, from receiving the update to
 * committing the answer, without the test client's own delays.
 */
// Hundreds of audit lines and dropped-connection warnings would go through the test JVM's stdout
// pipe, for nothing: nothing here checks the logs.
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

    /** The gateway's own time to write an answer once its deadline is up, on a busy two-core machine. */
    private static final Duration MARGIN = Duration.ofMillis(750);

    /** Request ids of the test's updates: account and update number, so the gateway's filter can record them. */
    private static final Pattern CHAOS_ID = Pattern.compile("chaos-(\\d+)-(\\d+)");

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

    @Autowired
    private GatewayArrivals arrivals;

    @Autowired
    private AccountLanes lanes;

    @Test
    void underRandomFailuresEveryAnswerIsDefinedInTimeTruthfulAndNoAcknowledgedUpdateIsLostOrReordered() {
        long t0 = System.nanoTime();
        // One connection per caller: the client's default pool (16) would queue callers on the test's side.
        ConnectionProvider connections = ConnectionProvider.builder("chaos-callers")
            .maxConnections(ACCOUNTS * UPDATES)
            .build();
        WebClient gateway = WebClient.builder()
            .baseUrl("http://127.0.0.1:" + this.port)
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
            .build();
        // Warm the callers' client, its connections and the gateway on other accounts first, so that the
        // run itself meets no class loading or first connections.
        Flux.range(0, ACCOUNTS * 8)
            .flatMap((i) -> send(gateway, 600_000 + i % ACCOUNTS, i), ACCOUNTS * 4)
            .blockLast(Duration.ofSeconds(30));
        mailReach.unleash();
        Scheduler callerClock = Schedulers.newSingle("chaos-callers");
        List<Mono<Answer>> calls = new ArrayList<>();
        for (int account = 0; account < ACCOUNTS; account++) {
            int id = 500_000 + account;
            for (int seq = 1; seq <= UPDATES; seq++) {
                int update = seq;
                // Each update goes at its time, but not before the gateway has received the one before
                // (GatewayArrivals#receipt): a busy moment in the test's client can hold one request back
                // while the next one goes, and the gateway rightly runs them in the order it got them.
                // Waiting for the receipt, not the answer, still leaves updates queued in the gateway.
                Mono<Void> previousReceived = (seq == 1) ? Mono.empty()
                        : Mono.fromFuture(this.arrivals.receipt(requestId(id, seq - 1)), true)
                            .timeout(Duration.ofSeconds(20), Mono.error(() -> new AssertionError(
                                    "update " + (update - 1) + " of account " + id + " never reached the gateway")));
                calls.add(Mono.delay(Duration.ofMillis(180L * seq + 5L * account), callerClock)
                    .then(previousReceived)
                    .publishOn(callerClock)
                    .then(Mono.defer(() -> send(gateway, id, update))));
            }
        }
        // A 429 storm in the middle of the run.
        Mono<Void> storm = Mono.delay(Duration.ofMillis(1800)).doOnNext((tick) -> mailReach.storm(Duration.ofMillis(1200)))
            .then();
        List<Answer> answers = Flux.merge(storm.thenMany(Flux.empty()), Flux.merge(calls))
            .cast(Answer.class)
            .collectList()
            .block(Duration.ofSeconds(60));
        connections.dispose();
        callerClock.dispose();

        assertThat(answers).hasSize(ACCOUNTS * UPDATES);
        Map<String, Long> byOutcome = answers.stream()
            .collect(Collectors.groupingBy(Answer::outcome, TreeMap::new, Collectors.counting()));
        List<Duration> took = answers.stream().map((answer) -> this.arrivals.took(answer.requestId())).sorted().toList();
        logger.info("Chaos answers by outcome: {}; gateway's answer time p50 {} ms, p99 {} ms, max {} ms", byOutcome,
                took.get(took.size() / 2).toMillis(), took.get(took.size() * 99 / 100).toMillis(),
                took.get(took.size() - 1).toMillis());
        assertThat(answers).allSatisfy((answer) -> {
            assertThat(answer.status()).as("answer %s", answer).isNotEqualTo(500);
            assertThat(this.arrivals.took(answer.requestId())).as("answer %s", answer).isLessThan(DEADLINE.plus(MARGIN));
            if (answer.status() != 200) {
                assertThat(DOCUMENTED.get(answer.status())).as("answer %s", answer).contains(answer.slug());
            }
        });
        assertThat(byOutcome).containsKey("200");
        Timer holds = this.meters.get("gateway.lanes.holds").timer();
        logger.info("Chaos: {} attempts reached MailReach for {} updates ({} per update); {} lane holds, {} ms in all",
                mailReach.arrivals().size() - ACCOUNTS * 8, answers.size(),
                String.format("%.2f", (mailReach.arrivals().size() - ACCOUNTS * 8) / (double) answers.size()),
                holds.count(), (long) holds.totalTime(TimeUnit.MILLISECONDS));

        // Nothing can land any more once every lane is idle (settle windows included) and MailReach has
        // finished every request it got (the late ones included).
        await().atMost(SETTLE.plus(Duration.ofSeconds(20)))
            .until(() -> this.lanes.activeLanes() == 0 && mailReach.inFlight() == 0);

        Map<Integer, List<Answer>> byAccount = answers.stream()
            .collect(Collectors.groupingBy(Answer::account, TreeMap::new, Collectors.toList()));
        byAccount.forEach((id, accountAnswers) -> {
            List<Integer> received = this.arrivals.received(id);
            // Holds by the way the test sends: a check of the test itself.
            assertThat(received).as("account %d: updates in the order the gateway received them", id)
                .isEqualTo(IntStream.rangeClosed(1, UPDATES).boxed().toList());
            List<Integer> applied = mailReach.applied(id).stream().map(Integer::parseInt).toList();
            String story = story(id, t0, accountAnswers);
            // Order: no update took effect after one the gateway received later (a retried one may repeat).
            for (int i = 1; i < applied.size(); i++) {
                assertThat(received.indexOf(applied.get(i))).as("account %d applied %s, received %s%s", id, applied,
                        received, story)
                    .isGreaterThanOrEqualTo(received.indexOf(applied.get(i - 1)));
            }
            // Truth: an update said to be not applied never was.
            Set<Integer> promisedNotApplied = accountAnswers.stream()
                .filter((answer) -> NOT_APPLIED.contains(answer.slug()))
                .map(Answer::update)
                .collect(Collectors.toSet());
            assertThat(applied).as("account %d applied %s%s", id, applied, story)
                .noneMatch(promisedNotApplied::contains);
            // No acknowledged update lost: MailReach ends at the newest acknowledged one (in the gateway's
            // order), or at a later one whose caller was told it may have been applied.
            int newestAcknowledged = accountAnswers.stream()
                .filter((answer) -> answer.status() == 200)
                .mapToInt((answer) -> received.indexOf(answer.update()))
                .max()
                .orElse(-1);
            int last = applied.isEmpty() ? -1 : received.indexOf(applied.get(applied.size() - 1));
            assertThat(last).as("account %d applied %s, received %s%s", id, applied, received, story)
                .isGreaterThanOrEqualTo(newestAcknowledged);
            if (last > newestAcknowledged) {
                assertThat(accountAnswers).as("account %d applied %s, received %s%s", id, applied, received, story)
                    .anySatisfy((answer) -> {
                        assertThat(answer.update()).isEqualTo(received.get(last));
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
        logger.info("Chaos: {} calls reached MailReach during the 1.2 s storm after its first 429; all arrivals in the storm, ms after it: {}",
                during.size(), mailReach.arrivals()
                    .stream()
                    .filter((at) -> at - first >= 0 && at - mailReach.stormUntil() < 0)
                    .sorted()
                    .map((at) -> (at - first) / 1_000_000)
                    .toList());
        assertThat(during.size()).as("calls during the storm").isLessThanOrEqualTo(2);
    }

    private Mono<Answer> send(WebClient gateway, int id, int update) {
        return Mono.defer(() -> {
            long sent = System.nanoTime();
            String requestId = requestId(id, update);
            return gateway.post()
                .uri("/api/v1/accounts/{id}", id)
                .header("X-Api-Key", GatewayIntegrationTestSupport.OPS_KEY)
                .header(RequestIds.HEADER, requestId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"desc\": \"" + update + "\"}")
                .exchangeToMono((response) -> response.bodyToMono(byte[].class)
                    .defaultIfEmpty(new byte[0])
                    .map((body) -> new Answer(id, update, requestId, sent, response.statusCode().value(),
                            slug(body))));
        });
    }

    private static String requestId(int id, int update) {
        return "chaos-" + id + "-" + update;
    }

    /** What happened to one account, for a failure message: sent, received, answered, applied, on one clock. */
    private String story(int id, long t0, List<Answer> answers) {
        StringBuilder story = new StringBuilder("\n  updates (sent by the test / received by the gateway, ms; answer):");
        answers.stream().sorted((a, b) -> Integer.compare(a.update(), b.update())).forEach((answer) -> story
            .append(String.format("%n    %d: %d / %d; %s", answer.update(), (answer.sent() - t0) / 1_000_000,
                    (this.arrivals.receivedAt(answer.requestId()) - t0) / 1_000_000, answer.outcome())));
        story.append("\n  writes at MailReach (arrived / applied, ms; roll):");
        mailReach.writes(id).forEach((write) -> story.append(String.format("%n    %s: %d / %d; %d", write.desc(),
                (write.arrived() - t0) / 1_000_000, (write.applied() - t0) / 1_000_000, write.roll())));
        return story.toString();
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

    /** One caller's answer, and when the test sent its update ({@link System#nanoTime()}). */
    record Answer(int account, int update, String requestId, long sent, int status, String slug) {

        String outcome() {
            return (this.status == 200) ? "200" : this.status + " " + this.slug;
        }

    }

    @TestConfiguration(proxyBeanMethods = false)
    static class ArrivalsConfiguration {

        @Bean
        GatewayArrivals gatewayArrivals() {
            return new GatewayArrivals();
        }

    }

    /**
     * Records the order in which the gateway received each account's updates, and when it committed
     * each answer. An update counts as received once its body has been read in full (before that the
     * gateway cannot act on it); from there on the gateway's own code takes it into the account's lane,
     * so any difference between this order and MailReach's is the gateway's doing. The filter runs
     * ahead of every other; the test's updates carry their account and number in their request id.
     */
    static final class GatewayArrivals implements WebFilter, Ordered {

        private final Map<Integer, List<Integer>> received = new ConcurrentHashMap<>();

        private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();

        private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();

        private final Map<String, CompletableFuture<Void>> receipts = new ConcurrentHashMap<>();

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
            String requestId = exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER);
            Matcher chaos = (requestId != null) ? CHAOS_ID.matcher(requestId) : null;
            if (exchange.getRequest().getMethod() != HttpMethod.POST || chaos == null || !chaos.matches()) {
                return chain.filter(exchange);
            }
            int id = Integer.parseInt(chaos.group(1));
            int update = Integer.parseInt(chaos.group(2));
            ServerHttpRequest request = new ServerHttpRequestDecorator(exchange.getRequest()) {

                @Override
                public Flux<DataBuffer> getBody() {
                    return super.getBody()
                        .doOnComplete(() -> received(id, update, requestId))
                        .doAfterTerminate(() -> receipt(requestId).complete(null));
                }

            };
            exchange.getResponse().beforeCommit(() -> {
                this.answeredAt.put(requestId, System.nanoTime());
                return Mono.empty();
            });
            return chain.filter(exchange.mutate().request(request).build());
        }

        private void received(int id, int update, String requestId) {
            List<Integer> updates = this.received.computeIfAbsent(id, (key) -> new ArrayList<>());
            // The time and the place in the order are taken under one lock, so they agree.
            synchronized (updates) {
                this.receivedAt.put(requestId, System.nanoTime());
                updates.add(update);
            }
        }

        /**
         * Completes once the gateway has received the update with this request id and done what it
         * does with a received update on the spot: the end of the body is passed on first, and the
         * gateway's code takes the update into its account's lane within that call, with no wait in
         * between. Should that ever change (a hop to another thread before the lane), a next update
         * whose time has come could overtake this one, and the order check would catch it.
         */
        CompletableFuture<Void> receipt(String requestId) {
            return this.receipts.computeIfAbsent(requestId, (key) -> new CompletableFuture<>());
        }

        /** One account's update numbers, in the order the gateway received them. */
        List<Integer> received(int id) {
            List<Integer> updates = this.received.getOrDefault(id, List.of());
            synchronized (updates) {
                return new ArrayList<>(updates);
            }
        }

        long receivedAt(String requestId) {
            return this.receivedAt.getOrDefault(requestId, 0L);
        }

        /** How long the gateway took to answer, from receiving the update to committing the answer. */
        Duration took(String requestId) {
            Long at = this.receivedAt.get(requestId);
            Long answered = this.answeredAt.get(requestId);
            return (at == null || answered == null) ? Duration.ofDays(1) : Duration.ofNanos(answered - at);
        }

    }

}
