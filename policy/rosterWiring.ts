/**
 * required-roster-wiring: where the roster backend is present (a pulumi-nodejs:dynamic/roster:Roster),
 * every node must run this environment's post-install script in roster mode with this environment's
 * roster, agent, a cron-able interval, this environment's name and a public key (PUBKEY, which
 * required-roster-signing-key checks is this environment's signing key), and may read the roster and the agent
 * (components/access/roster/FORMAT.md, "Where it lives"). A node that reads another environment's roster,
 * or none, gets the wrong users or none at all.
 */
import { createHash } from "node:crypto";
import type { StackValidationPolicy } from "@pulumi/policy";
import { argumentWords, ROSTER_MODE, unreadableConfiguration, type ClusterConfigurationModel, type ClusterNode } from "./lib/clusterConfiguration";
import { isKnown, str, UNKNOWN, type Maybe, type Unknown } from "./lib/known";
import { configWithDefaults, stringValue } from "./lib/policyConfig";
import { policyObjectReads } from "./lib/iamPolicyReads";
import { nodeGrants } from "./postInstall";
import { ROSTER, S3_BUCKET_OBJECT } from "./lib/resourceTypes";
import { globMatches, objectArn, parseS3Url, s3Url } from "./lib/s3";
import { pcsNodeModels } from "./lib/pcsNodeGroups";
import { StackResources, type StackResource } from "./lib/stackResources";
import { capitalize, joinAnd } from "./lib/text";

export interface RosterWiringConfig {
    /** S3 key under which the environment uploads the node agent. */
    readonly agentKey: string;
}

export const ROSTER_WIRING_DEFAULTS: RosterWiringConfig = { agentKey: "agent.tar" };

/** What this stack's Roster says the nodes must be given; UNKNOWN where not known during this preview. */
interface ExpectedRoster {
    readonly rosterUrl: Maybe<string>;
    readonly environment: Maybe<string>;
    /** `s3://` URLs of the agent scripts this stack uploads. */
    readonly agents: readonly string[] | Unknown;
    /** What this stack's managed policies let a node read (login node pools read through them). */
    readonly policyReads: ReadonlyMap<string, readonly string[]> | Unknown;
}

export const requiredRosterWiring: StackValidationPolicy = {
    name: "required-roster-wiring",
    description:
        "Checks that the head node, every queue and every login node pool of a stack with a roster run the post-install script in roster mode with this environment's roster, agent, interval and name, and may read the roster and the agent.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            agentKey: stringValue("S3 key of the node agent the environment uploads.", ROSTER_WIRING_DEFAULTS.agentKey),
        },
    },
    validateStack: (args, reportViolation) => {
        const { agentKey } = configWithDefaults(args, ROSTER_WIRING_DEFAULTS);
        const stack = new StackResources(args.resources);
        const rosters = stack.ofType(ROSTER);
        if (rosters.length === 0) {
            args.notApplicable("no roster in this stack: the roster backend is not used");
        }
        for (const roster of rosters) {
            const problem = agentHashProblem(stack, roster, agentKey);
            if (problem !== undefined) {
                reportViolation(problem, roster.urn);
            }
        }
        const expected: ExpectedRoster = { ...expectedOf(stack, rosters[0], agentKey), policyReads: policyObjectReads(stack) };
        // ParallelCluster nodes, and AWS PCS node groups judged the same way (lib/pcsNodeGroups.ts).
        for (const { resource, read } of [...stack.configurations(), ...pcsNodeModels(stack)]) {
            if (!read.ok) {
                // This policy's own verdict where the roster backend is: a site may disable the OpsWorks policies.
                reportViolation(unreadableConfiguration(read.problem, "whether each node runs the roster agent with this environment's roster, agent, interval and name"), resource.urn);
                continue;
            }
            for (const node of read.model.nodes) {
                for (const problem of nodeProblems(node, read.model, expected)) {
                    reportViolation(problem, resource.urn);
                }
            }
        }
    },
};

