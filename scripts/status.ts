/**
 * `npm run status -- --stack NAME [--bucket NAME | --state FILE] [--region R] [--cluster NAME] [--config-file PATH] [--json]`:
 * every node of the cluster with its type, state, roster generation, agent, last report and last failure,
 * flagged when it is behind, silent or running another agent; instances that never reported are listed too.
 * Needs AWS credentials (the SDK's default chain), not the Pulumi CLI (docs/node-status.md).
 * Exit codes: 0 every running node is on the roster's generation, 1 some node is behind, 2 bad arguments or
 * config, 3 AWS could not be read.
 */
import { parseArgs } from "node:util";
import { readNodeStatus } from "../components/access/roster/nodeStatus";
import { StackConfigFileError } from "./offline/stackConfig";
import { formatStatus } from "./status/report";
import { resolveTarget, StatusArgsError, type StatusTarget } from "./status/where";

export const EXIT = { ok: 0, behind: 1, badArguments: 2, awsFailed: 3 } as const;

export const USAGE =
    "usage: npm run status -- [--stack NAME] [--bucket NAME | --state FILE] [--region REGION] [--cluster NAME] [--config-file PATH] [--json]";

export interface StatusResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the command; never exits the process. `now` (ms) for tests. */
export async function status(argv: readonly string[], now: number = Date.now()): Promise<StatusResult> {
    let target: StatusTarget;
    let json: boolean;
    try {
        const { values } = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string", default: "dev" },
                "config-file": { type: "string" },
                "project-file": { type: "string" },
                bucket: { type: "string" },
                state: { type: "string" },
                region: { type: "string" },
                cluster: { type: "string" },
                json: { type: "boolean", default: false },
            },
            strict: true,
            allowPositionals: false,
        });
        json = values.json;
        target = resolveTarget({
            stack: values.stack,
            ...(values["config-file"] === undefined ? {} : { configFile: values["config-file"] }),
            ...(values["project-file"] === undefined ? {} : { projectFile: values["project-file"] }),
            ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
            ...(values.state === undefined ? {} : { state: values.state }),
            ...(values.region === undefined ? {} : { region: values.region }),
            ...(values.cluster === undefined ? {} : { cluster: values.cluster }),
        });
    } catch (error) {
        const known = error instanceof StatusArgsError || error instanceof StackConfigFileError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
        if (!known) throw error;
        return { exitCode: EXIT.badArguments, stdout: "", stderr: `${(error as Error).message}\n${USAGE}\n` };
    }
    let report: Awaited<ReturnType<typeof readNodeStatus>>;
    try {
        report = await readNodeStatus({ ...target, now });
    } catch (error) {
        const name = (error as { name?: string }).name ?? "Error";
        return { exitCode: EXIT.awsFailed, stdout: "", stderr: `could not read the node status of ${target.cluster} (s3://${target.bucket}, ${target.region}): ${name}: ${(error as Error).message}\n` };
    }
    const stdout = json ? `${JSON.stringify({ cluster: target.cluster, ...report }, null, 2)}\n` : formatStatus(report, target.cluster, now);
    return { exitCode: report.behind.length > 0 ? EXIT.behind : EXIT.ok, stdout, stderr: "" };
}

if (require.main === module) {
    status(process.argv.slice(2)).then(
        (result) => {
            process.stdout.write(result.stdout);
            process.stderr.write(result.stderr);
            process.exitCode = result.exitCode;
        },
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exitCode = 3;
        },
    );
}
