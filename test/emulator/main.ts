/**
 * Standalone emulator for shell-script tests and trying the providers by hand:
 *   npm run emulator -- --port 4580 [--host 127.0.0.1] [--propagation-failures 1]
 *                       [--agent-installer-url URL] [--log]
 * Prints its URL as the only line on stdout, then serves until SIGINT or SIGTERM. With --log every call
 * is written to stderr as one JSON line.
 *
 * It also stops when the process that started it goes away: `npm run` does not pass SIGTERM on to
 * this process (checked with npm 11), so a script that kills npm's pid would otherwise leave it running.
 */
import { parseArgs } from "node:util";
import { startEmulator } from "./";

function integer(name: string, text: string | undefined, fallback: number): number {
    if (text === undefined) {
        return fallback;
    }
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
        throw new Error(`--${name} must be a non-negative integer, got '${text}'`);
    }
    return value;
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            port: { type: "string" },
            host: { type: "string" },
            "propagation-failures": { type: "string" },
            "agent-installer-url": { type: "string" },
            log: { type: "boolean" },
        },
    });
    const emulator = await startEmulator({
        port: integer("port", values.port, 0),
        host: values.host,
        propagationFailures: integer("propagation-failures", values["propagation-failures"], 1),
        agentInstallerUrl: values["agent-installer-url"],
    });
    process.stdout.write(`${emulator.url}\n`);

    let logged = 0;
    const logTimer = values.log
        ? setInterval(() => {
              for (const call of emulator.calls.slice(logged)) {
                  process.stderr.write(`${JSON.stringify(call)}\n`);
              }
              logged = emulator.calls.length;
          }, 100)
        : undefined;

    const stop = (): void => {
        clearInterval(logTimer);
        emulator.close().then(
            () => process.exit(0),
            (error: unknown) => {
                process.stderr.write(`emulator: ${String(error)}\n`);
                process.exit(1);
            },
        );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const parent = process.ppid;
    setInterval(() => {
        if (process.ppid !== parent) {
            stop();
        }
    }, 500).unref();
}

main().catch((error: unknown) => {
    process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
});
