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
 * The allowlist sanitiser behind {@code signature-hygiene}. jsoup parses a signature as a whole
 * document with the HTML5 algorithm browsers use (so the tree it cleans is the tree a mail client
 * would build; a body-fragment parse would silently drop {@code <body onload>}, which a browser
 * merges into the page's own body),
 * whole subtrees whose content a browser parses by other rules are dropped with their content
 * ({@code svg}, {@code math}, {@code script}, {@code style}, {@code template}, ...: the roots of
 * namespace-confusion mutation XSS), and jsoup's {@link Cleaner} copies only allowlisted tags
 * and attributes into a fresh body, so attributes of document-level tags ({@code <body onload>})
 * are left behind with the document.
 * <p>
 * Allowed: text formatting ({@code b i u em strong small sub sup span p div br hr blockquote}),
 * lists, plain tables, links ({@code a href title}; {@code http}, {@code https}, {@code mailto})
 * and images ({@code img src alt title width height}; {@code http}, {@code https}). Not allowed:
 * every other tag, every {@code on*} handler, {@code style} and {@code class} (CSS is not
 * inspected, so {@code url()} and {@code expression()} cannot pass), relative URLs, and any other
 * URL scheme. The output is a fixed point: {@code sanitize(sanitize(x)).equals(sanitize(x))}.
 */
final class SignatureSanitizer {

    /** What the rule tells a caller it keeps. */
    static final String ALLOWED = "formatting, lists, tables, links (http, https, mailto), images (http, https)";

    static final Safelist SAFELIST = new Safelist()
        .addTags("a", "b", "blockquote", "br", "div", "em", "hr", "i", "img", "li", "ol", "p", "small", "span",
                "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul")
        .addAttributes("a", "href", "title")
        .addAttributes("img", "src", "alt", "title", "width", "height")
        .addAttributes("td", "colspan", "rowspan")
        .addAttributes("th", "colspan", "rowspan")
        .addProtocols("a", "href", "http", "https", "mailto")
        .addProtocols("img", "src", "http", "https")
        // keep URLs as written; the protocol check still applies, and relative URLs still go
        .preserveRelativeLinks(true);

    /**
     * Dropped with everything inside: foreign content (svg, math) and raw-text or template
     * elements, whose children a later parse may read as markup.
     */
    static final String DROPPED_WITH_CONTENT = "script, style, template, svg, math, iframe, frame, frameset, object, "
            + "embed, applet, noscript, noembed, noframes, xmp, plaintext, textarea, select, title, head, base, "
            + "meta, link";

    private static final Set<String> DOCUMENT_TAGS = Set.of("#root", "html", "head", "body");

    // Cleaning a cleaned tree changes nothing in practice; more passes only guard the rare input
    // where dropping an element lets the parser restructure what remains.
    private static final int MAX_PASSES = 4;

    private SignatureSanitizer() {
    }

    /** The sanitised HTML: allowlisted markup only, and a fixed point of this method. */
    static String sanitize(String html) {
        String current = html;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            String next = cleanOnce(current);
            if (next.equals(current)) {
                return next;
            }
            current = next;
        }
        // No fixed point within the passes: keep the text alone, if that is one, else nothing.
        String text = cleanOnce(org.jsoup.nodes.Entities.escape(Jsoup.parse(current, "").text()));
        return cleanOnce(text).equals(text) ? text : "";
    }

    /**
     * Whether {@code html} already is what the sanitiser would make of it: it parses to the same
     * document as its sanitised form (so {@code <br/>} and {@code <br>} count as the same).
     */
    static boolean isClean(String html, String sanitized) {
        return normalised(html).equals(normalised(sanitized));
    }

    /** The first few things the allowlist refuses, e.g. {@code <script>, onclick, <body onload>}. */
    static Set<String> unsafeParts(String html) {
        Document dirty = Jsoup.parse(html, "");
        Set<String> parts = new LinkedHashSet<>();
        for (Element element : dirty.getAllElements()) {
            String tag = element.normalName();
            if (DOCUMENT_TAGS.contains(tag)) {
                element.attributes().forEach((attribute) -> parts.add("<" + tag + " " + attribute.getKey() + ">"));
                if (tag.equals("head") && element.childNodeSize() > 0) {
                    parts.add("<head> content");
                }
                continue;
            }
            if (!SAFELIST.isSafeTag(tag) || element.closest(DROPPED_WITH_CONTENT) != null) {
                parts.add("<" + tag + ">");
                continue;
            }
            for (Attribute attribute : element.attributes()) {
                if (!SAFELIST.isSafeAttribute(tag, element, attribute)) {
                    String value = attribute.getValue().replaceAll("[\\s\\p{Cntrl}]", "").toLowerCase(Locale.ROOT);
                    parts.add(value.startsWith("javascript:") ? attribute.getKey() + "=javascript:" : attribute.getKey());
                }
            }
        }
        if (parts.isEmpty()) {
            parts.add("comments or markup the parser drops");
        }
        return new LinkedHashSet<>(parts.stream().limit(4).toList());
    }

    private static String cleanOnce(String html) {
        Document dirty = Jsoup.parse(html, "");
        dirty.select(DROPPED_WITH_CONTENT).remove();
        Document clean = new Cleaner(SAFELIST).clean(dirty);
        clean.outputSettings().prettyPrint(false);
        return clean.body().html();
    }

    /** The whole parsed document, head and document-level attributes included. */
    private static String normalised(String html) {
        Document document = Jsoup.parse(html, "");
        document.outputSettings().prettyPrint(false);
        return document.outerHtml();
    }

}
