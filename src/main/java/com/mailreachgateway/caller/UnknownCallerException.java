package com.mailreachgateway.caller;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;

/** Thrown when a request carries no {@code X-Api-Key} or one that no caller holds. */
public class UnknownCallerException extends GatewayException {

    public UnknownCallerException(boolean missing) {
        super(ProblemType.UNAUTHENTICATED,
                missing ? "The X-Api-Key header is required." : "The X-Api-Key is not a known caller key.");
    }

}
