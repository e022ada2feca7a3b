package com.mailreachgateway.account;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AccountIdsTests {

    @ParameterizedTest
    @ValueSource(strings = { "1", "9", "1234", "2147483647" })
    void parseAcceptsAsciiDigitsWithinInt32(String id) {
        assertThat(AccountIds.parse(id)).isEqualTo(Integer.parseInt(id));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "0", "01234", "+12", "-12", " 12", "12 ", "2147483648", "99999999999",
            "\uff11\uff12\uff13\uff14", "\u0661\u0662\u0663\u0664", "\u0967\u0968", "1234;x=1", "1234;", "%31234",
            "12%2F34", "%2E%2E", "..", "1e3", "1.5", "0x10", "1_000", "\u00b9" })
    void parseRefusesEverythingElseNamingTheId(String id) {
        assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(() -> AccountIds.parse(id))
            .satisfies((ex) -> assertThat(ex.errors()).extracting(FieldError::field).containsExactly("id"));
    }

    @Test
    void parseIdAcceptsOnlyPositiveInt32() {
        assertThat(AccountIds.parse("2147483647")).isEqualTo(Integer.MAX_VALUE);
        for (String bad : new String[] { "0", "-1", "2147483648", "1e3", " 1", "" }) {
            assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(() -> AccountIds.parse(bad));
        }
    }

}
