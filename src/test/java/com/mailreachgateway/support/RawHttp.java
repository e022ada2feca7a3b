package com.mailreachgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket, for requests no well-behaved client would send
 * (raw paths, conflicting framing headers, invalid bytes). Every read has a timeout.
 */
public final class RawHttp {

    private static final int TIMEOUT_MILLIS = 5000;

    private RawHttp() {
    }

    /** One answer: status 0 when the server closed without answering. */
    public record Response(int status, Map<String, String> headers, byte[] body, boolean closed, String raw) {

        public String bodyText() {
            return new String(this.body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return this.headers.get(name.toLowerCase(Locale.ROOT));
        }

    }

    /** Sends {@code request} as is and reads until the server closes or the timeout passes. */
    public static Response exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean closed = readUntilClosed(socket.getInputStream(), received);
            return parse(received.toByteArray(), closed);
        }
    }

    /** Reads until end of stream; false when the timeout passed first. */
    public static boolean readUntilClosed(InputStream in, ByteArrayOutputStream received) throws IOException {
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                received.write(buffer, 0, n);
            }
            return true;
        }
        catch (SocketTimeoutException ex) {
            return false;
        }
        catch (java.net.SocketException ex) {
            // reset by the server: closed as well
            return true;
        }
    }

    static Response parse(byte[] bytes, boolean closed) {
        String raw = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/1.") || end < 0) {
            return new Response(0, Map.of(), new byte[0], closed, raw);
        }
        String[] lines = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        else if (headers.containsKey("content-length")) {
            rest = java.util.Arrays.copyOf(rest, Math.min(rest.length, Integer.parseInt(headers.get("content-length"))));
        }
        return new Response(status, headers, rest, closed, raw);
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String text = new String(chunked, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < text.length()) {
            int lineEnd = text.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(text.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, Math.min(size, chunked.length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    /**
     * One kept-alive connection: each request is written the moment the previous answer has been read
     * whole, as a client pool does. Every read has a timeout.
     */
    public static final class KeepAlive implements AutoCloseable {

        private final Socket socket;

        private final OutputStream out;

        private final InputStream in;

        public KeepAlive(int port) throws IOException {
            this.socket = new Socket();
            this.socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            this.socket.setSoTimeout(3000);
            this.socket.setTcpNoDelay(true);
            this.out = this.socket.getOutputStream();
            this.in = this.socket.getInputStream();
        }

        /** Writes one request and reads its whole answer (Content-Length or chunked); returns the status. */
        public int send(String request) throws IOException {
            this.out.write(request.getBytes(StandardCharsets.US_ASCII));
            this.out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = this.in.read();
                if (b < 0) {
                    throw new IOException("closed before an answer to " + request.lines().findFirst().orElse(""));
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            int length = headers.indexOf("content-length:");
            if (length >= 0) {
                this.in.readNBytes(Integer.parseInt(headers.substring(length + 15, headers.indexOf("\r\n", length)).trim()));
            }
            else if (headers.contains("transfer-encoding: chunked")) {
                readChunks();
            }
            return Integer.parseInt(headers.substring(9, 12));
        }

        private void readChunks() throws IOException {
            while (true) {
                StringBuilder size = new StringBuilder();
                for (int b = this.in.read(); b != '\n'; b = this.in.read()) {
                    if (b < 0) {
                        throw new IOException("closed inside a chunked answer");
                    }
                    size.append((char) b);
                }
                int chunk = Integer.parseInt(size.toString().trim(), 16);
                this.in.readNBytes(chunk + 2);
                if (chunk == 0) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            this.socket.close();
        }

    }

}
