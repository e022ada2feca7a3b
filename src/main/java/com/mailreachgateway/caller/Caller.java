package com.mailreachgateway.caller;

import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param name the caller's configured name (a metric tag and audit field)
 * @param tier the caller's tier, or {@code null} to use the policy's default
 * @param allowedFields the update fields it may change, or {@code null} for all
 */
public record Caller(String name, String tier, Set<String> allowedFields) {
}
