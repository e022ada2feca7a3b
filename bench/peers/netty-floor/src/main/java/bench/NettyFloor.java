package bench;

import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The least a proxy of MailReach's account endpoints can do on Reactor Netty: read the body,
 * forward it with the company key over a pooled connection, write the answer back. No Spring, no
 * validation, no policy, no logging, no metrics: what every Reactor Netty gateway pays before it
 * does anything of its own. Listens on 127.0.0.1:$BENCH_PORT, forwards to $BENCH_UPSTREAM_URL.
 */
public final class NettyFloor {

    private NettyFloor() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(System.getenv("BENCH_PORT"));
        String key = System.getenv().getOrDefault("BENCH_API_KEY", "");
        HttpClient upstream = HttpClient.create(ConnectionProvider.builder("upstream").maxConnections(500).build())
            .baseUrl(System.getenv("BENCH_UPSTREAM_URL"))
            .headers((headers) -> headers.set("X-Api-Key", key));
        HttpServer.create()
            .host("127.0.0.1")
            .port(port)
            .route((routes) -> routes
                .get("/api/v1/accounts/{id}", (request, response) -> upstream.get()
                    .uri("/api/v1/accounts/" + request.param("id"))
                    .responseSingle((answer, body) -> body.asByteArray())
                    .flatMap((json) -> response.header("Content-Type", "application/json")
                        .sendByteArray(Mono.just(json))
                        .then()))
                .post("/api/v1/accounts/{id}", (request, response) -> request.receive()
                    .aggregate()
                    .asByteArray()
                    .flatMap((update) -> upstream.post()
                        .uri("/api/v1/accounts/" + request.param("id"))
                        .send((sent, out) -> out.sendByteArray(Mono.just(update)))
                        .responseSingle((answer, body) -> body.asByteArray()))
                    .flatMap((json) -> response.header("Content-Type", "application/json")
                        .sendByteArray(Mono.just(json))
                        .then())))
            .bindNow()
            .onDispose()
            .block();
    }

}
