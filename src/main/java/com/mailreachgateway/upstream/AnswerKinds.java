package com.mailreachgateway.upstream;

import java.util.concurrent.TimeoutException;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pure classification of what an attempt at MailReach met: the kind of a status, the kind of a
 * failure without one, and the error text MailReach gave.
 */
final class AnswerKinds {

    /** Why a 1xx or 3xx (e.g. a redirect to https: a wrong base URL) is not passed on. */
    static final String NOT_AN_API_STATUS = "a status MailReach's API does not answer";

    private AnswerKinds() {
    }

    /** The kind of an attempt MailReach answered with {@code status} (not 2xx). */
    static AttemptFailure.Kind ofStatus(int status) {
        if (status == 429) {
            return AttemptFailure.Kind.THROTTLED;
        }
        if (status == 401 || status == 403) {
            return AttemptFailure.Kind.AUTH_ERROR;
        }
        if (status >= 500) {
            return AttemptFailure.Kind.SERVER_ERROR;
        }
        if (status >= 400) {
            return AttemptFailure.Kind.CLIENT_ERROR;
        }
        // 1xx/3xx: not an answer the API documents (e.g. a redirect to https): the gateway's
        // base URL is wrong, which is not the caller's to handle.
        return AttemptFailure.Kind.BAD_RESPONSE;
    }

    /**
     * The kind of an attempt that ended without a status: not sent when its request was not
     * written, else a timeout or a lost connection.
     */
    static AttemptFailure.Kind withoutStatus(Throwable ex, boolean written) {
        if (!written) {
            return AttemptFailure.Kind.NOT_SENT;
        }
        if (hasCause(ex, TimeoutException.class) || hasCause(ex, io.netty.handler.timeout.ReadTimeoutException.class)) {
            return AttemptFailure.Kind.TIMEOUT;
        }
        return AttemptFailure.Kind.CONNECTION_LOST;
    }

    /**
     * The text for the caller of an attempt answered with {@code status} and {@code body}, read with
     * the application's {@code json} mapper.
     */
    static String upstreamMessage(JsonMapper json, AttemptFailure.Kind kind, String body, int status) {
        return (kind == AttemptFailure.Kind.BAD_RESPONSE) ? NOT_AN_API_STATUS : message(json, body, status);
    }

    /** MailReach's error text for the caller: its {@code message} or {@code error}, else the body. */
    static String message(JsonMapper json, String body, int status) {
        String text = body.strip();
        try {
            JsonNode node = json.readTree(text);
            for (String field : new String[] { "message", "error", "detail" }) {
                if (node != null && node.hasNonNull(field) && node.get(field).isString()) {
                    text = node.get(field).asString();
                    break;
                }
            }
        }
        catch (RuntimeException ex) {
            // not JSON: pass the text on
        }
        if (text.isEmpty()) {
            text = "MailReach answered HTTP " + status + ".";
        }
        return (text.length() > 500) ? text.substring(0, 500) : text;
    }

    static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

}
