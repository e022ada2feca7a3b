package com.mailreachgateway.system;

import java.util.Set;

/**
 * The Prometheus metric names that the alerts and the Grafana dashboard rely on: what the
 * gateway must export on {@code /actuator/prometheus}, plus the one metric that comes from
 * kube-state-metrics.
 */
public final class MetricNames {

	/** Every name exported by the gateway itself and used in docs/alerts.yaml or the dashboard. */
	static final Set<String> GATEWAY_METRIC_NAMES = Set.of(
			// Spring's own HTTP server timer (histogram buckets enabled); uri="/api/v1/accounts/{id}"
			"http_server_requests_seconds_count",
			"http_server_requests_seconds_sum",
			"http_server_requests_seconds_bucket",
			// updates by caller and outcome
			"gateway_updates_total",
			// policy decisions by rule, action and tier; policy file reloads by result
			"gateway_policy_decisions_total",
			"gateway_policy_reloads_total",
			// one sample per attempt sent to MailReach, by method and outcome
			"gateway_upstream_requests_seconds_count",
			"gateway_upstream_requests_seconds_sum",
			"gateway_upstream_requests_seconds_bucket",
			"gateway_upstream_retries_total",
			"gateway_ratelimit_permits_total",
			"gateway_account_reads_total",
			"gateway_upstream_pause_seconds",
			// Retry-After headers longer than gateway.mailreach.max-pause, cut to it
			"gateway_upstream_retry_after_capped_total",
			"gateway_lanes_queued",
			"gateway_lanes_active",
			// Caffeine, cache="accounts"
			"cache_gets_total",
			// Resilience4j, name="mailreach"
			"resilience4j_circuitbreaker_state",
			"resilience4j_circuitbreaker_calls_seconds_count",
			"resilience4j_circuitbreaker_failure_rate",
			"resilience4j_retry_calls_total",
			// JVM and process
			"process_start_time_seconds",
			"jvm_memory_used_bytes");

	/**
	 * Exported only with gateway.redis.enabled (SharedStateIntegrationTests checks them) and used in
	 * docs/alerts.yaml or the dashboard's shared-state row.
	 */
	public static final Set<String> SHARED_STATE_METRIC_NAMES = Set.of("gateway_redis_fallback",
			"gateway_redis_lock_wait_seconds_bucket", "gateway_redis_lock_wait_seconds_count",
			"gateway_redis_commands_seconds_count", "gateway_redis_commands_seconds_bucket",
			"gateway_redis_bucket_wait_seconds_count", "gateway_redis_bucket_wait_seconds_bucket");

	/** Container restarts, from kube-state-metrics: the only metric the gateway does not export. */
	static final String KUBE_POD_RESTARTS = "kube_pod_container_status_restarts_total";

	private MetricNames() {
	}

}
