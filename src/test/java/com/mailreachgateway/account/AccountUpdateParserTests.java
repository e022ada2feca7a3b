package com.mailreachgateway.account;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AccountUpdateParserTests {

    private final AccountUpdateParser parser = new AccountUpdateParser(new ValidationProperties(1000, 100, 10000));

    @Test
    void parseKeepsFieldsInRequestOrderWithTypedValues() {
        AccountUpdate update = this.parser
            .parse("{\"time_zone\": \"Paris\", \"config_rampup_target\": 3, \"alive\": false, \"desc\": \"\"}");

        assertThat(update.fields()).containsExactly(java.util.Map.entry("time_zone", "Europe/Paris"),
                java.util.Map.entry("config_rampup_target", 3), java.util.Map.entry("alive", false),
                java.util.Map.entry("desc", ""));
    }

    @Test
    void parseAcceptsRangeBoundaries() {
        assertThat(this.parser.parse("{\"config_rampup_target\": 35, \"config_rampup_increase\": 0, "
                + "\"config_max_conversation_running\": 35}").fields()).hasSize(3);
    }

    @Test
    void parseCollectsEveryProblem() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> this.parser.parse("{\"config_rampup_target\": 2, \"alive\": 1, \"x\": null, \"desc\": null}"))
            .satisfies((ex) -> assertThat(ex.errors()).extracting(FieldError::field)
                .containsExactly("config_rampup_target", "alive", "x", "desc"));
    }

    @Test
    void parseSuggestsTheFieldATypoMeant() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> this.parser.parse("{\"first_nmae\": \"Ann\"}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("did you mean first_name?"));
    }

    @Test
    void parseIdAcceptsOnlyPositiveInt32() {
        assertThat(AccountUpdateParser.parseId("2147483647")).isEqualTo(Integer.MAX_VALUE);
        for (String bad : new String[] { "0", "-1", "2147483648", "1e3", " 1", "" }) {
            assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(() -> AccountUpdateParser.parseId(bad));
        }
    }

}
