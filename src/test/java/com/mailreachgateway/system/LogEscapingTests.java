package com.mailreachgateway.system;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.CoreConstants;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogEscapingTests {

    @Test
    void escapeMakesLineBreaksAndControlCharactersVisible() {
        assertThat(LogEscaping.escape("Ann\nupdate caller=admin\r\n\tx\u0000\u001b[31m\u0085\u2028"))
            .isEqualTo("Ann\\nupdate caller=admin\\r\\n\\tx\\u0000\\u001b[31m\\u0085\\u2028");
    }

    @Test
    void escapeLeavesOrdinaryTextAlone() {
        String text = "caller=crm account=1 sent={first_name=Zoë 😀} path=C:\\tmp";
        assertThat(LogEscaping.escape(text)).isSameAs(text);
    }

    @Test
    void messageAndExceptionConvertersKeepEveryEntryOnItsOwnLines() {
        LoggerContext context = new LoggerContext();
        java.util.Map<String, java.util.function.Supplier<?>> rules = new java.util.HashMap<>();
        rules.put("m", EscapedMessageConverter::new);
        rules.put("wEx", EscapedThrowableProxyConverter::new);
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern("%level %m%n%wEx");
        layout.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("audit"), Level.INFO,
                "update caller={} account=1", new IllegalStateException("bad\nINFO forged"), new Object[] { "crm\nINFO forged" });

        String line = layout.doLayout(event);

        assertThat(line).startsWith("INFO update caller=crm\\nINFO forged account=1");
        assertThat(line.lines()).noneMatch((l) -> l.startsWith("INFO forged"));
        assertThat(line).contains("IllegalStateException: bad\\nINFO forged");
    }

}
