package com.mailreachgateway.system;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %m}/{@code %msg}/{@code %message}, with {@link LogEscaping}: configured in
 * {@code logback-spring.xml} in place of the stock converter, so every text log line is one
 * line whatever values its message carries. (Structured JSON logs escape on their own.)
 */
public class EscapedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return LogEscaping.escape(super.convert(event));
    }

}
