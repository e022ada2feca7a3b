package com.mailreachgateway.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the signature sanitiser over generated hostile HTML, built from the classes of
 * OWASP's XSS filter evasion cheat sheet: case tricks, entity-encoded and whitespace- or
 * NUL-broken {@code javascript:}, other schemes, event handlers, style expressions, SVG and
 * MathML namespace confusion, document-level tags, comments and CDATA, nested and unclosed tags.
 */
class SignatureSanitizerTests {

    private static final Set<String> NEVER = Set.of("script", "style", "iframe", "object", "embed", "svg", "math",
            "base", "meta", "link", "form", "input", "button", "frame", "frameset", "applet", "template", "noscript",
            "title", "textarea", "select", "option", "video", "audio", "source", "marquee", "xmp", "plaintext");

    private static final Set<String> URL_ATTRIBUTES = Set.of("href", "src", "action", "formaction", "background",
            "poster", "xlink:href", "srcset", "data", "cite", "longdesc", "lowsrc", "dynsrc", "codebase", "ping",
            "content");

    private static final Set<String> SAFE_SCHEMES = Set.of("http", "https", "mailto");

    private static final PolicyEngine clamp = TestPolicies.engine("clamp", "");

    @Property(tries = 3000)
    void sanitizedSignatureHasNothingActiveAndASecondPassChangesNothing(@ForAll("hostileHtml") String html) {
        String once = SignatureSanitizer.sanitize(html);
        assertNothingActive(once);
        assertThat(SignatureSanitizer.sanitize(once)).as("second pass over %s", html).isEqualTo(once);
    }

    @Property(tries = 1000)
    void whatTheRuleForwardsHasNothingActive(@ForAll("hostileHtml") String html) {
        Decision decision = clamp.decide(TestPolicies.request("signature", html), null);
        assertNothingActive((String) decision.forward().get("signature"));
    }

    /**
     * Parses as a browser would a whole document (so {@code <body onload>} lands on the body, as
     * it would on the page a signature is pasted into) and looks for anything that could run or load.
     */
    static void assertNothingActive(String html) {
        Document document = Jsoup.parse(html, "");
        assertThat(document.head().childNodeSize()).as("head content in %s", html).isZero();
        for (Element element : document.getAllElements()) {
            String tag = element.normalName();
            if (Set.of("#root", "html", "head", "body").contains(tag)) {
                assertThat(element.attributes().size()).as("<%s> attributes in %s", tag, html).isZero();
                continue;
            }
            assertThat(NEVER).as("element <%s> in %s", tag, html).doesNotContain(tag);
            assertThat(SignatureSanitizer.SAFELIST.isSafeTag(tag)).as("element <%s> in %s", tag, html).isTrue();
            for (Attribute attribute : element.attributes()) {
                String name = attribute.getKey().toLowerCase(Locale.ROOT);
                String value = attribute.getValue();
                assertThat(name).as("handler in %s", html).doesNotStartWith("on");
                if (name.equals("style")) {
                    String css = value.toLowerCase(Locale.ROOT).replaceAll("[\\s\\\\]|/\\*.*?\\*/", "");
                    assertThat(css).as("style in %s", html).doesNotContain("url(", "expression");
                }
                if (URL_ATTRIBUTES.contains(name)) {
                    assertThat(scheme(value)).as("%s=%s in %s", name, value, html).isIn(SAFE_SCHEMES);
                }
            }
        }
    }

    /** The scheme a browser reads (WHATWG URL: outer C0/space stripped, tab and newlines removed). */
    static String scheme(String url) {
        String cleaned = url.replaceAll("^[\\u0000-\\u0020]+|[\\u0000-\\u0020]+$", "").replaceAll("[\\t\\n\\r]", "");
        int colon = cleaned.indexOf(':');
        String scheme = (colon > 0) ? cleaned.substring(0, colon) : "";
        return scheme.matches("[A-Za-z][A-Za-z0-9+.-]*") ? scheme.toLowerCase(Locale.ROOT) : "(relative)";
    }

