package com.mailreachgateway.account;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.stream.Collectors;

import com.mailreachgateway.caller.Caller;
import com.mailreachgateway.policy.Decision;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/** Renders what a dry run answers: the tier, every rule's decision and the body that would go. */
@Component
class UpdatePreview {

    private final JsonMapper mapper;

    UpdatePreview(JsonMapper mapper) {
        this.mapper = mapper;
    }

    byte[] render(Caller caller, int id, Decision decision) {
        ObjectNode root = this.mapper.createObjectNode();
        root.put("dry_run", true);
        root.put("account_id", id);
        root.put("caller", caller.name());
        root.put("tier", decision.tier());
        root.put("tier_source", decision.tierSource());
        root.put("policy_version", decision.policyVersion());
        root.put("verdict", decision.verdict().name().toLowerCase(Locale.ROOT));
        root.set("decisions", this.mapper.valueToTree(
                decision.rules().stream().map(PolicyRefusedException::render).collect(Collectors.toList())));
        if (decision.verdict() == Decision.Verdict.FORWARD) {
            root.set("forward", this.mapper.valueToTree(new LinkedHashMap<>(decision.forward())));
        }
        else {
            root.putNull("forward");
        }
        return this.mapper.writeValueAsBytes(root);
    }

}
