package com.mailreachgateway.account;

/**
 * One reason a request is invalid, as rendered in a problem's {@code errors} list.
 *
 * @param field the JSON field (or {@code id}, {@code body}, a query parameter)
 * @param message what is wrong with it
 */
record FieldError(String field, String message) {

    /** Longest client-chosen name echoed back; a longer one is cut, so an error stays small. */
    static final int MAX_SHOWN_NAME = 64;

    /** A client-chosen name (unknown key or parameter) as it may be echoed in an error. */
    static String shown(String name) {
        return (name.length() <= MAX_SHOWN_NAME) ? name : name.substring(0, MAX_SHOWN_NAME) + "...";
    }

}
