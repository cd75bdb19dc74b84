/**
 * Why the signing tests run moto through test/support/moto_kms_digest.py: stock moto 5.2.1 ignores Sign's
 * MessageType (it hashes a DIGEST again, getmoto/moto#10202) and signs with a key pending deletion, where
 * real KMS signs the digest as given and refuses a key that is not enabled (Sign and ScheduleKeyDeletion
 * API references). When these fail, moto is fixed: drop the shim and this spec.
 */
import * as assert from "node:assert/strict";
import { createHash, createPublicKey, verify } from "node:crypto";
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient, ScheduleKeyDeletionCommand, SignCommand } from "@aws-sdk/client-kms";
import { Moto } from "../../support/moto";

describe("moto 5.2.1's KMS, unshimmed (what moto_kms_digest.py adds)", () => {
    let moto: Moto;
    let kms: KMSClient;
    before(async () => {
        moto = await Moto.start("eu-west-1");
        kms = new KMSClient({ region: "eu-west-1", endpoint: moto.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 });
    });
    after(async () => {
        await moto.close();
    });

    it("signs SHA-256 of a DIGEST (hashed twice), so the signature does not verify over the document, and signs with a key pending deletion", async () => {
        const arn = (await kms.send(new CreateKeyCommand({ KeyUsage: "SIGN_VERIFY", KeySpec: "ECC_NIST_P256" }))).KeyMetadata?.Arn ?? "";
        const key = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: arn }))).PublicKey ?? []), format: "der", type: "spki" });
        const document = Buffer.from("pcluster-access-roster 2\n");
        const digest = createHash("sha256").update(document).digest();
        const sign = async () => Buffer.from((await kms.send(new SignCommand({ KeyId: arn, Message: digest, MessageType: "DIGEST", SigningAlgorithm: "ECDSA_SHA_256" }))).Signature ?? []);
        const der = await sign();
        assert.equal(verify("sha256", document, { key, dsaEncoding: "der" }, der), false);
        assert.equal(verify("sha256", digest, { key, dsaEncoding: "der" }, der), true);
        // By key id: moto's ScheduleKeyDeletion does not resolve an ARN.
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn.split("/").at(-1), PendingWindowInDays: 7 }));
        assert.ok((await sign()).length > 0);
    });
});
