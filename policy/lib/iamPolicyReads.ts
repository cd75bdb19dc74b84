/**
 * What the managed policies a stack creates (`aws:iam/policy:Policy`) let a node read from S3: object
 * ARN globs of the statements that allow `s3:GetObject`. Login node pools read their post-install script
 * through such a policy, since they take no S3Access.
 */
import { UNKNOWN, type Unknown } from "./known";
import { IAM_POLICY } from "./resourceTypes";
import { allowedResources } from "./policyDocument";
import type { StackResources } from "./stackResources";

/** Policy ARN to the object ARN globs it grants `s3:GetObject` on; UNKNOWN while a policy's ARN or document is not known. */
export function policyObjectReads(stack: StackResources): Map<string, string[]> | Unknown {
    const reads = new Map<string, string[]>();
    for (const policy of stack.ofType(IAM_POLICY)) {
        const { arn, policy: document } = policy.props;
        if (arn === UNKNOWN || document === UNKNOWN) {
            return UNKNOWN;
        }
        if (typeof arn === "string" && typeof document === "string") {
            reads.set(arn, objectGrants(document));
        }
    }
    return reads;
}

function objectGrants(document: string): string[] {
    return allowedResources(document, ["s3:GetObject"]);
}
