/**
 * A resource's inputs as `pulumi preview --json` shows them: secrets as "[secret]" (never their value),
 * values unknown until deploy as "[unknown]", assets by what they hold. plan.json carries them, so a
 * reviewer or CI can diff what would be deployed (the provider stack's parameters, a policy document).
 * Three departures keep the file readable and stable: an asset is its path (relative to the working
 * directory) or text with the sha256 of its content, a dynamic provider's serialized code (`__provider`,
 * tens of kilobytes) is its sha256 only, and base64 content (`contentBase64`) is its size and sha256; each
 * changes whenever what would be deployed does.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { unknown } from "@pulumi/pulumi/output";

/** How the runtime marks a secret value it hands to the mocks (runtime/rpc.ts specialSigKey, specialSecretSig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

const sha256 = (content: string | Buffer) => `sha256:${createHash("sha256").update(content).digest("hex")}`;

/**
 * Inputs shown as what they hold rather than as they are: a dynamic provider's serialized code, and an S3
 * object's base64 content (the roster agent's bundle: three quarters of plan.json otherwise) as its size and
 * the sha256 of its bytes (for the agent, the roster document's `agent` line).
 */
const DIGESTED: Record<string, (value: string) => unknown> = {
    __provider: (code) => sha256(code),
    contentBase64: (base64) => {
        const bytes = Buffer.from(base64, "base64");
        return { bytes: bytes.length, sha256: sha256(bytes) };
    },
};

export async function planInputs(value: unknown): Promise<unknown> {
    if (value instanceof Promise) {
        return planInputs(await value);
    }
    if (value === unknown) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(planInputs));
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    if ((value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
        return SECRET;
    }
    if (pulumi.asset.Asset.isInstance(value)) {
        return asset(value);
    }
    const entries = await Promise.all(
        Object.entries(value).map(async ([key, entry]): Promise<[string, unknown]> => [key, typeof entry === "string" && key in DIGESTED ? DIGESTED[key](entry) : await planInputs(entry)]),
    );
    return Object.fromEntries(entries);
}

async function asset(value: pulumi.asset.Asset): Promise<unknown> {
    const { path: file, text, uri } = value as { path?: Promise<string>; text?: Promise<string>; uri?: Promise<string> };
    if (file !== undefined) {
        const resolved = await file;
        return { asset: path.relative(process.cwd(), resolved), sha256: sha256(readFileSync(resolved)) };
    }
    if (text !== undefined) {
        const content = await text;
        return { asset: "text", sha256: sha256(content) };
    }
    return { asset: await uri };
}
