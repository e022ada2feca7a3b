package com.mailreachgateway.upstream;

import reactor.core.publisher.Mono;

/**
 * The step that lets an attempt at MailReach start: the seam a fair scheduler in front of the
 * budget replaces. It emits the attempt admitted, or fails with why the call cannot go on.
 */
interface Admission {

    /** Admits the call's next attempt: once the key may be used, with a permit, within the deadline. */
    Mono<Admitted> admit(Call call);

    /**
     * Admits again an attempt whose permit expired before its request was written: a probe stays
     * the probe, since the pause let it through and waits for its answer.
     */
    Mono<Admitted> again(Call call, Admitted expired);

    /** An admitted attempt that will not run after all ({@code refusal} says why); emits that refusal. */
    <T> Mono<T> withdraw(Admitted admitted, Throwable refusal);

    /** An attempt let through: the permit it spends, and whether it is the probe after a pause. */
    record Admitted(boolean probe, Permit permit) {
    }

}
