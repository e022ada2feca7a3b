package com.mailreachgateway.account;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a raw query string strictly: only known parameter names, each at most once, every
 * piece {@code name=value} percent-encoded in UTF-8. Unknown body fields are refused, so unknown
 * query parameters are too: a misspelt {@code ?dryrun=true} must never turn a preview into a write.
 */
final class QueryParameters {

    /** The one parameter of an update. */
    static final String DRY_RUN = "dry_run";

    private final Map<String, String> values;

    private QueryParameters(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code rawQuery} (still percent-encoded, may be {@code null}) against the names
     * allowed; a bare name ({@code ?dry_run}) has a {@code null} value.
     */
    static QueryParameters parse(String rawQuery, Set<String> allowed) {
        Map<String, String> values = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String piece : rawQuery.split("&", -1)) {
                int equals = piece.indexOf('=');
                String name = decode((equals < 0) ? piece : piece.substring(0, equals));
                String value = (equals < 0) ? null : decode(piece.substring(equals + 1));
                if (name == null || (equals >= 0 && value == null)) {
                    errors.add(new FieldError("query", "is not valid percent-encoded UTF-8"));
                }
                else if (name.isEmpty()) {
                    errors.add(new FieldError("query", "has a parameter without a name"));
                }
                else if (!allowed.contains(name)) {
                    errors.add(new FieldError(FieldError.shown(name), allowed.isEmpty()
                            ? "is not a query parameter of this request: it takes none"
                            : "is not a query parameter of this request (known: " + String.join(", ", allowed) + ")"));
                }
                else if (values.containsKey(name)) {
                    errors.add(new FieldError(name, "must be given at most once"));
                }
                else {
                    values.put(name, value);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors.stream().distinct().toList());
        }
        return new QueryParameters(values);
    }

    /**
     * {@code dry_run}: absent or {@code false} is a real update, {@code true} a preview, anything
     * else (bare, empty, {@code 1}, {@code TRUE}) is refused rather than guessed.
     */
    boolean dryRun() {
        if (!this.values.containsKey(DRY_RUN)) {
            return false;
        }
        String value = this.values.get(DRY_RUN);
        if ("true".equals(value)) {
            return true;
        }
        if ("false".equals(value)) {
            return false;
        }
        throw new InvalidRequestException(DRY_RUN, "must be exactly true or false");
    }

    // Character.digit would accept fullwidth and other Unicode digits
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    }

    /** Strict percent-decoding; {@code null} when an escape or the UTF-8 it spells is invalid. */
    private static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = (i + 2 < raw.length()) ? hex(raw.charAt(i + 1)) : -1;
                int low = (i + 2 < raw.length()) ? hex(raw.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    return null;
                }
                bytes.write(high * 16 + low);
                i += 2;
            }
            else if (c > 0x7e || c <= 0x20) {
                // a raw space, control or non-ASCII character is not a valid query (RFC 3986)
                return null;
            }
            else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes.toByteArray()))
                .toString();
        }
        catch (CharacterCodingException ex) {
            return null;
        }
    }

}