function expectedOf(stack: StackResources, roster: StackResource, agentKey: string): Omit<ExpectedRoster, "policyReads"> {
    const bucket = str(roster.props.bucket);
    const key = str(roster.props.key);
    const rosterUrl = bucket === UNKNOWN || key === UNKNOWN ? UNKNOWN : typeof bucket === "string" && typeof key === "string" ? s3Url({ bucket, key }) : undefined;
    const agents: string[] = [];
    for (const object of stack.ofType(S3_BUCKET_OBJECT)) {
        const objectBucket = str(object.props.bucket);
        const objectKey = str(object.props.key);
        if (objectBucket === UNKNOWN || objectKey === UNKNOWN) {
            return { rosterUrl, environment: str(roster.props.environment), agents: UNKNOWN };
        }
        if (typeof objectBucket === "string" && objectKey === agentKey) {
            agents.push(s3Url({ bucket: objectBucket, key: objectKey }));
        }
    }
    return { rosterUrl, environment: str(roster.props.environment), agents };
}

/** The bytes an object of the stack uploads (`contentBase64` or `content`); UNKNOWN while not known, undefined when they are not in its inputs. */
function uploadedBytes(object: StackResource): Buffer | Unknown | undefined {
    const base64 = str(object.props.contentBase64);
    const content = str(object.props.content);
    if (base64 === UNKNOWN || content === UNKNOWN) {
        return UNKNOWN;
    }
    return typeof base64 === "string" ? Buffer.from(base64, "base64") : typeof content === "string" ? Buffer.from(content, "utf8") : undefined;
}

/**
 * The roster's `agent` line must be the SHA-256 of the object this stack uploads at the agent key (in the
 * roster's bucket, once that is known): every node checks the object it fetches against that line, so
 * another hash makes every node refuse the upgrade, or vouches for an agent nobody reviewed.
 */
function agentHashProblem(stack: StackResources, roster: StackResource, agentKey: string): string | undefined {
    const named = str(roster.props.agentSha256);
    const bucket = str(roster.props.bucket);
    const agents = stack.ofType(S3_BUCKET_OBJECT).filter((object) => {
        const objectBucket = str(object.props.bucket);
        return str(object.props.key) === agentKey && (typeof bucket !== "string" || typeof objectBucket !== "string" || objectBucket === bucket);
    });
    if (named === UNKNOWN || agents.length === 0) {
        return undefined; // no agent uploaded at all: the nodes' AGENT word is reported instead
    }
    const hashes: string[] = [];
    for (const agent of agents) {
        const bytes = uploadedBytes(agent);
        if (bytes === UNKNOWN) {
            return undefined; // not known during this preview: not judged
        }
        if (bytes === undefined) {
            return (
                `The agent object ${agent.name} (key ${agentKey}) is uploaded from a source whose bytes this policy cannot see, so the roster's agent line cannot be checked against it. ` +
                "Upload the bundle as contentBase64, as the program does (components/access/index.ts, backendObjects)."
            );
        }
        hashes.push(createHash("sha256").update(bytes).digest("hex"));
    }
    if (named !== undefined && hashes.includes(named)) {
        return undefined;
    }
    return (
        `The roster's agent line names ${named === undefined ? "no agent" : named}, not ${joinAnd(hashes)}, the SHA-256 of the agent this stack uploads at ${agentKey}: ` +
        "every node checks the agent it fetches against that line, so each would refuse the upgrade, or the line would vouch for code nobody reviewed. " +
        "The Roster's agentSha256 must be the hash of the uploaded bundle (agentBundle().sha256, the same bytes backendObjects uploads)."
    );
}

function shown(word: Maybe<string>): string {
    return word === UNKNOWN ? "(a value not known yet)" : JSON.stringify(word ?? "");
}

