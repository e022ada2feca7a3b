package com.mailreachgateway.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Keeps {@code signature} HTML within {@link SignatureSanitizer}'s allowlist: {@code clamp}
 * forwards the sanitised HTML (SANITIZE), {@code reject} refuses HTML that sanitising would
 * change. HTML that already parses to its sanitised form is forwarded exactly as sent, so
 * {@code <br/>} against {@code <br>} is no change.
 */
record SignatureHygieneRule(RuleMode mode) implements Rule {

    /**
     * What the sanitiser makes of a signature, by the signature sent. The sanitiser is a pure
     * function costing several HTML parses, and a mailbox sends the same signature with every
     * update, so each distinct signature is parsed once while it stays in use. Bounded by the
     * characters held (signatures and their sanitised forms), not by a count.
     */
    private static final Cache<String, Hygiene> VERDICTS = Caffeine.newBuilder()
        .maximumWeight(8_000_000)
        .executor(Runnable::run)
        .weigher((String sent, Hygiene hygiene) -> sent.length() + hygiene.cleaned().length())
        .build();

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
        Hygiene hygiene = VERDICTS.get(sent, Hygiene::of);
        String cleaned = hygiene.cleaned();
        if (hygiene.clean()) {
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.PASS, UpdateFields.SIGNATURE, sent, sent, LIMIT,
                    "signature HTML is within the safelist"));
            return;
        }
        String unsafe = hygiene.unsafe();
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

    /** The sanitiser's verdict on one signature: its sanitised form, and what it removed if anything. */
    private record Hygiene(String cleaned, boolean clean, String unsafe) {

        static Hygiene of(String sent) {
            String cleaned = SignatureSanitizer.sanitize(sent);
            boolean clean = SignatureSanitizer.isClean(sent, cleaned);
            return new Hygiene(cleaned, clean, clean ? "" : String.join(", ", SignatureSanitizer.unsafeParts(sent)));
        }

    }

}
