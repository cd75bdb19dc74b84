/**
 * An SSH public key line checked against OpenSSH's wire format (RFC 4253 section 6.6, RFC 5656,
 * PROTOCOL.u2f), with no parser dependency so the pack stays small. OpsWorks writes the stored key
 * verbatim into authorized_keys and treats an empty key as removed access (the agent deletes the account
 * and its home directory), so anything that is not one public key is refused. Problems never echo the
 * submitted text: it may be a private key.
 */

export interface KeyRules {
    /** Smallest RSA modulus accepted, in bits. */
    readonly minRsaBits: number;
}

const PASTE_PUB = "Paste the one line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).";

const PRIVATE_KEY_MARKERS = [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
    /PuTTY-User-Key-File-/,
    /^SSH PRIVATE KEY FILE FORMAT/m,
    /^b3BlbnNzaC1rZXktdjE/, // base64 of "openssh-key-v1", a private key body pasted without its armour
];

/** Curve name and point length (uncompressed: 0x04 || X || Y) of each ECDSA type. */
const ECDSA_CURVES: Record<string, { curve: string; pointBytes: number }> = {
    "ecdsa-sha2-nistp256": { curve: "nistp256", pointBytes: 65 },
    "ecdsa-sha2-nistp384": { curve: "nistp384", pointBytes: 97 },
    "ecdsa-sha2-nistp521": { curve: "nistp521", pointBytes: 133 },
    "sk-ecdsa-sha2-nistp256@openssh.com": { curve: "nistp256", pointBytes: 65 },
};

const ACCEPTED_KEY_TYPES = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/** What is wrong with the key, phrased to follow "the key ...", or undefined when it is a valid public key. */
export function sshPublicKeyProblem(text: string, rules: KeyRules): string | undefined {
    const trimmed = text.trim();
    if (trimmed === "") {
        return (
            "is empty. OpsWorks treats an empty key as removed access: the agent deletes the account and its home " +
            "directory. To stop a login set access: blocked; otherwise " +
            lowerFirst(PASTE_PUB)
        );
    }
    if (PRIVATE_KEY_MARKERS.some((marker) => marker.test(trimmed))) {
        return "is a private key. Remove it from the configuration, treat it as leaked and replace it; paste the public half (the .pub file's one line) instead.";
    }
    if (/[\r\n]/.test(trimmed)) {
        return `spans several lines; it must be one key on one line. ${PASTE_PUB}`;
    }
    const [keyType, base64] = trimmed.split(/\s+/);
    if (keyType === "ssh-dss") {
        return "is a DSA key, which OpenSSH no longer accepts. Generate one with `ssh-keygen -t ed25519`.";
    }
    if (!ACCEPTED_KEY_TYPES.includes(keyType)) {
        return `does not start with a public key type OpenSSH accepts (${ACCEPTED_KEY_TYPES.join(", ")}). ${PASTE_PUB}`;
    }
    if (base64 === undefined) {
        return `has no base64 part: it must read '<type> <base64> [comment]'. ${PASTE_PUB}`;
    }
    const blob = decodeBase64(base64);
    const bits = blob && keyBits(keyType, new WireReader(blob));
    if (bits === undefined) {
        return `is truncated or garbled: its data is not a valid ${keyType} key. ${PASTE_PUB}`;
    }
    if (keyType === "ssh-rsa" && bits < rules.minRsaBits) {
        return `is a ${bits}-bit RSA key; at least ${rules.minRsaBits} bits are required. Generate one with \`ssh-keygen -t ed25519\`.`;
    }
    return undefined;
}

function decodeBase64(text: string): Buffer | undefined {
    return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0 ? Buffer.from(text, "base64") : undefined;
}

/** Reads the blob of a key of `keyType`; its size in bits, or undefined when the blob does not hold such a key. */
function keyBits(keyType: string, reader: WireReader): number | undefined {
    if (reader.text() !== keyType) {
        return undefined;
    }
    let bits: number | undefined;
    if (keyType === "ssh-rsa") {
        const exponent = reader.bytes();
        const modulus = reader.bytes();
        bits = exponent && exponent.length > 0 && modulus ? bitLength(modulus) : undefined;
    } else if (keyType in ECDSA_CURVES) {
        const { curve, pointBytes } = ECDSA_CURVES[keyType];
        const point = reader.text() === curve ? reader.bytes() : undefined;
        bits = point?.length === pointBytes && point[0] === 4 ? (pointBytes - 1) * 4 : undefined;
    } else {
        bits = reader.bytes()?.length === 32 ? 256 : undefined;
    }
    if (keyType.startsWith("sk-") && !reader.text()?.startsWith("ssh:")) {
        return undefined;
    }
    return reader.atEnd() ? bits : undefined;
}

function bitLength(mpint: Buffer): number {
    const first = mpint.findIndex((byte) => byte !== 0);
    return first < 0 ? 0 : (mpint.length - first - 1) * 8 + mpint[first].toString(2).length;
}

function lowerFirst(text: string): string {
    return text.charAt(0).toLowerCase() + text.slice(1);
}

/** SSH wire-format strings: a uint32 big-endian length, then that many bytes. */
class WireReader {
    private offset = 0;
    constructor(private readonly data: Buffer) {}

    bytes(): Buffer | undefined {
        if (this.offset + 4 > this.data.length) {
            return undefined;
        }
        const end = this.offset + 4 + this.data.readUInt32BE(this.offset);
        if (end > this.data.length) {
            return undefined;
        }
        const value = this.data.subarray(this.offset + 4, end);
        this.offset = end;
        return value;
    }

    text(): string | undefined {
        return this.bytes()?.toString("latin1");
    }

    atEnd(): boolean {
        return this.offset === this.data.length;
    }
}
