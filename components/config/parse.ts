/**
 * Turns the raw stack config into an EnvironmentConfig, or into every problem found, each with its key
 * path and its fix. Each key is parsed on its own so one broken key does not hide the others' problems;
 * the cross-field rules then run on whatever parsed.
 */
import type { z } from "zod";
import type { ConfigProblem, EnvironmentConfig } from "./model";
import { checkDeploymentRegion } from "./deploymentRules";
import { checkKeysUnique } from "./keyRules";
import { checkClusterNetwork, checkRegion, computeSubnetCount, resolveCluster, resolveNetwork, resolveOpsWorks, resolveUsers } from "./rules";
import { checkLoginSettings, checkRosterUsers, resolveAccess, resolveRoster } from "./rosterRules";
import { parsePoolConfig, type PoolParseResult } from "./poolRules";
import type { ProblemSink } from "./problems";
import { itemSchemas, pcsCluster, sectionSchemas, type RawSections, type SectionName } from "./schema";
import { checkServiceSettings, resolvePcsCluster, type ResolvedPcs } from "./pcsRules";

export type RawConfigInput = { readonly [K in SectionName]?: unknown };

export type ParseResult =
    | { readonly ok: true; readonly config: EnvironmentConfig; readonly warnings: readonly ConfigProblem[] }
    | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** What to set when a required key is missing. */
const REQUIRED_HINTS: Record<string, string> = {
    cluster: "describe the cluster under pcluster-access:cluster (see Pulumi.dev.yaml)",
    "cluster.name": "name the cluster, e.g. hpc-dev",
    "cluster.os": "choose the node OS, e.g. alinux2023",
    "cluster.keyName": "give the name of an EC2 key pair in the region",
    "cluster.headNode": "give headNode.instanceType, e.g. t3.large",
    "cluster.queues": "list at least one queue",
    "cluster.fsx.mountDir": "choose where nodes mount the file system, e.g. /fsx",
    "cluster.loginNodes.name": "name the pool, e.g. login",
    "cluster.loginNodes.instanceType": "choose the pool's instance type, e.g. t3.medium",
};

const REQUIRED = "is required.";

/** AWS ended OpsWorks Stacks on 2024-05-26 and disabled its API for new and existing customers (README, "OpsWorks Stacks is switched off"). */
export const OPSWORKS_SWITCHED_OFF =
    "opsworks: AWS switched OpsWorks Stacks off on 2024-05-26 (its API is disabled for new and existing customers), so `pulumi up` of this stack fails at the OpsWorks stack. " +
    "It shows the article's design, proven against an emulator. For a cluster you deploy use backend: roster (the default); " +
    "set pcluster-access:ci to {preview: false} to leave this stack out of CI's previews.";

