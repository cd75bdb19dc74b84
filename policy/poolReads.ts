/**
 * prohibited-other-cluster-documents: a cluster subscribed to a pool of users (its nodes' roster argument is
 * a pool's document, s3://BUCKET/pool/CLUSTER/roster.txt) may let its nodes read, in the pool's bucket, only
 * its own cluster's document and the agent. Another cluster's document is another cluster's logins and
 * sudo; a wider grant (the whole bucket, the pool/ prefix) reads every cluster's, and everything else the
 * pool keeps there. The pool signs each document for its cluster's name, so a node would refuse another
 * cluster's document; this stops the grant that would let it be read at all (docs/pool.md). No node
 * may write anything there: only the pool stack does.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { argumentWords, ROSTER_MODE, type ClusterConfigurationModel, type ClusterNode } from "./lib/clusterConfiguration";
import { policyObjectReads } from "./lib/iamPolicyReads";
import { isKnown, type Unknown } from "./lib/known";
import { pcsNodeModels } from "./lib/pcsNodeGroups";
import { objectArn, parseS3Url } from "./lib/s3";
import { StackResources } from "./lib/stackResources";
import { capitalize, joinAnd } from "./lib/text";

/** A pool's cluster document key (components/access/pool/poolOutput.ts poolDocumentKey). */
const POOL_DOCUMENT = /^pool\/([^/]+)\/roster\.txt$/;

export const prohibitedOtherClusterDocuments: StackValidationPolicy = {
    name: "prohibited-other-cluster-documents",
    description:
        "Checks that the nodes of a cluster subscribed to a pool of users read their own cluster's roster document and may read nothing else in the pool's bucket but the agent: never another cluster's document, never the whole bucket.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        const policyReads = policyObjectReads(stack);
        // ParallelCluster nodes, and AWS PCS node groups judged the same way (lib/pcsNodeGroups.ts).
        for (const { resource, read } of [...stack.configurations(), ...pcsNodeModels(stack)]) {
            if (read.ok) {
                for (const node of read.model.nodes) {
                    for (const problem of nodeProblems(node, read.model, policyReads)) {
                        reportViolation(problem, resource.urn);
                    }
                }
            }
        }
    },
};

function nodeProblems(node: ClusterNode, model: ClusterConfigurationModel, policyReads: ReadonlyMap<string, readonly string[]> | Unknown): string[] {
    const words = argumentWords(model.format, node);
    if (!isKnown(words) || words === undefined || words[0] !== ROSTER_MODE || words.length !== 6) {
        return [];
    }
    const [, rosterWord, agentWord, , clusterWord] = words;
    const document = typeof rosterWord === "string" ? parseS3Url(rosterWord) : undefined;
    const documentCluster = document === undefined ? undefined : POOL_DOCUMENT.exec(document.key)?.[1];
    if (document === undefined || documentCluster === undefined || typeof clusterWord !== "string") {
        // Not subscribed to a pool (or not known in this preview): required-roster-wiring judges it.
        return [];
    }
    const who = capitalize(node.label);
    const problems: string[] = [];
    if (documentCluster !== clusterWord) {
        problems.push(
            `${who} reads the pool's document of cluster ${documentCluster} (${node.argsPath}), but is a node of ${clusterWord}: another cluster's logins and sudo. Pass s3://${document.bucket}/pool/${clusterWord}/roster.txt.`,
        );
    }
    const own = objectArn({ bucket: document.bucket, key: `pool/${clusterWord}/roster.txt` });
    const agent = typeof agentWord === "string" ? parseS3Url(agentWord) : undefined;
    const allowed = new Set([own, ...(agent === undefined ? [] : [objectArn(agent)])]);
    const inPool = `arn:aws:s3:::${document.bucket}/`;
    const grants: [string, string][] = [];
    if (isKnown(node.s3Read)) {
        grants.push(...node.s3Read.filter((glob): glob is string => typeof glob === "string").map((glob): [string, string] => [glob, node.s3ReadPath]));
    }
    if (node.s3ReadPolicyArns !== undefined && isKnown(node.s3ReadPolicyArns) && isKnown(policyReads)) {
        for (const arn of node.s3ReadPolicyArns) {
            grants.push(...(typeof arn === "string" ? (policyReads.get(arn) ?? []).map((glob): [string, string] => [glob, `${node.s3ReadPath} (${arn})`]) : []));
        }
    }
    const poolBucket = (glob: string) => glob.startsWith(inPool) || glob === `arn:aws:s3:::${document.bucket}`;
    const writes = isKnown(node.s3Write) && node.s3Write !== undefined ? node.s3Write.filter((glob): glob is string => typeof glob === "string" && poolBucket(glob)) : [];
    if (writes.length > 0) {
        // ParallelCluster's write access is s3:* on the objects: a node could replace what every cluster's nodes fetch.
        problems.push(
            `${who} may write ${joinAnd(writes)} in the pool's bucket (${node.s3WritePath ?? node.s3ReadPath}): only the pool stack writes there. Remove the write access (EnableWriteAccess: false).`,
        );
    }
    const wider = grants.filter(([glob]) => poolBucket(glob) && !allowed.has(glob));
    if (wider.length > 0) {
        problems.push(
            `${who} may read ${joinAnd(wider.map(([glob, path]) => `${glob} (${path})`))} in the pool's bucket. A node of ${clusterWord} must read only its own document ${own} and the agent: ` +
                "another cluster's document is another cluster's logins and sudo. Remove the grant, or narrow it to those two objects.",
        );
    }
    return problems;
}
