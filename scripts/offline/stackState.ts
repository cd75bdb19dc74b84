/**
 * A stack's state as `pulumi stack export` writes it (deployment version 3: `{version: 3, deployment:
 * {manifest, resources: [{urn, custom, id, type, inputs, outputs, parent, ...}]}}`, the root
 * `pulumi:pulumi:Stack` resource's `outputs` being the stack outputs; property values in Pulumi's JSON
 * encoding, a secret as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
 * "plaintext" | "ciphertext": ...}`). Source: pulumi/pulumi developer-docs/architecture/deployment-schema.md.
 *
 * The plan writes one after each successful run (out/<stack>/state.json) and starts the next run from
 * it, as `pulumi preview` starts from a deployed stack's state; it also reads a real export (`--state`).
 * Resources are matched by type and name (every name in this program is unique within its type): the
 * URNs the mock runtime makes name only the parent's type, where the engine's name every ancestor's.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { unknown } from "@pulumi/pulumi/output";
import type { ProgramRun } from "./runProgram";

/** Pulumi's property-value signatures (sdk/go/common/resource/sig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
/** How the engine writes a value not known until deploy. */
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const STACK_TYPE = "pulumi:pulumi:Stack";

export interface ExportedResource {
    readonly urn: string;
    readonly custom: boolean;
    readonly id?: string;
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
}

export interface StackExport {
    readonly version: 3;
    readonly deployment: {
        readonly manifest: { readonly time: string; readonly magic: string; readonly version: string };
        readonly resources: readonly ExportedResource[];
        readonly [key: string]: unknown;
    };
}

/** A state file that cannot be used; the message names the file and the fix. Exit 2. */
export class StackStateError extends Error {}

/** Reads and checks a stack export (ours or `pulumi stack export`'s). */
export function readStackState(file: string): StackExport {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new StackStateError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new StackStateError(`${file}: is not JSON (${(error as Error).message}). Give a file \`pulumi stack export --file FILE\` wrote.`);
    }
    return checkStackExport(parsed, file);
}

export function checkStackExport(parsed: unknown, source: string): StackExport {
    const candidate = parsed as { version?: unknown; deployment?: { resources?: unknown } } | null;
    if (candidate === null || typeof candidate !== "object" || !("deployment" in candidate)) {
        throw new StackStateError(`${source}: is not a stack export (no "deployment"). Give a file \`pulumi stack export --file FILE\` wrote.`);
    }
    if (candidate.version !== 3) {
        throw new StackStateError(
            `${source}: is a version ${JSON.stringify(candidate.version)} deployment; the plan reads version 3, which every Pulumi CLI since 3.0 writes. Export it again with a current \`pulumi stack export\`.`,
        );
    }
    const resources = candidate.deployment?.resources;
    if (resources !== undefined && (!Array.isArray(resources) || resources.some((resource) => typeof resource?.urn !== "string" || typeof resource?.type !== "string"))) {
        throw new StackStateError(`${source}: deployment.resources must be a list of resources, each with a urn and a type.`);
    }
    // An empty stack (`pulumi stack init` and nothing deployed) exports no resources at all.
    return { ...(candidate as StackExport), deployment: { ...(candidate as StackExport).deployment, resources: (resources ?? []) as ExportedResource[] } };
}

/**
 * A property value as the program sees it: secrets opened (an export written with --show-secrets holds
 * their plaintext), assets as their hash. A secret only the stack's secrets provider can open is refused
 * where it is read (`secretOutput`), since the plan cannot know its value.
 */
export function decodeValue(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
        return value.map((item, i) => decodeValue(item, `${where}[${i}]`));
    }
    if (value === UNKNOWN_VALUE) {
        return undefined;
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const object = value as Record<string, unknown>;
    if (object[SIG_KEY] === SECRET_SIG) {
        if (typeof object.plaintext === "string") {
            return decodeValue(JSON.parse(object.plaintext), where);
        }
        throw new StackStateError(
            `${where} is a secret encrypted by the stack's secrets provider, which the offline plan cannot open. Export with \`pulumi stack export --show-secrets --file FILE\` (keep that file private), or plan with --fresh.`,
        );
    }
    return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, decodeValue(entry, `${where}.${key}`)]));
}

/** What a plan starts from: the state's resources by `type::name`, and its stack outputs. */
export interface PreviousState {
    /** Where it came from, for messages. */
    readonly source: string;
    /** When it was written (the manifest's time), if it says. */
    readonly time?: string;
    /** The stack outputs, but those that are secrets the plan cannot open (`unopened`). */
    readonly outputs: Record<string, unknown>;
    /** Stack outputs left out: secrets only the stack's secrets provider can open. */
    readonly unopened: readonly string[];
    /** Every resource but the stack itself: what a `pulumi up` deletes when the program no longer registers it. */
    readonly resources: readonly { readonly type: string; readonly name: string; readonly protect: boolean }[];
    /** Outputs of each resource, decoded, by `type::name`. */
    outputsOf(type: string, name: string): Record<string, unknown> | undefined;
    /** Outputs of the only resource of `type` (a renamed environment's, whose name moved by an alias), if just one. */
    soleOutputsOf(type: string): Record<string, unknown> | undefined;
}

