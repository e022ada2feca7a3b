package com.mailreachgateway.account;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mailreachgateway.policy.Decision;
import com.mailreachgateway.support.MutableTicker;
import com.mailreachgateway.upstream.UpstreamExceptions.NotSentException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One record per update, whichever signal ends it first, with its latency on the injected ticker
 * (no wall clock): the audit is a seam we own, captured here; the metric is a real counter.
 */
class UpdateRecorderTests {

    private final MutableTicker ticker = new MutableTicker();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final List<String> lines = new CopyOnWriteArrayList<>();

    private final UpdateRecorder recorder = new UpdateRecorder(new UpdateAudit() {

        @Override
        void update(String requestId, String caller, Integer accountId, Map<String, Object> sent, Decision decision,
                String outcome, int status, Duration latency) {
            UpdateRecorderTests.this.lines.add(outcome + " " + status + " " + latency.toMillis() + "ms");
        }

    }, new UpdateMetrics(this.registry), this.ticker);

    @Test
    void anUpdateThatEndsWithAValueIsRecordedOnceWithItsLatencyOnTheTicker() {
        UpdateRecorder.Recording recording = begin();
        this.ticker.advance(Duration.ofMillis(250));

        StepVerifier.create(recording.whole(recording.work(Mono.just("done"), Outcomes.FORWARDED), Outcomes.FORWARDED))
            .expectNext("done")
            .verifyComplete();

        assertThat(this.lines).containsExactly("forwarded 200 250ms");
        assertThat(updates("forwarded")).isEqualTo(1);
    }

    @Test
    void anErrorSeenByTheWorkAndTheWholeChainIsRecordedOnce() {
        UpdateRecorder.Recording recording = begin();

        StepVerifier.create(recording.whole(
                recording.work(Mono.error(new NotSentException("busy", Duration.ofSeconds(1))), Outcomes.FORWARDED),
                Outcomes.FORWARDED))
            .verifyError(NotSentException.class);

        assertThat(this.lines).containsExactly("not_sent 503 0ms");
        assertThat(updates("not_sent")).isEqualTo(1);
    }

    @Test
    void anUpdateWhoseCallerLeavesBeforeItsWorkStartsIsRecordedOnceAsAbandonedAndItsWorkNeverRuns() {
        UpdateRecorder.Recording recording = begin();
        Sinks.One<String> turn = Sinks.one();

        StepVerifier.create(recording.whole(turn.asMono(), Outcomes.FORWARDED)).thenCancel().verify(Duration.ofSeconds(5));
        this.ticker.advance(Duration.ofMillis(40));
        StepVerifier.create(recording.work(Mono.fromCallable(() -> "ran"), Outcomes.FORWARDED))
            .verifyComplete();

        assertThat(this.lines).containsExactly("abandoned 499 0ms");
        assertThat(updates("abandoned")).isEqualTo(1);
        assertThat(updates("forwarded")).isZero();
    }

    @Test
    void anInvalidUpdateIsRecordedOnceAsInvalidWithTheStatusOfItsAnswer() {
        UpdateRecorder.Recording recording = begin();

        StepVerifier.create(recording.whole(Mono.error(new CharsetNotUtf8Exception()), Outcomes.FORWARDED))
            .verifyError(CharsetNotUtf8Exception.class);

        assertThat(this.lines).containsExactly("invalid 415 0ms");
    }

    @Test
    void anUpdateThatMeetsADefectInTheGatewayIsRecordedOnceAsErrorWith500() {
        UpdateRecorder.Recording recording = begin();

        StepVerifier.create(recording.whole(
                recording.work(Mono.error(new IllegalStateException("a defect")), Outcomes.FORWARDED),
                Outcomes.FORWARDED))
            .verifyError(IllegalStateException.class);

        assertThat(this.lines).containsExactly("error 500 0ms");
        assertThat(updates("error")).isEqualTo(1);
    }

    private UpdateRecorder.Recording begin() {
        return this.recorder.begin("request-1", "crm", 7, Map.of("alive", true));
    }

    private double updates(String outcome) {
        var counter = this.registry.find("gateway.updates").tag("caller", "crm").tag("outcome", outcome).counter();
        return (counter != null) ? counter.count() : 0;
    }

}
