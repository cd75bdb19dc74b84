/**
 * What back-off would add to a throttled run. The fault row runs with a back-off base of 0 ms (as
 * test/access/opsworks/providers/measure.ts does), so its times show the call path only; this computes the wait the
 * default strategy of components/access/opsworks/providers/retry.ts would add on top, as an expectation.
 *
 * That strategy: each SDK call gets `maxAttempts` attempts; retry n waits a uniformly random share of
 * min(cap, base * 2^(n-1)) ms, so on average half of it. Throttling hits each attempt independently
 * with probability p, so a call reaches retry n with probability p^n. SetPermission's wait for a new
 * user to propagate is a separate retry with its own counter, so its first retry waits min(cap, base)/2
 * on average and then starts a fresh sequence of attempts. Only first propagation retries are counted:
 * the fault row's emulator fails each new user's first SetPermission once, no more.
 */
import { MAX_DELAY_MS } from "../../components/access/opsworks/providers/retry";

/** The cap retry.ts puts on one wait. */
export const RETRY_DELAY_CAP_MS = MAX_DELAY_MS;

export interface BackoffScenario {
    /** Share of attempts throttled, 0..1. */
    readonly throttleRate: number;
    /** Call sequences started: every call's first attempt, propagation retries included. */
    readonly sequences: number;
    /** SetPermission retries made while a new user propagated. */
    readonly propagationRetries: number;
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    /** Default RETRY_DELAY_CAP_MS. */
    readonly capMs?: number;
}

/** Expected milliseconds of back-off one call sequence waits for throttling. */
export function expectedThrottleWaitMs(throttleRate: number, maxAttempts: number, baseDelayMs: number, capMs = RETRY_DELAY_CAP_MS): number {
    if (!(throttleRate >= 0 && throttleRate <= 1)) {
        throw new RangeError(`throttle rate must be within 0..1, got ${throttleRate}`);
    }
    let total = 0;
    for (let retry = 1; retry < maxAttempts; retry++) {
        total += throttleRate ** retry * (Math.min(capMs, baseDelayMs * 2 ** (retry - 1)) / 2);
    }
    return total;
}

/** Expected milliseconds of back-off for a whole run. */
export function expectedBackoffMs(scenario: BackoffScenario): number {
    const cap = scenario.capMs ?? RETRY_DELAY_CAP_MS;
    return (
        scenario.sequences * expectedThrottleWaitMs(scenario.throttleRate, scenario.maxAttempts, scenario.baseDelayMs, cap) +
        (scenario.propagationRetries * Math.min(cap, scenario.baseDelayMs)) / 2
    );
}
