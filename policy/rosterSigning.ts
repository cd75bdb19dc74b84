/**
 * The roster signing policies (issue 19). The roster's nodes apply only documents signed with this
 * environment's KMS key; these keep that chain whole where a preview can see it:
 *
 * - required-roster-signing-key: the Roster signs with an asymmetric ECC_NIST_P256 SIGN_VERIFY key this
 *   stack manages, and every node is given that key's public key (post-install argument 6, PUBKEY), the
 *   one the Roster provider checks each signature with before it writes. A deployed cluster's head node
 *   cannot be given another key by an update (ParallelCluster's cluster_schema.py: HeadNode
 *   CustomActions OnNodeConfigured is UpdatePolicy.UNSUPPORTED), so such a change is stopped here.
 * - prohibited-node-signing-key-use: the key policy lets no node role sign: kms:Sign is allowed only to
 *   named principals (never everyone, the account, whose IAM policies could then grant it, or a
 *   ParallelCluster role), every KMS action is explicitly denied to ParallelCluster's node roles and to
 *   EC2 instance credentials, and no grant is made on the key.
 * - required-signing-key-retention: the key is enabled, protected (Pulumi fails a replacement or a
 *   removal instead of scheduling its deletion) and has KMS's longest waiting period, 30 days: a key
 *   pending deletion signs nothing, so no new roster would reach the nodes.
 *
 * Constants are copied from the program (components/access/roster/{signingKey,keyPolicy}.ts), not imported:
 * a published pack contains only policy/.
 */
import { createPublicKey } from "node:crypto";
import type { StackValidationPolicy } from "@pulumi/policy";
import { argumentWords, readClusterConfiguration, ROSTER_MODE, unreadableConfiguration, type ClusterConfigurationModel, type ClusterNode } from "./lib/clusterConfiguration";
import { statementCovers } from "./lib/iamActions";
import { isKnown, str, UNKNOWN, type Maybe } from "./lib/known";
import { KMS_GRANT, KMS_KEY, ROSTER } from "./lib/resourceTypes";
import { pcsNodeModels } from "./lib/pcsNodeGroups";
import { asList, policyStatements } from "./lib/policyDocument";
import { StackResources, type StackResource } from "./lib/stackResources";
import { capitalize } from "./lib/text";

export const SIGNING_KEY_SPEC = "ECC_NIST_P256";
export const SIGNING_KEY_USAGE = "SIGN_VERIFY";
export const SIGNING_KEY_DELETION_WINDOW_DAYS = 30;
/** PUBKEY's place among the roster mode's words: `roster ROSTER AGENT INTERVAL ENVIRONMENT PUBKEY`. */
const PUBKEY_WORD = 5;
const NODE_ROLE_PATH = ":role/parallelcluster/";

/** The KMS key a roster signs with: the one whose ARN it names, or (a first preview, the ARN unknown) one it depends on. */
function signingKeyOf(stack: StackResources, roster: StackResource): StackResource | undefined {
    const arn = str(roster.props.signingKeyArn);
    const keys = stack.ofType(KMS_KEY);
    return arn === UNKNOWN ? keys.find((key) => roster.dependencies.includes(key.urn)) : keys.find((key) => str(key.props.arn) === arn);
}

/** The rosters of the stack with their signing keys. */
function rostersWithKeys(stack: StackResources): { roster: StackResource; key: StackResource | undefined }[] {
    return stack.ofType(ROSTER).map((roster) => ({ roster, key: signingKeyOf(stack, roster) }));
}

/** The signing keys the stack's rosters use (a roster without one is required-roster-signing-key's to report). */
function signingKeys(stack: StackResources): StackResource[] {
    return rostersWithKeys(stack).flatMap(({ key }) => (key === undefined ? [] : [key]));
}

/** A PUBKEY as people can tell keys apart: its last characters (the point's end). */
function shortKey(publicKey: string): string {
    return publicKey.length > 20 ? `...${publicKey.slice(-16)}` : publicKey;
}

/** Whether `word` is base64 of a DER SubjectPublicKeyInfo of a P-256 key. */
function isP256PublicKey(word: string): boolean {
    if (!/^[A-Za-z0-9+/]+=*$/.test(word)) {
        return false;
    }
    try {
        const key = createPublicKey({ key: Buffer.from(word, "base64"), format: "der", type: "spki" });
        return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1";
    } catch {
        return false;
    }
}

/** The PUBKEY word of a node in roster mode; undefined when the node is not (known to be) in roster mode. */
function pubkeyOf(model: ClusterConfigurationModel, node: ClusterNode): { word: Maybe<string> } | undefined {
    const words = argumentWords(model.format, node);
    if (words === UNKNOWN || words === undefined || words[0] !== ROSTER_MODE) {
        return undefined;
    }
    return { word: words[PUBKEY_WORD] };
}

