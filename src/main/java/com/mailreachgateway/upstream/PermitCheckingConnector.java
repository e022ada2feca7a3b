package com.mailreachgateway.upstream;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.netty.channel.EventLoop;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientRequest;
import reactor.util.context.ContextView;

import com.mailreachgateway.system.Ticker;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * Spends an attempt's {@link Permit} where MailReach's budget is kept: at the write. Once the
 * connection is ready, the request waits on the connection's event loop for its permit's slot, and
 * in the task that then writes it checks that the permit is still good; only then is the attempt
 * marked written (from there on, an attempt without an answer is in doubt). A permit whose moment
 * passed while the event loop was busy elsewhere is spent unused: nothing is written, the attempt
 * fails with {@link PermitExpiredException}, and its call takes a fresh permit. Requests carrying no
 * permit (none but MailReach calls do) are written as they come.
 */
final class PermitCheckingConnector implements ClientHttpConnector {

    /** Reactor context key of the {@link Permit} an attempt spends. */
    static final String PERMIT = PermitCheckingConnector.class.getName() + ".permit";

    /** Reactor context key of a flag set once an attempt's request is being written. */
    static final String WRITTEN = PermitCheckingConnector.class.getName() + ".written";

    private final ClientHttpConnector delegate;

    private final Ticker ticker;

    PermitCheckingConnector(ClientHttpConnector delegate, Ticker ticker) {
        this.delegate = delegate;
        this.ticker = ticker;
    }

    @Override
    public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
            Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        return this.delegate.connect(method, uri, (request) -> {
            Object nativeObject = request.getNativeRequest();
            ContextView context = (nativeObject instanceof HttpClientRequest nativeRequest)
                    ? nativeRequest.currentContextView() : reactor.util.context.Context.empty();
            Permit permit = context.getOrDefault(PERMIT, null);
            AtomicBoolean written = context.getOrDefault(WRITTEN, null);
            if (permit == null) {
                return write(request, requestCallback, written);
            }
            long early = permit.earliest() - this.ticker.read();
            if (early <= 0 || !(nativeObject instanceof Connection connection)) {
                return spend(permit, request, requestCallback, written);
            }
            EventLoop loop = connection.channel().eventLoop();
            return Mono.<Void>create((sink) -> loop.schedule(() -> sink.success(), early, TimeUnit.NANOSECONDS))
                .then(Mono.defer(() -> spend(permit, request, requestCallback, written)));
        });
    }

    /** Runs in the event-loop task that writes the request: the check and the write are one step. */
    private Mono<Void> spend(Permit permit, ClientHttpRequest request,
            Function<? super ClientHttpRequest, Mono<Void>> requestCallback, AtomicBoolean written) {
        if (!permit.spend(this.ticker.read())) {
            return Mono.error(PermitExpiredException.INSTANCE);
        }
        return write(request, requestCallback, written);
    }

    private static Mono<Void> write(ClientHttpRequest request,
            Function<? super ClientHttpRequest, Mono<Void>> requestCallback, AtomicBoolean written) {
        if (written != null) {
            written.set(true);
        }
        return requestCallback.apply(request);
    }

    /** Whether a failure is an attempt that was not written because its permit had expired. */
    static boolean expired(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof PermitExpiredException) {
                return true;
            }
        }
        return false;
    }

    /** An attempt's permit was no longer good when its request could be written; nothing was written. */
    static final class PermitExpiredException extends RuntimeException {

        static final PermitExpiredException INSTANCE = new PermitExpiredException();

        private PermitExpiredException() {
            super("permit expired before the request could be written", null, false, false);
        }

    }

}