export function previousState(state: StackExport, source = "the previous state"): PreviousState {
    const byKey = new Map<string, ExportedResource>();
    const byType = new Map<string, ExportedResource[]>();
    for (const resource of state.deployment.resources) {
        byKey.set(`${resource.type}::${nameOf(resource.urn)}`, resource);
        byType.set(resource.type, [...(byType.get(resource.type) ?? []), resource]);
    }
    const root = byType.get(STACK_TYPE)?.[0];
    const decode = (resource: ExportedResource | undefined) =>
        resource === undefined ? undefined : (decodeValue(resource.outputs ?? {}, `${source}: ${resource.urn} outputs`) as Record<string, unknown>);
    // A stack output the plan cannot open is as good as absent (the program then plans as for a stack
    // without it); a resource's state it needs and cannot open is refused where it is read.
    const outputs: Record<string, unknown> = {};
    const unopened: string[] = [];
    for (const [key, value] of Object.entries(root?.outputs ?? {})) {
        try {
            outputs[key] = decodeValue(value, `${source}: stack output ${key}`);
        } catch (error) {
            if (!(error instanceof StackStateError)) {
                throw error;
            }
            unopened.push(key);
        }
    }
    const time = state.deployment.manifest?.time;
    return {
        source,
        ...(typeof time === "string" && time !== "" ? { time } : {}),
        outputs,
        unopened,
        resources: state.deployment.resources
            .filter((resource) => resource.type !== STACK_TYPE && !resource.type.startsWith("pulumi:providers:"))
            .map((resource) => ({ type: resource.type, name: nameOf(resource.urn), protect: resource.protect === true })),
        outputsOf: (type, name) => decode(byKey.get(`${type}::${name}`)),
        soleOutputsOf: (type) => {
            const all = byType.get(type) ?? [];
            return all.length === 1 ? decode(all[0]) : undefined;
        },
    };
}

/** The last `::` part of a URN: the resource's name (names may not contain `::`). */
function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The state a `pulumi up` of this run would leave, in the export format. Not for `pulumi stack import`:
 * its ids are the mock cloud's, and its manifest says so (no engine magic). A dynamic provider's
 * serialized code (`__provider`, tens of kilobytes a resource) is its digest.
 */
export async function stateOfRun(run: ProgramRun, project: string, stack: string, time: Date): Promise<StackExport> {
    const rootUrn = `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${project}-${stack}`;
    const resources: ExportedResource[] = [{ urn: rootUrn, custom: false, type: STACK_TYPE, outputs: (await encodeValue(run.stackOutputs)) as Record<string, unknown> }];
    for (const resource of run.resources) {
        if (resource.type === STACK_TYPE) {
            continue;
        }
        resources.push({
            urn: resource.urn,
            custom: resource.custom,
            ...(resource.custom && resource.id !== undefined ? { id: resource.id } : {}),
            type: resource.type,
            inputs: (await encodeValue(resource.inputs)) as Record<string, unknown>,
            outputs: (await encodeValue(resource.outputs)) as Record<string, unknown>,
            parent: resource.parent ?? rootUrn,
            dependencies: resource.dependencies,
            ...(resource.options.protect ? { protect: true } : {}),
            ...(resource.retainOnDelete ? { retainOnDelete: true } : {}),
        });
    }
    return { version: 3, deployment: { manifest: { time: time.toISOString(), magic: "", version: "pcluster-access offline plan (mock cloud ids; not for pulumi stack import)" }, resources } };
}

const sha256 = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");

/** A value as the engine stores it: secrets with their plaintext (the export --show-secrets writes), assets as hash and source. */
async function encodeValue(value: unknown): Promise<unknown> {
    if (value instanceof Promise) {
        return encodeValue(await value);
    }
    if (value === unknown) {
        return UNKNOWN_VALUE;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(encodeValue));
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const object = value as Record<string, unknown>;
    if (object[SIG_KEY] === SECRET_SIG) {
        return { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(await encodeValue(object.value)) };
    }
    if (pulumi.asset.Asset.isInstance(value)) {
        const { path, text, uri } = value as { path?: Promise<string>; text?: Promise<string>; uri?: Promise<string> };
        if (text !== undefined) {
            const content = await text;
            return { [SIG_KEY]: ASSET_SIG, hash: sha256(content), text: content };
        }
        if (path !== undefined) {
            const file = await path;
            return { [SIG_KEY]: ASSET_SIG, hash: sha256(readFileSync(file)), path: file };
        }
        return { [SIG_KEY]: ASSET_SIG, uri: await uri };
    }
    if (pulumi.asset.Archive.isInstance(value)) {
        return { [SIG_KEY]: ARCHIVE_SIG };
    }
    const entries = await Promise.all(
        Object.entries(object).map(async ([key, entry]): Promise<[string, unknown]> => [key, key === "__provider" && typeof entry === "string" ? `sha256:${sha256(entry)}` : await encodeValue(entry)]),
    );
    return Object.fromEntries(entries);
}
