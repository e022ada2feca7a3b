package com.mailreachgateway.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static com.mailreachgateway.policy.TestPolicies.decisionsOf;
import static com.mailreachgateway.policy.TestPolicies.engine;
import static com.mailreachgateway.policy.TestPolicies.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the {@code signature-hygiene} rule.
 */
class SignatureHygieneRuleTests {

    private final PolicyEngine clamp = engine("clamp", "");

    private final PolicyEngine reject = engine("reject", "");

    @ParameterizedTest
    @ValueSource(strings = { "Best,<br/>John Doe", "Best,<br>John Doe", "John &amp; Jane", "a < b & c",
            "<p><b>John</b> <i>Doe</i> | <a href=\"https://acme.com\">acme.com</a></p>",
            "<span>Call <a href=\"https://acme.com/call\">us</a></span>",
            "<a href=\"mailto:john@acme.com\" title=\"mail\">John</a><br><img src=\"https://acme.com/logo.png\" alt=\"logo\" width=\"80\">",
            "<table><tbody><tr><td>John</td><td>Doe</td></tr></tbody></table>", "" })
    void decideWhenSignatureAlreadyCleanThenForwardsItExactlyAsSent(String signature) {
        Decision decision = this.reject.decide(request("signature", signature), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decision.forward()).containsEntry("signature", signature);
        assertThat(decisionsOf(decision, "signature-hygiene")).singleElement()
            .satisfies((rule) -> assertThat(rule.action()).isEqualTo(RuleDecision.Action.PASS));
    }

    @Test
    void decideWhenSignatureHasScriptInClampModeThenForwardsCleanedAndExplains() {
        Decision decision = this.clamp.decide(request("signature", "Best,<br/>John<script>alert(1)</script>"), null);
        assertThat(decision.verdict()).isEqualTo(Decision.Verdict.FORWARD);
        assertThat(decision.forward()).containsEntry("signature", "Best,<br>John");
        assertThat(decision.adjustments()).singleElement().satisfies((rule) -> {
            assertThat(rule.action()).isEqualTo(RuleDecision.Action.SANITIZE);
            assertThat(rule.forwarded()).isEqualTo("Best,<br>John");
            assertThat(rule.reason()).contains("<script>");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = { "<script>alert(1)</script>John", "<b onclick=\"steal()\">John</b>",
            "<iframe src=\"https://evil.example\"></iframe>", "<form action=\"https://evil.example\"><input></form>",
            "<a href=\"javascript:alert(1)\">John</a>", "<a href=\" JavaScript:alert(1)\">John</a>",
            "<img src=\"x\" onerror=\"alert(1)\">", "<span style=\"background:url(javascript:x)\">John</span>",
            "<svg onload=\"alert(1)\"></svg>", "<!-- hidden -->John", "<body onload=alert(1)>John",
            "<html onmouseover=alert(1)>John", "<head><base href=\"https://evil.example/\"></head>John",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">John",
            "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">John", "<title>x</title>John",
            "<style>b{background:url(https://evil.example)}</style>John",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<span style=\"width:expression(alert(1))\">John</span>", "<a href=\"tel:+33123456789\">us</a>",
            "<a href=\"jav&#x09;ascript:alert(1)\">John</a>" })
    void decideWhenSignatureHasUnsafeMarkupThenItNeverPasses(String signature) {
        Decision rejected = this.reject.decide(request("signature", signature), null);
        assertThat(rejected.verdict()).isEqualTo(Decision.Verdict.REJECTED);
        assertThat(rejected.violations()).singleElement().satisfies((rule) -> {
            assertThat(rule.rule()).isEqualTo("signature-hygiene");
            assertThat(rule.limit()).startsWith("signature safelist");
        });
        Decision clamped = this.clamp.decide(request("signature", signature), null);
        String forwarded = (String) clamped.forward().get("signature");
        assertThat(forwarded.toLowerCase()).doesNotContain("<script", "onclick", "onerror", "onload", "<iframe",
                "<form", "javascript:", "style=", "<svg", "<!--");
    }

    @Test
    void decideWhenBodyHasAnOnloadHandlerInClampModeThenForwardsTheContentWithoutIt() {
        Decision decision = this.clamp.decide(request("signature", "<body onload=alert(1)>Best, John"), null);
        assertThat(decision.forward()).containsEntry("signature", "Best, John");
        assertThat(decision.adjustments()).singleElement()
            .satisfies((rule) -> assertThat(rule.reason()).contains("<body onload>"));
    }

    @Test
    void decideWhenSignatureHasJavascriptLinkInRejectModeThenReasonNamesIt() {
        Decision decision = this.reject.decide(request("signature", "<a href=\"javascript:alert(1)\">x</a>"), null);
        assertThat(decision.violations()).singleElement()
            .satisfies((rule) -> assertThat(rule.reason()).contains("href=javascript:"));
    }

    @Test
    void policyWithSignatureHygieneOffIsRefusedBecauseUnsafeSignaturesNeverPass() {
        assertThatExceptionOfType(InvalidPolicyException.class).isThrownBy(() -> engine("clamp", """
                signature-hygiene:
                  mode: off
                """)).withMessageContaining("rules.signature-hygiene.mode = off");
    }

    @Test
    void policyWhoseDefaultModeIsOffMustKeepSignatureHygieneOn() {
        assertThatExceptionOfType(InvalidPolicyException.class).isThrownBy(() -> engine("off", ""))
            .withMessageContaining("signature-hygiene");
        Decision decision = engine("off", """
                signature-hygiene:
                  mode: clamp
                """).decide(request("signature", "Hi<script>x</script>"), null);
        assertThat(decision.forward().get("signature").toString()).doesNotContain("script");
    }

}
