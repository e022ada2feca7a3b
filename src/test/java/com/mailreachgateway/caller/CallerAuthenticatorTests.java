package com.mailreachgateway.caller;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CallerAuthenticatorTests {

    private final CallerAuthenticator authenticator = new CallerAuthenticator(new CallerProperties(List.of(
            new CallerProperties.Entry("crm", hash("crm-key"), "standard", Set.of("first_name")),
            // The same caller twice while its key is rotated: both keys work.
            new CallerProperties.Entry("crm", hash("crm-new-key").toUpperCase(), "standard", Set.of("first_name")),
            new CallerProperties.Entry("ops", hash("ops-key"), null, null))));

    @Test
    void keyWhoseHashIsConfiguredIdentifiesItsCaller() {
        assertThat(this.authenticator.authenticate("crm-key")).hasValueSatisfying((caller) -> {
            assertThat(caller.name()).isEqualTo("crm");
            assertThat(caller.tier()).isEqualTo("standard");
            assertThat(caller.allowedFields()).containsExactly("first_name");
        });
        assertThat(this.authenticator.authenticate("crm-new-key")).map(Caller::name).hasValue("crm");
        assertThat(this.authenticator.authenticate("ops-key")).hasValueSatisfying((caller) -> {
            assertThat(caller.tier()).isNull();
            assertThat(caller.allowedFields()).isNull();
        });
    }

    @Test
    void unknownMissingOrBlankKeyIdentifiesNobody() {
        assertThat(this.authenticator.authenticate("crm-key2")).isEmpty();
        assertThat(this.authenticator.authenticate(null)).isEmpty();
        assertThat(this.authenticator.authenticate("  ")).isEmpty();
        assertThat(this.authenticator.authenticate(hash("crm-key"))).isEmpty();
    }

    private static String hash(String key) {
        return HexFormat.of().formatHex(CallerAuthenticator.sha256(key));
    }

}
