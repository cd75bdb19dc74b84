/** What the bench says about a child process it ran (test/support/run.ts runs and times it). */
import type { RunResult } from "../../test/support/run";

/** The last `count` non-empty lines of a child's output, for an error message. */
export function tail(text: string, count = 5): string {
    return text.trimEnd().split("\n").slice(-count).join("\n");
}

/** Throws with the command, its status and the tail of its stderr (or stdout) unless it exited 0. */
export function assertExitedZero(what: string, run: RunResult): void {
    if (run.status !== 0) {
        const how = run.signal ? `was killed by ${run.signal}` : `exited ${run.status}`;
        throw new Error(`${what} ${how}:\n${tail(run.stderr || run.stdout)}`);
    }
}
