package com.mailreachgateway.system;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks the Prometheus alerts and the Grafana dashboard: both copies identical, every alert
 * documented with a runbook, and only metrics the gateway (or kube-state-metrics) exports.
 */
class AlertRulesTests {

	private static final Path CHART_ALERTS = Paths.get("helm/mailreach-gateway/files/alerts.yaml");

	private static final Path DOCS_ALERTS = Paths.get("docs/alerts.yaml");

	private static final Path CHART_DASHBOARD = Paths.get("helm/mailreach-gateway/files/dashboard.json");

	private static final Path DOCS_DASHBOARD = Paths.get("docs/grafana-dashboard.json");

	private static final Path OPERATIONS = Paths.get("docs/operations.md");

	private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on",
			"ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan");

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

	private static final Pattern RUNBOOK = Pattern.compile("(?:^|/)docs/operations\\.md#([a-z0-9_-]+)$");

	@Test
	void alertFilesInDocsAndChartAreIdentical() throws IOException {
		assertThat(Files.mismatch(CHART_ALERTS, DOCS_ALERTS)).as("docs/alerts.yaml differs from the chart's copy")
			.isEqualTo(-1L);
	}

	@Test
	void dashboardFilesInDocsAndChartAreIdentical() throws IOException {
		assertThat(Files.mismatch(CHART_DASHBOARD, DOCS_DASHBOARD))
			.as("docs/grafana-dashboard.json differs from the chart's copy")
			.isEqualTo(-1L);
	}

	@Test
	void alertsFileDefinesEveryExpectedAlert() throws IOException {
		assertThat(rules()).extracting((rule) -> rule.get("alert"))
			.containsExactlyInAnyOrder("MailReachGatewayCircuitOpen", "MailReachGatewayUpstreamErrorRatioHigh",
					"MailReachGatewayCallersRateLimited", "MailReachGatewayUpdateLatencyHigh",
					"MailReachGatewayUpstreamAuthFailing", "MailReachGatewayPolicyReloadFailing",
					"MailReachGatewayPodRestarting", "MailReachGatewayKeyPaused", "MailReachGatewayRetryAfterCapped",
					"MailReachGatewayUpdatesInDoubt",
					"MailReachGatewayRedisFallback", "MailReachGatewayAccountLockWaitsNearDeadline");
	}

	@Test
	void everyAlertHasSeveritySummaryAndRunbookHeadingInOperationsGuide() throws IOException {
		Set<String> anchors = headingAnchors(Files.readString(OPERATIONS));

		assertThat(rules()).allSatisfy((rule) -> {
			String alert = (String) rule.get("alert");
			Map<String, Object> labels = cast(rule.get("labels"));
			Map<String, Object> annotations = cast(rule.get("annotations"));
			assertThat(labels).as(alert).isNotNull();
			assertThat(labels.get("severity")).as(alert + " severity").isIn("critical", "warning", "info");
			assertThat(annotations).as(alert).isNotNull();
			assertThat((String) annotations.get("summary")).as(alert + " summary").isNotBlank();
			Matcher runbook = RUNBOOK.matcher(String.valueOf(annotations.get("runbook_url")));
			assertThat(runbook.find()).as(alert + " runbook_url " + annotations.get("runbook_url")).isTrue();
			assertThat(anchors).as(alert + " runbook heading in docs/operations.md").contains(runbook.group(1));
			assertThat(runbook.group(1)).as(alert + " runbook heading is its own").isEqualTo(alert.toLowerCase(Locale.ROOT));
		});
	}

	@Test
	void promtoolCheckRulesAcceptsAlertsFile() throws IOException, InterruptedException {
		Path promtool = promtool();

		Process process = new ProcessBuilder(promtool.toString(), "check", "rules", DOCS_ALERTS.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

		assertThat(process.exitValue()).as(output).isZero();
	}

	@Test
	void promtoolCheckRulesAcceptsDashboardExpressions(@TempDir Path workDir) throws IOException, InterruptedException {
		Path promtool = promtool();
		// each panel query becomes a recording rule, with Grafana's variables replaced by values
		List<Map<String, Object>> records = new ArrayList<>();
		for (String expr : dashboardExpressions()) {
			String promql = expr.replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$namespace", ".*");
			records.add(Map.of("record", "dashboard:query" + records.size(), "expr", promql));
		}
		Path file = workDir.resolve("dashboard-rules.yaml");
		Files.writeString(file, new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", records)))));

		Process process = new ProcessBuilder(promtool.toString(), "check", "rules", file.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

		assertThat(process.exitValue()).as(output).isZero();
	}

	@Test
	void alertExpressionsUseOnlyDocumentedMetrics() throws IOException {
		Set<String> used = new TreeSet<>();
		for (Map<String, Object> rule : rules()) {
			used.addAll(metricNamesIn((String) rule.get("expr")));
		}

		assertThat(used).isSubsetOf(knownMetrics())
			.contains("resilience4j_circuitbreaker_state", "gateway_upstream_requests_seconds_count",
					"gateway_ratelimit_permits_total", "http_server_requests_seconds_bucket",
					"gateway_policy_reloads_total", "gateway_upstream_pause_seconds", "gateway_updates_total",
					"gateway_upstream_retry_after_capped_total",
					MetricNames.KUBE_POD_RESTARTS);
	}

	@Test
	void dashboardPanelExpressionsUseOnlyDocumentedMetrics() throws IOException {
		Set<String> used = new TreeSet<>();
		for (String expr : dashboardExpressions()) {
			used.addAll(metricNamesIn(expr));
		}

		Set<String> exported = new HashSet<>(MetricNames.GATEWAY_METRIC_NAMES);
		exported.addAll(MetricNames.SHARED_STATE_METRIC_NAMES);
		assertThat(used).isSubsetOf(exported)
			.contains("gateway_updates_total", "http_server_requests_seconds_bucket",
					"gateway_upstream_requests_seconds_count", "gateway_upstream_requests_seconds_bucket",
					"gateway_upstream_retries_total", "gateway_ratelimit_permits_total",
					"resilience4j_circuitbreaker_state", "gateway_account_reads_total", "gateway_policy_decisions_total",
					"gateway_redis_fallback", "gateway_redis_commands_seconds_bucket",
					"gateway_redis_lock_wait_seconds_bucket", "gateway_redis_bucket_wait_seconds_bucket");
	}

	@Test
	void dashboardSelectsPrometheusDataSourceThroughVariable() throws IOException {
		Map<String, Object> dashboard = dashboard();

		assertThat((int) dashboard.get("schemaVersion")).isBetween(36, 41);
		Map<String, Object> templating = cast(dashboard.get("templating"));
		List<Map<String, Object>> variables = cast(templating.get("list"));
		assertThat(variables).anySatisfy((variable) -> assertThat(variable).containsEntry("name", "datasource")
			.containsEntry("type", "datasource")
			.containsEntry("query", "prometheus"));
		List<Map<String, Object>> panels = panels(dashboard);
		assertThat(panels).filteredOn((panel) -> !"row".equals(panel.get("type"))).isNotEmpty().allSatisfy((panel) -> {
			Map<String, Object> datasource = cast(panel.get("datasource"));
			assertThat(datasource).as(String.valueOf(panel.get("title"))).containsEntry("uid", "${datasource}");
		});
	}

	@Test
	void metricNamesInWhenExpressionHasFunctionsLabelsAndKeywordsReturnsOnlyMetricNames() {
		String expr = """
				histogram_quantile(0.99, sum by (namespace, le) (rate(http_server_requests_seconds_bucket{uri="/api/v1/accounts/{id}", job=~"a|b"}[5m] offset 1h)))
				> 10 and on (namespace) sum without (pod) (increase(gateway_updates_total{outcome!="forwarded"}[$__rate_interval])) > bool 0
				unless time() - process_start_time_seconds < 60 or vector(1) or up
				""";

		assertThat(metricNamesIn(expr)).containsExactlyInAnyOrder("http_server_requests_seconds_bucket",
				"gateway_updates_total", "process_start_time_seconds", "up");
	}

	/**
	 * Returns the metric names used by a PromQL expression: identifiers that are neither
	 * functions, aggregation operators, keywords, label names nor durations.
	 */
	static Set<String> metricNamesIn(String expr) {
		String stripped = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // string literals
			.replaceAll("\\{[^\\}]*\\}", "{}") // label matchers
			.replaceAll("\\[[^\\]]*\\]", "[]") // ranges and subqueries
			.replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
			.replaceAll("\\b(?:offset)\\s+-?[0-9a-z]+", " ") // offsets
			.replaceAll("\\$\\{?\\w+}?", " "); // dashboard variables
		Set<String> names = new HashSet<>();
		Matcher matcher = IDENTIFIER.matcher(stripped);
		while (matcher.find()) {
			String identifier = matcher.group(1);
			boolean function = matcher.group(2) != null;
			if (!function && !PROMQL_KEYWORDS.contains(identifier.toLowerCase(Locale.ROOT))) {
				names.add(identifier);
			}
		}
		return names;
	}

	private static Set<String> knownMetrics() {
		Set<String> known = new HashSet<>(MetricNames.GATEWAY_METRIC_NAMES);
		known.add(MetricNames.KUBE_POD_RESTARTS);
		known.addAll(MetricNames.SHARED_STATE_METRIC_NAMES);
		return known;
	}

	private static List<Map<String, Object>> rules() throws IOException {
		Map<String, Object> file = new Yaml().load(Files.readString(DOCS_ALERTS));
		List<Map<String, Object>> rules = new ArrayList<>();
		List<Map<String, Object>> groups = cast(file.get("groups"));
		for (Map<String, Object> group : groups) {
			List<Map<String, Object>> groupRules = cast(group.get("rules"));
			rules.addAll(groupRules);
		}
		return rules;
	}

	private static Map<String, Object> dashboard() throws IOException {
		return new Yaml().load(Files.readString(DOCS_DASHBOARD));
	}

	private static List<Map<String, Object>> panels(Map<String, Object> container) {
		List<Map<String, Object>> all = new ArrayList<>();
		List<Map<String, Object>> panels = cast(container.get("panels"));
		if (panels != null) {
			for (Map<String, Object> panel : panels) {
				all.add(panel);
				all.addAll(panels(panel)); // panels inside collapsed rows
			}
		}
		return all;
	}

	private static List<String> dashboardExpressions() throws IOException {
		List<String> expressions = new ArrayList<>();
		for (Map<String, Object> panel : panels(dashboard())) {
			List<Map<String, Object>> targets = cast(panel.get("targets"));
			if (targets != null) {
				targets.forEach((target) -> expressions.add((String) target.get("expr")));
			}
		}
		assertThat(expressions).isNotEmpty().doesNotContainNull();
		return expressions;
	}

	/** Anchors of the Markdown headings, as GitHub and GitLab build them. */
	private static Set<String> headingAnchors(String markdown) {
		Set<String> anchors = new HashSet<>();
		for (String line : markdown.split("\n")) {
			if (line.startsWith("#")) {
				String text = line.replaceFirst("^#+\\s*", "").strip();
				anchors.add(text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
			}
		}
		return anchors;
	}

	private static Path onPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		return Stream.of(path.split(File.pathSeparator))
			.map((directory) -> Paths.get(directory, command))
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
	}

	@SuppressWarnings("unchecked")
	private static <T> T cast(Object value) {
		return (T) value;
	}

	/**
	 * promtool from the PATH. A developer's machine without it skips these checks; CI ({@code CI=true})
	 * installs it in {@code .ci/install-tools}, so there a missing promtool fails instead of skipping.
	 */
	private static Path promtool() {
		Path promtool = onPath("promtool");
		if (promtool == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new IllegalStateException("CI=true but promtool is not on the PATH: .ci/install-tools must install it");
		}
		assumeTrue(promtool != null, "promtool is not on the PATH (see .ci/install-tools)");
		return promtool;
	}

}
