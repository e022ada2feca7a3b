package com.mailreachgateway.upstream;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decides whether a 2xx body from MailReach is the account that was asked for: one well-formed
 * JSON object whose top-level {@code id} is the path's id, as an integer (MailReach's documented
 * {@code int32}) or as its decimal string. Nothing else is required, since MailReach may leave
 * fields out; anything else (another account, an object without an id, an array, trailing text)
 * is not an answer to forward or cache. Read as tokens, without building a tree: a large body
 * costs one pass and no copy.
 */
final class AccountAnswer {

    private AccountAnswer() {
    }

    /**
     * Why {@code json} is not account {@code id}, in a few words for a problem's detail; {@code null}
     * when it is. Read with the application's {@code mapper}.
     */
    static String whyNot(JsonMapper mapper, byte[] json, int id) {
        try (JsonParser parser = mapper.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "a body that is not a JSON object";
            }
            Boolean same = null;
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                boolean isId = "id".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (!isId) {
                    parser.skipChildren();
                }
                else if (same != null) {
                    return "a body with two ids";
                }
                else {
                    same = isId(parser, value, id);
                }
            }
            if (parser.nextToken() != null) {
                return "a body with more after its JSON object";
            }
            if (same == null) {
                return "a JSON object without an account id";
            }
            return same ? null : "an account other than " + id;
        }
        catch (JacksonException ex) {
            return "a body that is not well-formed JSON";
        }
    }

    private static boolean isId(JsonParser parser, JsonToken value, int id) {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return parser.getNumberType() == JsonParser.NumberType.INT && parser.getIntValue() == id;
        }
        if (value == JsonToken.VALUE_STRING) {
            return Integer.toString(id).equals(parser.getString());
        }
        parser.skipChildren();
        return false;
    }

}
