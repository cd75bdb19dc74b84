/**
 * The bucket the cluster nodes fetch the post-install script from, and the script itself. The bucket is
 * private (public access blocked, owner-enforced), encrypted, versioned (an earlier script or cluster
 * configuration can be recovered) and refuses plain HTTP. The environment's cluster configuration is
 * stored here too.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";

/** The bucket's guards are not negotiable and the scripts are this repository's. */
export interface PostInstallAssetArgs {
    /** Further objects uploaded beside post-install.sh (a backend's node agent). Default none. */
    readonly extraObjects?: readonly AssetObject[];
    /** Further bucket policy statements, given the bucket's ARN (a pool's reads for clusters in other accounts). Default none. */
    readonly policyStatements?: (bucketArn: string) => Record<string, unknown>[];
}

/** An object of the program's own making, uploaded as these exact bytes. */
export interface AssetObject {
    /** Names the object's resource: `${name}-${id}`. */
    readonly id: string;
    readonly key: string;
    readonly content: Buffer;
    readonly contentType: string;
}

export const POST_INSTALL_KEY = "post-install.sh";
const SCRIPTS_DIR = path.join(__dirname, "..", "scripts", "node");

export class PostInstallAsset extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    /** `s3://bucket/post-install.sh`: the configuration's post-install script. */
    readonly scriptUrl: pulumi.Output<string>;
    /** `arn:aws:s3:::bucket/*`: what the nodes may read (v2 s3_read_resource; v3 S3Access on the bucket). */
    readonly readResourceArn: pulumi.Output<string>;
    /** The bucket's guards: anything written to the bucket depends on them, so it is never readable or unencrypted. */
    readonly guards: pulumi.Resource[];

    constructor(name: string, args: PostInstallAssetArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:storage:PostInstallAsset", name, {}, opts);
        // forceDestroy: `pulumi destroy` empties the bucket, every object version and delete marker included,
        // instead of failing with BucketNotEmpty. It holds only what the program writes (the script, the
        // rendered configuration), all of it rebuilt from the stack config by the next `up`.
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: true }, { parent: this });
        const guards = [
            new aws.s3.BucketPublicAccessBlock(
                `${name}-public-access-block`,
                { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
                { parent: this },
            ),
            new aws.s3.BucketOwnershipControls(
                `${name}-ownership`,
                { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
                { parent: this },
            ),
            new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-encryption`,
                { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
                { parent: this },
            ),
            new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this }),
            new aws.s3.BucketPolicy(`${name}-tls-only`, { bucket: bucket.id, policy: bucketPolicy(bucket.arn, args.policyStatements) }, { parent: this }),
        ];
        // Upload only once the bucket is locked down, so the script is never readable or unencrypted.
        new aws.s3.BucketObjectv2(
            `${name}-script`,
            {
                bucket: bucket.id,
                key: POST_INSTALL_KEY,
                source: new pulumi.asset.FileAsset(path.join(SCRIPTS_DIR, POST_INSTALL_KEY)),
                contentType: "text/x-shellscript",
            },
            { parent: this, dependsOn: guards },
        );
        for (const object of args.extraObjects ?? []) {
            new aws.s3.BucketObjectv2(
                `${name}-${object.id}`,
                { bucket: bucket.id, key: object.key, contentBase64: object.content.toString("base64"), contentType: object.contentType },
                { parent: this, dependsOn: guards },
            );
        }
        this.guards = guards;
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.scriptUrl = pulumi.interpolate`s3://${bucket.bucket}/${POST_INSTALL_KEY}`;
        this.readResourceArn = pulumi.interpolate`${bucket.arn}/*`;
        this.registerOutputs({ bucketName: this.bucketName, scriptUrl: this.scriptUrl });
    }
}

/** Denies every request that does not use TLS (aws:SecureTransport false), then the caller's statements. */
function bucketPolicy(bucketArn: pulumi.Output<string>, more: PostInstallAssetArgs["policyStatements"]): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: bucketArn.apply((arn) => [
            {
                Sid: "DenyPlainHttp",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            ...(more?.(arn) ?? []),
        ]),
    });
}
