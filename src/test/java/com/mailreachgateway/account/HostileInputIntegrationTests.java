package com.mailreachgateway.account;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import com.mailreachgateway.support.RawHttp;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every class of hostile request (ids, query, bodies, strings, limits, signatures, headers,
 * methods, protocol, log forging) is refused with a 4xx before anything reaches MailReach. The
 * cases are one line each in {@code hostile/requests.tsv}, sent over a raw socket so that no
 * client library normalises them first. Signature hygiene runs in reject mode here, so a hostile
 * signature is a 422 and not a sanitised forward.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestPropertySource(properties = { "gateway.policy.rules.signature-hygiene.mode=reject",
        "server.netty.idle-timeout=1s" })
class HostileInputIntegrationTests extends GatewayIntegrationTestSupport {

    private static final Pattern REPEAT = Pattern.compile("\\{\\{(\\d+)\\*([^}]*)}}");

    /** Nothing of this may appear in any answer. */
    private static final List<String> LEAKS = List.of("Exception", "\tat ", "at com.", "at org.", "java.", "tools.jackson",
            "reactor.", "io.netty", "springframework", "mailreachgateway.", MAILREACH_KEY, CRM_KEY, "<!DOCTYPE",
            "Whitelabel", "\"trace\"");

    @LocalServerPort
    int port;

    static Stream<Arguments> hostileRequests() throws IOException {
        try (InputStream in = HostileInputIntegrationTests.class.getResourceAsStream("/hostile/requests.tsv")) {
            List<Arguments> cases = new ArrayList<>();
            int line = 0;
            for (String row : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line++;
                if (row.isBlank() || row.startsWith("#")) {
                    continue;
                }
                String[] c = row.split("\t", -1);
                assertThat(c).as("line %d", line).hasSize(7);
                cases.add(Arguments.of(line, c[0], c[1], c[2], c[3], c[4], c[5], c[6]));
            }
            return cases.stream();
        }
    }

    @Order(1)
    @ParameterizedTest(name = "[{0}] {1}: {2} {3}")
    @MethodSource("hostileRequests")
    void hostileRequestIsRefusedWith4xxAndNothingReachesMailReach(int line, String kind, String method, String target,
            String headers, String body, String status, String field) throws IOException {
        RawHttp.Response response = RawHttp.exchange(this.port, request(method, target, headers, body));

        assertThat(response.status()).as("status; answer was:%n%s", response.raw()).isBetween(400, 499);
        if (!status.equals("4xx")) {
            assertThat(response.status()).as("status; answer was:%n%s", response.raw()).isEqualTo(Integer.parseInt(status));
        }
        String text = response.bodyText();
        assertThat(text).as("an HTML error page").doesNotStartWith("<");
        if (!text.isEmpty()) {
            assertThat(response.header("Content-Type")).as("body of %s", text).startsWith("application/problem+json");
            assertThat(text).contains("\"type\":\"https://mailreach-gateway.internal/problems/");
        }
        for (String leak : LEAKS) {
            assertThat(text).as("answer body").doesNotContainIgnoringCase(leak);
        }
        if (!field.equals("-")) {
            assertThat(text).contains("\"field\":\"" + field + "\"");
        }
        if (kind.equals("protocol")) {
            assertThat(response.closed()).as("connection closed after a framing error").isTrue();
        }
        assertThat(mailReach.getAllServeEvents()).as("requests that reached MailReach").isEmpty();
    }

    @Order(2)
    @Test
    void clientThatNeverFinishesItsHeadersIsCutWhileOthersAreServed() throws IOException {
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
            slow.setSoTimeout(10_000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /api/v1/accounts/4246 HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: " + CRM_KEY + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();

            // Meanwhile another client is served as usual.
            RawHttp.Response other = RawHttp.exchange(this.port, request("GET", "/nope", "$KEY", "-"));
            assertThat(other.status()).isEqualTo(404);

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            assertThat(RawHttp.readUntilClosed(slow.getInputStream(), received)).as("slow client cut").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        }
        assertThat(mailReach.getAllServeEvents()).isEmpty();
    }

