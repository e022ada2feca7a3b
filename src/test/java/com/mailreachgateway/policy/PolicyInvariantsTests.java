package com.mailreachgateway.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties every decision keeps, for any request within MailReach's ranges and any account state.
 */
class PolicyInvariantsTests {

    private static final String RULES = """
            young-domain:
              min-age: 90d
              max-rampup-target: 10
              max-rampup-increase: 1
              max-conversations: 5
            low-reputation:
              min-score: 60
            field-rights:
              protected-fields: [alias]
            """;

    private static final Map<RuleMode, PolicyEngine> ENGINES = Map.of(RuleMode.CLAMP,
            TestPolicies.engine("clamp", RULES), RuleMode.REJECT, TestPolicies.engine("reject", RULES));

    /** The tiers of {@link TestPolicies#TIERS}: target, increase, conversations. */
    private static final Map<String, int[]> TIER_CAPS = Map.of("basic", new int[] { 10, 1, 5 }, "standard",
            new int[] { 20, 2, 15 }, "premium", new int[] { 35, 5, 35 });

    private static final List<String> INT_FIELDS = List.of(UpdateFields.RAMPUP_TARGET, UpdateFields.RAMPUP_INCREASE,
            UpdateFields.MAX_CONVERSATIONS);

    private static final List<String> CLEAN_SIGNATURES = List.of("Best,<br/>John Doe", "<b>John</b> <i>Doe</i>",
            "John Doe", "<a href=\"https://acme.com\">acme</a>");

    private static final List<String> DIRTY_SIGNATURES = List.of("<script>alert(1)</script>John",
            "<a href=\"javascript:alert(1)\">John</a>", "<b onclick=\"x()\">John</b>", "<iframe src=\"x\"></iframe>");

    @Property
    void decideForAnyRequestThenForwardedValuesStayWithinEffectiveCapsAndSeedRanges(@ForAll("modes") RuleMode mode,
            @ForAll("requests") PolicyRequest request, @ForAll("accounts") AccountFacts account) {
        Decision decision = ENGINES.get(mode).decide(request, account);
        Map<String, Integer> caps = effectiveCaps(request, account);
        for (String field : INT_FIELDS) {
            if (decision.forward().get(field) instanceof Integer forwarded) {
                int requested = (Integer) request.fields().get(field);
                assertThat(forwarded).isBetween(UpdateFields.min(field), UpdateFields.max(field))
                    .isLessThanOrEqualTo(requested)
                    .isLessThanOrEqualTo(caps.get(field));
                if (mode == RuleMode.CLAMP) {
                    assertThat(forwarded).isEqualTo(Math.min(requested, caps.get(field)));
                }
            }
        }
    }

    @Property
    void decideInClampModeWhenForwardedThenSameFieldsInSameOrder(@ForAll("requests") PolicyRequest request,
            @ForAll("accounts") AccountFacts account) {
        Decision decision = ENGINES.get(RuleMode.CLAMP).decide(request, account);
        if (decision.verdict() == Decision.Verdict.FORWARD) {
            assertThat(new ArrayList<>(decision.forward().keySet()))
                .isEqualTo(new ArrayList<>(request.fields().keySet()));
            assertThat(decision.violations()).isEmpty();
        }
    }

    @Property
    void decideWhenAnyRuleViolatedThenNothingForwarded(@ForAll("modes") RuleMode mode,
            @ForAll("requests") PolicyRequest request, @ForAll("accounts") AccountFacts account) {
        Decision decision = ENGINES.get(mode).decide(request, account);
        assertThat(decision.violations().isEmpty()).isEqualTo(decision.verdict() == Decision.Verdict.FORWARD);
        if (decision.verdict() != Decision.Verdict.FORWARD) {
            assertThat(decision.forward()).isEmpty();
        }
        else if (mode == RuleMode.REJECT) {
            // reject mode never adjusts: what is forwarded is exactly what was sent
            assertThat(decision.forward()).containsExactlyEntriesOf(request.fields());
            assertThat(decision.adjustments()).isEmpty();
        }
    }

