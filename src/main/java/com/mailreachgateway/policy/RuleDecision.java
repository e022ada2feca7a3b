package com.mailreachgateway.policy;

/**
 * One rule's decision about one field of an update (or about the whole update when
 * {@code field} is {@code null}).
 *
 * @param rule the rule's name, e.g. {@code tier-cap}
 * @param action what the rule did
 * @param field the MailReach field concerned, or {@code null}
 * @param requested the value the caller sent, or {@code null}
 * @param forwarded the value that would be forwarded, or {@code null} when nothing is
 * @param limit the limit the rule applied, as text, or {@code null}
 * @param reason one sentence a caller can read
 */
public record RuleDecision(String rule, Action action, String field, Object requested, Object forwarded,
        String limit, String reason) {

    /** What a rule did. */
    public enum Action {

        /** Nothing to change. */
        PASS,
        /** Forwarded at the limit instead of the requested value. */
        CLAMP,
        /** Forwarded after cleaning (e.g. signature HTML). */
        SANITIZE,
        /** The update is refused (422). */
        REJECT,
        /** The caller may not change this field (403). */
        FORBID;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

    }

}
