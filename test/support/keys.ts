/**
 * SSH keys made at test time, so no private key is ever committed. Security-key public keys are built
 * from their wire format (PROTOCOL.u2f), since generating one needs a hardware token.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as sshpk from "sshpk";

export function ed25519PublicKey(comment = "user@example"): string {
    const key = sshpk.generatePrivateKey("ed25519");
    key.comment = comment;
    return key.toPublic().toString("ssh");
}

export function ed25519PrivateKey(): string {
    return sshpk.generatePrivateKey("ed25519").toString("openssh");
}

export function ecdsaPublicKey(curve: "nistp256" | "nistp384" | "nistp521" = "nistp256"): string {
    return sshpk.generatePrivateKey("ecdsa", { curve }).toPublic().toString("ssh");
}

export function rsaPublicKey(bits: number): string {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    return sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }), "pem").toString("ssh");
}

export function rsaPrivateKeyPem(bits = 2048): string {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

export function dsaPublicKey(): string {
    const { publicKey } = generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 });
    return sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }), "pem").toString("ssh");
}

/** Wire-format string: uint32 length then bytes. */
function wireString(value: Buffer | string): Buffer {
    const bytes = typeof value === "string" ? Buffer.from(value, "latin1") : value;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

export function securityKeyEd25519(options: { blobType?: string; application?: string; keyBytes?: number } = {}): string {
    const type = "sk-ssh-ed25519@openssh.com";
    const blob = Buffer.concat([
        wireString(options.blobType ?? type),
        wireString(randomBytes(options.keyBytes ?? 32)),
        wireString(options.application ?? "ssh:"),
    ]);
    return `${type} ${blob.toString("base64")} yubikey`;
}

export function securityKeyEcdsa(options: { curve?: string } = {}): string {
    const type = "sk-ecdsa-sha2-nistp256@openssh.com";
    const point = Buffer.concat([Buffer.from([4]), randomBytes(64)]);
    const blob = Buffer.concat([
        wireString(type),
        wireString(options.curve ?? "nistp256"),
        wireString(point),
        wireString("ssh:"),
    ]);
    return `${type} ${blob.toString("base64")}`;
}
