package com.mailreachgateway.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class BodyLimitDocumentationTests {

    private static final Pattern BODY_LIMIT = Pattern.compile("body over ([0-9]+ (?:KiB|bytes))");

    @Test
    void readmeStatesTheBodyLimitTheCodecsEnforce() throws IOException {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("application",
                new ClassPathResource("application.yaml"));
        DataSize configured = DataSize.parse(String.valueOf(sources.get(0).getProperty("spring.http.codecs.max-in-memory-size")));
        List<String> documented = new ArrayList<>();
        Matcher matcher = BODY_LIMIT.matcher(Files.readString(Path.of("README.md")));
        while (matcher.find()) {
            documented.add(matcher.group(1));
        }
        assertThat(documented).hasSize(2).containsOnly(BodyLimit.text(configured));
    }

}