export const requiredRosterSigningKey: StackValidationPolicy = {
    name: "required-roster-signing-key",
    description:
        "Checks that a stack's roster is signed with an ECC_NIST_P256 SIGN_VERIFY KMS key of the stack, and that every node in roster mode is given that key's public key as its PUBKEY argument.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        for (const { roster, key } of rostersWithKeys(stack)) {
            const arn = str(roster.props.signingKeyArn);
            if (key === undefined) {
                if (arn !== UNKNOWN) {
                    reportViolation(
                        `The roster is signed with ${arn === undefined ? "no key" : arn}, which is not a KMS key of this stack: nothing ties the nodes' public key to a key this environment controls. ` +
                            "Sign it with the environment's own key (the RosterSigningKey the roster backend creates).",
                        roster.urn,
                    );
                }
                continue;
            }
            const usage = str(key.props.keyUsage);
            const spec = str(key.props.customerMasterKeySpec);
            if ((isKnown(usage) && usage !== SIGNING_KEY_USAGE) || (isKnown(spec) && spec !== SIGNING_KEY_SPEC)) {
                // KMS's defaults when unset (CreateKey API reference).
                const shown = (value: Maybe<string>, unset: string) => (value === UNKNOWN ? "(not known yet)" : (value ?? unset));
                reportViolation(
                    `The roster's signing key is ${shown(spec, "SYMMETRIC_DEFAULT")} for ${shown(usage, "ENCRYPT_DECRYPT")}. It must be ${SIGNING_KEY_SPEC} for ${SIGNING_KEY_USAGE}: ` +
                        "the nodes check ECDSA P-256 / SHA-256 signatures with openssl, and no other key makes them.",
                    key.urn,
                );
            }
        }
        const rosters = stack.ofType(ROSTER);
        if (rosters.length === 0) {
            return;
        }
        const expected = str(rosters[0].props.publicKey);
        for (const { resource, read } of [...stack.configurations(), ...pcsNodeModels(stack)]) {
            if (!read.ok) {
                reportViolation(unreadableConfiguration(read.problem, "whether each node is given this environment's signing key as its PUBKEY"), resource.urn);
                continue;
            }
            for (const node of read.model.nodes) {
                const problem = pubkeyProblem(read.model, node, expected);
                if (problem !== undefined) {
                    reportViolation(problem, resource.urn);
                }
            }
            const deployed = typeof resource.props.deployedText === "string" ? readClusterConfiguration({ ...resource.props, text: resource.props.deployedText }) : undefined;
            if (deployed?.ok) {
                const problem = headNodeKeyChange(deployed.model, read.model);
                if (problem !== undefined) {
                    reportViolation(problem, resource.urn);
                }
            }
        }
    },
};

function pubkeyProblem(model: ClusterConfigurationModel, node: ClusterNode, expected: Maybe<string>): string | undefined {
    const pubkey = pubkeyOf(model, node);
    if (pubkey === undefined || pubkey.word === UNKNOWN) {
        return undefined;
    }
    const who = capitalize(node.label);
    const fix = typeof expected === "string" ? `Pass ${expected} (this environment's signing key's public key, base64 DER SubjectPublicKeyInfo) as the sixth argument.` : "Pass this environment's signing key's public key as the sixth argument.";
    if (pubkey.word === undefined) {
        return `${who} is given no PUBKEY (${node.argsPath}, the sixth word): its agent can verify no roster and refuses them all. ${fix}`;
    }
    if (!isP256PublicKey(pubkey.word)) {
        return `${who} is given the PUBKEY ${JSON.stringify(shortKey(pubkey.word))} (${node.argsPath}), which is not base64 of a P-256 public key (DER SubjectPublicKeyInfo): its agent refuses every roster. ${fix}`;
    }
    if (isKnown(expected) && expected !== undefined && pubkey.word !== expected) {
        return (
            `${who} is given the public key ${shortKey(pubkey.word)} (${node.argsPath}), not ${shortKey(expected)}, the key this environment signs its roster with: ` +
            `its agent would refuse every roster this environment writes, or apply one signed by someone else. ${fix}`
        );
    }
    return undefined;
}

