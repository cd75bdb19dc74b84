/**
 * Runs child processes without blocking the event loop: the OpsWorks emulator serves from this same
 * process, so a synchronous spawn would deadlock against it.
 */
import { spawn } from "node:child_process";

/** What a finished child process left behind. */
export interface RunResult {
    /** Exit status; a child killed by a signal reports 128 + its number, as bash does. */
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `command args` with exactly `env` (nothing inherited) and no standard input. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", reject);
        child.on("close", (code, signal) => {
            resolve({
                status: code ?? 128 + (signal === "SIGKILL" ? 9 : 15),
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
