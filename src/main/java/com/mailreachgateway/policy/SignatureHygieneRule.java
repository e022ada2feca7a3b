package com.mailreachgateway.policy;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.safety.Cleaner;
import org.jsoup.safety.Safelist;

/**
 * Keeps {@code signature} HTML within a safelist: {@code clamp} forwards the cleaned HTML
 * (SANITIZE), {@code reject} refuses HTML that cleaning would change.
 * <p>
 * The safelist keeps text formatting ({@code b i u em strong small sub sup span p div br hr
 * blockquote}), lists, plain tables, links ({@code a href title}; {@code http}, {@code https},
 * {@code mailto}, {@code tel}) and images ({@code img src alt title width height}; {@code http},
 * {@code https}). Everything else goes: scripts, iframes, forms, event handlers ({@code onclick}...),
 * {@code javascript:} and relative URLs, and {@code style}/{@code class} attributes too, since CSS
 * is not inspected. Sent and cleaned HTML are compared in jsoup's normalised form, so
 * {@code <br/>} against {@code <br>} is no change, and clean HTML is forwarded exactly as sent.
 */
record SignatureHygieneRule(RuleMode mode) implements Rule {

    static final String NAME = "signature-hygiene";

    static final String LIMIT = "signature safelist: formatting, lists, tables, links (http, https, mailto, tel), "
            + "images (http, https)";

    static final Safelist SAFELIST = new Safelist()
        .addTags("a", "b", "blockquote", "br", "div", "em", "hr", "i", "img", "li", "ol", "p", "small", "span",
                "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul")
        .addAttributes("a", "href", "title")
        .addAttributes("img", "src", "alt", "title", "width", "height")
        .addAttributes("td", "colspan", "rowspan")
        .addAttributes("th", "colspan", "rowspan")
        .addProtocols("a", "href", "http", "https", "mailto", "tel")
        .addProtocols("img", "src", "http", "https")
        // keep URLs as written; the protocol check still applies, and relative URLs still go
        .preserveRelativeLinks(true);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(Evaluation evaluation) {
        if (!(evaluation.request.fields().get(UpdateFields.SIGNATURE) instanceof String sent)) {
            return;
        }
        Document dirty = Jsoup.parseBodyFragment(sent, "");
        Document clean = new Cleaner(SAFELIST).clean(dirty);
        Document.OutputSettings settings = new Document.OutputSettings().prettyPrint(false);
        dirty.outputSettings(settings);
        clean.outputSettings(settings.clone());
        String cleaned = clean.body().html();
        if (cleaned.equals(dirty.body().html())) {
            evaluation.add(new RuleDecision(NAME, RuleDecision.Action.PASS, UpdateFields.SIGNATURE, sent, sent, LIMIT,
                    "signature HTML is within the safelist"));
            return;
        }
        String unsafe = String.join(", ", unsafeParts(dirty));
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

    /** The first few tags and attributes the safelist refuses, e.g. {@code <script>, onclick}. */
    private static Set<String> unsafeParts(Document dirty) {
        Set<String> parts = new LinkedHashSet<>();
        for (Element element : dirty.body().getAllElements()) {
            if (element == dirty.body()) {
                continue;
            }
            String tag = element.normalName();
            if (!SAFELIST.isSafeTag(tag)) {
                parts.add("<" + tag + ">");
                continue;
            }
            for (Attribute attribute : element.attributes()) {
                if (!SAFELIST.isSafeAttribute(tag, element, attribute)) {
                    String value = attribute.getValue().strip().toLowerCase(Locale.ROOT);
                    parts.add(value.startsWith("javascript:") ? attribute.getKey() + "=javascript:"
                            : attribute.getKey());
                }
            }
        }
        if (parts.isEmpty()) {
            parts.add("comments or markup jsoup drops");
        }
        return new LinkedHashSet<>(parts.stream().limit(4).toList());
    }

}
