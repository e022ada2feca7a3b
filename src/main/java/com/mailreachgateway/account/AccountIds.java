package com.mailreachgateway.account;

import java.util.List;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Reads the account id from the raw last path segment, before any decoding or matrix-parameter
 * stripping, so that {@code 1234;x=1}, {@code %31234} or fullwidth digits can never be taken for
 * account 1234: the id is exactly ASCII {@code [1-9][0-9]*} within 1..2147483647.
 */
final class AccountIds {

    private static final String MESSAGE = "must be an integer between 1 and 2147483647, written in ASCII digits "
            + "without sign, leading zero, space, matrix parameter or encoding";

    private AccountIds() {
    }

    /** The id in the request's path as the client wrote it (the path pattern only matched it). */
    static int fromRequest(ServerHttpRequest request) {
        List<PathContainer.Element> elements = request.getPath().pathWithinApplication().elements();
        PathContainer.Element last = elements.isEmpty() ? null : elements.get(elements.size() - 1);
        // value() is the raw segment: still percent-encoded and with its ;matrix=parameters
        return parse((last instanceof PathContainer.PathSegment segment) ? segment.value() : "");
    }

    /** Parses a raw id; anything but {@code [1-9][0-9]*} up to 2147483647 is refused. */
    static int parse(String raw) {
        // Integer.parseInt accepts '+', '-' and every Unicode digit: check the characters first.
        if (raw == null || raw.isEmpty() || raw.length() > 10 || raw.charAt(0) < '1' || raw.charAt(0) > '9') {
            throw invalid();
        }
        long value = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid();
            }
            value = value * 10 + (c - '0');
        }
        if (value > Integer.MAX_VALUE) {
            throw invalid();
        }
        return (int) value;
    }

    private static InvalidRequestException invalid() {
        return new InvalidRequestException("id", MESSAGE);
    }

}
