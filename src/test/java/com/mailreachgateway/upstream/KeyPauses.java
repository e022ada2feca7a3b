package com.mailreachgateway.upstream;

/**
 * Test access to the local key pause: ends any pause and probe between tests (the production
 * interface has no such call; a pause ends by itself).
 */
public final class KeyPauses {

    private KeyPauses() {
    }

    /** A key that an earlier test's 429 no longer pauses; only the local pause (the shared one: redis tests). */
    public static void reset(KeyPause pause) {
        if (!(pause instanceof LocalKeyPause local)) {
            throw new IllegalArgumentException("Not the local key pause: " + pause.getClass().getName());
        }
        local.reset();
    }

}