/** A changed PUBKEY on the head node of the deployed configuration: the update ParallelCluster refuses. */
function headNodeKeyChange(deployed: ClusterConfigurationModel, next: ClusterConfigurationModel): string | undefined {
    if (deployed.format !== "v3" || next.format !== "v3") {
        return undefined;
    }
    const head = (model: ClusterConfigurationModel) => model.nodes.find((node) => node.label === "the head node");
    const [before, after] = [head(deployed), head(next)];
    const [old, now] = [before && pubkeyOf(deployed, before)?.word, after && pubkeyOf(next, after)?.word];
    if (typeof old !== "string" || typeof now !== "string" || old === now) {
        return undefined;
    }
    return (
        `The deployed head node verifies the roster with the public key ${shortKey(old)}, and this update gives it ${shortKey(now)} (HeadNode.CustomActions.OnNodeConfigured.Args). ` +
        "ParallelCluster cannot change a head node's OnNodeConfigured arguments by an update (cluster_schema.py: UpdatePolicy.UNSUPPORTED): the update fails, and the head node would refuse every roster signed with the new key. " +
        "Keep roster.signingKeyVersion as deployed, or rotate with a new cluster (docs/signing-key.md: Rotating the signing key)."
    );
}

/** The AWS principals a statement names ("*" for everyone). */
function principals(statement: Record<string, unknown>): string[] {
    const principal = statement.Principal;
    if (principal === "*") {
        return ["*"];
    }
    const aws = principal !== null && typeof principal === "object" ? (principal as Record<string, unknown>).AWS : undefined;
    return asList(aws).filter((entry): entry is string => typeof entry === "string");
}

/** Why a principal allowed to sign could let a node sign, or undefined. */
function signerProblem(principal: string): string | undefined {
    if (principal === "*") {
        return "everyone";
    }
    if (/^\d{12}$/.test(principal) || /^arn:[^:]+:iam::\d{12}:root$/.test(principal)) {
        return "the whole account (any IAM policy, a node role's included, could then grant kms:Sign)";
    }
    if (principal.includes(NODE_ROLE_PATH)) {
        return "a ParallelCluster node role";
    }
    return undefined;
}

/**
 * Every KMS action by which a principal can come to a signature with this key, or change who may: the
 * node roles' Deny must cover each (the program denies `kms:*`). Sources (checked 2026-12-07):
 * - kms:Sign: the signature itself (AWS KMS API Reference, Sign).
 * - kms:PutKeyPolicy: rewrites who may sign (API Reference, PutKeyPolicy).
 * - kms:CreateGrant: a grant lets its grantee sign outside the key policy (Developer Guide, "Grants in AWS KMS").
 * - kms:ReplicateKey: a replica shares the key material, and "all other properties of a replica key can
 *   differ, including its key policy" (API Reference, ReplicateKey): a replica with the caller's policy signs.
 * - kms:TagResource, kms:UntagResource, kms:CreateAlias, kms:UpdateAlias, kms:DeleteAlias: "changing a tag
 *   or alias might allow or deny permission to a KMS key" (Developer Guide, "ABAC for AWS KMS";
 *   aws:ResourceTag and kms:ResourceAliases conditions).
 * - kms:EnableKey, kms:CancelKeyDeletion: a key an administrator disabled, or scheduled for deletion, signs
 *   again (Developer Guide, "Key states of AWS KMS keys").
 */
export const SIGNATURE_PATH_ACTIONS: readonly string[] = [
    "kms:Sign",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:ReplicateKey",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:EnableKey",
    "kms:CancelKeyDeletion",
];

/**
 * The Deny statements to everyone under `operator` `key` (with a value matching `value`), and which of
 * SIGNATURE_PATH_ACTIONS none of them covers; undefined when there is no such statement at all.
 */
function denied(statements: Record<string, unknown>[], operator: string, key: string, value: (given: string) => boolean): { missing: string[] } | undefined {
    const denials = statements.filter((statement) => {
        if (statement.Effect !== "Deny" || !principals(statement).includes("*")) {
            return false;
        }
        const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
        return asList(condition?.[operator]?.[key]).some((given) => typeof given === "string" && value(given));
    });
    if (!denials.some((statement) => statementCovers(statement, "kms:Sign"))) {
        return undefined;
    }
    return { missing: SIGNATURE_PATH_ACTIONS.filter((action) => !denials.some((statement) => statementCovers(statement, action))) };
}

/** The violation for a Deny that leaves some of SIGNATURE_PATH_ACTIONS open, or undefined. */
function narrowDeny(whom: string, missing: readonly string[]): string | undefined {
    if (missing.length === 0) {
        return undefined;
    }
    return (
        `The roster's signing key policy denies ${whom} kms:Sign but not ${missing.join(", ")}: with any of these a node can give itself signing ` +
        "(a key policy or grant of its own, a replica with its own policy, a tag or alias an attribute-based policy trusts, a disabled key enabled again). " +
        'Deny "kms:*" there, as the program does (components/access/roster/keyPolicy.ts).'
    );
}

