/**
 * `npm run plan [-- --stack NAME] [--config-file PATH] [--policy-pack-config FILE] [--out DIR] [--fresh | --state FILE]`:
 * runs the program and its policies against an in-process mock of the cloud, with no AWS account and no
 * Pulumi CLI, and prints what would be deployed. Writes out/<stack>/plan.json and the rendered cluster
 * configuration, and, when the plan passes, out/<stack>/state.json: what the stack would hold after a
 * `pulumi up` (stackState.ts). The next plan starts from that state, as `pulumi preview` starts from a
 * deployed stack's: UIDs and GIDs stay, a user removed from the config is refused, an end date that has
 * passed expires a user instead of refusing them. `--fresh` plans a first deployment; `--state FILE`
 * starts from a real `pulumi stack export`.
 * Exit codes: 0 fine, 1 a mandatory policy violation, 2 the config is invalid (or names things that do
 * not exist) or the command line is, 3 the program itself failed (a bug).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { UserRow } from "../components/access/userRow";
import { ConfigError } from "../components/config";
import { ROSTER_TYPE } from "../components/access/roster/planner";
import { todayUtc } from "../components/access/roster/clock";
import { checkPolicies, formatPolicyReport, type PolicyReport } from "./offline/policyGate";
import { rosterStateOf, type MockCloudOptions } from "./offline/mockCloud";
import { PolicyConfigError, type PolicyConfigFile } from "./offline/policyHarness";
import { planInputs } from "./offline/inputs";
import { formatCounts, formatDiagnostics, formatTree, formatUsers } from "./offline/report";
import { runProgram, type ProgramRun } from "./offline/runProgram";
import { formatPcs, writeUserData } from "./offline/pcsReport";
import type { PcsSummary } from "../components/pcs/pcsCluster";
import { readStackConfig, StackConfigFileError } from "./offline/stackConfig";
import { previousState, readStackState, stateOfRun, StackStateError, type PreviousState, type StackExport } from "./offline/stackState";
import { formatChanges, planChanges } from "./offline/planDiff";
import { keysByUser, planRosterDocument } from "./offline/rosterPlan";

export const EXIT = { ok: 0, mandatoryViolation: 1, invalidConfig: 2, programFailed: 3 } as const;

export interface PlanOptions {
    readonly stack: string;
    readonly configFile: string;
    readonly projectFile: string;
    readonly outDir: string;
    /** A policy config file, as `pulumi preview --policy-pack-config` takes it. */
    readonly policyConfigFile?: string;
    /** What the mock account holds (tests); by default every looked-up user and subnet exists. */
    readonly cloud?: Partial<MockCloudOptions>;
    /**
     * Where the plan starts: "fresh" (a first deployment; the default here), "remembered" (the state the
     * last passing plan of this stack left in <outDir>/<stack>/state.json, when there is one; the command's
     * default), or a file `pulumi stack export` wrote.
     */
    readonly startFrom?: "fresh" | "remembered" | { readonly stateFile: string };
    /** The clock (ms since the epoch): which end dates have passed, the roster's generation. Default now. */
    readonly now?: number;
}

/** The first lines of the plan's cluster configuration file. */
export const MOCK_IDS_HEADER =
    "# Written by the offline plan (npm run plan): the subnet and security group ids, ARNs and bucket names\n" +
    "# below are the mock cloud's placeholders, not your account's. pulumi up renders this file with the real ones\n" +
    "# (pulumi stack output clusterConfiguration).\n";

/** The state file the plan keeps for a stack. */
export function stateFile(outDir: string, stack: string): string {
    return path.join(outDir, stack, "state.json");
}

