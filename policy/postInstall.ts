/**
 * required-post-install-wiring: every node must run this environment's own post-install script, pass it
 * this stack's OpsWorks stack id, and be allowed to download it. A script from elsewhere, or another
 * stack's id, registers the nodes somewhere this environment's users are not (or not at all).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { unreadableConfiguration, type ClusterConfigurationModel, type ClusterNode } from "./lib/clusterConfiguration";
import { policyObjectReads } from "./lib/iamPolicyReads";
import { isKnown, str, UNKNOWN, type Maybe, type Unknown } from "./lib/known";
import { configWithDefaults, stringValue } from "./lib/policyConfig";
import { OPSWORKS_PERMISSION, OPSWORKS_STACK, S3_BUCKET_OBJECT } from "./lib/resourceTypes";
import { globMatches, objectArn, parseS3Url, s3Url, type S3Object } from "./lib/s3";
import { StackResources } from "./lib/stackResources";
import { capitalize, joinAnd } from "./lib/text";

export interface PostInstallWiringConfig {
    /** S3 key under which the environment uploads its post-install script. */
    readonly scriptKey: string;
}

export const POST_INSTALL_WIRING_DEFAULTS: PostInstallWiringConfig = { scriptKey: "post-install.sh" };

/** What the stack itself says the wiring must be; UNKNOWN where a value is not known during this preview. */
interface Expected {
    /** `s3://` URLs of the scripts this stack uploads. */
    readonly scripts: readonly string[] | Unknown;
    /** OpsWorks stack ids of this stack (created, or adopted and named by the permissions); empty: no OpsWorks here. */
    readonly stackIds: readonly string[] | Unknown;
    /** What this stack's managed policies let a node read (login node pools read through them). */
    readonly policyReads: ReadonlyMap<string, readonly string[]> | Unknown;
}

export const requiredPostInstallWiring: StackValidationPolicy = {
    name: "required-post-install-wiring",
    description:
        "Checks that every cluster node runs this environment's uploaded post-install script with this stack's OpsWorks stack id as its argument, and may read the script from S3.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            scriptKey: stringValue("S3 key of the post-install script the environment uploads.", POST_INSTALL_WIRING_DEFAULTS.scriptKey),
        },
    },
    validateStack: (args, reportViolation) => {
        const { scriptKey } = configWithDefaults(args, POST_INSTALL_WIRING_DEFAULTS);
        const stack = new StackResources(args.resources);
        const expected: Expected = { scripts: uploadedScripts(stack, scriptKey), stackIds: opsworksStackIds(stack), policyReads: policyObjectReads(stack) };
        for (const { resource, read } of stack.configurations()) {
            if (!read.ok) {
                // This policy's own verdict, whatever the backend: every node runs the script.
                reportViolation(unreadableConfiguration(read.problem, "which post-install script each node runs, with which arguments, and whether it may read it"), resource.urn);
                continue;
            }
            for (const node of read.model.nodes) {
                for (const problem of nodeProblems(node, read.model, expected, scriptKey)) {
                    reportViolation(problem, resource.urn);
                }
            }
        }
    },
};

function uploadedScripts(stack: StackResources, scriptKey: string): string[] | Unknown {
    const scripts: string[] = [];
    for (const object of stack.ofType(S3_BUCKET_OBJECT)) {
        const bucket = str(object.props.bucket);
        const key = str(object.props.key);
        if (bucket === UNKNOWN || key === UNKNOWN) {
            return UNKNOWN;
        }
        if (bucket !== undefined && key === scriptKey) {
            scripts.push(s3Url({ bucket, key }));
        }
    }
    return scripts;
}

function opsworksStackIds(stack: StackResources): string[] | Unknown {
    const created = stack.ofType(OPSWORKS_STACK);
    // stackId is an output: absent until the stack exists. An adopted stack has no resource here: the permissions name it.
    const ids =
        created.length > 0
            ? created.map((resource) => str(resource.props.stackId) ?? UNKNOWN)
            : stack.ofType(OPSWORKS_PERMISSION).map((resource) => str(resource.props.stackId));
    if (ids.includes(UNKNOWN)) {
        return UNKNOWN;
    }
    return [...new Set(ids.filter((id): id is string => typeof id === "string"))];
}

