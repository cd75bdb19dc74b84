/**
 * moto's S3 and KMS for provider specs and measurements: moto_server on loopback (through
 * moto_kms_digest.py, which signs digests as KMS does), the SDK pointed at it through AWS_ENDPOINT_URL_S3
 * and AWS_ENDPOINT_URL_KMS (as it would reach any endpoint), one versioned bucket, so every PutObject shows
 * as an object version, and one roster signing key (ECC_NIST_P256, SIGN_VERIFY).
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { Moto } from "./moto";

/** A KMS signing key as the program has it: the ARN the Roster signs with, the public key the nodes get. */
export interface SigningKey {
    readonly arn: string;
    /** Base64 of GetPublicKey's DER SubjectPublicKeyInfo (post-install argument 6). */
    readonly publicKey: string;
}

export interface MotoS3 {
    readonly moto: Moto;
    readonly s3: S3Client;
    readonly kms: KMSClient;
    /** The roster signing key created at start. */
    readonly signingKey: SigningKey;
    /** Restores the environment and stops moto. */
    close(): Promise<void>;
}

/** A new ECC_NIST_P256 signing key in moto's KMS. */
export async function createSigningKey(kms: KMSClient): Promise<SigningKey> {
    const created = await kms.send(new CreateKeyCommand({ KeyUsage: "SIGN_VERIFY", KeySpec: "ECC_NIST_P256", Description: "roster signing (test)" }));
    const arn = created.KeyMetadata?.Arn ?? "";
    const publicKey = (await kms.send(new GetPublicKeyCommand({ KeyId: arn }))).PublicKey;
    return { arn, publicKey: Buffer.from(publicKey ?? new Uint8Array()).toString("base64") };
}

export async function startMotoS3(region: string, bucket: string): Promise<MotoS3> {
    const moto = await Moto.start(region, { kmsDigest: true });
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_S3: moto.url, AWS_ENDPOINT_URL_KMS: moto.url, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
    const close = async () => {
        process.env = saved;
        await moto.close();
    };
    try {
        const s3 = new S3Client({ region });
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
        const kms = new KMSClient({ region });
        return { moto, s3, kms, signingKey: await createSigningKey(kms), close };
    } catch (error) {
        await close();
        throw error;
    }
}

/**
 * moto's S3 for one suite: started in the suite's before hook, stopped in its after hook. Call inside a
 * describe; the returned function gives the suite's client once started.
 */
export function useMotoS3(region: string, bucket: string): () => MotoS3 {
    let started: MotoS3 | undefined;
    before(async () => {
        started = await startMotoS3(region, bucket);
    });
    after(async () => {
        await started?.close();
    });
    return () => {
        if (started === undefined) {
            throw new Error("moto's S3 is not started: useMotoS3 starts it in the suite's before hook");
        }
        return started;
    };
}

/** An object's current body as text. */
export async function objectText(s3: S3Client, bucket: string, key: string): Promise<string> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString()) ?? "";
}

/** How many versions of exactly `key` the versioned bucket holds: how many PutObjects S3 recorded. */
export async function objectVersions(s3: S3Client, bucket: string, key: string): Promise<number> {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    return (listed.Versions ?? []).filter((version) => version.Key === key).length;
}
