/**
 * The only door to MailReach: WebClient with timeouts and the company key, a rate limit,
 * retries with backoff and {@code Retry-After}, a circuit breaker and a deadline, and the
 * mapping of every upstream failure to a gateway error.
 */
package com.mailreachgateway.upstream;
