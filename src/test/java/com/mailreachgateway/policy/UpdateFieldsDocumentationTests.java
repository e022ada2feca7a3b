package com.mailreachgateway.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the copies of MailReach's update contract that prose must carry equal to its one home,
 * {@link UpdateFields}.
 */
class UpdateFieldsDocumentationTests {

    /** The README's body rule: {@code `config_rampup_target` 3–35}. */
    private static final Pattern README_RANGE = Pattern.compile("`([a-z_]+)` ([0-9]+)–([0-9]+)");

    /** The chart's comment on a tier cap: {@code cap on config_rampup_target (3-35)}. */
    private static final Pattern CHART_RANGE = Pattern.compile("cap on ([a-z_]+) \\(([0-9]+)-([0-9]+)\\)");

    @Test
    void readmeStatesTheFieldCountAndEveryIntegerRangeOfTheContract() throws IOException {
        String body = Files.readAllLines(Path.of("README.md"))
            .stream()
            .dropWhile((line) -> !line.startsWith("- **Body**"))
            .takeWhile((line) -> !line.startsWith("- **Refused"))
            .reduce("", (text, line) -> text + line + "\n");
        Matcher count = Pattern.compile("the ([0-9]+) fields of MailReach's reference page plus `time_zone`")
            .matcher(body);
        assertThat(count.find()).as("README names the number of fields").isTrue();
        assertThat(Integer.parseInt(count.group(1)) + 1).isEqualTo(UpdateFields.ALL.size());
        assertThat(ranges(README_RANGE, body)).isEqualTo(contract());
    }

    @Test
    void chartValuesStateEveryIntegerRangeOfTheContract() throws IOException {
        String values = Files.readString(Path.of("helm/mailreach-gateway/values.yaml"));
        assertThat(ranges(CHART_RANGE, values)).isEqualTo(contract());
    }

    private static Map<String, String> contract() {
        Map<String, String> ranges = new TreeMap<>();
        for (String field : UpdateFields.ranged()) {
            ranges.put(field, UpdateFields.min(field) + "-" + UpdateFields.max(field));
        }
        return ranges;
    }

    private static Map<String, String> ranges(Pattern pattern, String text) {
        Map<String, String> ranges = new TreeMap<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            ranges.put(matcher.group(1), matcher.group(2) + "-" + matcher.group(3));
        }
        return ranges;
    }

}
