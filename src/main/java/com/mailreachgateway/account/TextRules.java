package com.mailreachgateway.account;

/**
 * What a string field may contain: no C0 or C1 control character (multi-line fields, such as
 * {@code desc} and {@code signature}, may keep tab, line feed and carriage return), no unpaired
 * surrogate (a JSON {@code "\ud800"} escape decodes to one), and no line or paragraph separator
 * in a single-line field. Such characters break logs, headers and MailReach's own storage.
 */
final class TextRules {

    private TextRules() {
    }

    /** Why {@code text} is refused, or {@code null} when it is acceptable. */
    static String problem(String text, boolean lineBreaksAllowed) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return "contains an unpaired surrogate (U+" + hex(c) + ") at index " + i;
            }
            else if (lineBreaksAllowed && (c == '\t' || c == '\n' || c == '\r')) {
                continue;
            }
            else if (Character.isISOControl(c)) {
                return "contains the control character U+" + hex(c) + " at index " + i
                        + (lineBreaksAllowed ? " (only tab, line feed and carriage return are allowed)" : "");
            }
            else if (!lineBreaksAllowed && (c == '\u2028' || c == '\u2029')) {
                return "contains a line break (U+" + hex(c) + ") at index " + i;
            }
        }
        return null;
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

}
