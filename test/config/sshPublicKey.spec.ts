import * as assert from "node:assert/strict";
import { checkSshPublicKey } from "../../components/sshPublicKey";
import * as keys from "../support/keys";

function problemOf(text: string): string {
    const result = checkSshPublicKey(text);
    assert.equal(result.ok, false, "expected the key to be refused");
    return (result as { problem: string }).problem;
}

describe("checkSshPublicKey", () => {
    it("accepts ed25519, ecdsa and RSA >= 2048, normalising whitespace", () => {
        const ed = keys.ed25519PublicKey("alice@example");
        const result = checkSshPublicKey(`  ${ed.replace(" ", "   ")}\n`);
        assert.ok(result.ok);
        assert.equal(result.keyType, "ssh-ed25519");
        assert.equal(result.bits, 256);
        assert.equal(result.normalized, ed.trim());
        assert.match(result.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);

        for (const curve of ["nistp256", "nistp384", "nistp521"] as const) {
            const ec = checkSshPublicKey(keys.ecdsaPublicKey(curve));
            assert.ok(ec.ok);
            assert.equal(ec.keyType, `ecdsa-sha2-${curve}`);
        }
        const rsa = checkSshPublicKey(keys.rsaPublicKey(2048));
        assert.ok(rsa.ok);
        assert.equal(rsa.keyType, "ssh-rsa");
        assert.equal(rsa.bits, 2048);
    });

    it("accepts both security-key types by their wire format", () => {
        const ed = checkSshPublicKey(keys.securityKeyEd25519());
        assert.ok(ed.ok);
        assert.equal(ed.keyType, "sk-ssh-ed25519@openssh.com");
        const ec = checkSshPublicKey(keys.securityKeyEcdsa());
        assert.ok(ec.ok);
        assert.equal(ec.keyType, "sk-ecdsa-sha2-nistp256@openssh.com");
    });

    it("refuses an empty key and says why it is dangerous", () => {
        for (const empty of ["", "   ", "\n"]) {
            assert.equal(
                problemOf(empty),
                "the key is empty. An empty key makes OpsWorks delete the account and home directory; to stop a login " +
                    "set access: blocked instead. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
            );
        }
    });

    it("refuses private keys without echoing them", () => {
        const message =
            "this is a private key. Remove it from the configuration, treat it as leaked and replace it; " +
            "paste the public half instead (the one line of the .pub file).";
        const openssh = keys.ed25519PrivateKey();
        const pem = keys.rsaPrivateKeyPem();
        const bareBody = openssh.split("\n")[1];
        for (const secret of [openssh, pem, bareBody]) {
            const problem = problemOf(secret);
            assert.equal(problem, message);
            assert.ok(!problem.includes(secret.slice(40, 80)));
        }
    });

    it("refuses truncated, garbled and mislabelled keys", () => {
        const ed = keys.ed25519PublicKey();
        const [type, body] = ed.split(" ");
        const unreadable =
            "the key could not be read as an OpenSSH public key (truncated, garbled, or not a key). Accepted types: " +
            "ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (2048 bits or more), sk-ssh-ed25519@openssh.com, " +
            "sk-ecdsa-sha2-nistp256@openssh.com. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).";
        assert.equal(problemOf(`${type} ${body.slice(0, 30)}`), unreadable);
        assert.equal(problemOf(`${type} !!!notbase64!!!`), unreadable);
        assert.equal(problemOf(`ssh-rsa ${body}`), unreadable);
        assert.equal(problemOf("not a key at all"), unreadable);
        assert.equal(
            problemOf(type),
            "the key has no base64 part: it must read '<type> <base64> [comment]'. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
        );
        assert.equal(
            problemOf(`${ed}\n${keys.ed25519PublicKey()}`),
            "the key spans several lines. Give exactly one key, on one line. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
        );
    });

    it("refuses DSA and RSA under 2048 bits with the fix", () => {
        const dsa =
            "DSA keys are refused: OpenSSH disabled them (weak, 1024 bits). Generate one with `ssh-keygen -t ed25519`.";
        assert.equal(problemOf(keys.dsaPublicKey()), dsa);
        assert.equal(
            problemOf(keys.rsaPublicKey(1024)),
            "this RSA key has 1024 bits; at least 2048 are required. Generate a new one with `ssh-keygen -t ed25519` (or `-t rsa -b 4096`).",
        );
    });

    it("refuses security keys whose blob does not repeat the type, or is cut short", () => {
        assert.equal(
            problemOf(keys.securityKeyEd25519({ blobType: "ssh-ed25519" })),
            "the key says sk-ssh-ed25519@openssh.com but its data is of another type. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
        );
        const garbled =
            "the sk-ssh-ed25519@openssh.com key is truncated or garbled. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).";
        assert.equal(problemOf(keys.securityKeyEd25519({ keyBytes: 31 })), garbled);
        const [type, body] = keys.securityKeyEd25519().split(" ");
        assert.equal(problemOf(`${type} ${body.slice(0, 40)}`), garbled);
        assert.equal(
            problemOf(keys.securityKeyEcdsa({ curve: "nistp384" })),
            "the sk-ecdsa-sha2-nistp256@openssh.com key is truncated or garbled. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
        );
        assert.equal(
            problemOf(keys.securityKeyEd25519({ application: "webauthn:example.org" })),
            "the sk-ssh-ed25519@openssh.com key's application is not an SSH one ('ssh:...'). Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).",
        );
    });
});
