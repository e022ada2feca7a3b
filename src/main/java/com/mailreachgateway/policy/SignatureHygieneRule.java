package com.mailreachgateway.policy;

/**
 * Keeps {@code signature} HTML within {@link SignatureSanitizer}'s allowlist: {@code clamp}
 * forwards the sanitised HTML (SANITIZE), {@code reject} refuses HTML that sanitising would
 * change. HTML that already parses to its sanitised form is forwarded exactly as sent, so
 * {@code <br/>} against {@code <br>} is no change.
 */
record SignatureHygieneRule(RuleMode mode) implements Rule {

    static final String NAME = "signature-hygiene";

    static final String LIMIT = "signature safelist: " + SignatureSanitizer.ALLOWED;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(Evaluation evaluation) {
        if (!(evaluation.request.fields().get(UpdateFields.SIGNATURE) instanceof String sent)) {
            return;
        }
        String cleaned = SignatureSanitizer.sanitize(sent);
        if (SignatureSanitizer.isClean(sent, cleaned)) {
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.PASS, UpdateFields.SIGNATURE, sent, sent, LIMIT,
                    "signature HTML is within the safelist"));
            return;
        }
        String unsafe = String.join(", ", SignatureSanitizer.unsafeParts(sent));
        if (this.mode == RuleMode.CLAMP) {
            evaluation.forward.put(UpdateFields.SIGNATURE, cleaned);
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.SANITIZE, UpdateFields.SIGNATURE, sent, cleaned,
                    LIMIT, "signature HTML outside the safelist was removed (" + unsafe + ")"));
        }
        else {
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.REJECT, UpdateFields.SIGNATURE, sent, null, LIMIT,
                    "signature contains HTML outside the safelist (" + unsafe + ")"));
        }
    }

}
