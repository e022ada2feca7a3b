/**
 * Shared state for several replicas, through Redis ({@code gateway.redis.enabled}): the
 * MailReach budget (one sequence of slots, kept in Redis by a Lua script), the key's 429 pause,
 * and the fallback to each replica's local state while Redis is unreachable. The only package that
 * talks to Redis;
 * it implements seams that {@code upstream} defines ({@link com.mailreachgateway.upstream.PermitBucket},
 * {@link com.mailreachgateway.upstream.KeyPause}), so {@code upstream} stays the only place that knows
 * WebClient and Resilience4j, and nothing outside this package imports Lettuce.
 */
package com.mailreachgateway.redis;
