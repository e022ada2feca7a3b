package com.mailreachgateway.account;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.mailreachgateway.system.GatewayException;

import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Checks a request to the account API as it arrived (the id in the raw path, the query, the charset,
 * the body) and reports every bad part at once.
 */
@Component
class RequestChecks {

    private final AccountUpdateParser parser;

    RequestChecks(AccountUpdateParser parser) {
        this.parser = parser;
    }

    /** Checks an update: its id, its query, its charset and its body ({@code null} when it had none). */
    CheckedUpdate update(ServerHttpRequest request, byte[] body) {
        List<FieldError> errors = new ArrayList<>();
        Integer accountId = collect(errors, () -> AccountIds.fromRequest(request));
        Boolean dryRun = collect(errors,
                () -> QueryParameters.parse(request.getURI().getRawQuery(), Set.of(QueryParameters.DRY_RUN)).dryRun());
        AccountUpdate update = null;
        try {
            // The body is taken as bytes and decoded here, strictly: a String argument would have been
            // decoded with U+FFFD for invalid UTF-8, and in whatever charset the Content-Type named.
            requireUtf8(request);
            update = collect(errors, () -> this.parser.parse(body));
            if (!errors.isEmpty()) {
                throw new InvalidRequestException(errors);
            }
        }
        catch (GatewayException ex) {
            return new CheckedUpdate(accountId, dryRun, update, ex);
        }
        return new CheckedUpdate(accountId, dryRun, update, null);
    }

    /** Checks a read: its id, and that it has no query (throws with every error); its account id. */
    int read(ServerHttpRequest request) {
        List<FieldError> errors = new ArrayList<>();
        Integer accountId = collect(errors, () -> AccountIds.fromRequest(request));
        // A read takes no query parameter: dry_run means nothing to it, and a parameter that is
        // silently ignored lets a caller believe it did something.
        collect(errors, () -> QueryParameters.parse(request.getURI().getRawQuery(), Set.of()));
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return accountId;
    }

    /** The request's account id, {@code null} when it is invalid. */
    Integer accountIdOrNull(ServerHttpRequest request) {
        return collect(new ArrayList<>(), () -> AccountIds.fromRequest(request));
    }

    /** Runs one check, adding its errors to {@code errors}; {@code null} when it failed. */
    private static <T> T collect(List<FieldError> errors, Supplier<T> check) {
        try {
            return check.get();
        }
        catch (InvalidRequestException ex) {
            errors.addAll(ex.errors());
            return null;
        }
    }

    /** JSON is UTF-8 (RFC 8259): another declared charset is refused rather than guessed. */
    private static void requireUtf8(ServerHttpRequest request) {
        MediaType type = request.getHeaders().getContentType();
        String charset = (type != null) ? type.getParameter("charset") : null;
        if (charset == null) {
            return;
        }
        try {
            if (Charset.forName(unquote(charset))
                .equals(StandardCharsets.UTF_8)) {
                return;
            }
        }
        catch (IllegalArgumentException ex) {
            // an unknown or illegal charset name: refused below
        }
        throw new CharsetNotUtf8Exception();
    }

    private static String unquote(String value) {
        return (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""))
                ? value.substring(1, value.length() - 1) : value;
    }

    /**
     * An update as checked.
     *
     * @param accountId the account, {@code null} when the id was invalid
     * @param dryRun whether it asked for a preview, {@code null} when the query was invalid
     * @param update the parsed body, {@code null} when it did not parse
     * @param error why it is invalid, {@code null} when it is valid
     */
    record CheckedUpdate(Integer accountId, Boolean dryRun, AccountUpdate update, GatewayException error) {

        /** The fields the caller sent, for the record: empty when the body did not parse. */
        Map<String, Object> sent() {
            return (this.update != null) ? this.update.fields() : Map.of();
        }

    }

}
