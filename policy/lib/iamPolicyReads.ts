/**
 * What the managed policies a stack creates (`aws:iam/policy:Policy`) let a node read from S3: object
 * ARN globs of the statements that allow `s3:GetObject`. Login node pools read their post-install script
 * through such a policy, since they take no S3Access.
 */
import { UNKNOWN, type Unknown } from "./known";
import { IAM_POLICY } from "./resourceTypes";
import { globMatches } from "./s3";
import type { StackResources } from "./stackResources";

type Statement = { Effect?: unknown; Action?: unknown; Resource?: unknown };

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
    let statements: unknown;
    try {
        statements = (JSON.parse(document) as { Statement?: unknown }).Statement;
    } catch {
        return [];
    }
    const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
    return asList(statements).flatMap((statement) => {
        const { Effect, Action, Resource } = (statement ?? {}) as Statement;
        const allowsGet = asList(Action).some((action) => typeof action === "string" && globMatches(action, "s3:GetObject"));
        return Effect === "Allow" && allowsGet ? asList(Resource).filter((resource): resource is string => typeof resource === "string") : [];
    });
}
