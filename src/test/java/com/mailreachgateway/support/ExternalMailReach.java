package com.mailreachgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import static org.awaitility.Awaitility.await;

/**
 * WireMock playing MailReach in a process of its own, for tests that time MailReach's side of the
 * wire: in the test's JVM, the stand-in stamps a request only once its threads get the CPU from the
 * gateway and the callers under test (and their garbage collections), tens to hundreds of
 * milliseconds late on a busy machine, which makes calls written apart look as if they arrived
 * together. Its own JVM, with little to do, stamps them as they come.
 */
public final class ExternalMailReach implements AutoCloseable {

    private final Process process;

    private final int port;

    private final WireMock admin;

    private ExternalMailReach(Process process, int port) {
        this.process = process;
        this.port = port;
        this.admin = new WireMock("127.0.0.1", port);
    }

    /** Starts the stand-in and waits until it answers. */
    public static ExternalMailReach start() {
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        // Ahead of the processes under test where the machine allows it (a negative niceness needs the
        // right to set it; without it, nice runs the stand-in at the usual priority): MailReach is
        // another machine, whose clock does not wait for the gateway's CPU.
        List<String> command = List.of("nice", "-n", "-10", java, "-XX:+UseSerialGC", "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", jar(), "wiremock.Run", "--port", Integer.toString(port),
                "--bind-address", "127.0.0.1", "--container-threads", "40", "--disable-banner",
                "--disable-request-logging");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            ExternalMailReach stub = new ExternalMailReach(process, port);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                stub.admin.resetRequests();
                return true;
            });
            stub.warmUp();
            return stub;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A few hundred requests before any test, so that the stand-in's own first answers (its code
     * loading and compiling) do not stamp the test's first calls late.
     */
    private void warmUp() {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + this.port + "/api/v1/accounts/0");
        try {
            for (int i = 0; i < 300; i++) {
                http.send(java.net.http.HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(5))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.admin.resetRequests();
    }

    /** The base URL the gateway calls MailReach at. */
    public String apiUrl() {
        return "http://127.0.0.1:" + this.port + "/api";
    }

    public void stubFor(MappingBuilder mapping) {
        this.admin.register(mapping);
    }

    public void resetRequests() {
        this.admin.resetRequests();
    }

    /** Arrival times (ms, this machine's clock) of every request to an account path, in arrival order. */
    public List<Long> arrivals() {
        List<ServeEvent> events = new ArrayList<>(this.admin.getServeEvents());
        // Newest first in the journal.
        Collections.reverse(events);
        return events.stream()
            .map(ServeEvent::getRequest)
            .filter((request) -> request.getUrl().startsWith("/api/v1/accounts/"))
            .map((request) -> request.getLoggedDate().getTime())
            .toList();
    }

    @Override
    public void close() {
        this.process.destroyForcibly();
    }

    private static String jar() {
        try {
            return Path.of(WireMockServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
