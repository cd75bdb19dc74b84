import * as assert from "node:assert/strict";
import { S3_BUCKET_POLICY, S3_ENCRYPTION, S3_PUBLIC_ACCESS_BLOCK } from "../../policy/lib/resourceTypes";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { named } from "../support/program";
import { check, checkWithout, itPassesTheDevStack, violations } from "./support/check";
import { mapText, setInputs } from "./support/edits";
import { runVariant } from "./support/variants";

const POLICY = "required-private-script-bucket";
const BUCKET = "hpc-dev-scripts-bucket";
const FLAGS = "blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets";
const TLS =
    'It must deny "s3:*" to every principal on the bucket\'s objects when aws:SecureTransport is "false", so the script is never fetched or replaced unencrypted.';

function bucketLabel(run: ProgramRun): string {
    return `Bucket ${String(named(run, BUCKET).outputs.bucket)} (the post-install script's bucket)`;
}

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    it("reports a public access block that leaves a flag off", async () => {
        const { run, report } = await check({ edits: [setInputs(S3_PUBLIC_ACCESS_BLOCK, { restrictPublicBuckets: false, ignorePublicAcls: undefined })] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `${bucketLabel(run)} leaves ignorePublicAcls and restrictPublicBuckets off in its public access block. ${FLAGS} must all be true, ` +
                    "so that no ACL or bucket policy can make the script public.",
                BUCKET,
            ],
        ]);
    });

    for (const preview of [false, true]) {
        it(`reports a bucket with no public access block${preview ? " in a first preview, naming the bucket resource" : ""}`, async () => {
            const { run, report } = await checkWithout(S3_PUBLIC_ACCESS_BLOCK, { preview });
            const label = preview ? `Bucket ${BUCKET} (the post-install script's bucket)` : bucketLabel(run);
            assert.deepEqual(violations(report, POLICY), [
                ["mandatory", `${label} has no public access block. It must have a BucketPublicAccessBlock with ${FLAGS} all true.`, BUCKET],
            ]);
        });
    }

    it("reports a bucket with no default encryption", async () => {
        const { run, report } = await checkWithout(S3_ENCRYPTION);
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `${bucketLabel(run)} has no default encryption. It must have a BucketServerSideEncryptionConfiguration whose sseAlgorithm is one of AES256, aws:kms, aws:kms:dsse.`,
                BUCKET,
            ],
        ]);
    });

    it("reports an algorithm the policy config does not accept", async () => {
        const { run, report } = await check({ config: { [POLICY]: { sseAlgorithms: ["aws:kms"] } } });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `${bucketLabel(run)} is encrypted with AES256. It must have a BucketServerSideEncryptionConfiguration whose sseAlgorithm is one of aws:kms.`,
                BUCKET,
            ],
        ]);
    });

    it("reports a bucket with no bucket policy", async () => {
        const { run, report } = await checkWithout(S3_BUCKET_POLICY);
        assert.deepEqual(violations(report, POLICY), [["mandatory", `${bucketLabel(run)} has no bucket policy refusing plain HTTP. ${TLS}`, BUCKET]]);
    });

    const weakened: [string, (policy: string) => string][] = [
        ["denies only when aws:SecureTransport is true", (policy) => policy.replace('"aws:SecureTransport":"false"', '"aws:SecureTransport":"true"')],
        ["allows instead of denying", (policy) => policy.replace('"Effect":"Deny"', '"Effect":"Allow"')],
        ["denies only s3:PutObject", (policy) => policy.replace('"Action":"s3:*"', '"Action":"s3:PutObject"')],
        ["covers the bucket but not its objects", (policy) => policy.replace(/,"arn:aws:s3:::[^"]+\/\*"/, "")],
    ];
    for (const [title, weaken] of weakened) {
        it(`reports a bucket policy that ${title}`, async () => {
            const original = String(named(await runVariant(), "hpc-dev-scripts-tls-only").inputs.policy);
            const { run, report } = await check({ edits: [mapText(S3_BUCKET_POLICY, "policy", weaken)] });
            assert.equal(named(run, "hpc-dev-scripts-tls-only").inputs.policy, weaken(original));
            assert.notEqual(weaken(original), original);
            assert.deepEqual(violations(report, POLICY), [["mandatory", `${bucketLabel(run)} has no bucket policy statement refusing plain HTTP. ${TLS}`, BUCKET]]);
        });
    }
});
