/**
 * One S3 object's lifecycle, shared by the dynamic providers that each own one object in the environment's
 * versioned bucket (the roster document, the stored cluster configuration):
 * - where it lives (region, bucket, key) is checked, and a change of any of them replaces the resource;
 * - a write is one PutObject, encrypted (SSE-S3), and keeps the version S3 gave it;
 * - a refresh reads the object back: one deleted by hand shows as gone (an empty id), so the next `up`
 *   writes it again;
 * - a delete is a delete marker: every earlier version stays in the bucket.
 * Each function imports the SDK and builds its client per call: the providers are serialized into Pulumi
 * state with these functions, and run from there.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Where an object lives, and how hard each call tries. */
export interface ObjectLocation {
    readonly region: string;
    readonly bucket: string;
    readonly key: string;
    /** SDK attempts per S3 call. Default 3. */
    readonly maxAttempts?: number;
}

/** What names the object: changing one is a new object (a replace). */
export const LOCATION_PROPERTIES = ["region", "bucket", "key"] as const;

/** `check` failures for a location that is not three non-empty strings. */
export function locationFailures(news: Partial<Record<(typeof LOCATION_PROPERTIES)[number], unknown>>): pulumi.dynamic.CheckFailure[] {
    return LOCATION_PROPERTIES.filter((property) => typeof news[property] !== "string" || news[property] === "").map((property) => ({
        property,
        reason: `${property} must be a non-empty string`,
    }));
}

/** The location properties that differ: what `diff` declares as `replaces`. */
export function locationReplaces(olds: ObjectLocation, news: ObjectLocation): string[] {
    return LOCATION_PROPERTIES.filter((property) => olds[property] !== news[property]);
}

/** `s3://bucket/key`. */
export function objectUrl(location: ObjectLocation): string {
    return `s3://${location.bucket}/${location.key}`;
}

/** PutObject of `body`; the URL and the version S3 gave it. */
export async function putObject(location: ObjectLocation, body: string, contentType: string): Promise<{ url: string; versionId: string }> {
    const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: location.region, maxAttempts: location.maxAttempts ?? 3 });
    const written = await client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType, ServerSideEncryption: "AES256" }));
    return { url: objectUrl(location), versionId: written.VersionId ?? "" };
}

/**
 * The object as it is now: its current version, and with `withText` its body; undefined when it is gone
 * (HeadObject's NotFound, GetObject's NoSuchKey). Any other error is thrown, never taken for "gone".
 */
export async function readObject(location: ObjectLocation, withText: boolean): Promise<{ versionId?: string; text?: string } | undefined> {
    const { S3Client, GetObjectCommand, HeadObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: location.region, maxAttempts: location.maxAttempts ?? 3 });
    try {
        if (withText) {
            const object = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
            return { versionId: object.VersionId, text: (await object.Body?.transformToString("utf-8")) ?? "" };
        }
        const head = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
        return { versionId: head.VersionId };
    } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === "NotFound" || name === "NoSuchKey") {
            return undefined;
        }
        throw error;
    }
}

/** DeleteObject: in the versioned bucket a delete marker, which keeps every earlier version. */
export async function deleteObject(location: ObjectLocation): Promise<void> {
    const { S3Client, DeleteObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: location.region, maxAttempts: location.maxAttempts ?? 3 });
    await client.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: location.key }));
}
