package com.mailreachgateway.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Reads a policy with Spring's own binding (relaxed names, {@code Duration}s such as {@code 90d})
 * from a YAML file or from the environment, and refuses unknown keys so a typo cannot disable a cap.
 */
final class PolicyLoader {

    static final String PREFIX = "gateway.policy";

    static final String INLINE_SOURCE = "inline:" + PREFIX;

    /** The young-domain threshold's former second name, refused with the one to use instead. */
    private static final String MIN_AGE_DAYS = PREFIX + ".rules.young-domain.min-age-days";

    private PolicyLoader() {
    }

    /** Loads the file named by {@code gateway.policy-file}. */
    static PolicySnapshot fromFile(Path file, Instant loadedAt) {
        return fromYaml(read(file), fileSource(file), loadedAt);
    }

    static String fileSource(Path file) {
        return "file:" + file;
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        }
        catch (IOException ex) {
            throw new InvalidPolicyException(fileSource(file),
                    List.of(PolicyValidator.format("policy", "gateway.policy-file", file,
                            "cannot be read (" + ex + ")")));
        }
    }

    /** Loads a policy file's content: {@code gateway:} then {@code policy:}, as in the main configuration. */
    static PolicySnapshot fromYaml(byte[] content, String source, Instant loadedAt) {
        List<PropertySource<?>> sources;
        try {
            sources = new YamlPropertySourceLoader().load(source, new ByteArrayResource(content, source));
        }
        catch (IOException | RuntimeException ex) {
            String detail = String.valueOf(ex.getMessage()).strip().replaceAll("\\s+", " ");
            throw new InvalidPolicyException(source,
                    List.of(PolicyValidator.format("policy", "gateway.policy-file", source,
                            "not valid YAML (" + detail + ")")));
        }
        Binder binder = new Binder(ConfigurationPropertySources.from(sources));
        if (!binder.bind(PREFIX, Bindable.mapOf(String.class, Object.class)).isBound()) {
            throw new InvalidPolicyException(source,
                    List.of(PolicyValidator.format("policy", PREFIX, "(none)",
                            "the file has no gateway.policy section")));
        }
        return PolicySnapshot.of(bind(binder, source), source, loadedAt,
                PolicySnapshot.sha256(content));
    }

    /** Loads the inline policy under {@code gateway.policy} of the application's configuration. */
    static PolicySnapshot fromEnvironment(Environment environment, Instant loadedAt) {
        return PolicySnapshot.of(bind(Binder.get(environment), INLINE_SOURCE), INLINE_SOURCE, loadedAt, null);
    }

    private static PolicyProperties bind(Binder binder, String source) {
        try {
            return binder.bindOrCreate(PREFIX, Bindable.of(PolicyProperties.class),
                    new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
        }
        catch (BindException ex) {
            throw new InvalidPolicyException(source, describe(ex));
        }
    }

    /** Turns a binding failure into problems naming rule, key and value. */
    private static List<String> describe(BindException ex) {
        List<String> problems = new ArrayList<>();
        if (ex.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
            for (ConfigurationProperty property : unbound.getUnboundProperties()) {
                String key = property.getName().toString();
                String problem = key.equals(MIN_AGE_DAYS)
                        ? "no longer supported: use min-age: " + property.getValue() + "d"
                        : "unknown key (misspelt, or not supported by this rule)";
                problems.add(PolicyValidator.format(PolicyValidator.ruleOf(key), key, property.getValue(), problem));
            }
            return problems;
        }
        String key = ex.getName().toString();
        Object value = (ex.getProperty() != null) ? ex.getProperty().getValue() : "(none)";
        problems.add(PolicyValidator.format(PolicyValidator.ruleOf(key), key, value,
                expected(ex.getTarget().getType())));
        return problems;
    }

    private static String expected(ResolvableType type) {
        Class<?> target = type.resolve(Object.class);
        if (target.isEnum()) {
            return "must be one of " + String.join(", ", Arrays.stream(target.getEnumConstants())
                .map((constant) -> constant.toString().toLowerCase(Locale.ROOT))
                .toList());
        }
        if (target == java.time.Duration.class) {
            return "must be a duration such as 90d";
        }
        return "cannot be read as " + target.getSimpleName();
    }

}
