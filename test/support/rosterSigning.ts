/**
 * The roster's signing key in the tests: test-only P-256 keys committed under test/fixtures, never used
 * outside the tests (the program signs with the environment's KMS key). A signer takes what
 * signing.ts's RosterSigner gets and signs the bytes with node:crypto, which hashes them itself
 * (KMS takes the digest instead: the same ECDSA-SHA256 signature).
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { renderUnsigned, type RosterContent } from "../../components/access/roster/document";
import { signDocument, type RosterSigner } from "../../components/access/roster/signing";
import { REPO_ROOT } from "./devConfig";

/** The key test/fixtures/roster-example.txt is signed with, and every test node trusts. */
export const TEST_SIGNING_KEY_FILE = path.join(REPO_ROOT, "test", "fixtures", "roster-signing-test-key.pem");
/** Another environment's key: a document it signed must be refused. */
export const OTHER_SIGNING_KEY_FILE = path.join(REPO_ROOT, "test", "fixtures", "roster-signing-other-test-key.pem");

const privateKey = (file: string): KeyObject => createPrivateKey(readFileSync(file));

/** PUBKEY as post-install gets it: standard base64 of the DER SubjectPublicKeyInfo. */
export function publicKeyBase64(file: string): string {
    return createPublicKey(privateKey(file)).export({ type: "spki", format: "der" }).toString("base64");
}

/** The test nodes' PUBKEY. */
export const TEST_PUBKEY = publicKeyBase64(TEST_SIGNING_KEY_FILE);

/** A RosterSigner with the key in `file` (DER ECDSA signatures, as KMS returns them). */
export function signerFor(file: string): RosterSigner {
    const key = privateKey(file);
    return (_digest, bytes) => sign("sha256", bytes, key);
}

export const testSigner = signerFor(TEST_SIGNING_KEY_FILE);

/** The document the program would write for `content` at `generation`, through its one signing path, with `sign` (default the test key). */
export function signedRoster(content: RosterContent, generation: number, sign: RosterSigner = testSigner, publicKey: string = TEST_PUBKEY): Promise<string> {
    return signDocument(renderUnsigned(content, generation), sign, publicKey, "the test signing key");
}
