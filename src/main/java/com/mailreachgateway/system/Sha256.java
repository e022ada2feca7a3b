package com.mailreachgateway.system;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one SHA-256 of the gateway (callers' keys, the policy's content and version): plain Java, so
 * that the policy may use it too.
 */
public final class Sha256 {

    private Sha256() {
    }

    /** The digest of the bytes. */
    public static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is required of every JVM", ex);
        }
    }

    /** The digest of the bytes as lower-case hex. */
    public static String hex(byte[] content) {
        return HexFormat.of().formatHex(digest(content));
    }

}
