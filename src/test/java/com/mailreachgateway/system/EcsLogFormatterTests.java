package com.mailreachgateway.system;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class EcsLogFormatterTests {

    private final MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name",
            "mailreach-gateway");

    private final ThrowableProxyConverter converter = startedConverter();

    @Test
    void writesTheSameBytesAsBootsEcsFormatterForAnAuditLineWithAnExceptionAndUnicode() {
        // Boot's own encoder with its own "ecs" format, as logback-spring.xml would configure it.
        StructuredLogEncoder boot = encoder("ecs");
        EcsLogFormatter ours = new EcsLogFormatter(this.environment, this.converter);
        ILoggingEvent event = auditEvent();

        assertThat(new String(ours.formatAsBytes(event, StandardCharsets.UTF_8), StandardCharsets.UTF_8))
            .isEqualTo(new String(boot.encode(event), StandardCharsets.UTF_8));
        assertThat(ours.formatAsBytes(event, StandardCharsets.UTF_8)).isEqualTo(boot.encode(event));
    }

    @Test
    void theProductionProfileNamesThisFormatterAndBootCreatesItByThatName() throws Exception {
        Object format = new YamlPropertySourceLoader()
            .load("prod", new ClassPathResource("application-prod.yaml"))
            .get(0)
            .getProperty("logging.structured.format.console");
        assertThat(format).isEqualTo(EcsLogFormatter.class.getName());

        StructuredLogEncoder named = encoder(format.toString());
        StructuredLogEncoder ecs = encoder("ecs");
        ILoggingEvent event = auditEvent();
        assertThat(named.encode(event)).isEqualTo(ecs.encode(event));
    }

    @Test
    void aLineIsOneJsonObjectWithTheEcsFieldsTheRequestIdAndTheKeyValuePairs() {
        byte[] line = new EcsLogFormatter(this.environment, this.converter).formatAsBytes(auditEvent(),
                StandardCharsets.UTF_8);

        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").hasLineCount(1);
        JsonNode json = JsonMapper.builder().build().readTree(text);
        assertThat(json.path("ecs").path("version").asString()).isNotEmpty();
        assertThat(json.path("log").path("level").asString()).isEqualTo("INFO");
        assertThat(json.path("log").path("logger").asString()).isEqualTo("audit");
        assertThat(json.path("requestId").asString()).isEqualTo("req-1");
        assertThat(json.path("caller").asString()).isEqualTo("crm");
        assertThat(json.path("message").asString()).isEqualTo("update caller=crm\nforged sent={first_name=Zoë 😀}");
        assertThat(json.path("error").path("type").asString()).isEqualTo(IllegalStateException.class.getName());
    }

    /** Boot's encoder as logback-spring.xml configures it, with {@code format}. */
    private StructuredLogEncoder encoder(String format) {
        LoggerContext context = new LoggerContext();
        context.putObject(Environment.class.getName(), this.environment);
        StructuredLogEncoder encoder = new StructuredLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        return encoder;
    }

    private static ILoggingEvent auditEvent() {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("audit"), Level.INFO, "update caller={} sent={}",
                new IllegalStateException("bad \"quote\""), new Object[] { "crm\nforged", "{first_name=Zoë 😀}" });
        event.setMDCPropertyMap(Map.of("requestId", "req-1"));
        event.setKeyValuePairs(List.of(new KeyValuePair("caller", "crm"), new KeyValuePair("account_id", 42)));
        return event;
    }

    private static ThrowableProxyConverter startedConverter() {
        ThrowableProxyConverter converter = new ThrowableProxyConverter();
        converter.setContext(new LoggerContext());
        converter.start();
        return converter;
    }

}