    @Provide
    Arbitrary<String> hostileHtml() {
        Arbitrary<String> chunk = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, openTag()), net.jqwik.api.Tuple.of(2, closeTag()),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("John", "Best,", "a < b & c", "&lt;script&gt;", "\"", "'",
                        "&", "<", ">", "</", "<!", "=")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("<!--", "-->", "--!>", "<!-- x -->", "<![CDATA[", "]]>",
                        "<!--[if IE]><script>alert(1)</script><![endif]-->", "<?xml x?>", "<!DOCTYPE html>",
                        "<![CDATA[<script>alert(1)</script>]]>")),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(KNOWN_VECTORS)));
        return chunk.list().ofMinSize(1).ofMaxSize(8).map((chunks) -> String.join("", chunks));
    }

    private static Arbitrary<String> openTag() {
        Arbitrary<String> tag = Arbitraries.of(TAGS).flatMap((name) -> Arbitraries.of(name,
                name.toUpperCase(Locale.ROOT), mixedCase(name)));
        Arbitrary<String> attribute = Arbitraries.oneOf(handler(), urlAttribute(), style(),
                Arbitraries.of("title=x", "width=80", "alt=\"logo\"", "colspan=2", "class=x", "id=x",
                        "xmlns=\"http://www.w3.org/2000/svg\"", "http-equiv=refresh", "rel=stylesheet", "open"));
        Arbitrary<String> separator = Arbitraries.of(" ", "/", "\t", "\n", "\f", " /", "\u00a0");
        Arbitrary<List<String>> attributes = Combinators.combine(separator, attribute)
            .as((sep, attr) -> sep + attr)
            .list()
            .ofMaxSize(3);
        Arbitrary<String> end = Arbitraries.of(">", "/>", " >", "", "<");
        return Combinators.combine(tag, attributes, end).as((name, attrs, close) -> "<" + name + String.join("", attrs) + close);
    }

    private static Arbitrary<String> closeTag() {
        return Arbitraries.of(TAGS).map((name) -> "</" + name + ">");
    }

    private static Arbitrary<String> handler() {
        return Combinators.combine(Arbitraries.of("onload", "onerror", "onclick", "ONMOUSEOVER", "onFocus",
                "onanimationstart", "onbegin", "onpageshow", "ontoggle", "onbeforescriptexecute"), quote())
            .as((name, q) -> name + "=" + q + "alert(1)" + q);
    }

    private static Arbitrary<String> urlAttribute() {
        return Combinators.combine(Arbitraries.of("href", "src", "action", "formaction", "background", "poster",
                "xlink:href", "srcset", "data", "lowsrc", "dynsrc", "cite", "content", "ping"), scheme(), quote())
            .as((name, url, q) -> name + "=" + q + url + q);
    }

    private static Arbitrary<String> scheme() {
        return Arbitraries.of("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                "jav\tascript:alert(1)", "jav&#x09;ascript:alert(1)", "jav&#x0A;ascript:alert(1)",
                "jav&#x0D;ascript:alert(1)", "java\u0000script:alert(1)", "&#14;javascript:alert(1)",
                "\u0001javascript:alert(1)",
                "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
                "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
                "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A alert(1)", "javascript&colon;alert(1)",
                "java&Tab;script:alert(1)", "java&NewLine;script:alert(1)", "vbscript:msgbox(1)", "livescript:x",
                "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:image/svg+xml,<svg onload=alert(1)>",
                "tel:+33123456789", "file:///etc/passwd", "ftp://evil.example/", "//evil.example/x", "x", "/relative",
                "0;url=javascript:alert(1)", "https://acme.com/ok", "HTTPS://acme.com/ok", "mailto:john@acme.com",
                "http://acme.com/\"onmouseover=\"alert(1)");
    }

    private static Arbitrary<String> style() {
        return Combinators.combine(Arbitraries.of("background:url(javascript:alert(1))", "width:expression(alert(1))",
                "xss:ex/**/pression(alert(1))", "background-image:u\\rl(x)", "behavior:url(x.htc)",
                "-moz-binding:url(http://evil.example/x.xml#x)", "color:red", "background:&#x75;rl(x)"), quote())
            .as((css, q) -> "style=" + q + css + q);
    }

    private static Arbitrary<String> quote() {
        return Arbitraries.of("\"", "'", "", "`");
    }

    private static String mixedCase(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            out.append((i % 2 == 0) ? Character.toUpperCase(name.charAt(i)) : name.charAt(i));
        }
        return out.toString();
    }

    private static final String[] TAGS = { "a", "img", "div", "span", "p", "b", "table", "tr", "td", "ul", "li",
            "br", "body", "html", "head", "meta", "base", "link", "title", "style", "script", "iframe", "object",
            "embed", "svg", "math", "form", "input", "button", "video", "audio", "source", "frameset", "frame",
            "marquee", "details", "noscript", "template", "textarea", "xmp", "select", "option", "mglyph", "mtext",
            "malignmark", "foreignObject", "animate", "set", "use", "image", "plaintext", "noembed", "annotation-xml",
            "desc", "isindex", "applet", "bgsound", "layer", "xss" };

    /** Whole vectors from the cheat sheet and known mutation-XSS payloads. */
    private static final String[] KNOWN_VECTORS = { "<body onload=alert(1)>", "<BODY ONLOAD=alert(1)>",
            "<html onmouseover=alert(1)>", "<head><base href=\"javascript:alert(1)//\"></head>",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", "<link rel=stylesheet href=\"javascript:alert(1)\">",
            "<title><script>alert(1)</script></title>", "<style>@import 'javascript:alert(1)';</style>",
            "<svg><style><img src=x onerror=alert(1)></style></svg>", "<svg/onload=alert(1)>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;/mglyph&gt;&lt;img src=1 onerror=alert(1)&gt;\">",
            "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
            "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<textarea></textarea><script>alert(1)</script>", "<<SCRIPT>alert(1);//<</SCRIPT>",
            "<scr<script>ipt>alert(1)</scr</script>ipt>", "<IMG SRC=\"jav&#x09;ascript:alert(1);\">",
            "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>", "<IMG \"\"\"><SCRIPT>alert(1)</SCRIPT>\">",
            "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
            "<a href=\"&#1;javascript:alert(1)\">x</a>", "<a href=\"  &#x20;javascript:alert(1)\">x</a>",
            "<DIV STYLE=\"width: expression(alert(1));\">", "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">",
            "<table background=\"javascript:alert(1)\">", "<td background=\"javascript:alert(1)\">",
            "<iframe src=\"javascript:alert(1)\"></iframe>", "<object data=\"javascript:alert(1)\">",
            "<embed src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "<template><img src=x onerror=alert(1)></template>",
            "<xmp><img src=x onerror=alert(1)></xmp>", "<details open ontoggle=alert(1)>",
            "<a href=\"javascript&colon;alert(1)\">x</a>", "<a href=\"https://acme.com\" onclick=\"alert(1)\">ok</a>",
            "<img src=\"https://acme.com/logo.png\" alt=\"logo\">", "<a href=\"mailto:john@acme.com\">John</a>",
            "<!--<img src=\"--><img src=x onerror=alert(1)//\">", "<![CDATA[><script>alert(1)</script>]]>",
            "<a href=\"tel:+33\">call</a>", "<img srcset=\"javascript:alert(1) 1x\">", "<isindex action=javascript:alert(1) type=image>",
            "<input onfocus=alert(1) autofocus>", "<video><source onerror=\"alert(1)\">", "<plaintext><script>alert(1)" };

}
