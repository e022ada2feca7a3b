package com.mailreachgateway.system;

/**
 * Escapes what could end or forge a log line: CR, LF and every other C0/C1 control character,
 * and the Unicode line and paragraph separators, become visible {@code \n}, {@code \r},
 * {@code \t} or {@code \}{@code uXXXX}. Applied by the log converters to every message, so a
 * user-supplied value can never start a second, forged line, whichever code logged it.
 */
public final class LogEscaping {

    private LogEscaping() {
    }

    /** {@code text} with line-breaking and control characters escaped; the same object if none. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = firstToEscape(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int firstToEscape(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (needsEscape(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean needsEscape(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

}
