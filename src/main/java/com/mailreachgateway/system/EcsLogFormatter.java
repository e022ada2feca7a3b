package com.mailreachgateway.system;

import java.nio.charset.Charset;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

import org.springframework.boot.logging.structured.StructuredLogFormatter;
import org.springframework.boot.logging.structured.StructuredLogFormatterFactory;
import org.springframework.core.env.Environment;

/**
 * Boot's Elastic Common Schema lines, field for field, encoded in one pass. Boot's formatter turns
 * a line into bytes through an {@code OutputStreamWriter} that encodes it a few characters at a
 * time (spring-projects/spring-boot#49428); writing the line into a {@code StringBuilder} and
 * encoding it once costs a fraction of that, and the production profile writes one such line per
 * update. Chosen by {@code logging.structured.format.console} (the prod profile); Boot creates it
 * with the same parameters as its own formatters.
 */
public class EcsLogFormatter implements StructuredLogFormatter<ILoggingEvent> {

    /** Boot's ECS formatter, by name: Boot creates formatters named by class with its own parameters. */
    static final String BOOT_ECS_FORMATTER = "org.springframework.boot.logging.logback.ElasticCommonSchemaStructuredLogFormatter";

    private final StructuredLogFormatter<ILoggingEvent> ecs;

    public EcsLogFormatter(Environment environment, ThrowableProxyConverter throwableProxyConverter) {
        this.ecs = new StructuredLogFormatterFactory<>(ILoggingEvent.class, environment,
                (parameters) -> parameters.add(ThrowableProxyConverter.class, throwableProxyConverter), (common) -> {
                })
            .get(BOOT_ECS_FORMATTER);
    }

    @Override
    public String format(ILoggingEvent event) {
        return this.ecs.format(event);
    }

    @Override
    public byte[] formatAsBytes(ILoggingEvent event, Charset charset) {
        return this.ecs.format(event).getBytes(charset);
    }

}