export interface PlanResult {
    readonly exitCode: number;
    /** What the plan printed on stdout and stderr. */
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the plan; never exits the process (the CLI wrapper below does). */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const out: string[] = [];
    const err: string[] = [];
    let run: ProgramRun;
    let region: string;
    let policyConfig: PolicyConfigFile | undefined;
    let project: string;
    let start: Start;
    const now = options.now ?? Date.now();
    try {
        policyConfig = options.policyConfigFile === undefined ? undefined : readPolicyConfig(options.policyConfigFile);
        const stackConfig = readStackConfig(options.projectFile, options.configFile);
        project = stackConfig.project;
        const config = stackConfig.config;
        start = startingState(options);
        region = config["aws:region"] ?? "";
        const existingNetwork = JSON.parse(config[`${project}:network`] ?? "{}")?.existing;
        // A cluster subscribed to a pool reads the pool's outputs from the pool's own plan (plan the pool first).
        const poolReference = (JSON.parse(config[`${project}:access`] ?? "{}") as { pool?: unknown })?.pool;
        const poolOutputs = typeof poolReference === "string" && options.cloud?.stackReferences?.[poolReference] === undefined ? plannedOutputs(options.outDir, poolReference) : undefined;
        run = await runProgram({
            project,
            stack: options.stack,
            config,
            cloud: {
                region: region || "us-east-1",
                defaultVpcId: existingNetwork?.vpcId,
                now,
                ...(start.state === undefined ? {} : { previousState: start.state }),
                stackReferences: { ...otherStacks(options.outDir, options.stack, project), ...(poolOutputs === undefined ? {} : { [String(poolReference)]: poolOutputs }) },
                ...options.cloud,
                ...(poolOutputs === undefined || options.cloud?.stackReferences === undefined ? {} : { stackReferences: { ...options.cloud.stackReferences, [String(poolReference)]: poolOutputs } }),
            },
            // Printed in the report below, not as they come.
            echoDiagnostics: false,
        });
    } catch (error) {
        return failure(error, err);
    }

    const users = (run.stackOutputs.users ?? []) as UserRow[];
    let policies: PolicyReport;
    try {
        policies = await checkPolicies(run, policyConfig);
    } catch (error) {
        return failure(error, err);
    }
    // The roster backend's document and what changed since the stack's previous state.
    const rosterResource = run.resources.find((resource) => resource.type === ROSTER_TYPE);
    const previousRoster = rosterResource === undefined ? undefined : (options.cloud?.previousRoster ?? (start.previous === undefined ? undefined : rosterStateOf(start.previous, rosterResource.name)));
    const roster = rosterResource === undefined ? undefined : await planRosterDocument(rosterResource, previousRoster, now);
    const today = todayUtc(now);
    const changes =
        start.previous === undefined
            ? undefined
            : planChanges(
                  start.previous,
                  {
                      users: (start.previous.outputs.users ?? []) as UserRow[],
                      allocation: previousRoster?.allocation,
                      keys: previousRoster === undefined ? undefined : keysByUser(previousRoster.users),
                  },
                  { users, allocation: roster?.allocation, keys: roster?.keys },
                  run.resources,
                  today,
              );
    if (changes !== undefined && changes.refusals.length > 0) {
        err.push(`The change is refused: \`pulumi up\` would stop at ${changes.refusals.length === 1 ? "a delete" : "these deletes"}; nothing was created.`, ...changes.refusals);
        return { exitCode: EXIT.invalidConfig, stdout: "", stderr: err.join("\n") };
    }

