/**
 * `npm run plan [-- --stack NAME] [--config-file PATH] [--policy-pack-config FILE] [--out DIR]`: runs the program and its policies against an
 * in-process mock of the cloud, with no AWS account and no Pulumi CLI, and prints what would be deployed.
 * Writes out/<stack>/plan.json and the rendered cluster configuration.
 * Exit codes: 0 fine, 1 a mandatory policy violation, 2 the config is invalid (or names things that do
 * not exist), 3 the program itself failed (a bug).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { UserRow } from "../components/access/userRow";
import { ConfigError } from "../components/config";
import { nextDocument, ROSTER_TYPE, type RosterInputs } from "../components/access/roster/planner";
import { checkPolicies, formatPolicyReport, type PolicyReport } from "./offline/policyGate";
import { signDocument } from "../components/access/roster/signing";
import { mockPublicKey, mockSigner, type MockCloudOptions } from "./offline/mockCloud";
import { PolicyConfigError, type PolicyConfigFile } from "./offline/policyHarness";
import { planInputs } from "./offline/inputs";
import { formatCounts, formatDiagnostics, formatTree, formatUsers } from "./offline/report";
import { runProgram, type ProgramRun } from "./offline/runProgram";
import { formatPcs, writeUserData } from "./offline/pcsReport";
import type { PcsSummary } from "../components/pcs/pcsCluster";
import { readStackConfig, StackConfigFileError } from "./offline/stackConfig";

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
    try {
        policyConfig = options.policyConfigFile === undefined ? undefined : readPolicyConfig(options.policyConfigFile);
        const { project, config } = readStackConfig(options.projectFile, options.configFile);
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
                ...options.cloud,
                ...(poolOutputs === undefined ? {} : { stackReferences: { ...options.cloud?.stackReferences, [String(poolReference)]: poolOutputs } }),
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
    // An AWS PCS environment has no ParallelCluster configuration: its launch templates' user data instead.
    const pcs = (run.stackOutputs.pcs ?? undefined) as PcsSummary | undefined;
    const configText = run.stackOutputs.clusterConfiguration ?? undefined;
    const configFile = String(run.stackOutputs.clusterConfigurationFile ?? "cluster-config.yaml");
    const stackDir = path.join(options.outDir, options.stack);
    mkdirSync(stackDir, { recursive: true });
    // A pool stack has no cluster, so no configuration file; nor has an AWS PCS cluster.
    if (configText !== undefined) {
        writeFileSync(path.join(stackDir, configFile), String(configText ?? ""));
    }
    writeFileSync(path.join(stackDir, "plan.json"), `${JSON.stringify(await planDocument(run, users, policies), null, 2)}
`);
    // The roster backend's document, exactly as the next write would put it (the provider's own renderer),
    // signed by the mock cloud's key, whose public half is every node's PUBKEY in this plan.
    const written = [path.join(stackDir, "plan.json")];
    const roster = run.resources.find((resource) => resource.type === ROSTER_TYPE);
    if (roster !== undefined) {
        const inputs = roster.inputs as unknown as RosterInputs;
        const keyArn = inputs.signingKeyArn;
        // A pool writes one document per cluster: roster-<cluster>.txt each.
        for (const document of nextDocument(options.cloud?.previousRoster, inputs).documents) {
            const rosterFile = path.join(stackDir, inputs.clusters === undefined ? "roster.txt" : `roster-${document.environment}.txt`);
            // A first preview has no key yet: the document is then shown as it is before signing.
            writeFileSync(rosterFile, typeof keyArn === "string" ? await signDocument(document.text, mockSigner(keyArn), mockPublicKey(keyArn), keyArn) : document.text);
            written.push(rosterFile);
        }
    }
    if (configText !== undefined) {
        written.push(path.join(stackDir, configFile));
    }
    written.push(...(pcs === undefined ? [] : writeUserData(pcs, stackDir)));

    out.push(
        `pcluster-access offline plan: stack ${options.stack} (${path.basename(options.configFile)}), region ${region}, against a mock cloud`,
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
        formatUsers(users),
        "",
        "Policies:",
        formatPolicyReport(policies),
        "",
        `Wrote ${written.slice(0, -1).join(", ")} and ${written[written.length - 1]}.`,
    );
    const mandatory = policies.violations.filter((violation) => violation.enforcementLevel === "mandatory").length;
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
    if (error instanceof ConfigError || error instanceof StackConfigFileError || error instanceof PolicyConfigError) {
        err.push(error.message);
        return { exitCode: EXIT.invalidConfig, stdout: "", stderr: err.join("\n") };
    }
    if (isProgrammingError(error)) {
        err.push(`The program failed (a bug, please report it; PCA_STACK_TRACES=1 adds the stack trace): ${error.stack ?? error.message}`);
        return { exitCode: EXIT.programFailed, stdout: "", stderr: err.join("\n") };
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

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", default: "dev" },
            "config-file": { type: "string" },
            "policy-pack-config": { type: "string" },
            out: { type: "string", default: "out" },
        },
        allowPositionals: false,
    });
    const root = path.join(__dirname, "..");
    const stack = values.stack ?? "dev";
    const result = await plan({
        stack,
        configFile: values["config-file"] ?? path.join(root, `Pulumi.${stack}.yaml`),
        projectFile: path.join(root, "Pulumi.yaml"),
        outDir: values.out ?? "out",
        policyConfigFile: values["policy-pack-config"],
    });
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
