package com.mailreachgateway.sandbox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The built-in MailReach simulator, under {@code gateway.sandbox}.
 *
 * @param enabled whether to serve the simulator at {@code /sandbox/api}
 * @param apiKey the MailReach key the simulator accepts
 */
@ConfigurationProperties("gateway.sandbox")
public record SandboxProperties(@DefaultValue("false") boolean enabled,
        @DefaultValue("sandbox-mailreach-key") String apiKey) {
}
