/**
 * The stored cluster configuration's provider against moto's S3 over HTTP: the SDK reaches moto through
 * the standard AWS_ENDPOINT_URL_S3 variable, as it would reach any S3 endpoint.
 */
import * as assert from "node:assert/strict";
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import * as pulumi from "@pulumi/pulumi";
import { useMotoS3 } from "../support/motoS3";
import { storedConfigurationProvider as provider, type StoredConfigurationInputs, type StoredConfigurationOutputs } from "../../components/cluster/storedConfiguration";

const REGION = "eu-west-1";
const BUCKET = "hpc-dev-scripts-bucket-abc1234";

describe("stored cluster configuration (dynamic provider, moto S3)", () => {
    const moto = useMotoS3(REGION, BUCKET);
    const s3 = () => moto().s3;

    const inputs = (text: string, key = "cluster-config.yaml"): StoredConfigurationInputs => ({
        region: REGION,
        bucket: BUCKET,
        key,
        format: "v3",
        text,
        document: { Region: REGION },
        maxAttempts: 1,
    });

    /** create, with the outputs every create of this provider returns. */
    async function create(values: StoredConfigurationInputs): Promise<{ id: string; outs: StoredConfigurationOutputs }> {
        const result = await provider.create!(values);
        assert.ok(result.outs);
        return { id: result.id, outs: result.outs };
    }

    async function objectText(key = "cluster-config.yaml"): Promise<string> {
        const object = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return (await object.Body?.transformToString()) ?? "";
    }

    it("writes the text on create, rewrites it on update, keeping the earlier version", async () => {
        const created = await create(inputs("Region: eu-west-1\n"));
        assert.equal(created.id, `${BUCKET}/cluster-config.yaml`);
        assert.equal(created.outs.url, `s3://${BUCKET}/cluster-config.yaml`);
        assert.notEqual(created.outs.versionId, "");
        assert.equal(await objectText(), "Region: eu-west-1\n");

        const updated = await provider.update!(created.id, created.outs, inputs("Region: eu-west-1\nImage: {}\n"));
        assert.equal(await objectText(), "Region: eu-west-1\nImage: {}\n");
        assert.notEqual(updated.outs!.versionId, created.outs.versionId);
        const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: "cluster-config.yaml" }));
        assert.equal(versions.Versions?.length, 2);
    });

    it("diff: no change when only unrelated values repeat; replacement when the bucket or key moves", async () => {
        const olds = { ...inputs("a"), url: "", versionId: "" } as StoredConfigurationOutputs;
        assert.deepEqual(await provider.diff!("id", olds, inputs("a")), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(await provider.diff!("id", olds, inputs("b")), { changes: true, replaces: [], deleteBeforeReplace: false });
        assert.deepEqual(await provider.diff!("id", olds, inputs("a", "other.yaml")), { changes: true, replaces: ["key"], deleteBeforeReplace: false });
    });

    it("check refuses empty text and an unknown format, naming the property", async () => {
        const result = await provider.check!({} as StoredConfigurationInputs, { ...inputs(""), format: "v4" as "v3" });
        assert.deepEqual(result.failures, [
            { property: "text", reason: "text must be a non-empty string" },
            { property: "format", reason: "format must be v2 or v3" },
        ]);
    });

    it("read shows a hand edit as drift, and a deleted object as gone", async () => {
        const created = await create(inputs("Region: eu-west-1\n", "drift.yaml"));
        await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: "drift.yaml", Body: "Region: us-east-1\n" }));
        const read = await provider.read!(created.id, created.outs);
        assert.equal(read.props!.text, "Region: us-east-1\n");
        await provider.delete!(created.id, created.outs);
        assert.deepEqual(await provider.read!(created.id, created.outs), { id: "", props: {} });
    });

    it("surfaces S3's error when the bucket does not exist", async () => {
        await assert.rejects(provider.create!({ ...inputs("x"), bucket: "no-such-bucket-here" }), { name: "NoSuchBucket" });
    });

    it("serializes as a dynamic provider closure", async () => {
        const serialized = await pulumi.runtime.serializeFunction(() => provider);
        assert.match(serialized.text, /PutObjectCommand/);
        assert.match(serialized.text, /require\("@aws-sdk\/client-s3"\)|import\("@aws-sdk\/client-s3"\)/);
    });
});