export function parseEnvironmentConfig(input: RawConfigInput): ParseResult {
    const problems: ConfigProblem[] = [];
    const warnings: ConfigProblem[] = [];
    const sink: ProblemSink = {
        report: (path, message) => problems.push({ path, message }),
        warn: (path, message) => warnings.push({ path, message }),
    };

    const parse = parser(problems);
    // An AWS PCS cluster has a schema of its own (no head node); its rules live in pcsRules.ts.
    const givenCluster = isMapping(input.cluster) ? input.cluster : undefined;
    const service = givenCluster?.service === "pcs" ? "pcs" : "parallelcluster";
    const cluster = service === "pcs" ? undefined : parse(sectionSchemas.cluster, input.cluster, "cluster");
    const rawPcsCluster = service === "pcs" ? parse(pcsCluster, input.cluster, "cluster") : undefined;
    const rawPcs = parse(sectionSchemas.pcs, input.pcs, "pcs");
    // Queues are checked even when another cluster key is broken, so their problems show too.
    const rawQueues = (input.cluster as { queues?: unknown } | undefined)?.queues;
    const queues = (Array.isArray(rawQueues) ? rawQueues : []).map((queue, q) =>
        parse(itemSchemas.queue, queue, `cluster.queues[${q}]`),
    );
    const rawPools = (input.cluster as { loginNodes?: unknown } | undefined)?.loginNodes;
    const loginNodes = Array.isArray(rawPools)
        ? rawPools.map((pool, p) => parse(itemSchemas.loginNodePool, pool, `cluster.loginNodes[${p}]`))
        : undefined;
    const users = parse(sectionSchemas.users, input.users, "users");
    const roster = parse(sectionSchemas.roster, input.roster, "roster");
    const rawGroups = (input.roster as { groups?: unknown } | undefined)?.groups;
    const groups = (Array.isArray(rawGroups) ? rawGroups : []).map((group, g) => parse(itemSchemas.group, group, `roster.groups[${g}]`));
    const sections: Partial<RawSections> = {
        region: parse(sectionSchemas.region, input.region, "aws:region"),
        network: parse(sectionSchemas.network, input.network, "network"),
        access: parse(sectionSchemas.access, input.access, "access"),
        opsworks: parse(sectionSchemas.opsworks, input.opsworks, "opsworks"),
        ci: parse(sectionSchemas.ci, input.ci, "ci"),
        roster: roster && { ...roster, groups },
        cluster: cluster && { ...cluster, queues, loginNodes },
        users: users?.map((user, i) => parse(itemSchemas.user, user, `users[${i}]`)),
    };

    checkServiceSettings(service, input.pcs !== undefined, sections.access?.backend, sink);
    // OpsWorks regions only matter to the OpsWorks backend; the roster backend uses S3, which every region has.
    if (sections.region !== undefined && sections.access?.backend === "opsworks") {
        checkRegion(sections.region, sink);
    }
    const network = sections.network && resolveNetwork(sections.network, sink);
    const resolvedPcs: ResolvedPcs | undefined =
        rawPcsCluster && resolvePcsCluster({ ...rawPcsCluster, queues }, givenCluster ?? {}, rawPcs, input.pcs !== undefined, sink);
    const clusterSettings = resolvedPcs?.cluster ?? (sections.cluster && resolveCluster(sections.cluster, network && computeSubnetCount(network), sink));
    if (clusterSettings && sections.region !== undefined && service === "parallelcluster") {
        checkDeploymentRegion(clusterSettings, sections.region, sink);
    }
    if (clusterSettings && network) {
        checkClusterNetwork(clusterSettings, network, sink);
    }
    const clusterName = sections.cluster?.name ?? rawPcsCluster?.name;
    const opsworks = sections.opsworks && resolveOpsWorks(sections.opsworks, clusterName, sink);
    const rosterSettings = sections.roster && resolveRoster(sections.roster, sink);
    const access =
        sections.access &&
        resolveAccess(
            sections.access.backend,
            { opsworks: input.opsworks !== undefined, roster: input.roster !== undefined, users: Array.isArray(input.users) && input.users.length > 0 },
            opsworks,
            rosterSettings,
            sink,
            sections.access.pool,
        );
    if (access?.backend === "opsworks") {
        // Said on every preview and plan of the article's stack, so nobody mistakes it for one AWS can deploy.
        sink.warn("access.backend", OPSWORKS_SWITCHED_OFF);
    }
    const instanceConnect = access?.backend === "roster" && access.roster.instanceConnect;
    const userSettings = sections.users && resolveUsers(sections.users, sections.cluster?.os ?? rawPcsCluster?.os, sink, instanceConnect);
    if (sections.users) {
        checkKeysUnique(sections.users, sink);
    }
    if (userSettings) {
        checkRosterUsers(userSettings, access, sink);
    }
    if (sections.users) {
        checkLoginSettings(sections.users, access, sink);
    }
    if (input.pool !== undefined) {
        sink.report("pool", "makes this a pool stack, which has users and no cluster: remove pcluster-access:cluster and pcluster-access:network (put the cluster in a stack of its own that subscribes with access: {backend: roster, pool: <this stack>}), or remove pcluster-access:pool.");
    }

    if (problems.length > 0 || !sections.region || !clusterSettings || !network || !access || !userSettings) {
        return { ok: false, problems };
    }
    if (userSettings.length === 0 && access.backend !== "pool") {
        sink.warn("users", "lists no users: the environment is planned with no cluster users. Add entries under pcluster-access:users (see Pulumi.dev.yaml), or ignore this while setting up.");
    }
    return {
        ok: true,
        config: {
            region: sections.region,
            cluster: clusterSettings,
            ...(resolvedPcs === undefined ? {} : { pcs: resolvedPcs.pcs }),
            network,
            access,
            users: userSettings.filter((user) => user !== undefined),
        },
        warnings,
    };
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A pool stack's config (pcluster-access:pool): users, project groups and the signing key, and per
 * subscribed cluster who may log in and who has sudo (poolRules.ts).
 */
export function parsePoolStackConfig(input: RawConfigInput): PoolParseResult {
    const problems: ConfigProblem[] = [];
    const warnings: ConfigProblem[] = [];
    const config = parsePoolConfig(input, parser(problems), {
        report: (path, message) => problems.push({ path, message }),
        warn: (path, message) => warnings.push({ path, message }),
    });
    return problems.length > 0 || config === undefined ? { ok: false, problems } : { ok: true, config, warnings };
}

/** Parses one key with its schema; its problems, with their paths and our messages, go to `problems`. */
function parser(problems: ConfigProblem[]) {
    return <T>(schema: z.ZodType<T>, value: unknown, path: string): T | undefined => {
        const result = schema.safeParse(value, { error: defaultMessage });
        if (!result.success) {
            problems.push(...result.error.issues.flatMap((issue) => problemsOf(path, issue)));
        }
        return result.data;
    };
}

function problemsOf(sectionPath: string, issue: z.core.$ZodIssue): ConfigProblem[] {
    const path = formatPath(sectionPath, issue.path);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: formatPath(path, [key]),
            message: "is not a known key. Check its spelling against the config reference in docs/config-reference.md.",
        }));
    }
    const hint = REQUIRED_HINTS[path.replace(/\[\d+\]/g, "")];
    const message = issue.message === REQUIRED && hint ? `is required: ${hint}.` : issue.message;
    return [{ path, message: /[.?]$/.test(message) ? message : `${message}.` }];
}

