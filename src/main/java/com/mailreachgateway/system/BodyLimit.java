package com.mailreachgateway.system;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * The largest request body the gateway reads, as callers are told it: its one home is
 * {@code spring.http.codecs.max-in-memory-size}, which the codecs enforce.
 */
@Component
class BodyLimit {

    private final String text;

    BodyLimit(@Value("${spring.http.codecs.max-in-memory-size}") DataSize max) {
        this.text = text(max);
    }

    /** The limit in words, e.g. {@code 64 KiB}. */
    String text() {
        return this.text;
    }

    static String text(DataSize max) {
        long bytes = max.toBytes();
        return (bytes % 1024 == 0) ? (bytes / 1024) + " KiB" : bytes + " bytes";
    }

}
