/**
 * Signing the roster document (FORMAT-2's signature line; issue 19): what the Roster provider signs, how it
 * asks KMS, and the check it makes before writing that the nodes' public key accepts the signature.
 *
 * - The signature covers every byte through the `end` line (so the agent hash, the generation and every
 *   user line). KMS signs at most 4,096 bytes of RAW message, too few for 1,000 users, so the provider
 *   sends the SHA-256 of those bytes with `MessageType: DIGEST`: KMS "skips the hashing step" and the
 *   result verifies over the bytes themselves (Sign API reference, MessageType), which is what the nodes'
 *   `openssl dgst -sha256 -verify` checks. ECDSA_SHA_256's Signature is DER (Sign API reference, Signature).
 * - The one signing path: the renderer (document.ts) gives the unsigned lines, signDocument signs them; a
 *   RosterSigner gets the digest and the bytes and returns the DER signature (KMS in the program, a
 *   test-only key in the tests, the mock cloud's key in the offline plan).
 */
import { createHash, createPublicKey, verify } from "node:crypto";

export const SIGNATURE_LINE_ALGORITHM = "ecdsa-p256-sha256";
export const KMS_SIGNING_ALGORITHM = "ECDSA_SHA_256";

/** Gets the digest (what KMS signs with MessageType DIGEST) and the bytes it is of; returns the DER signature. */
export type RosterSigner = (digest: Buffer, bytes: Buffer) => Promise<Uint8Array> | Uint8Array;

/** SHA-256 of every byte through the `end` line: the `Message` of kms:Sign with MessageType DIGEST. */
export function signingDigest(unsigned: string): Buffer {
    return createHash("sha256").update(unsigned, "utf8").digest();
}

/** The document with its last line: `signature ecdsa-p256-sha256 BASE64` (standard base64 of the DER, one token). */
export function appendSignature(unsigned: string, der: Uint8Array): string {
    return `${unsigned}signature ${SIGNATURE_LINE_ALGORITHM} ${Buffer.from(der).toString("base64")}\n`;
}

/** Whether `der` is a valid ECDSA P-256 / SHA-256 signature of `unsigned` under the base64 DER SPKI `publicKey`. */
export function verifiesWith(unsigned: string, der: Uint8Array, publicKey: string): boolean {
    const key = createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
        return false;
    }
    return verify("sha256", Buffer.from(unsigned, "utf8"), { key, dsaEncoding: "der" }, der);
}

/**
 * A signer calling kms:Sign once per document. The SDK is imported inside (the Roster provider is
 * serialized into state with it) and the client built per call from plain values.
 */
export function kmsSigner(region: string, keyId: string, maxAttempts: number): RosterSigner {
    return async (digest) => {
        const { KMSClient, SignCommand } = await import("@aws-sdk/client-kms");
        const client = new KMSClient({ region, maxAttempts });
        const signed = await client.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: "DIGEST", SigningAlgorithm: KMS_SIGNING_ALGORITHM }));
        if (signed.Signature === undefined) {
            throw new Error(`kms:Sign with ${keyId} returned no signature`);
        }
        return signed.Signature;
    };
}

/** The signed document: `unsigned` with the signature line, refused when the nodes' key would not accept it. */
export async function signDocument(unsigned: string, sign: RosterSigner, publicKey: string, keyId: string): Promise<string> {
    const der = await sign(signingDigest(unsigned), Buffer.from(unsigned, "utf8"));
    if (!verifiesWith(unsigned, der, publicKey)) {
        throw new Error(
            `The signature ${keyId} made does not verify with the public key the nodes are given, so every node would refuse the roster; nothing was written. ` +
                "The signing key and the nodes' PUBKEY argument must be the same key pair: run pulumi refresh, then pulumi up.",
        );
    }
    return appendSignature(unsigned, der);
}