/** zod's default messages replaced by ours; messages set in the schema take precedence over these. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
    switch (issue.code) {
        case "invalid_type": {
            if (issue.input === undefined) {
                return REQUIRED;
            }
            const expected = issue.expected === "int" ? "a whole number" : `a ${issue.expected}`;
            return `must be ${expected}, not ${describe(issue.input)}.`;
        }
        case "invalid_value":
            return `must be one of: ${issue.values.map(String).join(", ")} (got ${describe(issue.input)}).`;
        case "too_small":
            return issue.origin === "array" ? `must list at least ${issue.minimum}.` : issue.origin === "string" ? "must not be empty." : `must be at least ${issue.minimum}.`;
        case "too_big":
            return issue.origin === "array" ? `must list at most ${issue.maximum}.` : issue.origin === "string" ? `must be at most ${issue.maximum} characters.` : `must be at most ${issue.maximum}.`;
        default:
            return undefined;
    }
}

function describe(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a list";
    }
    if (typeof value === "object") {
        return "a mapping";
    }
    return typeof value === "string" ? `'${value}'` : String(value);
}

function formatPath(base: string, segments: readonly PropertyKey[]): string {
    return segments.reduce<string>(
        (path, segment) => (typeof segment === "number" ? `${path}[${segment}]` : `${path}.${String(segment)}`),
        base,
    );
}

/** One line per problem, as printed on stderr and by `pulumi up`. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    return problems.map((problem) => `${problem.path}: ${problem.message}`).join("\n");
}