export const prohibitedNodeSigningKeyUse: StackValidationPolicy = {
    name: "prohibited-node-signing-key-use",
    description:
        "Checks that the key policy of a roster's signing key lets no node role sign: kms:Sign is allowed only to named principals, every KMS action is denied to ParallelCluster's node roles and to EC2 instance credentials, and no grant is made on the key.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        for (const key of signingKeys(stack)) {
            const document = str(key.props.policy);
            if (document === UNKNOWN) {
                continue;
            }
            const statements = typeof document === "string" ? policyStatements(document) : undefined;
            if (statements === undefined) {
                reportViolation("The roster's signing key has no readable key policy. It must name who signs and deny every node role (components/access/roster/keyPolicy.ts).", key.urn);
                continue;
            }
            for (const statement of statements.filter((candidate) => candidate.Effect === "Allow" && statementCovers(candidate, "kms:Sign"))) {
                for (const principal of principals(statement)) {
                    const problem = signerProblem(principal);
                    if (problem !== undefined) {
                        reportViolation(
                            `The roster's signing key policy lets ${problem} sign (statement ${JSON.stringify(statement.Sid ?? "")}, principal ${principal}): a node, or anyone with a foothold on one, could sign a roster every node applies. ` +
                                "Allow kms:Sign to the deploying role only.",
                            key.urn,
                        );
                    }
                }
            }
            const roles = denied(statements, "ArnLike", "aws:PrincipalArn", (pattern) => pattern.includes(NODE_ROLE_PATH));
            if (roles === undefined) {
                reportViolation(
                    "The roster's signing key policy does not deny ParallelCluster's node roles (arn:aws:iam::ACCOUNT:role/parallelcluster/*). " +
                        'Add a statement denying "kms:*" to principal "*" with Condition ArnLike aws:PrincipalArn on that path: an explicit Deny wins over any Allow or grant.',
                    key.urn,
                );
            }
            const instances = denied(statements, "Null", "aws:EC2InstanceSourceVPC", (flag) => flag === "false");
            if (instances === undefined) {
                reportViolation(
                    "The roster's signing key policy does not deny EC2 instance credentials. " +
                        'Add a statement denying "kms:*" to principal "*" with Condition Null {"aws:EC2InstanceSourceVPC": "false"} (the key is present only on instance-role credentials), except the deploying role.',
                    key.urn,
                );
            }
            for (const problem of [narrowDeny("ParallelCluster's node roles", roles?.missing ?? []), narrowDeny("EC2 instance credentials", instances?.missing ?? [])]) {
                if (problem !== undefined) {
                    reportViolation(problem, key.urn);
                }
            }
            const arn = str(key.props.arn);
            for (const grant of stack.ofType(KMS_GRANT)) {
                const grantKey = str(grant.props.keyId);
                if (grant.dependencies.includes(key.urn) || (typeof grantKey === "string" && (grantKey === arn || grantKey === str(key.props.keyId)))) {
                    reportViolation(
                        `The grant ${grant.name} lets ${String(str(grant.props.granteePrincipal) ?? "a principal")} use the roster's signing key outside its key policy. Remove it: only the key policy decides who signs.`,
                        grant.urn,
                    );
                }
            }
        }
    },
};

export const requiredSigningKeyRetention: StackValidationPolicy = {
    name: "required-signing-key-retention",
    description:
        "Checks that a roster's signing key is enabled, protected from deletion by Pulumi and has the longest deletion waiting period, so it is not scheduled for deletion while the cluster uses it.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        for (const key of signingKeys(stack)) {
            if (!key.protect) {
                reportViolation(
                    "The roster's signing key is not protected: a replacement, a removal from the program or pulumi destroy would schedule its deletion, and a key pending deletion signs nothing, so every node keeps its last roster. " +
                        "Register it with protect: true (and retainOnDelete: true).",
                    key.urn,
                );
            }
            if (key.props.isEnabled === false) {
                reportViolation("The roster's signing key is disabled: it signs nothing, and no change of users reaches the nodes. Set isEnabled: true.", key.urn);
            }
            const window = key.props.deletionWindowInDays;
            // Unset is KMS's default, which is the longest (30 days).
            if (window !== UNKNOWN && window !== undefined && window !== SIGNING_KEY_DELETION_WINDOW_DAYS) {
                reportViolation(
                    `The roster's signing key has a deletion waiting period of ${String(window)} days. Set deletionWindowInDays: ${SIGNING_KEY_DELETION_WINDOW_DAYS} (KMS's longest), to have the most time to cancel a deletion scheduled by hand.`,
                    key.urn,
                );
            }
        }
    },
};

