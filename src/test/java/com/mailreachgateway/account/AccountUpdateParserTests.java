package com.mailreachgateway.account;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class AccountUpdateParserTests {

    private final AccountUpdateParser parser = new AccountUpdateParser(new ValidationProperties(1000, 100, 10000));

    @Test
    void parseKeepsFieldsInRequestOrderWithTypedValues() {
        AccountUpdate update = parse(
                "{\"time_zone\": \"Paris\", \"config_rampup_target\": 3, \"alive\": false, \"desc\": \"\"}");

        assertThat(update.fields()).containsExactly(java.util.Map.entry("time_zone", "Europe/Paris"),
                java.util.Map.entry("config_rampup_target", 3), java.util.Map.entry("alive", false),
                java.util.Map.entry("desc", ""));
    }

    @Test
    void parseAcceptsRangeBoundaries() {
        assertThat(parse("{\"config_rampup_target\": 35, \"config_rampup_increase\": 0, "
                + "\"config_max_conversation_running\": 35}").fields()).hasSize(3);
    }

    @Test
    void parseCollectsEveryProblem() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"config_rampup_target\": 2, \"alive\": 1, \"x\": null, \"desc\": null}"))
            .satisfies((ex) -> assertThat(ex.errors()).extracting(FieldError::field)
                .containsExactly("config_rampup_target", "alive", "x", "desc"));
    }

    @Test
    void parseSuggestsTheFieldATypoMeant() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"first_nmae\": \"Ann\"}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("did you mean first_name?"));
    }


    @ParameterizedTest
    @ValueSource(strings = { "7b 22 64 65 73 63 22 3a 22 ff 22 7d", "7b 22 64 65 73 63 22 3a 22 c3 28 22 7d",
            "7b 22 64 65 73 63 22 3a 22 ed a0 80 22 7d", "7b 22 64 65 73 63 22 3a 22 c0 af 22 7d",
            "7b 22 64 65 73 63 22 3a 22 e2 82 22 7d", "7b 22 64 65 73 63 22 3a 22 f8 88 80 80 80 22 7d" })
    void parseRefusesInvalidUtf8InsteadOfReplacingIt(String hex) {
        byte[] bytes = java.util.HexFormat.ofDelimiter(" ").parseHex(hex);
        assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(() -> this.parser.parse(bytes))
            .satisfies((ex) -> assertThat(ex.errors()).singleElement()
                .satisfies((error) -> assertThat(error.message()).contains("not valid UTF-8")));
    }

    @Test
    void parseAcceptsValidMultiByteUtf8() {
        assertThat(this.parser.parse("{\"first_name\": \"Zo\u00eb \ud83d\ude00 \u4e2d\"}".getBytes(StandardCharsets.UTF_8))
            .fields()).containsEntry("first_name", "Zo\u00eb \ud83d\ude00 \u4e2d");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "first_name|\\u0000", "first_name|a\\nb", "last_name|a\\rb",
            "first_name|\\t", "last_name|\\u001b[31m", "first_name|\\u007f", "first_name|\\u0085",
            "first_name|\\u009b", "first_name|\\u2028", "desc|\\u0000", "desc|\\u0007", "signature|\\u0000",
            "signature|\\u009f", "first_name|\\ud800", "desc|\\udc00", "signature|x\\ud83d", "last_name|\\ude00\\ud83d",
            "alias|a\\u0000@acme.com", "time_zone|Paris\\n", "time_zone|\\u0000Paris" })
    void parseRefusesControlCharactersAndUnpairedSurrogatesNamingTheField(String field, String escaped) {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"" + field + "\": \"" + escaped + "\"}"))
            .satisfies((ex) -> assertThat(ex.errors()).extracting(FieldError::field).containsExactly(field));
    }

    @Test
    void parseKeepsTabsAndLineBreaksInDescAndSignature() {
        assertThat(parse("{\"desc\": \"a\\nb\\r\\n\\tc\", \"signature\": \"Best,\\nJohn\"}").fields())
            .containsEntry("desc", "a\nb\r\n\tc")
            .containsEntry("signature", "Best,\nJohn");
    }

    @Test
    void parseRefusesDeepNestingNamingTheLimitWithoutOverflowingTheStack() {
        String deep = "[".repeat(20_000) + "]".repeat(20_000);
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"desc\": " + deep + "}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("nested deeper than"));
    }

    @Test
    void parseRefusesLongNumbersNamingTheLimit() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"config_rampup_target\": " + "9".repeat(1000) + "}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("number longer than"));
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"config_rampup_target\": 1." + "0".repeat(1000) + "}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("number longer than"));
    }

    @Test
    void parseRefusesLongKeysNamingTheLimit() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"" + "k".repeat(5000) + "\": 1}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("key longer than"));
    }

    @Test
    void parseRefusesLongStringsNamingTheLimit() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"nope\": \"" + "x".repeat(30_000) + "\"}"))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("string longer than 20000"));
    }

    @Test
    void parseGivesHintsOnlyForKeysOfSaneLength() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> parse("{\"first_name" + "x".repeat(200) + "\": 1}"))
            .satisfies((ex) -> {
                assertThat(ex.errors().get(0).message()).doesNotContain("did you mean");
                assertThat(ex.errors().get(0).field()).hasSize(FieldError.MAX_SHOWN_NAME + 3);
            });
    }

    private AccountUpdate parse(String body) {
        return this.parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

}
