package com.mailreachgateway.account;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mailreachgateway.system.GatewayException;
import com.mailreachgateway.system.ProblemType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutcomesDocumentationTests {

    private static final Pattern OUTCOME = Pattern.compile("`([a-z_]+)`");

    @Test
    void readmeListsEveryUpdateOutcomeTheCodeRecords() throws IOException {
        Set<String> code = new TreeSet<>(Set.of(Outcomes.FORWARDED, Outcomes.DRY_RUN, Outcomes.INVALID,
                Outcomes.ABANDONED, Outcomes.of(new IllegalStateException("defect"))));
        for (ProblemType type : ProblemType.values()) {
            code.add(Outcomes.of(new GatewayException(type, "test") {
            }));
        }
        // An unknown caller is refused while its key is resolved, before any update starts: no update sample.
        code.remove(Outcomes.of(new GatewayException(ProblemType.UNAUTHENTICATED, "test") {
        }));
        assertThat(documented(Path.of("README.md"))).isEqualTo(code);
        assertThat(documented(Path.of("docs/operations.md"))).isEqualTo(code);
    }

    /** The outcomes named in the document's row of {@code gateway_updates_total}. */
    private static Set<String> documented(Path document) throws IOException {
        String row = Files.readAllLines(document)
            .stream()
            .filter((line) -> line.startsWith("| `gateway_updates_total`"))
            .findFirst()
            .orElseThrow();
        String outcomes = row.substring(row.indexOf("however it ended"));
        Set<String> names = new TreeSet<>();
        Matcher matcher = OUTCOME.matcher(outcomes);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

}
