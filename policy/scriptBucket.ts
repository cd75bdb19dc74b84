/**
 * required-private-script-bucket: every cluster node runs the post-install script as root, so whoever can
 * write or swap it owns the cluster, and the bucket also holds the cluster configuration. The bucket must
 * block public access, encrypt at rest and refuse plain HTTP. Guards are tied to the bucket by dependency
 * (known even in a first preview) or by the bucket's name.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { at, isKnown, items, str, UNKNOWN, type Plain, type Unknown } from "./lib/known";
import { configWithDefaults, stringList } from "./lib/policyConfig";
import { CLUSTER_CONFIGURATION, S3_BUCKET, S3_BUCKET_OBJECT, S3_BUCKET_POLICY, S3_ENCRYPTION, S3_PUBLIC_ACCESS_BLOCK } from "./lib/resourceTypes";
import { globMatches } from "./lib/s3";
import { StackResources, type StackResource } from "./lib/stackResources";
import { joinAnd } from "./lib/text";

export interface ScriptBucketConfig {
    /** Default-encryption algorithms accepted. */
    readonly sseAlgorithms: readonly string[];
}

export const SCRIPT_BUCKET_DEFAULTS: ScriptBucketConfig = { sseAlgorithms: ["AES256", "aws:kms", "aws:kms:dsse"] };

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const requiredPrivateScriptBucket: StackValidationPolicy = {
    name: "required-private-script-bucket",
    description: "Checks that the bucket holding the post-install script and the cluster configuration blocks public access, is encrypted and refuses plain HTTP.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            sseAlgorithms: stringList("Default-encryption algorithms accepted for the bucket.", SCRIPT_BUCKET_DEFAULTS.sseAlgorithms),
        },
    },
    validateStack: (args, reportViolation) => {
        const { sseAlgorithms } = configWithDefaults(args, SCRIPT_BUCKET_DEFAULTS);
        const stack = new StackResources(args.resources);
        for (const bucket of scriptBuckets(stack)) {
            // The bucket's name is an output: absent until the bucket exists.
            const name = str(bucket.props.bucket);
            const knownName = typeof name === "string" ? name : undefined;
            const label = `Bucket ${knownName ?? bucket.name}`;
            const problems = [
                publicAccessProblem(stack, bucket, knownName),
                encryptionProblem(stack, bucket, knownName, sseAlgorithms),
                plainHttpProblem(stack, bucket, knownName),
            ];
            for (const problem of problems) {
                if (problem !== undefined) {
                    reportViolation(`${label} (the post-install script's bucket) ${problem}`, bucket.urn);
                }
            }
        }
    },
};

/** Buckets that hold a post-install script object or the cluster configuration. */
function scriptBuckets(stack: StackResources): StackResource[] {
    const holders = [...stack.ofType(S3_BUCKET_OBJECT), ...stack.ofType(CLUSTER_CONFIGURATION)];
    return stack.ofType(S3_BUCKET).filter((bucket) => {
        const name = str(bucket.props.bucket);
        return holders.some((holder) => holder.dependencies.includes(bucket.urn) || (typeof name === "string" && str(holder.props.bucket) === name));
    });
}

function publicAccessProblem(stack: StackResources, bucket: StackResource, name: string | undefined): string | undefined {
    const blocks = stack.attachedTo(S3_PUBLIC_ACCESS_BLOCK, bucket, "bucket", name);
    if (blocks.length === 0) {
        return `has no public access block. It must have a BucketPublicAccessBlock with ${joinAnd(PUBLIC_ACCESS_FLAGS)} all true.`;
    }
    const off = PUBLIC_ACCESS_FLAGS.filter((flag) => blocks.every((block) => block.props[flag] !== true && block.props[flag] !== UNKNOWN));
    return off.length === 0
        ? undefined
        : `leaves ${joinAnd(off)} off in its public access block. ${joinAnd(PUBLIC_ACCESS_FLAGS)} must all be true, so that no ACL or bucket policy can make the script public.`;
}

function encryptionProblem(stack: StackResources, bucket: StackResource, name: string | undefined, allowed: readonly string[]): string | undefined {
    const rules: Plain[] = [
        ...stack.attachedTo(S3_ENCRYPTION, bucket, "bucket", name).map((config) => config.props.rules),
        // The deprecated inline form on the bucket itself.
        at(bucket.props.serverSideEncryptionConfiguration, "rule"),
    ];
    const algorithms = rules.flatMap(sseAlgorithmsOf);
    if (algorithms.includes(UNKNOWN) || algorithms.some((algorithm) => isKnown(algorithm) && allowed.includes(algorithm))) {
        return undefined;
    }
    const found = algorithms.length === 0 ? "has no default encryption" : `is encrypted with ${joinAnd(algorithms.map(String))}`;
    return `${found}. It must have a BucketServerSideEncryptionConfiguration whose sseAlgorithm is one of ${allowed.join(", ")}.`;
}

function sseAlgorithmsOf(rules: Plain): (string | Unknown)[] {
    return (rules === undefined ? [] : items(rules)).flatMap((rule) => {
        const algorithm = str(at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
        return algorithm === undefined ? [] : [algorithm];
    });
}

function plainHttpProblem(stack: StackResources, bucket: StackResource, name: string | undefined): string | undefined {
    // The statement must cover the bucket's objects by name: no verdict until the name is known.
    if (name === undefined) {
        return undefined;
    }
    const policies = stack.attachedTo(S3_BUCKET_POLICY, bucket, "bucket", name).map((policy) => policy.props.policy);
    if (policies.includes(UNKNOWN)) {
        return undefined;
    }
    if (policies.some((policy) => deniesPlainHttp(policy, name))) {
        return undefined;
    }
    return (
        `${policies.length === 0 ? "has no bucket policy" : "has no bucket policy statement"} refusing plain HTTP. ` +
        'It must deny "s3:*" to every principal on the bucket\'s objects when aws:SecureTransport is "false", so the script is never fetched or replaced unencrypted.'
    );
}

/** A statement `Deny s3:* to * on every object of the bucket when aws:SecureTransport is false`. */
function deniesPlainHttp(policy: Plain, bucketName: string): boolean {
    let document: Plain = policy;
    if (typeof policy === "string") {
        try {
            document = JSON.parse(policy) as Plain;
        } catch {
            return false;
        }
    }
    const everyObject = `arn:aws:s3:::${bucketName}/*`;
    return items(at(document, "Statement")).some(
        (statement) =>
            at(statement, "Effect") === "Deny" &&
            (some(at(statement, "Principal"), (principal) => principal === "*") || some(at(statement, "Principal", "AWS"), (principal) => principal === "*")) &&
            some(at(statement, "Action"), (action) => action === "s3:*" || action === "*") &&
            some(at(statement, "Resource"), (resource) => typeof resource === "string" && globMatches(resource, everyObject)) &&
            some(at(statement, "Condition", "Bool", "aws:SecureTransport"), (value) => value === "false" || value === false),
    );
}

/** Whether a single value, or any item of a list value, passes the test (IAM accepts both forms). */
function some(value: Plain, test: (item: Plain) => boolean): boolean {
    return items(value).some(test);
}
