package com.mailreachgateway.account;

/**
 * One reason a request is invalid, as rendered in a problem's {@code errors} list.
 *
 * @param field the JSON field (or {@code id}, {@code body})
 * @param message what is wrong with it
 */
record FieldError(String field, String message) {
}
