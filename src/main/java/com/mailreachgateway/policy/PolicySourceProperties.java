package com.mailreachgateway.policy;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the policy comes from: {@code gateway.policy-file} and {@code gateway.policy-reload-interval}.
 *
 * @param policyFile a YAML file holding {@code gateway.policy} (e.g. a mounted ConfigMap); when set
 * it takes precedence over the inline {@code gateway.policy} and is reloaded when its content changes
 * @param policyReloadInterval how often the policy file is checked for a change
 */
@ConfigurationProperties("gateway")
public record PolicySourceProperties(Path policyFile, @DefaultValue("5s") Duration policyReloadInterval) {
}
