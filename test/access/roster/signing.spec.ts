/**
 * The Roster provider signs every document it writes, against moto's KMS and S3 over HTTP: the signature
 * line verifies over every byte before it with node:crypto and with real `openssl dgst -sha256 -verify`
 * (what the agent runs), with this key only; one kms:Sign per change, none for a no-op; a key that cannot
 * sign, or a public key the nodes have that does not match, writes nothing.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DisableKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { rosterProvider as provider, type RosterInputs, type RosterOutputs, type RosterUserInput } from "../../../components/access/roster/rosterResource";
import { createSigningKey, objectText as readObjectText, objectVersions, useMotoS3, type SigningKey } from "../../support/motoS3";
import { ED25519_ALICE, EXAMPLE_AGENT_SHA256, EXAMPLE_OPTIONS } from "./support";

const REGION = "eu-west-1";
const BUCKET = "hpc-dev-scripts-bucket-signing";
const run = promisify(execFile);

const user = (iamUser: string, extra: Partial<RosterUserInput> = {}): RosterUserInput => ({ iamUser, name: iamUser, state: "allowed", sudo: false, keys: [ED25519_ALICE], groups: [], ...extra });

/** The document split as the agent reads it: every byte before the signature line, and the signature's DER. */
function split(text: string): { signed: string; der: Buffer } {
    const at = text.lastIndexOf("signature ");
    const line = /^signature ecdsa-p256-sha256 ([A-Za-z0-9+/]+=*)\n$/.exec(text.slice(at));
    assert.ok(line, `no signature line at the end of:\n${text}`);
    return { signed: text.slice(0, at), der: Buffer.from(line[1], "base64") };
}