    @Order(3)
    @Test
    void requestIdThatCouldBreakALogLineIsReplacedAndNeverLogged(CapturedOutput output) throws IOException {
        String bad = "evil\u00e9id-" + "x".repeat(10);
        String tooLong = "a".repeat(129);
        for (String given : List.of(bad, tooLong, "a b", "<script>", "id\"quote")) {
            RawHttp.Response response = RawHttp.exchange(this.port, request("GET", "/api/v1/accounts/4247", "X-Request-Id: "
                    + new String(given.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), "-"));
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("X-Request-Id")).matches("[A-Za-z0-9._:-]{1,128}").isNotEqualTo(given);
        }
        RawHttp.Response ok = RawHttp.exchange(this.port,
                request("GET", "/api/v1/accounts/4247", "X-Request-Id: " + "b".repeat(128), "-"));
        assertThat(ok.header("X-Request-Id")).isEqualTo("b".repeat(128));
        assertThat(output.getAll()).doesNotContain("evil", tooLong, "<script>");
    }

    @Order(4)
    @Test
    void afterTheHostileRequestsAGoodUpdateSucceedsAndNoLogLineIsForged(CapturedOutput output) throws IOException {
        int id = 4248;
        String desc = "line one\\nupdate caller=admin account=1 outcome=forwarded status=200\\r\\nsecond";
        mailReach.stubFor(post(urlEqualTo(upstreamPath(id))).willReturn(okJson(account(id))));
        // a newline where one is refused, then one where it is allowed and then logged
        RawHttp.exchange(this.port, request("POST", "/api/v1/accounts/" + id, "$KEY | $JSON",
                "{\"first_name\": \"Ann\\nupdate caller=admin account=2 outcome=forwarded\"}"));
        RawHttp.Response response = RawHttp.exchange(this.port,
                request("POST", "/api/v1/accounts/" + id, "$KEY | $JSON", "{\"desc\": \"" + desc + "\"}"));

        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        // at least once: a slow first answer from the stub may be retried, with the same body
        mailReach.verify(moreThanOrExactly(1), postRequestedFor(urlEqualTo(upstreamPath(id)))
            .withRequestBody(equalToJson("{\"desc\": \"" + desc + "\"}")));
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(output.getAll()).contains("update caller=crm account=" + id));
        List<String> lines = output.getAll().lines().toList();
        assertThat(lines).noneMatch((l) -> l.contains("caller=admin") && !l.contains("caller=crm"));
        assertThat(lines).noneMatch((l) -> l.startsWith("second") || l.startsWith("update caller="));
        assertThat(lines).anyMatch((l) -> l.contains("update caller=crm account=" + id)
                && l.contains("line one\\nupdate caller=admin"));
    }

    /** The raw request for one case: macros expanded, Host, Content-Length and Connection added. */
    static byte[] request(String method, String target, String headers, String body) {
        List<String> lines = new ArrayList<>();
        boolean framing = false;
        boolean connection = false;
        if (!headers.equals("-")) {
            for (String header : headers.split(" \\| ")) {
                String expanded = switch (header) {
                    case "$KEY" -> "X-Api-Key: " + CRM_KEY;
                    case "$JSON" -> "Content-Type: application/json";
                    default -> header;
                };
                String name = expanded.toLowerCase(Locale.ROOT);
                framing |= name.startsWith("content-length:") || name.startsWith("transfer-encoding:");
                connection |= name.startsWith("connection:");
                lines.add(expanded);
            }
        }
        byte[] content = body.equals("-") ? new byte[0] : expand(body);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeAscii(out, method + " ");
        out.writeBytes(expand(target));
        writeAscii(out, " HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : lines) {
            out.writeBytes(expand(line));
            writeAscii(out, "\r\n");
        }
        if (!framing && !body.equals("-")) {
            writeAscii(out, "Content-Length: " + content.length + "\r\n");
        }
        if (!connection) {
            writeAscii(out, "Connection: close\r\n");
        }
        writeAscii(out, "\r\n");
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** {@code {{N*text}}} repeated, {@code \xHH} as a raw byte, everything else as UTF-8. */
    static byte[] expand(String text) {
        Matcher repeat = REPEAT.matcher(text);
        StringBuilder repeated = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(repeated, Matcher.quoteReplacement(repeat.group(2).repeat(Integer.parseInt(repeat.group(1)))));
        }
        repeat.appendTail(repeated);
        String expanded = repeated.toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(expanded.length());
        for (int i = 0; i < expanded.length(); i++) {
            if (expanded.startsWith("\\x", i) && i + 4 <= expanded.length()) {
                out.write(Integer.parseInt(expanded.substring(i + 2, i + 4), 16));
                i += 3;
            }
            else {
                int end = expanded.indexOf("\\x", i + 1);
                String plain = expanded.substring(i, (end < 0) ? expanded.length() : end);
                out.writeBytes(plain.getBytes(StandardCharsets.UTF_8));
                i += plain.length() - 1;
            }
        }
        return out.toByteArray();
    }

    private static void writeAscii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

}
