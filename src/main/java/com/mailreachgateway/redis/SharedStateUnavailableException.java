package com.mailreachgateway.redis;

import java.time.Duration;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

/**
 * Redis is unreachable and {@code gateway.redis.on-failure} is {@code refuse}: the gateway cannot
 * keep the replicas' shared budget, so it sends nothing to MailReach.
 */
public final class SharedStateUnavailableException extends GatewayException {

    SharedStateUnavailableException(Duration retryAfter) {
        super(ProblemType.SHARED_STATE_UNAVAILABLE, "The replicas' shared state (Redis) is unreachable; "
                + "nothing was sent to MailReach, so nothing was applied. Try again after Retry-After.");
        retryAfter(retryAfter);
    }

}
