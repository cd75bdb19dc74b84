/** Runs a command as a child process and times it from spawn to exit, capturing what it printed. */
import { spawn } from "node:child_process";

export interface ChildRun {
    /** Exit status, or null when a signal ended the child. */
    readonly status: number | null;
    readonly signal: NodeJS.Signals | null;
    /** Wall-clock milliseconds from spawn to exit. */
    readonly wallMs: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface ChildOptions {
    readonly cwd: string;
    readonly env?: NodeJS.ProcessEnv;
}

/** Resolves when the child has exited; rejects only when it cannot be started. stdin is closed. */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (status, signal) =>
            resolve({
                status,
                signal,
                wallMs: Number(process.hrtime.bigint() - started) / 1e6,
                stdout: Buffer.concat(stdout).toString("utf8"),
                stderr: Buffer.concat(stderr).toString("utf8"),
            }),
        );
    });
}

/** The last `count` non-empty lines of a child's output, for an error message. */
export function tail(text: string, count = 5): string {
    return text.trimEnd().split("\n").slice(-count).join("\n");
}

/** Throws with the command, its status and the tail of its stderr (or stdout) unless it exited 0. */
export function assertExitedZero(what: string, run: ChildRun): void {
    if (run.status !== 0) {
        const how = run.signal ? `was killed by ${run.signal}` : `exited ${run.status}`;
        throw new Error(`${what} ${how}:\n${tail(run.stderr || run.stdout)}`);
    }
}
