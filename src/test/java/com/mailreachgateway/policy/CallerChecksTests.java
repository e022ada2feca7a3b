package com.mailreachgateway.policy;

import com.mailreachgateway.MailReachGatewayApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerChecksTests {

    private static final String HASH_A = "ac5dc248b7743c05a2f092058cc6a3a0f7120ddda97c2ab4eaee636dc03c259e";

    private static final String HASH_B = "24e29f6f9b06174f48d833c5cd2db2966eea8e5edacb80e365e81388e8277fdc";

    @Test
    void callerListedTwiceForKeyRotationHasEveryEntrysTierChecked() {
        assertThatThrownBy(() -> start("--gateway.callers[0].name=crm", "--gateway.callers[0].key-sha256=" + HASH_A,
                "--gateway.callers[0].tier=gold", "--gateway.callers[1].name=crm",
                "--gateway.callers[1].key-sha256=" + HASH_B, "--gateway.callers[1].tier=standard"))
            .hasStackTraceContaining("gold");
    }

    @Test
    void allowedFieldThatIsNotAnUpdateFieldStopsTheStart() {
        assertThatThrownBy(() -> start("--gateway.callers[0].name=crm", "--gateway.callers[0].key-sha256=" + HASH_A,
                "--gateway.callers[0].allowed-fields=first_name,firts_name"))
            .hasStackTraceContaining("'firts_name' is not an update field");
    }

    private static void start(String... callers) {
        String[] args = new String[callers.length + 3];
        args[0] = "--server.port=0";
        args[1] = "--gateway.mailreach.base-url=http://127.0.0.1:9/api";
        args[2] = "--gateway.sandbox.enabled=false";
        System.arraycopy(callers, 0, args, 3, callers.length);
        new SpringApplicationBuilder(MailReachGatewayApplication.class).profiles("test").run(args).close();
    }

}
