/**
 * Row 3, convergence under faults: test/access/opsworks/providers/measure.ts creates 200 users through the real providers
 * while the emulator throttles a seeded share of all requests; users that still fail after their
 * retries are tried again by another `pulumi up` (at most MAX_PASSES runs). Retries run with a back-off
 * base of 0 ms, so the time is the call path; the wait the default strategy would add is computed
 * beside it (backoff.ts).
 */
import { DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_ATTEMPTS } from "../../components/access/opsworks/providers/retry";
import { measureThrottledCreate, measureUserCalls, type ThrottledCreateResult } from "../../test/access/opsworks/providers/measure";
import { expectedBackoffMs, RETRY_DELAY_CAP_MS } from "./backoff";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount, formatSeconds } from "./table";

const USERS = 200;
const THROTTLE_RATES = [0, 0.1, 0.3] as const;
const SEED = 1;
/** `pulumi up` runs allowed: the first, then reruns for the users still failing. */
const MAX_PASSES = 3;
/** One step at a time, so a seed gives the same run every time. */
const CONCURRENCY = 1;

const RETRY_STRATEGY =
    `components/access/opsworks/providers/retry.ts: ${DEFAULT_MAX_ATTEMPTS} attempts per SDK call (throttling, transient and 5xx errors); ` +
    `retry n waits a random share of min(${RETRY_DELAY_CAP_MS / 1000} s, ${DEFAULT_BASE_DELAY_MS} ms * 2^(n-1)); ` +
    `SetPermission's wait for a new user to propagate has its own ${DEFAULT_MAX_ATTEMPTS} attempts`;

export async function faultsRow(): Promise<RowResult> {
    // Requests for the same users when nothing fails and new users propagate at once: the first attempts.
    const plain = (await measureUserCalls(USERS)).create;
    const runs: ThrottledCreateResult[] = [];
    for (const rate of THROTTLE_RATES) {
        const run = await measureThrottledCreate(USERS, { rate, seed: SEED, maxAttempts: DEFAULT_MAX_ATTEMPTS, concurrency: CONCURRENCY, maxPasses: MAX_PASSES });
        runs.push(run);
        progress(`faults: ${rate * 100}% throttled: ${run.requests} requests, ${run.throttled} throttled, ${run.passes} pass(es), ${run.stored.profiles} profiles stored`);
    }
    const unthrottled = runs[0].requests;
    const propagationRetries = unthrottled - plain;
    const rows = runs.map((run) => {
        const backoffMs = expectedBackoffMs({
            throttleRate: run.rate,
            sequences: unthrottled,
            propagationRetries,
            maxAttempts: DEFAULT_MAX_ATTEMPTS,
            baseDelayMs: DEFAULT_BASE_DELAY_MS,
        });
        return {
            run,
            retries: run.requests - plain,
            backoffMs,
            cells: [
                `${run.rate * 100}%`,
                `${run.stored.profiles}/${run.stored.sshPermissions}`,
                `${run.createdFirstPass}`,
                String(run.passes),
                formatCount(run.requests),
                formatCount(run.throttled),
                formatCount(run.requests - plain),
                formatSeconds(run.elapsedMs),
                formatSeconds(backoffMs, 1),
            ],
        };
    });
    const goals: Goal[] = runs.map((run) => ({
        row: "faults",
        goal: `${run.rate * 100}% throttling: all ${USERS} users converge (profile and SSH permission stored) within ${MAX_PASSES} pulumi up runs`,
        measured: `${run.stored.profiles} profiles, ${run.stored.sshPermissions} permissions after ${run.passes} run(s)`,
        met: run.stored.profiles === USERS && run.stored.sshPermissions === USERS && run.failed.length === 0,
    }));
    return {
        tables: [
            {
                title: `3. Convergence under faults (${USERS} users created through the providers against the emulator, throttling seeded ${SEED})`,
                columns: ["throttling", "stored", "1st run", "runs", "attempts", "throttled", "retries", "time s", "+back-off s"],
                rows: rows.map((row) => row.cells),
                notes: [
                    `Retry strategy: ${RETRY_STRATEGY}.`,
                    "stored: profiles/SSH permissions the emulator holds afterwards; 1st run: users complete after the first pulumi up.",
                    "attempts: requests received; retries: attempts beyond the first attempts of the same users with nothing failing",
                    `(${plain} requests), so propagation retries (${propagationRetries}, one per new user) count too.`,
                    `time: measured with back-off 0 ms, one step at a time. +back-off: computed, not measured: the expected wait the`,
                    `default strategy (base ${DEFAULT_BASE_DELAY_MS} ms) adds, over ${unthrottled} call sequences at the row's throttling rate.`,
                ],
            },
        ],
        goals,
        raw: {
            users: USERS,
            seed: SEED,
            maxPasses: MAX_PASSES,
            concurrency: CONCURRENCY,
            retryStrategy: RETRY_STRATEGY,
            requestsWithoutFailures: plain,
            propagationRetries,
            runs: rows.map((row) => ({ ...row.run, retries: row.retries, expectedBackoffMs: row.backoffMs })),
        },
    };
}