    // An AWS PCS environment has no ParallelCluster configuration: its launch templates' user data instead.
    const pcs = (run.stackOutputs.pcs ?? undefined) as PcsSummary | undefined;
    const configText = run.stackOutputs.clusterConfiguration ?? undefined;
    const configFile = String(run.stackOutputs.clusterConfigurationFile ?? "cluster-config.yaml");
    const stackDir = path.join(options.outDir, options.stack);
    mkdirSync(stackDir, { recursive: true });
    // The same text the cluster stack deploys, but for the header: an administrator who finds this file must
    // not take the mock cloud's ids for their account's (a comment in YAML and in v2's INI alike).
    // A pool stack has no cluster, so no configuration file; nor has an AWS PCS cluster.
    if (configText !== undefined) {
        writeFileSync(path.join(stackDir, configFile), `${MOCK_IDS_HEADER}${String(configText ?? "")}`);
    }
    writeFileSync(path.join(stackDir, "plan.json"), `${JSON.stringify(await planDocument(run, users, policies), null, 2)}\n`);
    const written = [path.join(stackDir, "plan.json")];
    if (roster !== undefined) {
        // A pool writes one document per cluster: roster-<cluster>.txt each.
        for (const document of roster.documents) {
            const rosterFile = path.join(stackDir, document.file);
            writeFileSync(rosterFile, document.text);
            written.push(rosterFile);
        }
    }

    const mandatory = policies.violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
    // What the stack would hold after the `pulumi up` this plan stands for; a stopped `up` changes nothing.
    if (mandatory === 0) {
        const state = stateFile(options.outDir, options.stack);
        writeFileSync(state, `${JSON.stringify(await stateOfRun(run, project, options.stack, new Date(now)), null, 2)}\n`);
        written.push(state);
    }
    if (configText !== undefined) {
        written.push(path.join(stackDir, configFile));
    }
    written.push(...(pcs === undefined ? [] : writeUserData(pcs, stackDir)));

    out.push(
        `pcluster-access offline plan: stack ${options.stack} (${path.basename(options.configFile)}), region ${region}, against a mock cloud`,
        start.description,
        "",
        // What `pulumi preview` would print among its diagnostics: the release's warnings, the workarounds applied.
        ...(run.diagnostics.length === 0 ? [] : [`Diagnostics (${run.diagnostics.length}):`, formatDiagnostics(run.diagnostics), ""]),
        `Resources (${run.resources.length}):`,
        formatCounts(run.resources),
        "",
        "Component tree:",
        formatTree(run.resources),
        "",
        ...(pcs === undefined ? [] : ["AWS PCS:", formatPcs(pcs), ""]),
        `Users (${users.length}):`,
        formatUsers(users, today),
        "",
        ...(roster === undefined ? [] : [roster.summary, ""]),
        ...(changes === undefined ? [] : [`Changes since ${start.previous?.source}:`, formatChanges(changes), ""]),
        "Policies:",
        formatPolicyReport(policies),
        "",
        `Wrote ${written.slice(0, -1).join(", ")} and ${written[written.length - 1]}.`,
    );
    if (mandatory > 0) {
        err.push(`${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}: \`pulumi up --policy-pack policy\` would be stopped.`);
    }
    return { exitCode: mandatory > 0 ? EXIT.mandatoryViolation : EXIT.ok, stdout: out.join("\n") + "\n", stderr: err.join("\n") };
}

async function planDocument(run: ProgramRun, users: readonly UserRow[], policies: PolicyReport) {
    return {
        resources: await Promise.all(
            run.resources.map(async (resource) => ({ type: resource.type, name: resource.name, parent: resource.parent ?? null, inputs: await planInputs(resource.inputs) })),
        ),
        users,
        violations: policies.violations,
        diagnostics: run.diagnostics,
        // What a stack reference to this stack reads (a pool's `pool`): the next plan of a subscribed cluster reads it here.
        ...(run.stackOutputs.pool === undefined ? {} : { outputs: { pool: run.stackOutputs.pool } }),
    };
}

/** The state a plan starts from, and the line that says so. */
interface Start {
    readonly state?: StackExport;
    readonly previous?: PreviousState;
    readonly description: string;
}

