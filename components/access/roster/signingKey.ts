/**
 * The environment's roster signing key: an asymmetric KMS key whose private half never leaves KMS. The
 * Roster provider signs every document it writes with it (kms:Sign, one call per change); every node gets
 * the public half at boot through its post-install arguments (the cluster configuration, not the bucket)
 * and verifies each document offline with openssl. A bucket write alone therefore changes nothing on a node.
 *
 * - ECC_NIST_P256 / ECDSA_SHA_256: a DER signature of about 70 bytes (RSA-2048's is 256) and a public key
 *   of 91 bytes (124 in base64), small enough for one post-install argument; `openssl dgst -sha256 -verify`
 *   checks it with any OpenSSL of the target images. KMS returns the public key as DER SubjectPublicKeyInfo
 *   (GetPublicKey, "Download public key" in the KMS developer guide).
 * - The key is never scheduled for deletion by Pulumi: `protect` makes a replacement or a removal fail
 *   instead, and `retainOnDelete` keeps it in KMS even once unprotected and removed (deleting it is then
 *   an administrator's explicit ScheduleKeyDeletion, after the last node that trusts it is gone). A
 *   pending deletion disables the key at once ("the key can't be used in any cryptographic operations",
 *   ScheduleKeyDeletion API reference), so the next change could not be signed; the maximum waiting period
 *   (30 days) leaves the most time to cancel one scheduled by hand.
 * - KMS does not rotate asymmetric keys ("Automatic key rotation is supported only on symmetric encryption
 *   KMS keys", EnableKeyRotation API reference); rotation is a new key (roster.signingKeyVersion, docs/signing-key.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { signingKeyPolicy } from "./keyPolicy";

export const SIGNING_KEY_SPEC = "ECC_NIST_P256";
export const SIGNING_KEY_USAGE = "SIGN_VERIFY";
/** KMS's longest waiting period (7-30 days, ScheduleKeyDeletion API reference). */
export const SIGNING_KEY_DELETION_WINDOW_DAYS = 30;

export interface RosterSigningKeyArgs {
    /** The environment's name, in the key's description and tags. */
    readonly environment: string;
    /** IAM role or user ARNs that may sign (roster.signers). Default: the identity running `pulumi up`. */
    readonly signers?: readonly string[];
}

export class RosterSigningKey extends pulumi.ComponentResource {
    /** The key's ARN: what the Roster signs with. */
    readonly keyArn: pulumi.Output<string>;
    /** Base64 of the DER SubjectPublicKeyInfo: post-install argument 6 (PUBKEY) on every node. */
    readonly publicKey: pulumi.Output<string>;

    constructor(name: string, args: RosterSigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:users:RosterSigningKey", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        // The role behind an assumed-role session (its ARN stays the same from run to run); a user's ARN as it is.
        const deployer = aws.iam.getSessionContextOutput({ arn: identity.arn }, parent).issuerArn;
        const signers = args.signers !== undefined && args.signers.length > 0 ? pulumi.output([...args.signers]) : deployer.apply((arn) => [arn]);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const key = new aws.kms.Key(
            name,
            {
                description: `pcluster-access: signs the roster of environment ${args.environment}; nodes verify with its public key`,
                keyUsage: SIGNING_KEY_USAGE,
                customerMasterKeySpec: SIGNING_KEY_SPEC,
                deletionWindowInDays: SIGNING_KEY_DELETION_WINDOW_DAYS,
                isEnabled: true,
                policy: pulumi
                    .all([partition, identity.accountId, signers])
                    .apply(([partitionName, accountId, arns]) => JSON.stringify(signingKeyPolicy({ partition: partitionName, accountId, signers: arns }))),
                tags: { "pcluster-access:role": "roster-signing", "pcluster-access:environment": args.environment },
            },
            { parent: this, protect: true, retainOnDelete: true },
        );
        this.keyArn = key.arn;
        this.publicKey = aws.kms.getPublicKeyOutput({ keyId: key.arn }, parent).publicKey;
        this.registerOutputs({ keyArn: this.keyArn, publicKey: this.publicKey });
    }
}
