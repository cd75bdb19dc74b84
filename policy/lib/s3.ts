/**
 * S3 locations as ParallelCluster names them: the post-install script as an `s3://` or https URL, read
 * grants as object ARNs with `*` wildcards.
 */

export interface S3Object {
    readonly bucket: string;
    readonly key: string;
}

/** `s3://bucket/key`, `https://bucket.s3[.region].amazonaws.com/key` or `https://s3[.region].amazonaws.com/bucket/key`. */
export function parseS3Url(url: string): S3Object | undefined {
    const patterns = [
        /^s3:\/\/([^/]+)\/(.+)$/,
        /^https:\/\/([^/]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com\/(.+)$/,
        /^https:\/\/s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com\/([^/]+)\/(.+)$/,
    ];
    for (const pattern of patterns) {
        const match = pattern.exec(url);
        if (match) {
            return { bucket: match[1], key: match[2] };
        }
    }
    return undefined;
}

export function s3Url(object: S3Object): string {
    return `s3://${object.bucket}/${object.key}`;
}

export function objectArn(object: S3Object): string {
    return `arn:aws:s3:::${object.bucket}/${object.key}`;
}

/** IAM-style wildcard match: `*` any run of characters, `?` one character, the rest literal. */
export function globMatches(glob: string, value: string): boolean {
    const pattern = glob
        .split("")
        .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
        .join("");
    return new RegExp(`^${pattern}$`, "s").test(value);
}