describe("roster signing (dynamic provider, moto KMS and S3)", () => {
    const moto = useMotoS3(REGION, BUCKET);
    let work: string;
    before(() => {
        work = mkdtempSync(path.join(tmpdir(), "pca-signing-"));
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    const inputs = (key: string, users: RosterUserInput[], signingKey: SigningKey = moto().signingKey): RosterInputs => ({
        region: REGION,
        bucket: BUCKET,
        key,
        environment: "hpc-dev",
        signingKeyArn: signingKey.arn,
        publicKey: signingKey.publicKey,
        range: { first: 2001, last: 60000 },
        agentSha256: EXAMPLE_AGENT_SHA256,
        options: EXAMPLE_OPTIONS,
        users,
        groups: [],
        maxAttempts: 1,
    });

    const objectText = (key: string) => readObjectText(moto().s3, BUCKET, key);

    const versions = (key: string) => objectVersions(moto().s3, BUCKET, key);

    /** `openssl dgst -sha256 -verify` as the agent runs it, with the PEM made from PUBKEY by openssl; its exit code. */
    async function opensslVerify(name: string, signed: string, der: Buffer, publicKey: string): Promise<number> {
        const file = (suffix: string) => path.join(work, `${name}.${suffix}`);
        writeFileSync(file("body"), signed);
        writeFileSync(file("sig"), der);
        writeFileSync(file("pub.der"), Buffer.from(publicKey, "base64"));
        await run("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", file("pub.der"), "-out", file("pub.pem")]);
        try {
            await run("openssl", ["dgst", "-sha256", "-verify", file("pub.pem"), "-signature", file("sig"), file("body")]);
            return 0;
        } catch (error) {
            return (error as { code?: number }).code ?? -1;
        }
    }

    /** Runs `phase` and returns its result with the KMS actions it made. */
    async function kmsCalls<T>(phase: () => Promise<T>): Promise<[T, string[]]> {
        await moto().moto.startRecording();
        const result = await phase();
        return [result, await moto().moto.recordedKmsActions()];
    }

    it("signs the document over every byte through the end line; node:crypto and openssl verify it with this key only", async () => {
        const [created, calls] = await kmsCalls(() => provider.create!(inputs("signed.txt", [user("alice", { sudo: true }), user("bob")])));
        assert.deepEqual(calls, ["Sign"]);
        const text = await objectText("signed.txt");
        const { signed, der } = split(text);
        assert.match(signed, /\nend [0-9a-f]{64}\n$/);
        assert.match(signed, new RegExp(`^generation ${(created.outs as RosterOutputs).generation}$`, "m"));
        const publicKey = moto().signingKey.publicKey;
        const key = createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" });
        assert.equal(verify("sha256", Buffer.from(signed), { key, dsaEncoding: "der" }, der), true);
        assert.equal(await opensslVerify("good", signed, der, publicKey), 0);

        // Another byte (bob given sudo), or another environment's key: refused, as on a node.
        assert.equal(await opensslVerify("forged", signed.replace("user bob 2002 2002 allowed nosudo", "user bob 2002 2002 allowed sudo"), der, publicKey), 1);
        const other = await createSigningKey(moto().kms);
        assert.equal(await opensslVerify("other-key", signed, der, other.publicKey), 1);
    });

    it("one kms:Sign per change and none for a no-op; a new signing key re-signs, and the old key no longer verifies", async () => {
        const start = inputs("calls.txt", [user("alice")]);
        const created = (await provider.create!(start)).outs as RosterOutputs;
        const [noop, noopCalls] = await kmsCalls(() => provider.diff!("id", created, start));
        assert.deepEqual([noop.changes, noopCalls], [false, []]);

        const blocked = inputs("calls.txt", [user("alice", { state: "blocked" })]);
        const [updated, changeCalls] = await kmsCalls(async () => (await provider.update!("id", created, blocked)).outs as RosterOutputs);
        assert.deepEqual(changeCalls, ["Sign"]);

        const next = await createSigningKey(moto().kms);
        const rotated = inputs("calls.txt", [user("alice", { state: "blocked" })], next);
        assert.equal((await provider.diff!("id", updated, rotated)).changes, true);
        const [, rotateCalls] = await kmsCalls(() => provider.update!("id", updated, rotated));
        assert.deepEqual(rotateCalls, ["Sign"]);
        const { signed, der } = split(await objectText("calls.txt"));
        assert.equal(await opensslVerify("rotated-new", signed, der, next.publicKey), 0);
        assert.equal(await opensslVerify("rotated-old", signed, der, moto().signingKey.publicKey), 1);
        assert.equal(await versions("calls.txt"), 3);
    });

    it("writes nothing when the key cannot sign (disabled, or scheduled for deletion): the last signed document stays", async () => {
        const lost = await createSigningKey(moto().kms);
        const start = inputs("lost.txt", [user("alice")], lost);
        const created = (await provider.create!(start)).outs as RosterOutputs;
        const before = await objectText("lost.txt");
        const changed = inputs("lost.txt", [user("alice", { state: "blocked" })], lost);

        // The key id, not the ARN: moto 5.2.1's DisableKey, EnableKey and ScheduleKeyDeletion index its keys by id (an ARN is a 500).
        const keyId = lost.arn.split("/").at(-1);
        await moto().kms.send(new DisableKeyCommand({ KeyId: keyId }));
        await assert.rejects(provider.update!("id", created, changed), { name: "KMSInvalidStateException", message: `${lost.arn} is Disabled.` });
        await moto().kms.send(new EnableKeyCommand({ KeyId: keyId }));
        await moto().kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        await assert.rejects(provider.update!("id", created, changed), { name: "KMSInvalidStateException", message: `${lost.arn} is PendingDeletion.` });
        assert.equal(await versions("lost.txt"), 1);
        assert.equal(await objectText("lost.txt"), before);
    });

    it("refuses, before writing, a signature the nodes' public key would not accept", async () => {
        const other = await createSigningKey(moto().kms);
        const mismatched = { ...inputs("mismatch.txt", [user("alice")]), publicKey: other.publicKey };
        await assert.rejects(provider.create!(mismatched), {
            message:
                `The signature ${moto().signingKey.arn} made does not verify with the public key the nodes are given, so every node would refuse the roster; nothing was written. ` +
                "The signing key and the nodes' PUBKEY argument must be the same key pair: run pulumi refresh, then pulumi up.",
        });
        assert.equal(await versions("mismatch.txt"), 0);
    });
});
