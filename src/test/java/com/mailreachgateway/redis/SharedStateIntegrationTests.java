package com.mailreachgateway.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.mailreachgateway.MailReachGatewayApplication;
import com.mailreachgateway.support.EmbeddedRedis;
import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.upstream.KeyPause;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
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
 * Three gateway replicas (three application contexts in this JVM) against one MailReach stub and
 * one real Redis, at a 10 requests/s budget: they behave as one gateway for MailReach, and go on
 * at their local share while Redis is away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedStateIntegrationTests {

    private static final int RATE = 10;

    private static final int REPLICAS = 3;

    /**
     * Slack on the one-second window, as in RateLimitIntegrationTests but wider: the shared bucket
     * grants permits exactly 100 ms apart (Redis holds one token, none is ever given back;
     * RedisPermitBucketIntegrationTests sees the grants themselves at least 1000 ms apart per ten),
     * while WireMock logs arrivals, after a scheduler thread, an event loop and loopback, here for three
     * gateways in one JVM on two shared cores; single requests have arrived up to ~60 ms late, which is
     * all that can put an eleventh arrival into a one-second window. Three local limiters would show
     * gaps near 333 ms for ten requests, one letting an eleventh in a gap near 909 ms.
     */
    private static final long JITTER_MILLIS = 80;

    /** The test profile's response timeout: an attempt unanswered this long is in doubt. */
    private static final long RESPONSE_TIMEOUT_MILLIS = 600;

    /** The settle window: twice the response timeout, the default. */
    private static final long SETTLE_MILLIS = 2 * RESPONSE_TIMEOUT_MILLIS;

    /**
     * WireMock's arrival stamps (ms, after loopback and a container thread) against the gateway's own
     * timers: a request stamped a little late makes a measured gap look that much shorter.
     */
    private static final long ARRIVAL_JITTER_MILLIS = 50;

    private static final AtomicInteger ids = new AtomicInteger(500_000);

    private final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(40));

    private final EmbeddedRedis redis = new EmbeddedRedis();

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    private final List<WebClient> clients = new ArrayList<>();

    @BeforeAll
    void startReplicas() {
        this.mailReach.start();
        this.redis.start();
        for (int i = 0; i < REPLICAS; i++) {
            ConfigurableApplicationContext context = replica("local-share");
            this.replicas.add(context);
            this.clients.add(client(context));
        }
        // One update through each replica first, so that the bursts below find warm code paths and open
        // connections to MailReach and Redis, and their requests travel alike (see RateLimitIntegrationTests).
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        for (int i = 0; i < REPLICAS; i++) {
            assertThat(update(i, ids.incrementAndGet()).block(Duration.ofSeconds(10))).isEqualTo(200);
        }
    }

    /**
     * The production command timeout (500 ms), not a shorter one: with 45 updates at once on three
     * gateways and two shared cores, a Redis command once took over 200 ms, and the replica went into
     * fallback in the middle of the budget test (its local share then adds to the shared grants
     * already scheduled, which that test rightly counts as a burst). Redis stopped is still seen at
     * once: the connection is refused.
     */
    private static final String REDIS_TIMEOUT = "500ms";

    /**
     * The lock lease, scaled down with the test profile's 3 s deadline (production: 3 s against 30 s): a
     * waiter whose queue Redis lost looks again within one lease.
     */
    private static final String LOCK_LEASE = "1s";

    private ConfigurableApplicationContext replica(String onFailure, String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--gateway.mailreach.base-url=" + this.mailReach.baseUrl() + "/api",
                    "--gateway.mailreach.rate-limit.requests-per-second=" + RATE,
                    "--gateway.mailreach.rate-limit.max-wait=3s", "--gateway.redis.enabled=true",
                    "--gateway.redis.expected-replicas=" + REPLICAS, "--gateway.redis.probe-interval=200ms",
                    "--gateway.redis.on-failure=" + onFailure, "--gateway.redis.lock-lease=" + LOCK_LEASE,
                    "--spring.data.redis.host=127.0.0.1",
                    "--spring.data.redis.port=" + this.redis.port(), "--spring.data.redis.timeout=" + REDIS_TIMEOUT));
        // A later --key=value replaces an earlier one (Spring would bind both into one value).
        java.util.Map<String, String> byKey = new java.util.LinkedHashMap<>();
        java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of(more))
            .forEach((arg) -> byKey.put(arg.substring(0, arg.indexOf('=')), arg));
        return new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("test")
            .run(byKey.values().toArray(String[]::new));
    }

    @AfterAll
    void stopReplicas() {
        this.replicas.forEach(ConfigurableApplicationContext::close);
        this.redis.stop();
        this.mailReach.stop();
    }

    @BeforeEach
    void reset() {
        this.mailReach.resetAll();
        this.replicas.forEach(SharedStateIntegrationTests::unpauseKey);
    }

    /** A key that an earlier test's 429 no longer pauses: in Redis and in the replica's own fallback. */
    private static void unpauseKey(ConfigurableApplicationContext replica) {
        ((RedisKeyPause) replica.getBean(KeyPause.class)).forgetLocally();
        SharedRedis redis = replica.getBean(SharedRedis.class);
        var connection = redis.connection();
        if (connection != null) {
            try {
                connection.sync().del(redis.key("pause").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            catch (RuntimeException unreachable) {
                // Redis is down: the replica answers from its own pause, forgotten above.
            }
        }
    }

    @Test
    @Order(1)
    void threeReplicasTogetherStayWithinOneBudgetInEveryOneSecondWindow() {
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        // 45 updates at once, 15 through each replica: three local limiters would let 30 through per second.
        List<Integer> statuses = Flux.range(0, 45)
            .flatMap((i) -> update(i % REPLICAS, ids.incrementAndGet()), 45)
            .collectList()
            .block(Duration.ofSeconds(20));

        // 503 not-sent: no permit before the deadline; 429: none within max-wait. Never a 500.
        assertThat(statuses).as("every update answered 200, 429 or 503").allMatch((s) -> s == 200 || s == 429 || s == 503);
        List<Long> arrivals = arrivals();
        assertThat(arrivals).hasSize((int) statuses.stream().filter((s) -> s == 200).count());
        assertThat(arrivals.size()).as("the budget was used for ~2.4 s (max-wait bounded by the deadline)")
            .isGreaterThan(2 * RATE);
        for (int i = 0; i + RATE < arrivals.size(); i++) {
            assertThat(arrivals.get(i + RATE) - arrivals.get(i))
                .as("ms from request %d to request %d, arrivals %s", i, i + RATE, arrivals)
                .isGreaterThanOrEqualTo(1000 - JITTER_MILLIS);
        }
        // Two calls on one token (a token given back onto a slot already granted) arrive within a few ms
        // of each other; evenly spaced permits never closer than a period less the arrival noise.
        for (int i = 1; i < arrivals.size(); i++) {
            assertThat(arrivals.get(i) - arrivals.get(i - 1))
                .as("ms from request %d to request %d, arrivals %s", i - 1, i, arrivals)
                .isGreaterThanOrEqualTo(1000 / RATE - JITTER_MILLIS);
        }
        System.out.printf("[figures] shared budget: %d calls forwarded, worst one-second window %d (limit %d), "
                + "closest requests %d apart %d ms%n", arrivals.size(), worstWindow(arrivals), RATE, RATE,
                java.util.stream.IntStream.range(0, arrivals.size() - RATE)
                    .mapToLong((i) -> arrivals.get(i + RATE) - arrivals.get(i))
                    .min()
                    .orElseThrow());
    }

    @Test
    @Order(2)
    void a429SeenByOneReplicaPausesTheKeyOnEveryReplica() {
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")));
        long start = System.currentTimeMillis();
        // A storm: everything answers 429 for three seconds; callers keep coming on all replicas.
        List<Mono<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int replica = i % REPLICAS;
            calls.add(Mono.delay(Duration.ofMillis(250L * i)).then(update(replica, ids.incrementAndGet())));
        }
        Mono<List<Integer>> storm = Flux.merge(calls).collectList().cache();
        storm.subscribe();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() - start >= 3000);
        int duringStorm = arrivals().size();
        this.mailReach.resetMappings();
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        List<Integer> statuses = storm.block(Duration.ofSeconds(15));

        assertThat(statuses).as("throttled or later forwarded, never a 500").allMatch((s) -> s == 200 || s == 503);
        // One 429, then one probe after each Retry-After: at most 2 calls in 3 s, from whichever replica.
        assertThat(duringStorm).as("calls MailReach received during the 3 s storm").isLessThanOrEqualTo(3);
        System.out.printf("[figures] 429 storm (3 s, Retry-After: 2, 12 callers on 3 replicas): %d calls%n",
                duringStorm);
    }

    @Test
    @Order(3)
    void anUpdateThroughOneReplicaIsACacheHitWithTheNewStateOnTheOthers() {
        int id = ids.incrementAndGet();
        this.mailReach.stubFor(post(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(id)))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id, "first_name", "\"Updated\""))));
        assertThat(update(0, id).block(Duration.ofSeconds(5))).isEqualTo(200);

        for (int replica = 1; replica < REPLICAS; replica++) {
            ResponseEntity<String> read = read(replica, id);
            assertThat(read.getHeaders().getFirst("X-Cache")).isEqualTo("HIT");
            assertThat(read.getBody()).contains("\"first_name\": \"Updated\"");
        }
        this.mailReach.verify(0, getRequestedFor(urlPathMatching("/api/v1/.*")));
    }

    @Test
    @Order(4)
    void aSlowReadOnOneReplicaNeverOverwritesANewerUpdateThroughAnother() throws Exception {
        int id = ids.incrementAndGet();
        this.mailReach.stubFor(get(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(id)))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id, "first_name", "\"Before\"")).withFixedDelay(400)));
        this.mailReach.stubFor(post(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(id)))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id, "first_name", "\"After\""))));
        var slowRead = Mono.fromCallable(() -> read(1, id)).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).toFuture();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> !this.mailReach.findAll(getRequestedFor(urlPathMatching("/api/v1/.*"))).isEmpty());
        assertThat(update(2, id).block(Duration.ofSeconds(5))).isEqualTo(200);
        // The slow read answers 200 (with the newer copy it found, or its own); what matters is what stays.
        assertThat(slowRead.get(5, java.util.concurrent.TimeUnit.SECONDS).getStatusCode().value()).isEqualTo(200);

        ResponseEntity<String> read = read(0, id);
        assertThat(read.getHeaders().getFirst("X-Cache")).isEqualTo("HIT");
        assertThat(read.getBody()).contains("\"first_name\": \"After\"");
    }

    @Test
    @Order(5)
    void updatesToOneAccountThroughThreeReplicasLandInArrivalOrderWhenTheFirstIsSlowAndRetried() {
        int id = ids.incrementAndGet();
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        // The first attempt gets no answer in time (in doubt, retried); then MailReach answers at once.
        stubFirstUpdateSlow(id, 900);

        var first = update(0, id, "{\"first_name\":\"o1\"}").toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> !this.mailReach.findAll(postRequestedFor(urlPathMatching(path))).isEmpty());
        var second = Mono.delay(Duration.ofMillis(50)).then(update(1, id, "{\"first_name\":\"o2\"}")).toFuture();
        var third = Mono.delay(Duration.ofMillis(100)).then(update(2, id, "{\"first_name\":\"o3\"}")).toFuture();

        assertThat(List.of(first.join(), second.join(), third.join())).containsExactly(200, 200, 200);
        List<String> applied = this.mailReach.findAll(postRequestedFor(urlPathMatching(path)))
            .stream()
            .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
            .map((request) -> request.getBodyAsString().replaceAll(".*\"first_name\":\"(o\\d)\".*", "$1"))
            .toList();
        // o1 twice (the attempt in doubt, its retry), then the settle window, then o2 and o3: never o1 after them.
        assertThat(applied).containsExactly("o1", "o1", "o2", "o3");
    }

    @Test
    @Order(5)
    void updatesThroughDifferentReplicasWhileMailReachIsSlowLandInTheOrderTheyReachedTheGateway() {
        int id = ids.incrementAndGet();
        // Each update takes MailReach 400 ms: the later ones queue, on their own replica or on another.
        this.mailReach.stubFor(post(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(id)))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id)).withFixedDelay(400)));
        int[] through = { 0, 0, 1, 2, 1 };
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < through.length; i++) {
            answers.add(Mono.delay(Duration.ofMillis(150L * i))
                .then(update(through[i], id, "{\"first_name\":\"u" + (i + 1) + "\"}"))
                .toFuture());
        }

        assertThat(answers).allSatisfy((answer) -> assertThat(answer.orTimeout(10, TimeUnit.SECONDS).join())
            .as("acknowledged").isEqualTo(200));
        assertThat(applied(id)).as("MailReach applied them in the order they reached the gateway")
            .containsExactly("u1", "u2", "u3", "u4", "u5");
    }

    @Test
    @Order(5)
    void updatesThroughDifferentReplicasKeepTheirArrivalOrderAcrossARedisRestart() {
        int id = ids.incrementAndGet();
        // 250 ms each: five updates, a Redis restart and the regroup after it fit the test profile's deadline.
        this.mailReach.stubFor(post(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(id)))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id)).withFixedDelay(250)));
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        answers.add(update(0, id, "{\"first_name\":\"u1\"}").toFuture());
        answers.add(Mono.delay(Duration.ofMillis(100)).then(update(1, id, "{\"first_name\":\"u2\"}")).toFuture());
        answers.add(Mono.delay(Duration.ofMillis(200)).then(update(2, id, "{\"first_name\":\"u3\"}")).toFuture());
        // Redis loses everything (the account's queue, its holder, the record of u1's attempt) while u1 is at
        // MailReach and u2 and u3 wait for their turn on two other replicas: they still go after u1, in their
        // order, and within their deadline.
        Mono.delay(Duration.ofMillis(220)).block(Duration.ofSeconds(1));
        this.redis.stop();
        this.redis.start();
        // Later updates, while the replicas put back what Redis lost: behind them, in their order.
        answers.add(update(0, id, "{\"first_name\":\"u4\"}").toFuture());
        answers.add(Mono.delay(Duration.ofMillis(150)).then(update(1, id, "{\"first_name\":\"u5\"}")).toFuture());

        List<Integer> statuses = answers.stream().map((answer) -> answer.orTimeout(10, TimeUnit.SECONDS).join()).toList();
        assertThat(statuses).as("every update acknowledged").containsOnly(200);
        assertThat(applied(id)).as("MailReach applied them in the order they reached the gateway")
            .containsExactly("u1", "u2", "u3", "u4", "u5");
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero()));
    }

    @Test
    @Order(5)
    void anUpdateLeftInDoubtOnOneReplicaHoldsTheAccountOnAnotherForTheSettleWindow() {
        int id = ids.incrementAndGet();
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        // The first attempt gets no answer within the response timeout (600 ms): in doubt from then on
        // for the settle window (1.2 s); its retry is answered at once.
        stubFirstUpdateSlow(id, 1000);

        assertThat(update(0, id, "{\"first_name\":\"a\"}").block(Duration.ofSeconds(5))).isEqualTo(200);
        // Replica A has answered; the next update goes through replica B, which never saw the attempt.
        assertThat(update(1, id, "{\"first_name\":\"b\"}").block(Duration.ofSeconds(5))).isEqualTo(200);

        List<LoggedRequest> sent = this.mailReach.findAll(postRequestedFor(urlPathMatching(path)))
            .stream()
            .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
            .toList();
        assertThat(sent).extracting(LoggedRequest::getBodyAsString)
            .map((body) -> body.replaceAll(".*\"first_name\":\"([ab])\".*", "$1"))
            .containsExactly("a", "a", "b");
        long inDoubtAt = sent.get(0).getLoggedDate().getTime() + RESPONSE_TIMEOUT_MILLIS;
        long hold = sent.get(2).getLoggedDate().getTime() - inDoubtAt;
        // The window runs from the moment replica A gave up on the answer; the attempt's arrival here is
        // at most a few ms after A sent it, which only makes the measured hold look longer.
        assertThat(hold).as("B's update waited for the settle window that began on A")
            .isGreaterThanOrEqualTo(SETTLE_MILLIS - ARRIVAL_JITTER_MILLIS)
            .isLessThan(SETTLE_MILLIS + 1000);
        System.out.printf("[figures] settle window across replicas: B's update reached MailReach %d ms after A's "
                + "attempt went in doubt (settle-time %d ms)%n", hold, SETTLE_MILLIS);
    }

    @Test
    @Order(5)
    void aWaiterThatGivesUpBehindASlowHolderDoesNotBlockTheAccountForTheNextUpdate() {
        int id = ids.incrementAndGet();
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        // The holder's attempts all go unanswered: it holds the account until its deadline (3 s) and then
        // for its settle window; everything else is answered at once.
        stubHolderSlow(id);

        var holder = update(0, id, "{\"first_name\":\"holder\"}").toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> !this.mailReach.findAll(postRequestedFor(urlPathMatching(path))).isEmpty());
        // Queued in the fair lock on replica B: its wait (deadline minus one attempt, 2.4 s) ends first.
        long waiterStart = System.nanoTime();
        int waiter = update(1, id, "{\"first_name\":\"waiter\"}").block(Duration.ofSeconds(5));
        long waitedMillis = (System.nanoTime() - waiterStart) / 1_000_000;
        assertThat(waiter).as("the waiter's turn did not come: 503 not sent").isEqualTo(503);
        assertThat(waitedMillis).as("it gave up within its deadline").isLessThan(3000);
        assertThat(holder.join()).as("the holder's update stayed in doubt").isEqualTo(504);

        // A fresh update on replica C, while the holder still settles: next in line once it lets go.
        assertThat(update(2, id, "{\"first_name\":\"fresh\"}").block(Duration.ofSeconds(5))).isEqualTo(200);
        List<LoggedRequest> sent = this.mailReach.findAll(postRequestedFor(urlPathMatching(path)))
            .stream()
            .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
            .toList();
        assertThat(sent).extracting(LoggedRequest::getBodyAsString)
            .as("the waiter that gave up never reached MailReach")
            .noneMatch((body) -> body.contains("waiter"));
        LoggedRequest lastHeld = sent.get(sent.size() - 2);
        LoggedRequest fresh = sent.get(sent.size() - 1);
        assertThat(lastHeld.getBodyAsString()).contains("holder");
        assertThat(fresh.getBodyAsString()).contains("fresh");
        long releasedAt = lastHeld.getLoggedDate().getTime() + RESPONSE_TIMEOUT_MILLIS + SETTLE_MILLIS;
        long afterRelease = fresh.getLoggedDate().getTime() - releasedAt;
        // Promptly, well within the lease (4.2 s): a waiter left in the fair lock's queue would have kept
        // the account from it until its own wait (2.4 s) ended, with 503. (Its lower bound is the settle
        // window, which the test above measures.)
        assertThat(afterRelease).as("ms from the holder's release to the fresh update reaching MailReach")
            .isLessThan(1000);
        System.out.printf("[figures] waiter gave up after %d ms (503); the next update on a third replica reached "
                + "MailReach %d ms after the holder let go%n", waitedMillis, afterRelease);
    }

    @Test
    @Order(6)
    void anAccountHeldByAReplicaThatDiesIsFreeForTheNextUpdateWithinTheLease() {
        ConfigurableApplicationContext doomed = replica("local-share", "--gateway.redis.lock-lease=3s");
        WebClient doomedClient = client(doomed);
        int id = ids.incrementAndGet();
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        this.mailReach.stubFor(post(urlPathMatching(path))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id)).withFixedDelay(300)));
        long start = System.nanoTime();
        var held = update(doomedClient, id, "{\"first_name\":\"dead\"}").toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> !this.mailReach.findAll(postRequestedFor(urlPathMatching(path))).isEmpty());
        // Abruptly: its Redis session goes before the update ends, so it can never let the account go.
        kill(doomed);
        long died = System.nanoTime();
        // The production lock lease (3 s), renewed while a replica lives: once the replica is gone, the account
        // is free within one lease. An update arriving 2 s after the death waits up to 2.4 s for its turn.
        var next = Mono.delay(Duration.ofSeconds(2)).then(update(1, id, "{\"first_name\":\"next\"}")).toFuture();
        held.join();
        doomed.close();
        int status = next.orTimeout(10, TimeUnit.SECONDS).join();
        long freedMillis = (System.nanoTime() - died) / 1_000_000;
        assertThat(status).isEqualTo(200);
        assertThat(freedMillis).as("the next update answered within 5 s of the holder's death").isLessThan(5000);
        System.out.printf("[figures] dead holder: next update on another replica answered %d ms after the holder "
                + "died, %d ms after it took the account (lock lease 3000 ms)%n", freedMillis,
                (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    @Order(6)
    void aReplicaThatDiesMidAttemptKeepsTheAccountOnOthersExactlyUntilThatAttemptCanNoLongerLand() {
        // The lease (1 s here) is shorter than the attempt's settle window (response timeout 600 ms + settle
        // 1.2 s), so the window, not the lease, decides when the next update may go. One attempt only.
        ConfigurableApplicationContext doomed = replica("local-share", "--gateway.mailreach.retry.max-attempts=1");
        WebClient doomedClient = client(doomed);
        int id = ids.incrementAndGet();
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        this.mailReach.stubFor(post(urlPathMatching(path))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id))));
        this.mailReach.stubFor(post(urlPathMatching(path))
            .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("dead"))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id)).withFixedDelay(3000)));
        var dying = update(doomedClient, id, "{\"first_name\":\"dead\"}").toFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> !this.mailReach.findAll(postRequestedFor(urlPathMatching(path))).isEmpty());
        // The replica dies with its attempt unanswered: no more lock renewals, no word on the attempt.
        kill(doomed);

        assertThat(update(1, id, "{\"first_name\":\"next\"}").block(Duration.ofSeconds(10))).isEqualTo(200);
        dying.orTimeout(10, TimeUnit.SECONDS).join();
        doomed.close();
        List<LoggedRequest> sent = this.mailReach.findAll(postRequestedFor(urlPathMatching(path)))
            .stream()
            .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
            .toList();
        assertThat(sent).extracting(LoggedRequest::getBodyAsString)
            .map((body) -> body.replaceAll(".*\"first_name\":\"([a-z]+)\".*", "$1"))
            .containsExactly("dead", "next");
        long after = sent.get(1).getLoggedDate().getTime() - sent.get(0).getLoggedDate().getTime();
        // The window runs from when the gateway started the attempt (its response timeout, then the settle
        // window); the attempt reaches MailReach a little after that, more so on a busy machine, which makes
        // the measured wait look shorter by as much. RedisAccountLockIntegrationTests measures the window itself.
        assertThat(after).as("ms from the dead replica's attempt to the next update at MailReach")
            .isGreaterThanOrEqualTo(RESPONSE_TIMEOUT_MILLIS + SETTLE_MILLIS - 400)
            .isLessThan(RESPONSE_TIMEOUT_MILLIS + SETTLE_MILLIS + 1000);
        System.out.printf("[figures] holder died mid-attempt: the next update reached MailReach %d ms after the "
                + "unanswered attempt (its window: %d ms, the dead replica's lease 1000 ms)%n", after,
                RESPONSE_TIMEOUT_MILLIS + SETTLE_MILLIS);
    }

    @Test
    @Order(7)
    void replicasExportTheSharedStateMetricsTheAlertsUse() {
        // What Redis adds to an update: Redis commands (bucket, pause, cache) and the lock, one update at a time.
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        var registry = this.replicas.get(0).getBean(io.micrometer.core.instrument.MeterRegistry.class);
        var commands = registry.get("gateway.redis.commands").tag("outcome", "success").timer();
        var lockWaits = registry.get("gateway.redis.lock.wait").timer();
        long count = commands.count();
        double total = commands.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
        double lockTotal = lockWaits.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
        int updates = 20;
        for (int i = 0; i < updates; i++) {
            assertThat(Mono.delay(Duration.ofMillis(110)).then(update(0, ids.incrementAndGet())).block(Duration.ofSeconds(5)))
                .isEqualTo(200);
        }
        System.out.printf("[figures] Redis per update (one at a time, replica 0): %.1f commands, %.2f ms in them, "
                + "%.2f ms taking the account lock%n", (commands.count() - count) / (double) updates,
                (commands.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) - total) / updates,
                (lockWaits.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) - lockTotal) / updates);
        String scrape = management(this.replicas.get(0), "/actuator/prometheus");
        for (String name : com.mailreachgateway.system.MetricNames.SHARED_STATE_METRIC_NAMES) {
            assertThat(scrape).as(name).containsPattern("(?m)^" + name + "[{ ]");
        }
    }

    @Test
    @Order(9)
    void whileRedisIsDownEachReplicaGoesOnAtItsShareAndRejoinsWhenItIsBack() throws Exception {
        this.mailReach.stubFor(post(urlPathMatching("/api/v1/accounts/\\d+"))
            .willReturn(GatewayIntegrationTestSupport.accountOfPath()));
        this.redis.stop();
        try {
            long start = System.nanoTime();
            List<Integer> statuses = Flux.range(0, 12)
                .flatMap((i) -> update(i % REPLICAS, ids.incrementAndGet()), 12)
                .collectList()
                .block(Duration.ofSeconds(10));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(statuses).as("local share: updates go on, never a 500").allMatch((s) -> s == 200);
            assertThat(tookMillis).as("within the deadline").isLessThan(3000);
            for (ConfigurableApplicationContext replica : this.replicas) {
                assertThat(fallback(replica)).isEqualTo(1.0);
                assertThat(management(replica, "/actuator/health/readiness")).contains("UP");
            }
            // Each replica at floor(10 / 3) = 3 per second: 12 updates take more than a second in all.
            List<Long> arrivals = arrivals();
            assertThat(arrivals.get(arrivals.size() - 1) - arrivals.get(0)).isGreaterThanOrEqualTo(1000 - JITTER_MILLIS);
            System.out.printf("[figures] Redis down: 12 updates on 3 replicas, all 200 in %d ms, "
                    + "worst one-second window %d%n", tookMillis, worstWindow(arrivals));
        }
        finally {
            this.redis.start();
        }
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero()));
        System.out.printf("[figures] Redis back: all replicas shared again after %d ms%n",
                (System.nanoTime() - back) / 1_000_000);
        List<Long> sharedBefore = this.replicas.stream().map(SharedStateIntegrationTests::sharedPermits).toList();
        List<Integer> statuses = Flux.range(0, 12)
            .flatMap((i) -> update(i % REPLICAS, ids.incrementAndGet()), 12)
            .collectList()
            .block(Duration.ofSeconds(10));
        assertThat(statuses).allMatch((s) -> s == 200);
        for (int i = 0; i < REPLICAS; i++) {
            assertThat(sharedPermits(this.replicas.get(i))).as("replica %d took its permits from Redis again", i)
                .isGreaterThan(sharedBefore.get(i));
        }
    }

    @Test
    @Order(10)
    void whenRedisRestartsWhileUpdatesQueueForAnAccountEveryOneIsAnsweredWithinItsDeadline() {
        int id = ids.incrementAndGet();
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        stubHolderSlow(id);
        long start = System.nanoTime();
        List<CompletableFuture<long[]>> answers = new ArrayList<>();
        answers.add(timedUpdate(0, id, "holder"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !this.mailReach.findAll(postRequestedFor(urlPathMatching(path))).isEmpty());
        // Queued behind the holder: two in the fair lock (replicas B and C), one in the holder's own lane.
        answers.add(timedUpdate(1, id, "w1"));
        answers.add(timedUpdate(2, id, "w2"));
        answers.add(timedUpdate(0, id, "w3"));
        await().atMost(Duration.ofSeconds(2)).until(() -> (System.nanoTime() - start) / 1_000_000 >= 500);
        this.redis.stop();
        this.redis.start();

        List<String> outcomes = new ArrayList<>();
        for (CompletableFuture<long[]> answer : answers) {
            long[] statusAndMillis = answer.orTimeout(10, TimeUnit.SECONDS).join();
            outcomes.add(statusAndMillis[0] + " in " + statusAndMillis[1] + " ms");
            assertThat(statusAndMillis[0]).as("a defined answer, never a 500: %s", outcomes)
                .isIn(200L, 503L, 504L);
            // The deadline (3 s), and a little for the last step and a busy machine: never a hang.
            assertThat(statusAndMillis[1]).as("within the deadline (3 s): %s", outcomes).isLessThan(3000 + 700);
        }
        System.out.printf("[figures] Redis restarted with 3 updates queued behind a holder in doubt: %s%n", outcomes);
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> this.replicas.forEach((replica) -> assertThat(fallback(replica)).isZero()));
        assertThat(update(1, id, "{\"first_name\":\"after\"}").block(Duration.ofSeconds(10)))
            .as("shared again: the account takes updates").isEqualTo(200);
    }

    /** What a replica that dies leaves in Redis: its turns and records, renewed and let go no more. */
    private static void kill(ConfigurableApplicationContext replica) {
        replica.getBean(RedisAccountLock.class).close();
        replica.getBean(SharedRedis.class).close();
    }

    /** The {@code first_name} of each update of the account, in the order MailReach received them. */
    private List<String> applied(int id) {
        return this.mailReach.findAll(postRequestedFor(urlPathMatching(GatewayIntegrationTestSupport.upstreamPath(id))))
            .stream()
            .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate))
            .map((request) -> request.getBodyAsString().replaceAll(".*\"first_name\":\"([^\"]+)\".*", "$1"))
            .toList();
    }

    private CompletableFuture<long[]> timedUpdate(int replica, int id, String name) {
        long start = System.nanoTime();
        return update(replica, id, "{\"first_name\":\"" + name + "\"}")
            .map((status) -> new long[] { status, (System.nanoTime() - start) / 1_000_000 })
            .toFuture();
    }

    private static long sharedPermits(ConfigurableApplicationContext replica) {
        return replica.getBean(io.micrometer.core.instrument.MeterRegistry.class)
            .get("gateway.redis.bucket.wait")
            .timer()
            .count();
    }

    /** MailReach answers an update of the account whose body names the "holder" after 700 ms, every other at once. */
    private void stubHolderSlow(int id) {
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        this.mailReach.stubFor(post(urlPathMatching(path))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id))));
        this.mailReach.stubFor(post(urlPathMatching(path))
            .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("holder"))
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id)).withFixedDelay(700)));
    }

    /** MailReach answers the account's first update after {@code delayMillis}, every later one at once. */
    private void stubFirstUpdateSlow(int id, int delayMillis) {
        String path = GatewayIntegrationTestSupport.upstreamPath(id);
        String scenario = "slow-first-" + id;
        this.mailReach.stubFor(post(urlPathMatching(path)).inScenario(scenario)
            .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id)).withFixedDelay(delayMillis))
            .willSetStateTo("fast"));
        this.mailReach.stubFor(post(urlPathMatching(path)).inScenario(scenario)
            .whenScenarioStateIs("fast")
            .willReturn(okJson(GatewayIntegrationTestSupport.account(id))));
    }

    private Mono<Integer> update(int replica, int id) {
        return update(this.clients.get(replica), id, "{\"config_rampup_increase\":2}");
    }

    private Mono<Integer> update(int replica, int id, String body) {
        return update(this.clients.get(replica), id, body);
    }

    private static Mono<Integer> update(WebClient client, int id, String body) {
        return client
            .post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
    }

    private ResponseEntity<String> read(int replica, int id) {
        return this.clients.get(replica)
            .get()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", GatewayIntegrationTestSupport.CRM_KEY)
            .retrieve()
            .toEntity(String.class)
            .block(Duration.ofSeconds(5));
    }

    private List<Long> arrivals() {
        return this.mailReach.findAll(postRequestedFor(urlPathMatching("/api/v1/.*")))
            .stream()
            .map(LoggedRequest::getLoggedDate)
            .map(java.util.Date::getTime)
            .sorted()
            .toList();
    }

    /** Most arrivals in any window [t, t + 1 s). */
    static int worstWindow(List<Long> arrivals) {
        int worst = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            int count = 0;
            for (int j = i; j < arrivals.size() && arrivals.get(j) < arrivals.get(i) + 1000; j++) {
                count++;
            }
            worst = Math.max(worst, count);
        }
        return worst;
    }

}
