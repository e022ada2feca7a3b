package com.mailreachgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.mailreachgateway.upstream.KeyPause;
import com.mailreachgateway.upstream.KeyPauses;
import org.junit.jupiter.api.BeforeEach;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Base of the integration tests: the whole gateway on a random port, talking over loopback to
 * a WireMock server that plays MailReach. One stub server serves every test class of the run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("test")
public abstract class GatewayIntegrationTestSupport {

    /** Caller keys from application-test.yaml. */
    public static final String CRM_KEY = "test-crm-key";

    public static final String OPS_KEY = "test-ops-key";

    public static final String SALES_KEY = "test-sales-key";

    /** The MailReach key the gateway must send. */
    public static final String MAILREACH_KEY = "test-mailreach-key";

    protected static final WireMockServer mailReach = new WireMockServer(
            WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(40));

    // Ids are never reused across tests, so cached state and lanes never leak between them.
    private static final AtomicInteger ids = new AtomicInteger(100_000);

    static {
        mailReach.start();
        Runtime.getRuntime().addShutdownHook(new Thread(mailReach::stop));
        warmUp(mailReach);
    }

    /**
     * The stub's own first answers in a JVM take hundreds of milliseconds (its classes load and
     * compile), longer than the test's 600 ms attempt time on a busy machine: a test that happened to
     * come first would see a timeout the gateway did not cause. A few answers before any test.
     */
    private static void warmUp(WireMockServer stub) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(2))
            .build();
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + stub.port() + "/warm-up");
        try {
            for (int i = 0; i < 50; i++) {
                http.send(java.net.http.HttpRequest.newBuilder(uri)
                    .timeout(java.time.Duration.ofSeconds(5))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException("the MailReach stub does not answer", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        stub.resetAll();
    }

    @DynamicPropertySource
    static void mailReachBaseUrl(DynamicPropertyRegistry registry) {
        // 127.0.0.1, not localhost: nothing to resolve on the way to the stub.
        registry.add("gateway.mailreach.base-url", () -> "http://127.0.0.1:" + mailReach.port() + "/api");
    }

    @Autowired
    protected WebTestClient client;

    @LocalServerPort
    private int port;

    /**
     * A client for callers that really run at the same time ({@link WebTestClient#exchange()} blocks
     * until its answer, so a loop of them runs one after another). Its pool has a connection per caller.
     */
    protected WebClient concurrentCallers() {
        return WebClient.builder()
            .baseUrl("http://127.0.0.1:" + this.port)
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(CALLER_CONNECTIONS)))
            .build();
    }

    private static final ConnectionProvider CALLER_CONNECTIONS = ConnectionProvider.builder("test-callers")
        .maxConnections(200)
        .build();

    @Autowired
    private KeyPause keyPause;

    /** A fresh MailReach stub, and a key that an earlier test's 429 no longer pauses. */
    @BeforeEach
    void resetMailReach() {
        mailReach.resetAll();
        KeyPauses.reset(this.keyPause);
    }

    /** {@code POST /api/v1/accounts/{id}} with a caller key and a JSON body. */
    protected WebTestClient.ResponseSpec update(Object id, String key, String body) {
        return this.client.post()
            .uri("/api/v1/accounts/{id}", id)
            .header("X-Api-Key", key)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange();
    }

    /** A fresh account id for one test. */
    protected static int newAccountId() {
        return ids.incrementAndGet();
    }

    /** MailReach's documented account JSON (the seed's example), with the given id. */
    public static String account(int id) {
        return seed().replace("\"id\": 1234", "\"id\": " + id);
    }

    /**
     * MailReach's answer for whichever account a request names: the seed's account with the id from
     * the request's path (WireMock's response templating), for a stub that serves many accounts. The
     * gateway refuses an answer about another account than the one it asked for.
     */
    public static ResponseDefinitionBuilder accountOfPath() {
        return WireMock.okJson(account(0).replace("\"id\": 0,", "\"id\": {{request.pathSegments.[3]}},"))
            .withTransformers("response-template");
    }

    /** The seed's account JSON with one top-level field replaced (raw JSON value). */
    public static String account(int id, String field, String jsonValue) {
        return account(id).replaceFirst("\"" + field + "\": [^,\\n]+", "\"" + field + "\": " + jsonValue);
    }

    public static String seed() {
        try (InputStream in = GatewayIntegrationTestSupport.class.getResourceAsStream("/sandbox/account-1234.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The path MailReach serves an account at, as the gateway calls it. */
    public static String upstreamPath(int id) {
        return "/api/v1/accounts/" + id;
    }

}