function nodeProblems(node: ClusterNode, model: ClusterConfigurationModel, expected: Expected, scriptKey: string): string[] {
    const problems: string[] = [];
    const who = capitalize(node.label);
    const where = node.scriptPath;
    const uploaded = isKnown(expected.scripts) ? joinAnd(expected.scripts) : "this environment's uploaded script";
    // Undefined when the script is not set, not known yet, or not an S3 location.
    const script = typeof node.script === "string" ? parseS3Url(node.script) : undefined;
    if (node.script === undefined) {
        problems.push(
            `${who} runs no post-install script (${where}). It must run ${uploaded}, which gives the node this environment's users (the roster agent, or registration with the OpsWorks stack); without it the node gets none of them.`,
        );
    } else if (isKnown(node.script) && isKnown(expected.scripts) && !(script !== undefined && expected.scripts.includes(s3Url(script)))) {
        problems.push(
            expected.scripts.length === 0
                ? `${who} runs ${node.script} (${where}), but this stack uploads no post-install script (an ${S3_BUCKET_OBJECT} with key ${scriptKey}). ` +
                      "The nodes must run the script this environment uploads, so that what registers them is reviewed and versioned here."
                : `${who} runs ${node.script} (${where}), not this environment's uploaded post-install script. It must run ${uploaded}: point ${where} at it.`,
        );
    }
    problems.push(...argumentProblems(node, expected));
    if (script !== undefined) {
        problems.push(...readProblems(node, model, script, expected.policyReads));
    }
    return problems;
}

function argumentProblems(node: ClusterNode, expected: Expected): string[] {
    const stackIds = expected.stackIds;
    // No OpsWorks stack in this stack: nothing to compare the argument with.
    if ((isKnown(stackIds) && stackIds.length === 0) || !isKnown(node.args)) {
        return [];
    }
    const args = node.args ?? [];
    if (args.length === 1 && (!isKnown(args[0]) || !isKnown(stackIds) || (typeof args[0] === "string" && stackIds.includes(args[0])))) {
        return [];
    }
    const given = args.length === 0 ? "no argument" : args.map((arg) => (isKnown(arg) ? JSON.stringify(arg ?? "") : "(a value not known yet)")).join(", ");
    const must = isKnown(stackIds) ? joinAnd(stackIds) : "the id of this stack's OpsWorks stack";
    return [
        `${capitalize(node.label)} passes ${given} to the post-install script (${node.argsPath}), not this stack's OpsWorks stack id. ` +
            `Its only argument must be ${must}; otherwise the nodes register with another stack, whose users are not this cluster's.`,
    ];
}

function readProblems(node: ClusterNode, model: ClusterConfigurationModel, script: S3Object, policyReads: Expected["policyReads"]): string[] {
    const grants = nodeGrants(node, policyReads);
    if (!isKnown(grants)) {
        return [];
    }
    const arn = objectArn(script);
    if (grants.some((grant) => typeof grant === "string" && globMatches(grant, arn)) || grants.includes(UNKNOWN)) {
        return [];
    }
    const fix =
        node.s3ReadPolicyArns !== undefined
            ? `list in ${node.s3ReadPath} a managed policy of this stack that allows s3:GetObject on it (login node pools take no S3Access)`
            : model.format === "v3"
              ? `add {BucketName: ${script.bucket}, EnableWriteAccess: false} to ${node.s3ReadPath}`
              : `set ${node.s3ReadPath} = arn:aws:s3:::${script.bucket}/*`;
    return [
        `${capitalize(node.label)} may not read its post-install script ${arn}: nothing in ${node.s3ReadPath} covers it, so the node cannot download the script. To fix, ${fix}.`,
    ];
}

/** The node's S3 read grants: its S3Access, or for a login node pool what its managed policies allow. */
export function nodeGrants(node: ClusterNode, policyReads: ReadonlyMap<string, readonly string[]> | Unknown): readonly Maybe<string>[] | Unknown {
    if (!isKnown(node.s3Read) || node.s3ReadPolicyArns === undefined) {
        return node.s3Read;
    }
    const arns = node.s3ReadPolicyArns;
    if (!isKnown(arns) || !isKnown(policyReads) || arns.includes(UNKNOWN)) {
        return UNKNOWN;
    }
    return [...node.s3Read, ...arns.flatMap((policyArn) => (typeof policyArn === "string" ? (policyReads.get(policyArn) ?? []) : []))];
}
