package com.mailreachgateway.state;

/** Thrown to a caller whose wait for a shared account load ran out; the load itself goes on. */
public final class LoadTimeoutException extends RuntimeException {

    LoadTimeoutException() {
        super("account load not finished in time", null, false, false);
    }

}
