package com.mailreachgateway.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The key's pause on a virtual clock: a 429's wait, then one probe, then everyone. */
class KeyPauseTests {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private final LocalKeyPause pause = new LocalKeyPause(Duration.ofMillis(600), this.now::get);

    @Test
    void unpausedKeyLetsEveryCallGo() {
        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.GO);
        assertThat(this.pause.remaining()).isZero();
    }

    @Test
    void pauseMakesEveryCallWaitForWhatIsLeftOfIt() {
        this.pause.pause(Duration.ofSeconds(2));
        advance(Duration.ofMillis(500));

        KeyPause.Admission admission = this.pause.admit();

        assertThat(admission.decision()).isEqualTo(KeyPause.Admission.Decision.WAIT);
        assertThat(admission.delay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(this.pause.remaining()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void afterThePauseOneProbeGoesAndTheOthersWaitForItsAnswer() {
        this.pause.pause(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));

        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.PROBE);
        assertThat(this.pause.admit().decision()).isEqualTo(KeyPause.Admission.Decision.WAIT);
        this.pause.probeEnded(true);

        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.GO);
        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.GO);
    }

    @Test
    void probeThrottledAgainStartsANewPauseAndANewProbe() {
        this.pause.pause(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.PROBE);

        this.pause.pause(Duration.ofSeconds(2));
        this.pause.probeEnded(false);

        assertThat(this.pause.admit().delay()).isEqualTo(Duration.ofSeconds(2));
        advance(Duration.ofSeconds(2));
        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.PROBE);
    }

    @Test
    void probeThatNeverReportsLosesItsTurnAfterOneAttemptTime() {
        this.pause.pause(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.PROBE);

        advance(Duration.ofMillis(600));

        assertThat(this.pause.admit()).isEqualTo(KeyPause.Admission.PROBE);
    }

    @Test
    void shorterPauseNeverShortensALongerOne() {
        this.pause.pause(Duration.ofSeconds(5));
        this.pause.pause(Duration.ofSeconds(1));

        assertThat(this.pause.remaining()).isEqualTo(Duration.ofSeconds(5));
    }

    private void advance(Duration duration) {
        this.now.addAndGet(duration.toNanos());
    }

}