function startingState(options: PlanOptions): Start {
    const from = options.startFrom ?? "fresh";
    if (from === "fresh") {
        return { description: "Starting from nothing: a first deployment." };
    }
    const file = from === "remembered" ? stateFile(options.outDir, options.stack) : from.stateFile;
    if (from === "remembered" && !existsSync(file)) {
        return { description: `Starting from nothing: a first deployment (no ${file} yet).` };
    }
    const state = readStackState(file);
    const time = state.deployment.manifest?.time;
    const what = from === "remembered" ? "the state the last passing plan left" : "a stack export";
    const previous = previousState(state, file);
    // What the mock cloud will answer from, opened now, so a secret it cannot open is refused before the run.
    for (const resource of previous.resources.filter((candidate) => candidate.type === ROSTER_TYPE)) {
        previous.outputsOf(resource.type, resource.name);
    }
    const { unopened } = previous;
    const secrets = unopened.length === 0 ? "" : `; its secret outputs ${unopened.join(", ")} cannot be opened offline and count as absent`;
    return { state, previous, description: `Starting from ${file} (${what}${typeof time === "string" && time !== "" ? `, ${time}` : ""}${secrets}).` };
}

/**
 * Outputs of the other stacks planned into the same folder, by the name a StackReference gives them
 * (`organization/<project>/<stack>`, a self-managed backend's organization), as their last passing plan left them.
 */
function otherStacks(outDir: string, stack: string, project: string): Record<string, Record<string, unknown>> {
    const stacks: Record<string, Record<string, unknown>> = {};
    let entries: string[];
    try {
        entries = readdirSync(outDir);
    } catch {
        return stacks;
    }
    for (const other of entries) {
        const file = stateFile(outDir, other);
        if (other !== stack && existsSync(file)) {
            stacks[`organization/${project}/${other}`] = previousState(readStackState(file), file).outputs;
        }
    }
    return stacks;
}

/**
 * The outputs a stack reference to `reference` (organization/project/stack) reads, from that stack's last
 * plan under `outDir`: its state.json (the format `pulumi stack export` writes: the root Stack resource's
 * outputs) when there is one, else its plan.json's `outputs`; undefined when it was never planned.
 */
export function plannedOutputs(outDir: string, reference: string): Record<string, unknown> | undefined {
    const stackDir = path.join(outDir, reference.split("/").pop() ?? reference);
    const read = (file: string): unknown => {
        try {
            return JSON.parse(readFileSync(path.join(stackDir, file), "utf8"));
        } catch {
            return undefined;
        }
    };
    const state = read("state.json") as { deployment?: { resources?: { type?: string; outputs?: Record<string, unknown> }[] } } | undefined;
    const root = state?.deployment?.resources?.find((resource) => resource.type === "pulumi:pulumi:Stack");
    return root?.outputs ?? (read("plan.json") as { outputs?: Record<string, unknown> } | undefined)?.outputs;
}

function failure(error: unknown, err: string[]): PlanResult {
    if (error instanceof ConfigError || error instanceof StackConfigFileError || error instanceof PolicyConfigError || error instanceof StackStateError) {
        err.push(error.message);
        return { exitCode: EXIT.invalidConfig, stdout: "", stderr: err.join("\n") };
    }
    if (isProgrammingError(error)) {
        err.push(`The program failed (a bug, please report it; PCA_STACK_TRACES=1 adds the stack trace): ${error.stack ?? error.message}`);
        return { exitCode: EXIT.programFailed, stdout: "", stderr: err.join("\n") };
    }
    const message = error instanceof Error ? error.message : String(error);
    // A provider refusing the change from the stack's state (the Roster's data-safety checks), as `pulumi preview` shows it.
    const refused = /^failed to register new resource (\S+) \[([^\]]+)\]: ([\s\S]*)$/.exec(message);
    if (refused !== null && refused[3].startsWith("The roster cannot be written:")) {
        err.push(`The change is refused by the ${refused[2]} ${refused[1]}, as \`pulumi preview\` refuses it; nothing was created.\n${refused[3]}`);
        return { exitCode: EXIT.invalidConfig, stdout: "", stderr: err.join("\n") };
    }
    // A lookup the cloud refused or a ResourceError: the config names something that is not there.
    err.push(`The config does not match the account; nothing was created.\n${error instanceof Error ? error.message : String(error)}`);
    return { exitCode: EXIT.invalidConfig, stdout: "", stderr: err.join("\n") };
}

