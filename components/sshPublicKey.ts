/**
 * SSH public key checks shared by the stack config schema and the OpsWorks user-profile provider.
 *
 * OpsWorks writes the stored key verbatim into `authorized_keys`, and an empty key makes the agent
 * delete the account and its home directory (the seed's warning). So a key is accepted only when a
 * real parser (sshpk) reads it as one public key of a type OpenSSH still accepts. Security-key types,
 * which sshpk cannot parse, are checked against their wire format here.
 */
import { createHash } from "node:crypto";
// A default import serializes as a plain require in dynamic providers (a namespace import copies sshpk by value).
import sshpk from "sshpk";

export type SshPublicKeyCheck =
    | {
          readonly ok: true;
          /** The OpenSSH key type, e.g. `ssh-ed25519`. */
          readonly keyType: string;
          /** Key size in bits (RSA modulus, curve size). */
          readonly bits: number;
          /** `SHA256:...`, as `ssh-keygen -l` prints it. */
          readonly fingerprint: string;
          /** `type base64 [comment]` with surrounding whitespace removed. */
          readonly normalized: string;
      }
    | {
          readonly ok: false;
          /** What is wrong and how to fix it; never contains the submitted text. */
          readonly problem: string;
      };

const MIN_RSA_BITS = 2048;

const FIX_PASTE_PUB = "Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).";

/** Security-key types: the blob's fields after the type, by kind. */
const SECURITY_KEY_TYPES: Record<string, { curve?: string; keyBytes: number; bits: number }> = {
    "sk-ssh-ed25519@openssh.com": { keyBytes: 32, bits: 256 },
    "sk-ecdsa-sha2-nistp256@openssh.com": { curve: "nistp256", keyBytes: 65, bits: 256 },
};

const PRIVATE_KEY_MARKERS = [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, /PuTTY-User-Key-File-/, /^SSH PRIVATE KEY FILE FORMAT/m];

/** Checks one SSH public key line; the result never echoes the input. */
export function checkSshPublicKey(text: string): SshPublicKeyCheck {
    const trimmed = (text ?? "").trim();
    if (trimmed === "") {
        return fail(
            "the key is empty. An empty key makes OpsWorks delete the account and home directory; " +
                "to stop a login set access: blocked instead. " + FIX_PASTE_PUB,
        );
    }
    if (PRIVATE_KEY_MARKERS.some((marker) => marker.test(trimmed)) || looksLikeUnarmouredPrivateKey(trimmed)) {
        return fail(
            "this is a private key. Remove it from the configuration, treat it as leaked and replace it; " +
                "paste the public half instead (the one line of the .pub file).",
        );
    }
    if (/[\r\n]/.test(trimmed)) {
        return fail("the key spans several lines. Give exactly one key, on one line. " + FIX_PASTE_PUB);
    }
    const fields = trimmed.split(/\s+/);
    const keyType = fields[0];
    if (fields.length < 2) {
        return fail("the key has no base64 part: it must read '<type> <base64> [comment]'. " + FIX_PASTE_PUB);
    }
    if (keyType === "ssh-dss") {
        return fail("DSA keys are refused: OpenSSH disabled them (weak, 1024 bits). Generate one with `ssh-keygen -t ed25519`.");
    }
    const sk = SECURITY_KEY_TYPES[keyType];
    if (sk) {
        return checkSecurityKey(keyType, fields, sk);
    }
    let key: sshpk.Key;
    try {
        key = sshpk.parseKey(trimmed, "ssh");
    } catch {
        return fail(
            "the key could not be read as an OpenSSH public key (truncated, garbled, or not a key). " +
                "Accepted types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (2048 bits or more), " +
                "sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com. " +
                FIX_PASTE_PUB,
        );
    }
    if (key.type === "dsa") {
        return fail("DSA keys are refused: OpenSSH disabled them (weak, 1024 bits). Generate one with `ssh-keygen -t ed25519`.");
    }
    if (key.type === "rsa" && key.size < MIN_RSA_BITS) {
        return fail(
            `this RSA key has ${key.size} bits; at least ${MIN_RSA_BITS} are required. ` +
                "Generate a new one with `ssh-keygen -t ed25519` (or `-t rsa -b 4096`).",
        );
    }
    return {
        ok: true,
        keyType,
        bits: key.size,
        fingerprint: key.fingerprint("sha256").toString(),
        normalized: fields.join(" "),
    };
}

/** A bare base64 private key body pasted without its armour lines. */
function looksLikeUnarmouredPrivateKey(text: string): boolean {
    return text.startsWith("b3BlbnNzaC1rZXktdjE"); // base64 of "openssh-key-v1", the private key magic
}

/**
 * Security-key blobs: string type, [string curve], string public key, string application.
 * The first field must repeat the type named before the blob (PROTOCOL.u2f in OpenSSH).
 */
function checkSecurityKey(
    keyType: string,
    fields: string[],
    spec: { curve?: string; keyBytes: number; bits: number },
): SshPublicKeyCheck {
    const garbled = fail(`the ${keyType} key is truncated or garbled. ` + FIX_PASTE_PUB);
    const base64 = fields[1];
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
        return garbled;
    }
    const blob = Buffer.from(base64, "base64");
    const reader = new WireReader(blob);
    const blobType = reader.string();
    if (blobType === undefined) {
        return garbled;
    }
    if (blobType.toString("latin1") !== keyType) {
        return fail(`the key says ${keyType} but its data is of another type. ` + FIX_PASTE_PUB);
    }
    if (spec.curve !== undefined && reader.string()?.toString("latin1") !== spec.curve) {
        return garbled;
    }
    const publicKey = reader.string();
    const application = reader.string();
    if (publicKey?.length !== spec.keyBytes || application === undefined || !reader.atEnd()) {
        return garbled;
    }
    if (!application.toString("latin1").startsWith("ssh:")) {
        return fail(`the ${keyType} key's application is not an SSH one ('ssh:...'). ` + FIX_PASTE_PUB);
    }
    const digest = createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
    return { ok: true, keyType, bits: spec.bits, fingerprint: `SHA256:${digest}`, normalized: fields.join(" ") };
}

/** Reads SSH wire-format strings (uint32 big-endian length, then bytes). */
class WireReader {
    private offset = 0;
    constructor(private readonly data: Buffer) {}

    string(): Buffer | undefined {
        if (this.offset + 4 > this.data.length) {
            return undefined;
        }
        const length = this.data.readUInt32BE(this.offset);
        const end = this.offset + 4 + length;
        if (end > this.data.length) {
            return undefined;
        }
        const value = this.data.subarray(this.offset + 4, end);
        this.offset = end;
        return value;
    }

    atEnd(): boolean {
        return this.offset === this.data.length;
    }
}

function fail(problem: string): SshPublicKeyCheck {
    return { ok: false, problem };
}

/**
 * `SHA256:...` of a key line the config has already accepted, as `ssh-keygen -l` prints it and sshd logs a
 * login with it. Throws on a key checkSshPublicKey refuses (the config never lets one through).
 */
export function keyFingerprint(line: string): string {
    const checked = checkSshPublicKey(line);
    if (!checked.ok) {
        throw new Error(`keyFingerprint: not a public key the config accepts: ${checked.problem}`);
    }
    return checked.fingerprint;
}
