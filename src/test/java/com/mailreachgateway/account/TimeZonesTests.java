package com.mailreachgateway.account;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeZonesTests {

    @Test
    void ianaIdIsKeptAsItIs() {
        assertThat(TimeZones.toIana("Europe/Paris")).hasValue("Europe/Paris");
        assertThat(TimeZones.toIana("America/Argentina/Buenos_Aires")).hasValue("America/Argentina/Buenos_Aires");
    }

    @Test
    void railsNameIsMappedToItsIanaId() {
        assertThat(TimeZones.toIana("Paris")).hasValue("Europe/Paris");
        assertThat(TimeZones.toIana("Pacific Time (US & Canada)")).hasValue("America/Los_Angeles");
        assertThat(TimeZones.toIana("Mumbai")).hasValue("Asia/Kolkata");
    }

    @Test
    void anythingElseIsRefused() {
        assertThat(TimeZones.toIana("paris")).isEmpty();
        assertThat(TimeZones.toIana("+02:00")).isEmpty();
        assertThat(TimeZones.toIana("Mars/Olympus")).isEmpty();
        assertThat(TimeZones.toIana("")).isEmpty();
    }

}