function readPolicyConfig(file: string): PolicyConfigFile {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new PolicyConfigError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
    try {
        return JSON.parse(text) as PolicyConfigFile;
    } catch (error) {
        throw new PolicyConfigError(`${file}: is not JSON (${(error as Error).message}).`);
    }
}

function isProgrammingError(error: unknown): error is Error {
    return error instanceof TypeError || error instanceof ReferenceError || error instanceof SyntaxError || error instanceof RangeError;
}

export const USAGE = `Usage: npm run plan -- [options]

Runs the program and its policies against a mock cloud (no AWS account, no Pulumi CLI) and prints what
would be deployed; writes <out>/<stack>/plan.json, roster.txt (roster backend), the cluster configuration,
and, when the plan passes, state.json, which the next plan of the stack starts from.

Options:
  --stack NAME                 the stack (default dev): reads Pulumi.NAME.yaml
  --config-file PATH           another stack file (a copy of Pulumi.dev.yaml you are editing)
  --policy-pack-config FILE    policy settings, as pulumi preview --policy-pack-config takes them
  --out DIR                    where to write (default out)
  --fresh                      plan a first deployment, ignoring <out>/<stack>/state.json
  --state FILE                 start from a deployed stack: a file \`pulumi stack export --file FILE\` wrote
  --help                       print this and exit

Exit codes: 0 fine, 1 a mandatory policy violation, 2 the config or the command line is invalid
(or names things that do not exist), 3 the program failed (a bug).
`;

/** The command line's flags (`npm run plan -- --stack article`): exported so a test holds the README's commands to them. */
export const PLAN_CLI_OPTIONS = {
    stack: { type: "string", default: "dev" },
    "config-file": { type: "string" },
    "policy-pack-config": { type: "string" },
    out: { type: "string", default: "out" },
    fresh: { type: "boolean" },
    state: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** The command line as plan() takes it, a request for the usage, or why it is not one. */
export function parseCommandLine(args: readonly string[], root: string): { help: true } | { error: string } | PlanOptions {
    let values: { stack?: string; "config-file"?: string; "policy-pack-config"?: string; out?: string; fresh?: boolean; state?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: [...args],
            options: PLAN_CLI_OPTIONS,
            allowPositionals: false,
        }));
    } catch (error) {
        return { error: (error as Error).message };
    }
    if (values.help) {
        return { help: true };
    }
    if (values.fresh && values.state !== undefined) {
        return { error: "--fresh and --state are two different starting points; give one." };
    }
    const stack = values.stack ?? "dev";
    return {
        stack,
        configFile: values["config-file"] ?? path.join(root, `Pulumi.${stack}.yaml`),
        projectFile: path.join(root, "Pulumi.yaml"),
        outDir: values.out ?? "out",
        policyConfigFile: values["policy-pack-config"],
        startFrom: values.fresh ? "fresh" : values.state !== undefined ? { stateFile: values.state } : "remembered",
    };
}

async function main(): Promise<void> {
    const parsed = parseCommandLine(process.argv.slice(2), path.join(__dirname, ".."));
    if ("help" in parsed) {
        process.stdout.write(USAGE);
        process.exit(EXIT.ok);
    }
    if ("error" in parsed) {
        process.stderr.write(`${parsed.error}\n\n${USAGE}`);
        process.exit(EXIT.invalidConfig);
    }
    const result = await plan(parsed);
    process.stdout.write(result.stdout);
    if (result.stderr) {
        process.stderr.write(`${result.stderr}\n`);
    }
    process.exit(result.exitCode);
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(EXIT.programFailed);
    });
}
