/**
 * moto's S3 for provider specs and measurements: moto_server on loopback, the SDK pointed at it through
 * AWS_ENDPOINT_URL_S3 (as it would reach any S3 endpoint), and one versioned bucket, so every PutObject
 * shows as an object version.
 */
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { Moto } from "../scripts/support/moto";

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
