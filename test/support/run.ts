/**
 * Runs child processes without blocking the event loop: the OpsWorks emulator serves from this same
 * process, so a synchronous spawn would deadlock against it. The bench times its children with it too.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** What a finished child process left behind. */
export interface RunResult {
    /** Exit status; a child killed by a signal reports 128 + its number, as bash does. */
    readonly status: number;
    /** The signal that ended the child, if one did. */
    readonly signal: NodeJS.Signals | null;
    /** Wall-clock milliseconds from spawn to exit. */
    readonly wallMs: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `command args` in `cwd` (default: ours) with exactly `env` (nothing inherited) and no standard input. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (code, signal) => {
            resolve({
                status: code ?? 128 + (signal ? constants.signals[signal] : 0),
                signal,
                wallMs: Number(process.hrtime.bigint() - started) / 1e6,
                stdout: Buffer.concat(stdout).toString(),
                stderr: Buffer.concat(stderr).toString(),
            });
        });
    });
}

/** Runs a command that must succeed and returns its standard output. */
export async function runOk(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
    const result = await run(command, args, env);
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.trim()}`);
    }
    return result.stdout;
}
