package com.mailreachgateway.sandbox;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.mailreachgateway.policy.UpdateFields;
import io.swagger.v3.oas.annotations.Hidden;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * MailReach's account endpoints, simulated: checks the key, validates the documented ranges,
 * applies updates and answers with the account, like the real API. Off under {@code prod}.
 */
@Hidden
@RestController
@RequestMapping("/sandbox/api/v1/accounts")
@Profile("!prod")
@ConditionalOnBooleanProperty("gateway.sandbox.enabled")
@EnableConfigurationProperties(SandboxProperties.class)
class SandboxController {

    private static final Logger logger = LoggerFactory.getLogger(SandboxController.class);

    private final SandboxProperties properties;

    private final SandboxAccounts accounts;

    private final JsonMapper mapper;

    SandboxController(SandboxProperties properties, Clock clock, JsonMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
        this.accounts = new SandboxAccounts(clock, mapper);
    }

    @EventListener(ApplicationReadyEvent.class)
    void announce() {
        // One line per log event: log lines never carry a raw newline (it would be escaped).
        for (String line : new String[] {
                "************************************************************************",
                "* SANDBOX MODE: MailReach is SIMULATED in-process at /sandbox/api.       *",
                "* Nothing reaches the real MailReach. Seeded accounts: 1234 1235 1236 1237 *",
                "* Sandbox caller keys: sandbox-crm-key (standard), sandbox-ops-key (premium) *",
                "* Run with --spring.profiles.active=prod and a real key for production.  *",
                "************************************************************************" }) {
            logger.warn(line);
        }
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> get(@PathVariable int id, @RequestHeader(name = "X-Api-Key", required = false) String key) {
        if (!this.properties.apiKey().equals(key)) {
            return error(HttpStatus.UNAUTHORIZED, "Unauthorized");
        }
        return this.accounts.get(id).<ResponseEntity<?>>map(ResponseEntity::ok)
            .orElseGet(() -> error(HttpStatus.NOT_FOUND, "Account not found"));
    }

    @PostMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> update(@PathVariable int id, @RequestHeader(name = "X-Api-Key", required = false) String key,
            @RequestBody(required = false) String body) {
        if (!this.properties.apiKey().equals(key)) {
            return error(HttpStatus.UNAUTHORIZED, "Unauthorized");
        }
        JsonNode changes;
        try {
            changes = this.mapper.readTree((body != null) ? body : "");
        }
        catch (JacksonException ex) {
            return error(HttpStatus.BAD_REQUEST, "Invalid JSON");
        }
        if (changes == null || !changes.isObject()) {
            return error(HttpStatus.BAD_REQUEST, "Body must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        for (String field : new TreeSet<>(UpdateFields.ranged())) {
            JsonNode value = changes.get(field);
            if (value != null && (!value.isInt() || value.intValue() < UpdateFields.min(field)
                    || value.intValue() > UpdateFields.max(field))) {
                problems.add(field + " does not have a valid value");
            }
        }
        for (UpdateFields.Field field : UpdateFields.FIELDS) {
            JsonNode value = changes.get(field.name());
            if (field.type() == UpdateFields.Type.TIME_ZONE && value != null
                    && (!value.isString() || !SandboxAccounts.isZone(value.stringValue()))) {
                problems.add(field.name() + " does not have a valid value");
            }
        }
        if (!problems.isEmpty()) {
            return error(HttpStatus.BAD_REQUEST, String.join(", ", problems));
        }
        return this.accounts.update(id, changes).<ResponseEntity<?>>map(ResponseEntity::ok)
            .orElseGet(() -> error(HttpStatus.NOT_FOUND, "Account not found"));
    }

    private static ResponseEntity<?> error(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(Map.of("error", message));
    }

}
