package com.mailreachgateway.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Lints and renders the Helm chart with an embedded Helm, and checks the rendered objects.
 */
class HelmChartTests {

	private static final Path CHART = Paths.get("helm/mailreach-gateway");

	static final Path MINIMAL = Paths.get("src/test/resources/helm/values-minimal.yaml");

	private static final Path ALL_ON = Paths.get("src/test/resources/helm/values-all-on.yaml");

	private static final String RELEASE = "mailreach-gateway";

	@Test
	void lintStrictWithDefaultValuesReportsNoFailure() {
		LintResult result = new Helm(CHART).lint().strict().call();

		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages()).noneMatch((message) -> message.contains("[ERROR]")
				|| message.contains("[WARNING]"));
	}

	@Test
	void lintStrictWithRequiredValuesReportsNoFailure(@TempDir Path workDir) throws IOException {
		// the lint command takes no values file: lint a copy whose values.yaml holds the required keys
		Path chart = copyChart(workDir);
		Map<String, Object> values = deepMerge(loadYaml(chart.resolve("values.yaml")), loadYaml(MINIMAL));
		DumperOptions options = new DumperOptions();
		options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		Files.writeString(chart.resolve("values.yaml"), new Yaml(options).dump(values));

		LintResult result = new Helm(chart).lint().strict().call();

		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages()).noneMatch((message) -> message.contains("[ERROR]")
				|| message.contains("[WARNING]"));
	}

	@Test
	void templateWithMinimalValuesRendersOnlyTheCoreObjects() {
		List<Map<String, Object>> docs = render(MINIMAL);

		assertThat(docs).extracting((doc) -> doc.get("kind"))
			.containsExactlyInAnyOrder("ServiceAccount", "Secret", "ConfigMap", "Service", "Deployment");
	}

	@Test
	void templateWithAllFeaturesOnRendersEveryOptionalObject() {
		List<Map<String, Object>> docs = render(ALL_ON);

		assertThat(docs).extracting((doc) -> doc.get("kind"))
			.contains("HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor",
					"PrometheusRule", "Ingress");
		assertThat(docs).filteredOn((doc) -> "ConfigMap".equals(doc.get("kind"))).hasSize(2);
		// the HPA owns the replica count
		assertThat(map(find(docs, "Deployment"), "spec")).doesNotContainKey("replicas");
		Map<String, Object> hpa = map(find(docs, "HorizontalPodAutoscaler"), "spec");
		assertThat(hpa).containsEntry("minReplicas", 2).containsEntry("maxReplicas", 4);
		assertThat(pdb(docs)).containsEntry("minAvailable", 1);
	}

	@Test
	void ingressWhenEnabledRoutesOnlyTheHttpPort() {
		Map<String, Object> ingress = find(render(ALL_ON), "Ingress");

		String rendered = new Yaml().dump(ingress);
		assertThat(rendered).contains("name: http").doesNotContain("management").doesNotContain("8081");
		assertThat(map(ingress, "spec")).containsEntry("ingressClassName", "nginx");
	}

	@Test
	void serviceMonitorWhenEnabledScrapesPrometheusEndpointOnManagementPort() {
		Map<String, Object> monitor = find(render(ALL_ON), "ServiceMonitor");

		assertThat(map(monitor, "metadata", "labels")).containsEntry("release", "kube-prometheus-stack");
		Map<String, Object> endpoint = list(map(monitor, "spec"), "endpoints").get(0);
		assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");
	}

	@Test
	void prometheusRuleWhenEnabledCarriesTheAlertsFileWithAbsoluteRunbookLinks() throws IOException {
		Map<String, Object> rule = find(render(ALL_ON), "PrometheusRule");

		String base = "https://git.example.com/platform/mailreach-gateway/blob/main/";
		Map<String, Object> expected = new Yaml().load(Files.readString(CHART.resolve("files/alerts.yaml"))
			.replace("runbook_url: docs/", "runbook_url: " + base + "docs/"));
		assertThat(map(rule, "spec")).isEqualTo(expected);
		List<Map<String, Object>> rules = list(list(map(rule, "spec"), "groups").get(0), "rules");
		assertThat(rules).isNotEmpty()
			.allSatisfy((alert) -> assertThat((String) map(alert, "annotations").get("runbook_url"))
				.startsWith(base + "docs/operations.md#"));
	}

	@Test
	void dashboardConfigMapWhenEnabledCarriesTheDashboardForTheGrafanaSidecar() throws IOException {
		Map<String, Object> dashboard = render(ALL_ON).stream()
			.filter((doc) -> "ConfigMap".equals(doc.get("kind")))
			.filter((doc) -> map(doc, "metadata", "labels").containsKey("grafana_dashboard"))
			.findFirst()
			.orElseThrow();

		assertThat(map(dashboard, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
		String json = (String) map(dashboard, "data").get("mailreach-gateway.json");
		assertThat(json).isEqualTo(Files.readString(CHART.resolve("files/dashboard.json")).strip());
	}

	@Test
	void networkPolicyWhenEnabledOpensBothPortsAndOnlyDnsAndHttpsEgress() {
		Map<String, Object> spec = map(find(render(ALL_ON), "NetworkPolicy"), "spec");

		String ingress = new Yaml().dump(spec.get("ingress"));
		assertThat(ingress).contains("port: 8080", "port: 8081", "kubernetes.io/metadata.name: crm",
				"kubernetes.io/metadata.name: monitoring");
		String egress = new Yaml().dump(spec.get("egress"));
		assertThat(egress).contains("port: 53", "port: 443");
	}

	@Test
	void deploymentProbesUseManagementPortAndActuatorHealthGroups() {
		Map<String, Object> container = container(render(MINIMAL));

		assertThat(probe(container, "livenessProbe")).containsEntry("path", "/actuator/health/liveness")
			.containsEntry("port", "management");
		assertThat(probe(container, "readinessProbe")).containsEntry("path", "/actuator/health/readiness")
			.containsEntry("port", "management");
		assertThat(probe(container, "startupProbe")).containsEntry("path", "/actuator/health/liveness")
			.containsEntry("port", "management");
		Map<String, Object> startup = map(container, "startupProbe");
		int startupSeconds = (int) startup.get("failureThreshold") * (int) startup.get("periodSeconds");
		assertThat(startupSeconds).isBetween(50, 90);
		assertThat(list(container, "ports")).extracting((port) -> port.get("name") + ":" + port.get("containerPort"))
			.containsExactly("http:8080", "management:8081");
	}

	@Test
	void deploymentRunsTheJvmWithTheSizedOptionsTheImageWasTrainedWith() throws IOException {
		Map<String, Object> container = container(render(MINIMAL));
		Map<String, Object> env = list(container, "env").stream()
			.filter((entry) -> entry.containsKey("value"))
			.collect(java.util.stream.Collectors.toMap((entry) -> (String) entry.get("name"), (entry) -> entry.get("value")));
		String options = (String) loadYaml(CHART.resolve("values.yaml")).get("jvmOptions");

		assertThat(env).containsEntry("JAVA_TOOL_OPTIONS", options).containsEntry("MALLOC_ARENA_MAX", "2");
		assertThat(options).contains("-Xmx", "-XX:+ExitOnOutOfMemoryError");
		// The AOT cache is trained in the image build under the image's options: the same as the chart's.
		assertThat(Files.readString(Paths.get("Dockerfile"))).contains("JAVA_TOOL_OPTIONS=\"" + options + "\"");
		// The memory request covers the heap with room for everything outside it.
		Map<String, Object> requests = map(container, "resources", "requests");
		assertThat(mebibytes((String) requests.get("memory"))).isGreaterThanOrEqualTo(2 * heapMebibytes(options));
	}

	private static int mebibytes(String quantity) {
		assertThat(quantity).endsWith("Mi");
		return Integer.parseInt(quantity.substring(0, quantity.length() - 2));
	}

	private static int heapMebibytes(String options) {
		java.util.regex.Matcher max = java.util.regex.Pattern.compile("-Xmx(\\d+)m").matcher(options);
		assertThat(max.find()).as("a -Xmx in megabytes in %s", options).isTrue();
		return Integer.parseInt(max.group(1));
	}

	@Test
	void deploymentRunsAsNonRootWithReadOnlyRootFilesystemAndWritableTmp() {
		List<Map<String, Object>> docs = render(MINIMAL);
		Map<String, Object> pod = podSpec(docs);
		Map<String, Object> container = container(docs);

		assertThat(map(pod, "securityContext")).containsEntry("runAsNonRoot", true)
			.containsEntry("runAsUser", 10001)
			.containsEntry("fsGroup", 10001)
			.containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
		assertThat(map(container, "securityContext")).containsEntry("readOnlyRootFilesystem", true)
			.containsEntry("allowPrivilegeEscalation", false)
			.containsEntry("capabilities", Map.of("drop", List.of("ALL")));
		assertThat(pod).containsEntry("automountServiceAccountToken", false);
		assertThat(find(docs, "ServiceAccount")).containsEntry("automountServiceAccountToken", false);
		assertThat(volume(pod, "tmp")).containsKey("emptyDir");
		assertThat(mount(container, "tmp")).containsEntry("mountPath", "/tmp");
	}

	@Test
	void deploymentShutsDownGracefullyAfterLeavingTheEndpoints() {
		List<Map<String, Object>> docs = render(MINIMAL);

		assertThat(podSpec(docs)).containsEntry("terminationGracePeriodSeconds", 45);
		assertThat(map(container(docs), "lifecycle", "preStop", "exec")).containsEntry("command", List.of("sleep", "5"));
		assertThat(map(find(docs, "Deployment"), "spec", "strategy", "rollingUpdate")).containsEntry("maxUnavailable",
				0);
	}

	@Test
	void deploymentSpreadsPodsOverHostsByDefault() {
		Map<String, Object> constraint = list(podSpec(render(MINIMAL)), "topologySpreadConstraints").get(0);

		assertThat(constraint).containsEntry("topologyKey", "kubernetes.io/hostname")
			.containsEntry("whenUnsatisfiable", "ScheduleAnyway");
		Map<String, Object> overridden = list(podSpec(render(ALL_ON)), "topologySpreadConstraints").get(0);
		assertThat(overridden).containsEntry("topologyKey", "topology.kubernetes.io/zone");
	}

	@Test
	void deploymentWithChartSecretReadsApiKeyFromIt() {
		List<Map<String, Object>> docs = render(MINIMAL);

		assertThat(secretKeyRef(container(docs), "MAILREACH_API_KEY")).containsEntry("name", RELEASE)
			.containsEntry("key", "mailreach-api-key");
		Map<String, Object> secret = find(docs, "Secret");
		assertThat(decode(map(secret, "data"), "mailreach-api-key")).isEqualTo("test-mailreach-key");
		assertThat(env(container(docs))).containsEntry("SPRING_PROFILES_ACTIVE", "prod");
		// the key never lands in the ConfigMap
		assertThat(new Yaml().dump(find(docs, "ConfigMap"))).doesNotContain("test-mailreach-key");
	}

	@Test
	void deploymentWithExistingSecretReadsItsKeysAndRendersNoSecret() {
		List<Map<String, Object>> docs = render(MINIMAL, Map.of("mailreach.apiKey", "", "mailreach.existingSecret",
				"gateway-keys", "mailreach.existingSecretKeys.apiKey", "token", "mailreach.existingSecretKeys.callers",
				"callers"));

		assertThat(docs).extracting((doc) -> doc.get("kind")).doesNotContain("Secret");
		assertThat(secretKeyRef(container(docs), "MAILREACH_API_KEY")).containsEntry("name", "gateway-keys")
			.containsEntry("key", "token");
		Map<String, Object> callers = map(volume(podSpec(docs), "callers"), "secret");
		assertThat(callers).containsEntry("secretName", "gateway-keys")
			.containsEntry("items", List.of(Map.of("key", "callers", "path", "application.yaml")));
	}

	@Test
	void secretWithCallersRendersTheirHashesTiersAndFields() {
		Map<String, Object> secret = find(render(ALL_ON), "Secret");

		Map<String, Object> callersFile = new Yaml().load(decode(map(secret, "data"), "callers.yaml"));
		List<Map<String, Object>> callers = list(map(callersFile, "gateway"), "callers");
		assertThat(callers).extracting((caller) -> caller.get("name")).containsExactly("crm", "crm", "warmup-bot");
		assertThat(callers.get(0)).containsEntry("key-sha256",
				"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")
			.containsEntry("tier", "standard")
			.containsEntry("allowed-fields", List.of("first_name", "last_name", "signature", "desc"));
		assertThat(callers.get(2)).doesNotContainKey("allowed-fields");
	}

	@Test
	void configMapRendersApplicationConfigurationAndPolicyFile() {
		Map<String, Object> data = map(find(render(MINIMAL, Map.of("cache.ttl", "10m")), "ConfigMap"), "data");

		Map<String, Object> application = new Yaml().load((String) data.get("application.yaml"));
		assertThat(map(application, "server")).containsEntry("port", 8080);
		assertThat(map(application, "management", "server")).containsEntry("port", 8081);
		Map<String, Object> gateway = map(application, "gateway");
		assertThat(gateway).containsEntry("policy-file", "/config/policy/policy.yaml")
			.containsEntry("sandbox", Map.of("enabled", false));
		assertThat(map(gateway, "mailreach")).containsEntry("base-url", "https://api.mailreach.co/api")
			.containsEntry("deadline", "30s")
			.containsEntry("max-pause", "5m")
			.doesNotContainKey("api-key");
		assertThat(map(gateway, "mailreach", "rate-limit")).containsEntry("requests-per-second", 20)
			.containsEntry("max-wait", "2s");
		assertThat(map(gateway, "cache")).containsEntry("ttl", "10m").containsEntry("max-entries", 10000);

		Map<String, Object> policyFile = new Yaml().load((String) data.get("policy.yaml"));
		Map<String, Object> policy = map(policyFile, "gateway", "policy");
		assertThat(policy).containsEntry("default-mode", "clamp");
		assertThat(map(policy, "tiers", "premium")).containsEntry("max-rampup-target", 35);
	}

	@Test
	void configMapAndSecretAreMountedAsDirectoriesNeverWithSubPath() {
		List<Map<String, Object>> docs = render(MINIMAL);
		Map<String, Object> pod = podSpec(docs);
		Map<String, Object> container = container(docs);

		assertThat(list(container, "volumeMounts")).allSatisfy((mount) -> assertThat(mount).doesNotContainKey("subPath"));
		assertThat(mount(container, "app-config")).containsEntry("mountPath", "/config/app");
		assertThat(mount(container, "policy")).containsEntry("mountPath", "/config/policy");
		assertThat(mount(container, "callers")).containsEntry("mountPath", "/config/callers");
		assertThat(map(volume(pod, "app-config"), "configMap")).containsEntry("name", RELEASE)
			.containsEntry("items", List.of(Map.of("key", "application.yaml", "path", "application.yaml")));
		assertThat(map(volume(pod, "policy"), "configMap")).containsEntry("items",
				List.of(Map.of("key", "policy.yaml", "path", "policy.yaml")));
		// Spring loads only application.* from a directory location
		assertThat(map(volume(pod, "callers"), "secret")).containsEntry("items",
				List.of(Map.of("key", "callers.yaml", "path", "application.yaml")));
		assertThat(env(container)).containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION",
				"optional:file:/config/app/,optional:file:/config/callers/");
	}

	@Test
	void checksumAnnotationWhenConfigValueChangesChangesSoPodsRoll() {
		Map<String, Object> before = podAnnotations(render(MINIMAL));
		Map<String, Object> after = podAnnotations(render(MINIMAL, Map.of("cache.ttl", "10m")));

		assertThat(before).containsKeys("checksum/config", "checksum/secret");
		assertThat(after.get("checksum/config")).isNotEqualTo(before.get("checksum/config"));
		assertThat(after.get("checksum/secret")).isEqualTo(before.get("checksum/secret"));
	}

	@Test
	void checksumAnnotationWhenSecretChangesChangesSoPodsRoll() {
		Map<String, Object> before = podAnnotations(render(MINIMAL));
		Map<String, Object> after = podAnnotations(render(MINIMAL, Map.of("mailreach.apiKey", "rotated-key")));

		assertThat(after.get("checksum/secret")).isNotEqualTo(before.get("checksum/secret"));
		assertThat(after.get("checksum/config")).isEqualTo(before.get("checksum/config"));
	}

	@Test
	void checksumAnnotationWhenOnlyPolicyChangesStaysSoPolicyIsHotReloaded() {
		List<Map<String, Object>> before = render(MINIMAL);
		List<Map<String, Object>> after = render(MINIMAL, Map.of("policy.tiers.standard.max-rampup-target", 25));

		assertThat(podAnnotations(after)).isEqualTo(podAnnotations(before));
		assertThat(map(find(after, "ConfigMap"), "data").get("policy.yaml"))
			.isNotEqualTo(map(find(before, "ConfigMap"), "data").get("policy.yaml"));
	}

	@Test
	void serviceExposesHttpAndSeparateManagementPort() {
		Map<String, Object> spec = map(find(render(MINIMAL), "Service"), "spec");

		assertThat(spec).containsEntry("type", "ClusterIP");
		assertThat(list(spec, "ports"))
			.extracting((port) -> port.get("name") + ":" + port.get("port") + "->" + port.get("targetPort"))
			.containsExactly("http:80->http", "management:8081->management");
	}

	@Test
	void templateWithSeveralReplicasAndUndividedRateLimitFailsWithGuardMessage() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("replicaCount", 3)))
			.withMessageContaining("3 replicas would each use the whole MailReach budget of 20 req/s")
			.withMessageContaining("rateLimit.dividePerReplica=true");
	}

	@Test
	void templateWithAutoscalingAndUndividedRateLimitFailsWithGuardMessage() {
		assertThatIllegalStateException()
			.isThrownBy(() -> render(MINIMAL, Map.of("autoscaling.enabled", true, "autoscaling.maxReplicas", 5)))
			.withMessageContaining("5 replicas would each use the whole MailReach budget of 20 req/s");
	}

	@Test
	void templateWithSeveralReplicasAndDividedRateLimitGivesEachPodItsShare() {
		assertThat(requestsPerSecond(render(MINIMAL, Map.of("replicaCount", 3, "rateLimit.dividePerReplica", true))))
			.isEqualTo(6);
		// with autoscaling the share is computed for the most pods the HPA may run
		assertThat(requestsPerSecond(render(ALL_ON))).isEqualTo(5);
		// never below one request per second
		assertThat(requestsPerSecond(render(MINIMAL, Map.of("replicaCount", 3, "rateLimit.dividePerReplica", true,
				"rateLimit.requestsPerSecond", 2))))
			.isEqualTo(1);
	}

	@Test
	void templateWithOneReplicaGivesItTheWholeBudget() {
		assertThat(requestsPerSecond(render(MINIMAL, Map.of("rateLimit.dividePerReplica", true)))).isEqualTo(20);
	}

	@Test
	void templateWithRedisAllowsSeveralReplicasSharingTheWholeBudget() {
		List<Map<String, Object>> docs = render(MINIMAL,
				Map.of("replicaCount", 3, "redis.enabled", true, "redis.url", "redis://redis-master:6379"));

		assertThat(requestsPerSecond(docs)).isEqualTo(20);
		Map<String, Object> application = new Yaml()
			.load((String) map(find(docs, "ConfigMap"), "data").get("application.yaml"));
		assertThat(map(application, "gateway", "redis")).containsEntry("enabled", true)
			.containsEntry("expected-replicas", 3)
			.containsEntry("on-failure", "local-share")
			.containsEntry("key-prefix", "mailreach-gateway:");
		assertThat(map(application, "spring", "data", "redis")).containsEntry("timeout", "500ms");
		assertThat(env(container(docs))).containsEntry("SPRING_DATA_REDIS_URL", "redis://redis-master:6379");
	}

	@Test
	void templateWithRedisAndAutoscalingExpectsTheMostPodsTheHpaMayRun() {
		List<Map<String, Object>> docs = render(MINIMAL, Map.of("autoscaling.enabled", true,
				"autoscaling.maxReplicas", 5, "redis.enabled", true, "redis.existingSecret", "redis-credentials"));

		Map<String, Object> application = new Yaml()
			.load((String) map(find(docs, "ConfigMap"), "data").get("application.yaml"));
		assertThat(map(application, "gateway", "redis")).containsEntry("expected-replicas", 5);
		assertThat(secretKeyRef(container(docs), "SPRING_DATA_REDIS_URL")).containsEntry("name", "redis-credentials")
			.containsEntry("key", "redis-url");
		assertThat(new Yaml().dump(find(docs, "ConfigMap"))).doesNotContain("redis://");
	}

	@Test
	void templateWithRedisButNoUrlFails() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("redis.enabled", true)))
			.withMessageContaining("redis.url or redis.existingSecret");
	}

	@Test
	void templateWithoutRedisDisablesItInTheConfiguration() {
		Map<String, Object> application = new Yaml()
			.load((String) map(find(render(MINIMAL), "ConfigMap"), "data").get("application.yaml"));
		assertThat(map(application, "gateway", "redis")).containsEntry("enabled", false);
	}

	@Test
	void templateWithUnknownTopLevelKeyIsRejectedBySchema() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("replicas", 2)))
			.withMessageContaining("schema")
			.withMessageContaining("replicas");
	}

	@Test
	void templateWithMisspelledNestedKeyIsRejectedBySchema() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("rateLimit.requestPerSecond", 10)))
			.withMessageContaining("schema")
			.withMessageContaining("requestPerSecond");
	}

	@Test
	void templateWithMisspelledSecurityContextFieldIsRejectedBySchema() {
		assertThatIllegalStateException()
			.isThrownBy(() -> render(MINIMAL, Map.of("securityContext.readOnlyRootFileSystem", true)))
			.withMessageContaining("schema")
			.withMessageContaining("readOnlyRootFileSystem");
	}

	@Test
	void templateWithWrongTypeIsRejectedBySchema() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("replicaCount", "three")))
			.withMessageContaining("schema")
			.withMessageContaining("replicaCount");
		assertThatIllegalStateException()
			.isThrownBy(() -> render(MINIMAL, Map.of("rateLimit.dividePerReplica", "sometimes")))
			.withMessageContaining("schema")
			.withMessageContaining("dividePerReplica");
	}

	@Test
	void templateWithMalformedCallerHashIsRejectedBySchema() {
		assertThatIllegalStateException()
			.isThrownBy(() -> render(MINIMAL, Map.of("callers[0].name", "crm", "callers[0].keySha256", "not-a-hash")))
			.withMessageContaining("schema")
			.withMessageContaining("keySha256");
	}

	@Test
	void templateWithoutMailReachKeyFails() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("mailreach.apiKey", "")))
			.withMessageContaining("mailreach.apiKey");
	}

	@Test
	void templateWithoutMailReachBaseUrlFails() {
		assertThatIllegalStateException().isThrownBy(() -> render(MINIMAL, Map.of("mailreach.baseUrl", "")))
			.withMessageContaining("mailreach.baseUrl");
	}

	@Test
	void helmTestPodChecksReadinessOnTheServiceManagementPort() throws IOException {
		// helm template leaves test hooks out, so the template itself is checked
		String test = Files.readString(CHART.resolve("templates/tests/test-connection.yaml"));

		assertThat(test).contains("\"helm.sh/hook\": test")
			.contains("{{ .Values.service.managementPort }}/actuator/health/readiness")
			.contains("include \"mailreach-gateway.fullname\" . }}:");
	}

	private static List<Map<String, Object>> render(Path valuesFile) {
		return render(valuesFile, Map.of());
	}

	static List<Map<String, Object>> render(Path valuesFile, Map<String, Object> set) {
		TemplateCommand template = new Helm(CHART).template()
			.withName(RELEASE)
			.withNamespace("gateway")
			.withValuesFile(valuesFile);
		for (Map.Entry<String, Object> entry : set.entrySet()) {
			template = template.set(entry.getKey(), entry.getValue());
		}
		List<Map<String, Object>> docs = new ArrayList<>();
		for (Object doc : new Yaml().loadAll(template.call())) {
			if (doc != null) {
				docs.add(cast(doc));
			}
		}
		return docs;
	}

	private static int requestsPerSecond(List<Map<String, Object>> docs) {
		Map<String, Object> application = new Yaml()
			.load((String) map(find(docs, "ConfigMap"), "data").get("application.yaml"));
		return (int) map(application, "gateway", "mailreach", "rate-limit").get("requests-per-second");
	}

	static Map<String, Object> find(List<Map<String, Object>> docs, String kind) {
		return docs.stream()
			.filter((doc) -> kind.equals(doc.get("kind")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
	}

	private static Map<String, Object> pdb(List<Map<String, Object>> docs) {
		return map(find(docs, "PodDisruptionBudget"), "spec");
	}

	private static Map<String, Object> podSpec(List<Map<String, Object>> docs) {
		return map(find(docs, "Deployment"), "spec", "template", "spec");
	}

	private static Map<String, Object> podAnnotations(List<Map<String, Object>> docs) {
		return map(find(docs, "Deployment"), "spec", "template", "metadata", "annotations");
	}

	private static Map<String, Object> container(List<Map<String, Object>> docs) {
		return list(podSpec(docs), "containers").get(0);
	}

	private static Map<String, Object> probe(Map<String, Object> container, String probe) {
		return map(container, probe, "httpGet");
	}

	private static Map<String, Object> volume(Map<String, Object> pod, String name) {
		return named(list(pod, "volumes"), name);
	}

	private static Map<String, Object> mount(Map<String, Object> container, String name) {
		return named(list(container, "volumeMounts"), name);
	}

	private static Map<String, Object> secretKeyRef(Map<String, Object> container, String name) {
		return map(named(list(container, "env"), name), "valueFrom", "secretKeyRef");
	}

	private static Map<String, Object> env(Map<String, Object> container) {
		Map<String, Object> env = new LinkedHashMap<>();
		list(container, "env").forEach((variable) -> env.put((String) variable.get("name"), variable.get("value")));
		return env;
	}

	private static Map<String, Object> named(List<Map<String, Object>> items, String name) {
		return items.stream()
			.filter((item) -> name.equals(item.get("name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("nothing named " + name + " in " + items));
	}

	private static String decode(Map<String, Object> data, String key) {
		return new String(Base64.getDecoder().decode((String) data.get(key)), StandardCharsets.UTF_8);
	}

	private static Map<String, Object> map(Map<String, Object> source, String... path) {
		Map<String, Object> current = source;
		for (String key : path) {
			Object value = current.get(key);
			assertThat(value).as("%s in %s", key, current.keySet()).isInstanceOf(Map.class);
			current = cast(value);
		}
		return current;
	}

	private static List<Map<String, Object>> list(Map<String, Object> source, String key) {
		Object value = source.get(key);
		assertThat(value).as("%s in %s", key, source.keySet()).isInstanceOf(List.class);
		return cast(value);
	}

	@SuppressWarnings("unchecked")
	private static <T> T cast(Object value) {
		return (T) value;
	}

	private static Map<String, Object> loadYaml(Path file) throws IOException {
		return new Yaml().load(Files.readString(file));
	}

	private static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> overrides) {
		Map<String, Object> merged = new LinkedHashMap<>(base);
		overrides.forEach((key, value) -> {
			if (value instanceof Map && merged.get(key) instanceof Map) {
				merged.put(key, deepMerge(cast(merged.get(key)), cast(value)));
			}
			else {
				merged.put(key, value);
			}
		});
		return merged;
	}

	private static Path copyChart(Path target) throws IOException {
		Path chart = target.resolve("mailreach-gateway");
		try (Stream<Path> files = Files.walk(CHART)) {
			for (Path source : (Iterable<Path>) files::iterator) {
				Path destination = chart.resolve(CHART.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(destination);
				}
				else {
					Files.copy(source, destination);
				}
			}
		}
		return chart;
	}

}
