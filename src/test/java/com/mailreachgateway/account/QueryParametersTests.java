package com.mailreachgateway.account;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class QueryParametersTests {

    private static final Set<String> UPDATE = Set.of(QueryParameters.DRY_RUN);

    @Test
    void dryRunIsFalseWhenAbsentOrFalseAndTrueOnlyForTrue() {
        assertThat(QueryParameters.parse(null, UPDATE).dryRun()).isFalse();
        assertThat(QueryParameters.parse("", UPDATE).dryRun()).isFalse();
        assertThat(QueryParameters.parse("dry_run=false", UPDATE).dryRun()).isFalse();
        assertThat(QueryParameters.parse("dry_run=true", UPDATE).dryRun()).isTrue();
        assertThat(QueryParameters.parse("dry%5Frun=%74rue", UPDATE).dryRun()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "dry_run", "dry_run=", "dry_run=1", "dry_run=yes", "dry_run=TRUE", "dry_run=True",
            "dry_run=true%20", "dry_run=%00true", "dry_run=true;x=1" })
    void dryRunWithAnyOtherValueIsRefusedNamingIt(String query) {
        QueryParameters parameters = QueryParameters.parse(query, UPDATE);
        assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(parameters::dryRun)
            .satisfies((ex) -> assertThat(ex.errors()).extracting(FieldError::field).containsExactly("dry_run"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "dryrun=true|dryrun", "dry-run=true|dry-run", "DRY_RUN=true|DRY_RUN",
            "dry_run=true&dry_run=true|dry_run", "dry_run=false&dry_run=true|dry_run", "dry_run=true&x=1|x",
            "=true|query", "dry_run=true&|query", "&dry_run=true|query", "dry_run=%zz|query", "dry_run=%C3|query",
            "dry_run=%E2%82|query", "dry_run=%|query", "dry_run=\u00e9|query", "dry_run=%ff%fe|query",
            "dry%5Frun=true&dry_run=false|dry_run" })
    void unknownRepeatedOrMalformedParametersAreRefusedNamingThem(String query, String field) {
        assertThatExceptionOfType(InvalidRequestException.class).isThrownBy(() -> QueryParameters.parse(query, UPDATE))
            .satisfies((ex) -> assertThat(ex.errors()).extracting(FieldError::field).contains(field));
    }

    @Test
    void readTakesNoParameterAtAll() {
        assertThat(QueryParameters.parse(null, Set.of()).dryRun()).isFalse();
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> QueryParameters.parse("dry_run=true", Set.of()))
            .satisfies((ex) -> assertThat(ex.errors().get(0).message()).contains("takes none"));
    }

    @Test
    void aVeryLongUnknownNameIsEchoedCut() {
        assertThatExceptionOfType(InvalidRequestException.class)
            .isThrownBy(() -> QueryParameters.parse("x".repeat(5000) + "=1", UPDATE))
            .satisfies((ex) -> assertThat(ex.errors().get(0).field()).hasSize(FieldError.MAX_SHOWN_NAME + 3));
    }

}
