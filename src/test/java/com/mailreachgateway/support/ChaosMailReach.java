package com.mailreachgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A MailReach stand-in on loopback that misbehaves at random, the way real APIs do, and remembers
 * what it applied: 5xx, 429 storms, connections dropped (with or without applying the update), and
 * answers slower than the gateway's attempt time, some applied before answering and some applied
 * late. Each account's {@code desc} holds the update's sequence number, so the order of writes and
 * the final state can be checked.
 */
public final class ChaosMailReach implements AutoCloseable {

    private static final Pattern PATH = Pattern.compile("/api/v1/accounts/(\\d+)");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;

    // A thread per request, so none waits for a worker: MailReach applies a late attempt a fixed
    // time after it arrived, well inside the gateway's settle window, never whenever a worker frees up.
    private final ExecutorService workers = Executors.newCachedThreadPool();

    private final Random random;

    private final Duration slow;

    /** Each account's applied writes, in the order they took effect. */
    private final Map<Integer, List<Write>> writes = new ConcurrentHashMap<>();

    /** Arrival time (nanoTime) of every request. */
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();

    /** MailReach's documented account, read once (the test base's copy would start its WireMock). */
    private final ObjectNode seed;

    /** Requests being handled (some sleeping before they apply late). */
    private final AtomicInteger inFlight = new AtomicInteger();

    private volatile boolean calm = true;

    private volatile long stormUntil;

    private volatile long firstStormAnswer;

    public ChaosMailReach(long seed, Duration slow) throws IOException {
        this.random = new Random(seed);
        try (InputStream in = ChaosMailReach.class.getResourceAsStream("/sandbox/account-1234.json")) {
            this.seed = (ObjectNode) JSON.readTree(in.readAllBytes());
        }
        this.slow = slow;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        this.server.setExecutor(this.workers);
        this.server.createContext("/api/v1/accounts/", this::handle);
        this.server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/api";
    }

    /** Starts failing at random (a new stand-in answers every call well, for warming up). */
    public void unleash() {
        this.calm = false;
    }

    /** From now on, for {@code length}, every call is answered 429 with {@code Retry-After: 1}. */
    public void storm(Duration length) {
        this.firstStormAnswer = 0;
        this.stormUntil = System.nanoTime() + length.toNanos();
    }

    /** When the storm's first 429 was answered (nanoTime), 0 if none. */
    public long firstStormAnswer() {
        return this.firstStormAnswer;
    }

    public long stormUntil() {
        return this.stormUntil;
    }

    public List<Long> arrivals() {
        return new ArrayList<>(this.arrivals);
    }

    /** The writes that took effect on one account, oldest first ({@code desc} values). */
    public List<String> applied(int id) {
        return writes(id).stream().map(Write::desc).toList();
    }

    /**
     * The writes that took effect on one account, oldest first, with when their request arrived here
     * and when they took effect: enough to tell, when an order check fails, which write came late.
     */
    public List<Write> writes(int id) {
        return new ArrayList<>(this.writes.getOrDefault(id, List.of()));
    }

    /** How many requests are being handled: none means no write can still take effect. */
    public int inFlight() {
        return this.inFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        this.inFlight.incrementAndGet();
        try {
            answer(exchange);
        }
        finally {
            this.inFlight.decrementAndGet();
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        this.arrivals.add(now);
        Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
        if (!path.matches()) {
            respond(exchange, 404, "{\"message\":\"not found\"}");
            return;
        }
        int id = Integer.parseInt(path.group(1));
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (now - this.stormUntil < 0) {
            if (this.firstStormAnswer == 0) {
                this.firstStormAnswer = System.nanoTime();
            }
            exchange.getResponseHeaders().set("Retry-After", "1");
            respond(exchange, 429, "{\"message\":\"slow down\"}");
            return;
        }
        if ("GET".equals(exchange.getRequestMethod())) {
            respond(exchange, 200, account(id));
            return;
        }
        String desc = JSON.readTree(body).path("desc").asString();
        int roll = 100;
        if (!this.calm) {
            synchronized (this.random) {
                roll = this.random.nextInt(100);
            }
        }
        try {
            if (roll < 10) {
                respond(exchange, 503, "{\"message\":\"unavailable\"}");
            }
            else if (roll < 13) {
                exchange.getResponseHeaders().set("Retry-After", "1");
                respond(exchange, 429, "{\"message\":\"slow down\"}");
            }
            else if (roll < 16) {
                exchange.close();
            }
            else if (roll < 19) {
                apply(id, desc, now, roll);
                exchange.close();
            }
            else if (roll < 26) {
                apply(id, desc, now, roll);
                sleep(this.slow);
                respond(exchange, 200, account(id));
            }
            else if (roll < 33) {
                sleep(this.slow);
                apply(id, desc, now, roll);
                respond(exchange, 200, account(id));
            }
            else {
                apply(id, desc, now, roll);
                respond(exchange, 200, account(id));
            }
        }
        catch (IOException ex) {
            // the gateway gave up on this attempt and closed the connection: MailReach does not care
        }
    }

    private void apply(int id, String desc, long arrived, int roll) {
        this.writes.computeIfAbsent(id, (key) -> new CopyOnWriteArrayList<>())
            .add(new Write(desc, arrived, System.nanoTime(), roll));
    }

    private String account(int id) {
        List<Write> applied = this.writes.getOrDefault(id, List.of());
        String desc = applied.isEmpty() ? "" : applied.get(applied.size() - 1).desc();
        ObjectNode account = this.seed.deepCopy();
        account.put("id", id);
        account.put("desc", desc);
        return JSON.writeValueAsString(account);
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One write that took effect.
     *
     * @param desc the update's {@code desc}
     * @param arrived when its request arrived here ({@link System#nanoTime()})
     * @param applied when it took effect
     * @param roll the dice that chose how this request was answered (33 and above: at once)
     */
    public record Write(String desc, long arrived, long applied, int roll) {
    }

    @Override
    public void close() {
        this.server.stop(0);
        this.workers.shutdownNow();
        try {
            this.workers.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
