package com.mailreachgateway.account;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.mailreachgateway.policy.UpdateFields;

/**
 * The fields of MailReach's account update, with the types and ranges its reference page
 * documents, plus {@code time_zone}, which its own example sends.
 */
enum UpdateField {

    ALIAS("alias", Type.EMAIL, 0, 0), ALIVE("alive", Type.BOOLEAN, 0, 0), AUTOPILOT("autopilot", Type.BOOLEAN, 0, 0),
    CONFIG_MAX_CONVERSATION_RUNNING(UpdateFields.MAX_CONVERSATIONS, Type.INTEGER,
            UpdateFields.min(UpdateFields.MAX_CONVERSATIONS), UpdateFields.max(UpdateFields.MAX_CONVERSATIONS)),
    CONFIG_RAMPUP_INCREASE(UpdateFields.RAMPUP_INCREASE, Type.INTEGER, UpdateFields.min(UpdateFields.RAMPUP_INCREASE),
            UpdateFields.max(UpdateFields.RAMPUP_INCREASE)),
    CONFIG_RAMPUP_TARGET(UpdateFields.RAMPUP_TARGET, Type.INTEGER, UpdateFields.min(UpdateFields.RAMPUP_TARGET),
            UpdateFields.max(UpdateFields.RAMPUP_TARGET)),
    CONFIG_SMTP_APPEND_AFTER_SENT("config_smtp_append_after_sent", Type.BOOLEAN, 0, 0),
    DESC("desc", Type.TEXT, 0, 0), FIRST_NAME("first_name", Type.TEXT, 0, 0),
    IMAP_ISSUE("imap_issue", Type.BOOLEAN, 0, 0), LAST_NAME("last_name", Type.TEXT, 0, 0),
    SIGNATURE("signature", Type.TEXT, 0, 0), TIME_ZONE("time_zone", Type.TIME_ZONE, 0, 0);

    private static final Map<String, UpdateField> BY_NAME = Arrays.stream(values())
        .collect(Collectors.toUnmodifiableMap(UpdateField::jsonName, Function.identity()));

    private final String jsonName;

    private final Type type;

    private final int min;

    private final int max;

    UpdateField(String jsonName, Type type, int min, int max) {
        this.jsonName = jsonName;
        this.type = type;
        this.min = min;
        this.max = max;
    }

    String jsonName() {
        return this.jsonName;
    }

    Type type() {
        return this.type;
    }

    int min() {
        return this.min;
    }

    int max() {
        return this.max;
    }

    static UpdateField byName(String name) {
        return BY_NAME.get(name);
    }

    /** JSON value kinds. */
    enum Type {

        INTEGER, BOOLEAN, TEXT, EMAIL, TIME_ZONE

    }

}
