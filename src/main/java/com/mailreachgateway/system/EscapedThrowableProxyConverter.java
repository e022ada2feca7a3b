package com.mailreachgateway.system;

import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

import org.springframework.boot.logging.logback.ExtendedWhitespaceThrowableProxyConverter;

/**
 * Boot's {@code %wEx} stack trace, with every exception message passed through
 * {@link LogEscaping}: a message may quote input (a parser error, an upstream answer), and a
 * line break in it would otherwise start a line that looks like a log entry of its own.
 */
public class EscapedThrowableProxyConverter extends ExtendedWhitespaceThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return super.throwableProxyToString(Escaped.of(proxy));
    }

    /** A throwable proxy whose messages, and those of its causes and suppressed, are escaped. */
    private record Escaped(IThrowableProxy delegate) implements IThrowableProxy {

        static IThrowableProxy of(IThrowableProxy proxy) {
            return (proxy == null || proxy instanceof Escaped) ? proxy : new Escaped(proxy);
        }

        @Override
        public String getMessage() {
            return LogEscaping.escape(this.delegate.getMessage());
        }

        @Override
        public String getOverridingMessage() {
            return LogEscaping.escape(this.delegate.getOverridingMessage());
        }

        @Override
        public String getClassName() {
            return this.delegate.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return this.delegate.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return this.delegate.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            // a cyclic cause chain is cut by the delegate's own isCyclic(), as logback expects
            return of(this.delegate.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = this.delegate.getSuppressed();
            if (suppressed == null) {
                return null;
            }
            IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                escaped[i] = of(suppressed[i]);
            }
            return escaped;
        }

        @Override
        public boolean isCyclic() {
            return this.delegate.isCyclic();
        }

    }

}
