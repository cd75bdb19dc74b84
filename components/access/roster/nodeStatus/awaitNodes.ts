/**
 * The wait after a roster write: poll the node status until every live node reports the new generation,
 * or the time is up. Progress goes to `log` (`37/40 nodes on generation N`) whenever it changes. Instances
 * terminated during the wait drop out of the next poll (EC2 no longer lists them as running), so they are
 * never waited for. Clock, sleep and reader are injected, so the loop is tested without real waiting.
 */
import { progressLine, type FleetReport } from "./fleet";

export interface AwaitOptions {
    /** One poll: the current status. */
    readonly read: () => Promise<FleetReport>;
    readonly timeoutMs: number;
    readonly pollMs: number;
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    readonly log: (line: string) => void;
}

export interface AwaitResult {
    readonly complete: boolean;
    /** The last poll's status; undefined when no poll could read it. */
    readonly report?: FleetReport;
    /** The last read's error, when the last poll failed. */
    readonly error?: string;
    readonly waitedMs: number;
    readonly polls: number;
}

export async function awaitGeneration(options: AwaitOptions): Promise<AwaitResult> {
    const started = options.now();
    let polls = 0;
    let last = "";
    let report: FleetReport | undefined;
    for (;;) {
        let error: string | undefined;
        try {
            report = await options.read();
        } catch (thrown) {
            // A read that fails (throttling, a network blip) is one lost poll, not the end of the wait.
            error = `the node status could not be read: ${(thrown as { name?: string }).name ?? "Error"}: ${(thrown as Error).message}`;
        }
        polls += 1;
        const line = error ?? progressLine(report!);
        if (line !== last) {
            options.log(line);
            last = line;
        }
        const waitedMs = options.now() - started;
        if (error === undefined && report!.behind.length === 0) {
            return { complete: true, report, waitedMs, polls };
        }
        const left = options.timeoutMs - waitedMs;
        if (left <= 0) {
            return { complete: false, waitedMs, polls, ...(report === undefined ? {} : { report }), ...(error === undefined ? {} : { error }) };
        }
        await options.sleep(Math.min(options.pollMs, left));
    }
}
