/**
 * moto's S3 for provider specs and measurements: moto_server on loopback, the SDK pointed at it through
 * AWS_ENDPOINT_URL_S3 (as it would reach any S3 endpoint), and one versioned bucket, so every PutObject
 * shows as an object version.
 */
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { Moto } from "./moto";

export interface MotoS3 {
    readonly moto: Moto;
    readonly s3: S3Client;
    /** Restores the environment and stops moto. */
    close(): Promise<void>;
}

export async function startMotoS3(region: string, bucket: string): Promise<MotoS3> {
    const moto = await Moto.start(region);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_S3: moto.url, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
    const close = async () => {
        process.env = saved;
        await moto.close();
    };
    try {
        const s3 = new S3Client({ region });
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
        return { moto, s3, close };
    } catch (error) {
        await close();
        throw error;
    }
}

/**
 * moto's S3 for one suite: started in the suite's before hook, stopped in its after hook. Call inside a
 * describe; the returned function gives the suite's client once started.
 */
export function useMotoS3(region: string, bucket: string): () => S3Client {
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
        return started.s3;
    };
}