function nodeProblems(node: ClusterNode, model: ClusterConfigurationModel, expected: ExpectedRoster): string[] {
    const who = capitalize(node.label);
    const words = argumentWords(model.format, node);
    if (words === UNKNOWN) {
        return [];
    }
    const rosterUrl = typeof expected.rosterUrl === "string" ? expected.rosterUrl : "this environment's roster (s3://BUCKET/roster.txt)";
    const agent = isKnown(expected.agents) && expected.agents.length > 0 ? joinAnd(expected.agents) : "this environment's uploaded agent";
    const environment = typeof expected.environment === "string" ? expected.environment : "this environment's name";
    const wanted = `${ROSTER_MODE} ${rosterUrl} ${agent} INTERVAL_SECONDS ${environment} PUBKEY`;
    const given = words === undefined || words.length === 0 ? "no argument" : words.map(shown).join(" ");
    if (words === undefined || words[0] !== ROSTER_MODE || words.length !== 6) {
        if (words !== undefined && words[0] === UNKNOWN) {
            return [];
        }
        return [
            `${who} passes ${given} to the post-install script (${node.argsPath}), not the roster backend's arguments. ` +
                `They must be: ${wanted}; otherwise the node runs no roster agent and gets none of this environment's users.`,
        ];
    }
    const problems: string[] = [];
    const [, rosterWord, agentWord, intervalWord, environmentWord] = words;
    if (isKnown(rosterWord) && isKnown(expected.rosterUrl) && rosterWord !== expected.rosterUrl) {
        problems.push(`${who} reads the roster ${shown(rosterWord)} (${node.argsPath}), not this environment's ${rosterUrl}: its users would be another roster's. Pass ${rosterUrl}.`);
    }
    if (isKnown(agentWord) && isKnown(expected.agents) && !expected.agents.includes(agentWord ?? "")) {
        problems.push(
            expected.agents.length === 0
                ? `${who} runs the agent ${shown(agentWord)} (${node.argsPath}), but this stack uploads no agent (an ${S3_BUCKET_OBJECT} with key ${ROSTER_WIRING_DEFAULTS.agentKey}). The nodes must run the agent this environment uploads.`
                : `${who} runs the agent ${shown(agentWord)} (${node.argsPath}), not this environment's ${agent}. Pass ${agent}.`,
        );
    }
    const interval = typeof intervalWord === "string" && /^\d+$/.test(intervalWord) ? Number(intervalWord) : undefined;
    if (isKnown(intervalWord) && (interval === undefined || interval < 60 || interval > 3600 || interval % 60 !== 0)) {
        problems.push(`${who} passes the sync interval ${shown(intervalWord)} (${node.argsPath}); it must be whole seconds, a multiple of 60 from 60 to 3600 (a cron step).`);
    }
    if (isKnown(environmentWord) && isKnown(expected.environment) && environmentWord !== expected.environment) {
        problems.push(
            `${who} passes the environment name ${shown(environmentWord)} (${node.argsPath}), not ${environment}: the agent refuses every roster of this environment. Pass ${environment}.`,
        );
    }
    problems.push(...readProblems(node, model, [rosterWord, agentWord], expected.policyReads));
    return problems;
}

/** The node must be allowed to read the roster and the agent it is given. */
function readProblems(node: ClusterNode, model: ClusterConfigurationModel, urls: readonly Maybe<string>[], policyReads: ExpectedRoster["policyReads"]): string[] {
    const grants = nodeGrants(node, policyReads);
    if (!isKnown(grants) || grants.includes(UNKNOWN)) {
        return [];
    }
    const problems: string[] = [];
    for (const url of urls) {
        const object = typeof url === "string" ? parseS3Url(url) : undefined;
        if (object === undefined) {
            continue;
        }
        const arn = objectArn(object);
        if (!grants.some((grant) => typeof grant === "string" && globMatches(grant, arn))) {
            const fix =
                node.s3ReadPolicyArns !== undefined
                    ? `list in ${node.s3ReadPath} a managed policy of this stack that allows s3:GetObject on it (login node pools take no S3Access)`
                    : model.format === "v3"
                      ? `add {BucketName: ${object.bucket}, KeyName: ${object.key}, EnableWriteAccess: false} to ${node.s3ReadPath}`
                      : `set ${node.s3ReadPath} = arn:aws:s3:::${object.bucket}/*`;
            problems.push(`${capitalize(node.label)} may not read ${arn}: nothing in ${node.s3ReadPath} covers it, so the agent cannot fetch it. To fix, ${fix}.`);
        }
    }
    return problems;
}
