package com.mailreachgateway.upstream;

import java.nio.charset.StandardCharsets;

import com.mailreachgateway.support.GatewayIntegrationTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class AccountAnswerTests {

    private static final int ID = 1234;

    @Test
    void theDocumentedAccountIsTheAccount() {
        assertThat(whyNot(GatewayIntegrationTestSupport.account(ID))).isNull();
    }

    @Test
    void theDocumentedAccountOfAnotherIdIsNot() {
        assertThat(whyNot(GatewayIntegrationTestSupport.account(ID + 1))).isEqualTo("an account other than 1234");
    }

    @ParameterizedTest(name = "[{0}] is the account")
    @CsvSource(delimiter = '|', textBlock = """
            {"id": 1234}
            {"id": "1234"}
            {"email": "a@b.c", "id": 1234, "tags": [{"id": 7}]}
            {"domain": {"id": 1041}, "id": 1234}
            """)
    void objectWhoseTopLevelIdIsThePathsIsTheAccount(String json) {
        assertThat(whyNot(json)).isNull();
    }

    @ParameterizedTest(name = "[{0}] is not the account: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {}                                      | a JSON object without an account id
            {"status": "ok"}                        | a JSON object without an account id
            {"domain": {"id": 1234}}                | a JSON object without an account id
            {"tags": [{"id": 1234}]}                | a JSON object without an account id
            {"id": 1235}                            | an account other than 1234
            {"id": -1234}                           | an account other than 1234
            {"id": 1234.0}                          | an account other than 1234
            {"id": 4294968530}                      | an account other than 1234
            {"id": "01234"}                         | an account other than 1234
            {"id": null}                            | an account other than 1234
            {"id": [1234]}                          | an account other than 1234
            {"id": {"value": 1234}}                 | an account other than 1234
            {"id": 1234, "id": 1234}                | a body with two ids
            {"id": 1234} {"id": 1234}               | a body with more after its JSON object
            [{"id": 1234}]                          | a body that is not a JSON object
            "1234"                                  | a body that is not a JSON object
            {"id": 1234                             | a body that is not well-formed JSON
            {"id": 1234,}                           | a body that is not well-formed JSON
            <html>502 Bad Gateway</html>            | a body that is not well-formed JSON
            """)
    void anythingElseIsNotTheAccount(String json, String why) {
        assertThat(whyNot(json)).isEqualTo(why);
    }

    @Test
    void emptyOrDeeplyNestedBodyIsNotTheAccountAndNeverThrows() {
        assertThat(whyNot("")).isEqualTo("a body that is not a JSON object");
        String deep = "{\"id\": 1234, \"x\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThat(whyNot(deep)).isEqualTo("a body that is not well-formed JSON");
    }

    private static String whyNot(String json) {
        return AccountAnswer.whyNot(JsonMapper.builder().build(), json.getBytes(StandardCharsets.UTF_8), ID);
    }

}
