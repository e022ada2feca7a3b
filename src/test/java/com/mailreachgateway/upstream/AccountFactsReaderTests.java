package com.mailreachgateway.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import com.mailreachgateway.policy.AccountFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The account facts read from MailReach's account JSON: what it says, and null for what it does not. */
class AccountFactsReaderTests {

    private final AccountFactsReader reader = new AccountFactsReader(JsonMapper.builder().build());

    @Test
    void readsEveryFactFromMailReachsAccount() {
        AccountFacts facts = facts("""
                {"tags": [{"name": "vip"}, {"id": 3}, {"name": "eu"}], "score": 87.5,
                 "domain": {"domain": "acme.com", "creation_date": "2024-03-01T00:00:00Z"},
                 "config_rampup_target": 25, "config_rampup_increase": 2, "config_max_conversation_running": 12}""");

        assertThat(facts).isEqualTo(new AccountFacts(List.of("vip", "eu"), 87.5, Instant.parse("2024-03-01T00:00:00Z"),
                25, 2, 12, "acme.com"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            absent                 | {}
            wrong types            | {"tags": "vip", "score": "high", "domain": {"domain": 3, "creation_date": 5}, "config_rampup_target": "25", "config_rampup_increase": 2.5, "config_max_conversation_running": null}
            integer out of range   | {"config_rampup_target": 4294967296}
            date not an instant    | {"domain": {"creation_date": "March 2024"}}
            """)
    void factsMailReachDoesNotStateAreNull(String what, String json) {
        AccountFacts facts = facts(json);

        assertThat(facts.tagNames()).isEmpty();
        assertThat(facts.score()).isNull();
        assertThat(facts.domainCreationDate()).isNull();
        assertThat(facts.rampupTarget()).isNull();
        assertThat(facts.rampupIncrease()).isNull();
        assertThat(facts.maxConversations()).isNull();
        assertThat(facts.domainName()).isNull();
    }

    @Test
    void theFactsOfOneCopyAreReadOnce() {
        byte[] copy = "{\"score\": 1}".getBytes(StandardCharsets.UTF_8);

        assertThat(this.reader.facts(copy)).isSameAs(this.reader.facts(copy));
        assertThat(this.reader.facts(copy.clone())).isNotSameAs(this.reader.facts(copy)).isEqualTo(this.reader.facts(copy));
    }

    private AccountFacts facts(String json) {
        return this.reader.facts(json.getBytes(StandardCharsets.UTF_8));
    }

}
