package com.mailreachgateway.account;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.mailreachgateway.caller.Caller;
import com.mailreachgateway.policy.AccountFacts;
import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.policy.PolicyEngine;
import com.mailreachgateway.policy.PolicyRequest;
import com.mailreachgateway.system.Ticker;
import com.mailreachgateway.upstream.AccountFactsReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Primes the request path before the gateway reports itself ready, without calling MailReach:
 * Boot turns readiness UP only after the application runners have run. It parses, validates,
 * decides and renders sample updates in process, and sends requests that the gateway refuses
 * itself through the real server stack with the gateway's own outbound client, so that class loading and the first compilations do not
 * stall an event loop under the first real requests (two updates of one account sent 120 ms
 * apart could otherwise reach its lane in reverse order).
 */
@Component
class RequestPathWarmup implements ApplicationRunner {

    private static final Logger logger = LoggerFactory.getLogger(RequestPathWarmup.class);

    private static final int IN_PROCESS_ROUNDS = 300;

    private static final int HTTP_ROUNDS = 40;

    private static final String SAMPLE = """
            {"alive": true, "autopilot": false, "config_max_conversation_running": 12,
             "config_rampup_increase": 2, "config_rampup_target": 25, "config_smtp_append_after_sent": true,
             "desc": "Primary sales mailbox", "first_name": "John", "last_name": "Doe", "imap_issue": false,
             "alias": "john.doe@acme.com", "time_zone": "Paris",
             "signature": "<p>John Doe<br><a href=\\"https://acme.com\\">Acme</a><script>x()</script></p>"}""";

    private final AccountUpdateParser parser;

    private final PolicyEngine policy;

    private final ApplicationContext context;

    private final ApplicationAvailability availability;

    private final ClientHttpConnector connector;

    private final AccountFactsReader factsReader;

    private final UpdatePreview preview;

    private final Ticker ticker;

    private volatile Result result;

    RequestPathWarmup(AccountUpdateParser parser, PolicyEngine policy, AccountFactsReader factsReader,
            UpdatePreview preview, Ticker ticker, ApplicationContext context, ApplicationAvailability availability,
            ClientHttpConnector mailReachConnector) {
        this.connector = mailReachConnector;
        this.parser = parser;
        this.policy = policy;
        this.factsReader = factsReader;
        this.preview = preview;
        this.ticker = ticker;
        this.context = context;
        this.availability = availability;
    }

    @Override
    public void run(ApplicationArguments args) {
        long start = this.ticker.read();
        ReadinessState before = this.availability.getReadinessState();
        AccountFacts facts = this.factsReader.facts(sampleAccount());
        Caller caller = new Caller("warmup", null, null);
        for (int i = 0; i < IN_PROCESS_ROUNDS; i++) {
            AccountUpdate update = this.parser.parse(SAMPLE.getBytes(StandardCharsets.UTF_8));
            PolicyRequest request = new PolicyRequest(caller.name(), null, null, update.fields());
            Decision decision = this.policy.decide(request, facts);
            this.preview.render(caller, 1, decision);
            PolicyHeaders.adjusted(decision);
            UpdateAudit.redact(update.fields());
        }
        int served = serveThroughServer();
        this.result = new Result(before, served, Duration.ofNanos(this.ticker.read() - start));
        logger.info("Request path primed in {} ms ({} requests through the server) before accepting traffic",
                this.result.took().toMillis(), served);
    }

    /**
     * Requests the gateway answers itself (no caller key: 401), sent with the HTTP client the gateway
     * uses for MailReach, to its own port: Netty, filters, codecs and errors on the server side, and
     * the outbound client and its pool warmed without calling MailReach.
     */
    private int serveThroughServer() {
        if (!(this.context instanceof WebServerApplicationContext web) || web.getWebServer() == null
                || web.getWebServer().getPort() <= 0) {
            return 0;
        }
        WebClient self = WebClient.builder()
            .clientConnector(this.connector)
            .baseUrl("http://127.0.0.1:" + web.getWebServer().getPort() + "/api/v1/accounts/1")
            .build();
        int served = 0;
        try {
            for (int i = 0; i < HTTP_ROUNDS; i++) {
                self.post()
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(SAMPLE)
                    .exchangeToMono((response) -> response.releaseBody())
                    .block(Duration.ofSeconds(2));
                self.get().exchangeToMono((response) -> response.releaseBody()).block(Duration.ofSeconds(2));
                served += 2;
            }
        }
        catch (RuntimeException ex) {
            logger.warn("Priming through the server stopped early: {}", ex.toString());
        }
        return served;
    }

    private static byte[] sampleAccount() {
        try (InputStream in = RequestPathWarmup.class.getResourceAsStream("/sandbox/account-1234.json")) {
            return in.readAllBytes();
        }
        catch (IOException | NullPointerException ex) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What the last priming did, for tests and the start-up log; {@code null} before it ran. */
    Result result() {
        return this.result;
    }

    /**
     * One priming.
     *
     * @param readinessWhilePriming the readiness state while it ran
     * @param servedThroughServer requests sent through the server stack
     * @param took how long it took
     */
    record Result(ReadinessState readinessWhilePriming, int servedThroughServer, Duration took) {
    }

}
