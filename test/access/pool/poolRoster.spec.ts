/**
 * The Roster provider as a pool runs it (RosterInputs.clusters), against moto's S3 and KMS over HTTP, and
 * serialized as Pulumi stores it: one create writes one signed document per cluster and none at the pool's
 * key; one change is one write of every document at one generation; a cluster that leaves the pool loses
 * its document; a refresh shows the roster gone when one document was deleted; delete removes them all.
 */
import * as assert from "node:assert/strict";
import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import type { RosterClusterInput } from "../../../components/access/roster/planner";
import { rosterProvider, type RosterInputs, type RosterOutputs, type RosterUserInput } from "../../../components/access/roster/rosterResource";
import { verifiesWith } from "../../../components/access/roster/signing";
import { objectText, objectVersions, useMotoS3 } from "../../support/motoS3";
import { roundTrip, type AnyProvider } from "../../support/serializedProvider";
import { ECDSA_ADAM, ED25519_ALICE, EXAMPLE_AGENT_SHA256, EXAMPLE_OPTIONS } from "../roster/support";

const REGION = "eu-west-1";
const BUCKET = "users-scripts-bucket-pool1";

const user = (iamUser: string, extra: Partial<RosterUserInput> = {}): RosterUserInput => ({ iamUser, name: iamUser, state: "allowed", sudo: false, keys: [ED25519_ALICE], groups: [], ...extra });
const cluster = (name: string, allowed: string[], sudo: string[] = []): RosterClusterInput => ({ name, key: `pool/${name}/roster.txt`, allowed, sudo });

describe("roster (dynamic provider, moto S3) for a pool: one document per cluster", () => {
    const moto = useMotoS3(REGION, BUCKET);
    let provider: AnyProvider;
    before(async () => {
        provider = (await roundTrip(rosterProvider as AnyProvider)).loaded;
    });

    const inputs = (users: RosterUserInput[], clusters: RosterClusterInput[]): RosterInputs => ({
        region: REGION,
        bucket: BUCKET,
        key: "pool/",
        environment: "users",
        signingKeyArn: moto().signingKey.arn,
        publicKey: moto().signingKey.publicKey,
        range: { first: 2001, last: 60000 },
        agentSha256: EXAMPLE_AGENT_SHA256,
        options: EXAMPLE_OPTIONS,
        users,
        groups: [],
        maxAttempts: 1,
        clusters,
    });

    const text = (key: string) => objectText(moto().s3, BUCKET, key);
    const versions = (key: string) => objectVersions(moto().s3, BUCKET, key);
    async function exists(key: string): Promise<boolean> {
        try {
            await moto().s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
            return true;
        } catch {
            return false;
        }
    }
    const lines = (document: string) => document.split("\n").filter((line) => /^(environment|generation|user) /.test(line));
    const signedBy = (document: string) => {
        const cut = document.lastIndexOf("signature ");
        return verifiesWith(document.slice(0, cut), Buffer.from(document.slice(cut).split(" ")[2], "base64"), moto().signingKey.publicKey);
    };

    it("writes a signed document per cluster with the same UIDs, access and sudo as each cluster has them, and none at the pool's key", async () => {
        const start = inputs([user("alice"), user("bob", { keys: [ECDSA_ADAM] })], [cluster("hpc-cpu", ["alice", "bob"], ["alice"]), cluster("hpc-gpu", ["bob"])]);
        const created = await provider.create!(start);
        const outs = created.outs as RosterOutputs;
        assert.equal(created.id, `${BUCKET}/pool/`);
        assert.deepEqual(outs.documents?.map((document) => [document.key, document.url]), [
            ["pool/hpc-cpu/roster.txt", `s3://${BUCKET}/pool/hpc-cpu/roster.txt`],
            ["pool/hpc-gpu/roster.txt", `s3://${BUCKET}/pool/hpc-gpu/roster.txt`],
        ]);
        const [cpu, gpu] = [await text("pool/hpc-cpu/roster.txt"), await text("pool/hpc-gpu/roster.txt")];
        assert.deepEqual(lines(cpu), ["environment hpc-cpu", `generation ${outs.generation}`, "user alice 2001 2001 allowed sudo -", "user bob 2002 2002 allowed nosudo -"]);
        assert.deepEqual(lines(gpu), ["environment hpc-gpu", `generation ${outs.generation}`, "user alice 2001 2001 blocked nosudo -", "user bob 2002 2002 allowed nosudo -"]);
        assert.equal(signedBy(cpu), true);
        assert.equal(signedBy(gpu), true);
        assert.equal(await exists("pool/"), false);

        // One change (bob blocked), one write of every document; a no-op writes nothing.
        assert.equal((await provider.diff!(created.id, outs, start)).changes, false);
        const blocked = inputs([user("alice"), user("bob", { keys: [ECDSA_ADAM], state: "blocked" })], [...start.clusters!]);
        assert.equal((await provider.diff!(created.id, outs, blocked)).changes, true);
        const updated = (await provider.update!(created.id, outs, blocked)).outs as RosterOutputs;
        for (const key of ["pool/hpc-cpu/roster.txt", "pool/hpc-gpu/roster.txt"]) {
            assert.equal(await versions(key), 2, key);
            assert.match(await text(key), new RegExp(`^generation ${updated.generation}\\n[\\s\\S]*^user bob 2002 2002 blocked nosudo -$`, "m"));
        }

        // hpc-gpu leaves the pool: its document goes (a delete marker), hpc-cpu's is rewritten.
        const left = (await provider.update!(created.id, updated, inputs([...blocked.users], [start.clusters![0]]))).outs as RosterOutputs;
        assert.equal(await exists("pool/hpc-gpu/roster.txt"), false);
        assert.deepEqual(left.documents?.map((document) => document.key), ["pool/hpc-cpu/roster.txt"]);

        // A refresh: present, then gone once its document is deleted by hand; delete removes what is left.
        assert.equal((await provider.read!(created.id, left)).id, created.id);
        await provider.delete!(created.id, left);
        assert.equal(await exists("pool/hpc-cpu/roster.txt"), false);
        assert.deepEqual(await provider.read!(created.id, left), { id: "", props: {} });
    });

    it("shows the roster gone on refresh when one cluster's document was deleted by hand", async () => {
        const created = await provider.create!(inputs([user("alice")], [cluster("a", ["alice"]), cluster("b", [])]));
        await moto().s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "pool/b/roster.txt" }));
        assert.deepEqual(await provider.read!(created.id, created.outs), { id: "", props: {} });
    });
});
