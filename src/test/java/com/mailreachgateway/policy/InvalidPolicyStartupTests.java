package com.mailreachgateway.policy;

import com.mailreachgateway.MailReachGatewayApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(OutputCaptureExtension.class)
class InvalidPolicyStartupTests {

    @Test
    void gatewayWithInvalidPolicyRefusesToStartAndSaysWhichRuleKeyAndValue(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("test")
            .run("--server.port=0", "--gateway.mailreach.base-url=http://127.0.0.1:9/api",
                    "--gateway.policy.rules.tier-cap.mode=sometimes"))
            .hasRootCauseInstanceOf(InvalidPolicyException.class);

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
            .contains("rule tier-cap: gateway.policy.rules.tier-cap.mode = sometimes: must be one of clamp, reject, off");
    }

}