    @Property
    void decideWhenRequestWithinEveryLimitThenPassesUnchanged(@ForAll("modes") RuleMode mode,
            @ForAll("requests") PolicyRequest request, @ForAll("accounts") AccountFacts account) {
        Statistics.label("within every limit").collect(withinEveryLimit(request, account));
        if (!withinEveryLimit(request, account)) {
            return;
        }
        Decision decision = ENGINES.get(mode).decide(request, account);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decision.forward()).containsExactlyEntriesOf(request.fields());
        assertThat(decision.rules()).allSatisfy((rule) -> assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS));
    }

    @Property
    void decideForAnyRequestThenEveryRuleDecisionIsNamedAndExplained(@ForAll("modes") RuleMode mode,
            @ForAll("requests") PolicyRequest request, @ForAll("accounts") AccountFacts account) {
        Decision decision = ENGINES.get(mode).decide(request, account);
        assertThat(decision.rules()).allSatisfy((rule) -> {
            assertThat(rule.rule()).isIn("field-rights", "tier-cap", "young-domain", "low-reputation",
                    "signature-hygiene", "consistency");
            assertThat(rule.reason()).isNotBlank();
            assertThat(rule.limit()).isNotBlank();
            assertThat(request.fields()).containsKey(rule.field());
        });
        assertThat(decision.rules()).filteredOn((rule) -> rule.rule().equals("field-rights"))
            .hasSize(request.fields().size());
    }

    @Provide
    Arbitrary<RuleMode> modes() {
        return Arbitraries.of(RuleMode.CLAMP, RuleMode.REJECT);
    }

    @Provide
    Arbitrary<PolicyRequest> requests() {
        Arbitrary<Map<String, Object>> fields = Arbitraries.subsetOf(UpdateFields.ALL).flatMap((names) -> {
            List<String> ordered = new ArrayList<>(names);
            return Arbitraries.shuffle(ordered).flatMap((order) -> values(order));
        });
        Arbitrary<String> tier = Arbitraries.of("basic", "standard", "premium").injectNull(0.4);
        Arbitrary<Set<String>> allowed = Arbitraries.oneOf(Arbitraries.just(UpdateFields.ALL),
                Arbitraries.subsetOf(UpdateFields.ALL)).injectNull(0.5);
        return Combinators.combine(tier, allowed, fields)
            .as((callerTier, allowedFields, values) -> new PolicyRequest("crm", callerTier, allowedFields, values));
    }

    private static Arbitrary<Map<String, Object>> values(List<String> names) {
        List<Arbitrary<Object>> values = names.stream().map(PolicyInvariantsTests::value).toList();
        return Combinators.combine(values).as((list) -> {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                map.put(names.get(i), list.get(i));
            }
            return map;
        });
    }

    private static Arbitrary<Object> value(String field) {
        return switch (field) {
            case UpdateFields.RAMPUP_TARGET, UpdateFields.RAMPUP_INCREASE, UpdateFields.MAX_CONVERSATIONS ->
                Arbitraries.integers().between(UpdateFields.min(field), UpdateFields.max(field)).map(Object.class::cast);
            case "alive", "autopilot", "imap_issue", "config_smtp_append_after_sent" ->
                Arbitraries.of(true, false).map(Object.class::cast);
            case UpdateFields.SIGNATURE -> Arbitraries.oneOf(Arbitraries.of(CLEAN_SIGNATURES),
                    Arbitraries.of(DIRTY_SIGNATURES)).map(Object.class::cast);
            case "time_zone" -> Arbitraries.of("Europe/Paris", "America/New_York", "UTC").map(Object.class::cast);
            default -> Arbitraries.strings().alpha().ofMaxLength(12).map(Object.class::cast);
        };
    }

    @Provide
    Arbitrary<AccountFacts> accounts() {
        Arbitrary<List<String>> tags = Arbitraries.of("tier:basic", "tier:premium", "tier:gold", "Tier:Standard",
                "sales-team").list().uniqueElements().ofMaxSize(3);
        Arbitrary<Double> score = Arbitraries.doubles().between(0, 100).ofScale(1).injectNull(0.2);
        Arbitrary<Duration> age = Arbitraries.integers().between(0, 3000).map(Duration::ofDays).injectNull(0.2);
        Arbitrary<Integer> target = Arbitraries.integers().between(3, 35).injectNull(0.1);
        Arbitrary<Integer> increase = Arbitraries.integers().between(0, 5).injectNull(0.1);
        Arbitrary<Integer> conversations = Arbitraries.integers().between(0, 35).injectNull(0.1);
        return Combinators.combine(tags, score, age, target, increase, conversations)
            .as(TestPolicies::account)
            .injectNull(0.15);
    }

    /** The caps this test expects, computed apart from the engine: tier, young domain, low score. */
    private static Map<String, Integer> effectiveCaps(PolicyRequest request, AccountFacts account) {
        String tier = (request.callerTier() != null) ? request.callerTier() : "standard";
        if (account != null) {
            tier = account.tagNames().stream()
                .map((tag) -> tag.toLowerCase())
                .filter((tag) -> tag.startsWith("tier:") && TIER_CAPS.containsKey(tag.substring(5)))
                .map((tag) -> tag.substring(5))
                .findFirst()
                .orElse(tier);
        }
        int[] tierCaps = TIER_CAPS.get(tier);
        Map<String, Integer> caps = new LinkedHashMap<>();
        for (int i = 0; i < INT_FIELDS.size(); i++) {
            caps.put(INT_FIELDS.get(i), tierCaps[i]);
        }
        if (account != null && account.domainCreationDate() != null
                && Duration.between(account.domainCreationDate(), TestPolicies.NOW).toDays() < 90) {
            caps.merge(UpdateFields.RAMPUP_TARGET, 10, Math::min);
            caps.merge(UpdateFields.RAMPUP_INCREASE, 1, Math::min);
            caps.merge(UpdateFields.MAX_CONVERSATIONS, 5, Math::min);
        }
        if (account != null && account.score() != null && account.score() < 60) {
            if (account.rampupTarget() != null) {
                caps.merge(UpdateFields.RAMPUP_TARGET, account.rampupTarget(), Math::min);
            }
            if (account.rampupIncrease() != null) {
                caps.merge(UpdateFields.RAMPUP_INCREASE, account.rampupIncrease(), Math::min);
            }
        }
        return caps;
    }

    /** Whether the request breaks no rule at all: rights, caps, signature, consistency. */
    private static boolean withinEveryLimit(PolicyRequest request, AccountFacts account) {
        Map<String, Object> fields = request.fields();
        for (String field : fields.keySet()) {
            boolean allowed = (request.allowedFields() != null) ? request.allowedFields().contains(field)
                    : !field.equals("alias");
            if (!allowed) {
                return false;
            }
        }
        Map<String, Integer> caps = effectiveCaps(request, account);
        for (String field : INT_FIELDS) {
            if (fields.get(field) instanceof Integer value && value > caps.get(field)) {
                return false;
            }
        }
        if (fields.get(UpdateFields.SIGNATURE) instanceof String signature && DIRTY_SIGNATURES.contains(signature)) {
            return false;
        }
        Integer target = effective(fields, account, UpdateFields.RAMPUP_TARGET);
        Integer increase = effective(fields, account, UpdateFields.RAMPUP_INCREASE);
        boolean either = fields.containsKey(UpdateFields.RAMPUP_TARGET) || fields.containsKey(UpdateFields.RAMPUP_INCREASE);
        return !either || target == null || increase == null || increase <= target;
    }

    private static Integer effective(Map<String, Object> fields, AccountFacts account, String field) {
        if (fields.containsKey(field)) {
            return (Integer) fields.get(field);
        }
        return (account != null) ? account.current(field) : null;
    }

}
