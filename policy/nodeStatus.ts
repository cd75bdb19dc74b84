/**
 * required-node-status-grant (issue 24): every node of a roster-mode cluster reports what it applied in its
 * own status record, `status/<instance ARN>.json` in the environment's bucket, and may write that record and
 * nothing else there. The grant names the record with IAM's `${ec2:SourceInstanceARN}` policy variable, so a
 * node can never write another node's record; a node that could write the roster, the agent or the
 * post-install script would decide who logs in on every node (the signature check stops a forged roster,
 * but a deleted one stops every update), and one that could write `status/*` could hide another node that
 * is behind. Checked over the managed policies of the stack each node carries (AdditionalIamPolicies);
 * policies from outside the stack cannot be read in a preview. The grant is required where this stack writes
 * the roster the node reads (its Roster's bucket); a cluster subscribed to a pool of users reads another
 * stack's bucket and reports no status yet, so only the write rules apply to it.
 *
 * Constants are copied from the program (components/access/roster/nodeStatus/record.ts), not imported: a
 * published pack contains only policy/.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { argumentWords, ROSTER_MODE } from "./lib/clusterConfiguration";
import { str, UNKNOWN } from "./lib/known";
import { IAM_POLICY, ROSTER } from "./lib/resourceTypes";
import { allowedResources } from "./lib/policyDocument";
import { globMatches } from "./lib/s3";
import { StackResources, type StackResource } from "./lib/stackResources";

/** The one status key a node may write, as the grant names it. */
export const OWN_STATUS_KEY = "status/${ec2:SourceInstanceARN}.json";
/** Every way to write, delete or re-permission an object. */
const WRITE_ACTIONS = ["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"];
/** Another node's record, as a concrete key a broader grant would match. */
const SOME_OTHER_RECORD = "status/arn:aws:ec2:us-east-1:000000000000:instance/i-00000000000000000.json";

/** Object ARN globs a policy document allows any write action on. */
function writeGrants(document: string): string[] {
    return allowedResources(document, WRITE_ACTIONS);
}

/** The stack's policy an ARN names: by its ARN, or (a first preview, its ARN unknown) by the name the ARN ends with. */
function stackPolicy(stack: StackResources, arn: string): StackResource | undefined {
    const policies = stack.ofType(IAM_POLICY);
    return policies.find((policy) => str(policy.props.arn) === arn) ?? policies.find((policy) => typeof policy.props.name === "string" && arn.endsWith(`:policy/${policy.props.name}`));
}

/** `bucket` and `key` of `s3://bucket/key`, or undefined. */
function s3Url(url: unknown): { bucket: string; key: string } | undefined {
    const match = typeof url === "string" ? /^s3:\/\/([^/]+)\/(.+)$/.exec(url) : null;
    return match === null ? undefined : { bucket: match[1], key: match[2] };
}

export const requiredNodeStatusGrant: StackValidationPolicy = {
    name: "required-node-status-grant",
    description:
        "Checks that every node in roster mode carries the node status grant (s3:PutObject on its own status record, status/${ec2:SourceInstanceARN}.json), and that no managed policy of the stack a node carries lets it write the roster, the agent, its post-install script or another node's status record.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        for (const { resource, read } of stack.configurations()) {
            if (!read.ok) {
                continue;
            }
            for (const node of read.model.nodes) {
                const words = argumentWords(read.model.format, node);
                if (words === UNKNOWN || words === undefined || words[0] !== ROSTER_MODE || node.iamPolicies === UNKNOWN) {
                    continue;
                }
                const roster = s3Url(words[1]);
                if (roster === undefined) {
                    continue;
                }
                const objectArn = (key: string) => `arn:aws:s3:::${roster.bucket}/${key}`;
                const ownRecord = objectArn(OWN_STATUS_KEY);
                const protectedKeys = [roster.key, s3Url(words[2])?.key, s3Url(node.script)?.key].filter((key): key is string => key !== undefined);
                let granted = false;
                for (const arn of node.iamPolicies) {
                    if (typeof arn !== "string") continue;
                    const policy = stackPolicy(stack, arn);
                    const document = policy?.props.policy;
                    if (policy === undefined || typeof document !== "string") continue;
                    for (const grant of writeGrants(document)) {
                        // The grant's own form in any partition (arn:aws-cn:..., arn:aws-us-gov:...).
                        if (grant.replace(/^arn:aws[a-z-]*:/, "arn:aws:") === ownRecord) {
                            granted = true;
                            continue;
                        }
                        for (const key of protectedKeys.filter((key) => globMatches(grant, objectArn(key)))) {
                            reportViolation(
                                `${node.label} carries ${arn}, which lets it write ${grant}: a node could replace or delete ${key}, which every node reads. ` +
                                    `Nodes may write only their own status record (${ownRecord}); remove the write from that policy.`,
                                policy.urn,
                            );
                        }
                        if (globMatches(grant, objectArn(SOME_OTHER_RECORD))) {
                            reportViolation(
                                `${node.label} carries ${arn}, which lets it write ${grant}: a node could overwrite another node's status record and hide it. ` +
                                    `Grant s3:PutObject on ${ownRecord} only (IAM puts the requesting instance's ARN in).`,
                                policy.urn,
                            );
                        }
                    }
                }
                // A roster of this stack in that bucket (or one whose bucket is not known yet).
                const ownRoster = stack.ofType(ROSTER).some((r) => r.props.bucket === UNKNOWN || r.props.bucket === roster.bucket);
                if (!granted && ownRoster) {
                    reportViolation(
                        `${node.label} (${node.iamPoliciesPath}) carries no policy of this stack that grants s3:PutObject on ${ownRecord}: its agent cannot report what it applied, ` +
                            "so pulumi up's wait and npm run status would show it as never reported. Add the roster backend's node status policy to its AdditionalIamPolicies.",
                        resource.urn,
                    );
                }
            }
        }
    },
};
