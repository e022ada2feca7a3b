package com.mailreachgateway.policy;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * MailReach's account-update contract, the one home of its facts: each field's name, JSON type,
 * documented integer range, whether it may hold line breaks, whether MailReach's answer shows it,
 * and what it means. The parser, the policy, the caller checks, the sandbox and the OpenAPI document
 * all read it. The fields are those of MailReach's reference page, plus {@code time_zone}, which its
 * own example sends; none is required, but an update names at least one.
 */
public final class UpdateFields {

    public static final String RAMPUP_TARGET = "config_rampup_target";

    public static final String RAMPUP_INCREASE = "config_rampup_increase";

    public static final String MAX_CONVERSATIONS = "config_max_conversation_running";

    public static final String DESC = "desc";

    public static final String FIRST_NAME = "first_name";

    public static final String LAST_NAME = "last_name";

    public static final String SIGNATURE = "signature";

    /** The fewest fields an update names: an empty one changes nothing and is refused. */
    public static final int MIN_FIELDS = 1;

    /** The fields, in the order of MailReach's reference page. */
    public static final List<Field> FIELDS = List.of(
            text("alias", Type.EMAIL, false, false,
                    "Switch to this OAuth alias (an email address listed for the account)", "john.doe@acme.com"),
            bool("alive", "true: warming may run; false: paused"),
            bool("autopilot", "MailReach picks the warming recipe"),
            integer(MAX_CONVERSATIONS, 0, 35, "Parallel warming conversations; capped by the caller's tier", 10),
            integer(RAMPUP_INCREASE, 0, 5, "Conversations added each day until the target; capped by tier", 2),
            integer(RAMPUP_TARGET, 3, 35, "Daily conversations once ramped up; capped by tier", 25),
            bool("config_smtp_append_after_sent", "Append sent messages to Sent over SMTP"),
            text(DESC, Type.TEXT, true, false, "Free-form description (length limit configurable)", null),
            text(FIRST_NAME, Type.TEXT, false, true, "Owner's first name (length limit configurable)", "John"),
            bool("imap_issue", "Flag an IMAP issue; switches the account to SMTP-only"),
            text(LAST_NAME, Type.TEXT, false, true, "Owner's last name (length limit configurable)", "Doe"),
            text(SIGNATURE, Type.HTML, true, true, "HTML signature (sanitised or refused by the policy)",
                    "Best,<br/>John Doe"),
            text("time_zone", Type.TIME_ZONE, false, true,
                    "IANA id (Europe/Paris) or Rails name (Paris); forwarded as IANA", "Paris"));

    private static final Map<String, Field> BY_NAME = FIELDS.stream()
        .collect(Collectors.toMap(Field::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));

    /** The names of the fields MailReach's update accepts. */
    public static final Set<String> ALL = Collections.unmodifiableSet(BY_NAME.keySet());

    private static final Set<String> RANGED = Collections.unmodifiableSet(FIELDS.stream()
        .filter((field) -> field.type() == Type.INTEGER)
        .map(Field::name)
        .collect(Collectors.<String, Set<String>>toCollection(LinkedHashSet::new)));

    private UpdateFields() {
    }

    /** The field of that name, or {@code null} when the update has none. */
    public static Field field(String name) {
        return BY_NAME.get(name);
    }

    /** The integer fields, the ones with a range. */
    public static Set<String> ranged() {
        return RANGED;
    }

    /** The smallest value of an integer field. */
    public static int min(String field) {
        return BY_NAME.get(field).min();
    }

    /** The largest value of an integer field. */
    public static int max(String field) {
        return BY_NAME.get(field).max();
    }

    /** The field a misspelt name most likely meant (at most three edits away), or {@code null}. */
    public static String nearest(String name) {
        String nearest = ALL.stream().min(Comparator.comparingInt((candidate) -> distance(candidate, name))).orElseThrow();
        return (distance(nearest, name) <= 3) ? nearest : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Field integer(String name, int min, int max, String description, int example) {
        return new Field(name, Type.INTEGER, min, max, false, true, description, example);
    }

    private static Field bool(String name, String description) {
        return new Field(name, Type.BOOLEAN, null, null, false, true, description, null);
    }

    private static Field text(String name, Type type, boolean multiLine, boolean echoed, String description,
            String example) {
        return new Field(name, type, null, null, multiLine, echoed, description, example);
    }

    /** JSON value kinds of the fields. */
    public enum Type {

        /** A JSON integer within the field's range (MailReach's {@code int32}). */
        INTEGER,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A string. */
        TEXT,
        /** A string of HTML, sanitised (or refused) by the policy's {@code signature-hygiene} rule. */
        HTML,
        /** A string holding an email address. */
        EMAIL,
        /** A string naming a time zone, IANA ({@code Europe/Paris}) or Rails ({@code Paris}). */
        TIME_ZONE

    }

    /**
     * One field of the update.
     *
     * @param name its JSON name
     * @param type its JSON value kind
     * @param min the smallest value of an integer field, else {@code null}
     * @param max the largest value of an integer field, else {@code null}
     * @param multiLine whether a string may hold tab, line feed and carriage return
     * @param echoed whether MailReach's account answer shows the field ({@code desc} and {@code alias}
     * it does not)
     * @param description what the field does, as the OpenAPI document tells it
     * @param example the value MailReach's documented example sends, or {@code null}
     */
    public record Field(String name, Type type, Integer min, Integer max, boolean multiLine, boolean echoed,
            String description, Object example) {
    }

}
