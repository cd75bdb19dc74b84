/**
 * Stack files for the plan-scaling row: the dev stack (Pulumi.dev.yaml) with its roster and queue list
 * grown to a given size. Growth repeats what the dev stack already holds, so a bigger file differs only
 * in size: user i takes the settings of dev user i mod 3 (create, sudo, access) with its own IAM name and
 * a freshly generated ed25519 key; queue i copies dev queue i mod 3 under a unique name.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as YAML from "yaml";

/** The size of one generated stack. */
export interface StackSize {
    /** Users in the roster. */
    readonly users: number;
    /** Queues of the (v3) cluster. */
    readonly queues: number;
}

/** A stack file's document: only `config` matters here. */
export interface StackDocument {
    config: Record<string, unknown>;
}

type Entry = Record<string, unknown>;

const CLUSTER_KEY = "pcluster-access:cluster";
const USERS_KEY = "pcluster-access:users";

/**
 * Grows `dev` to `size`; `keyFor(i)` gives user i's public key. The dev document is not changed.
 * Throws RangeError when a size is below 1 or the dev stack has no users or queues to repeat.
 */
export function growStack(dev: StackDocument, size: StackSize, keyFor: (index: number) => string): StackDocument {
    for (const [what, count] of Object.entries(size)) {
        if (!Number.isInteger(count) || count < 1) {
            throw new RangeError(`${what} must be a whole number of at least 1, not ${count}`);
        }
    }
    const cluster = dev.config[CLUSTER_KEY] as Entry & { queues?: Entry[] };
    const devUsers = dev.config[USERS_KEY] as Entry[] | undefined;
    const devQueues = cluster?.queues;
    if (!devUsers?.length || !devQueues?.length) {
        throw new RangeError(`the dev stack must list users (${USERS_KEY}) and queues (${CLUSTER_KEY}.queues) to grow from`);
    }
    // Copies, not shared objects: YAML.stringify writes a shared value (a user's `groups` list) as an alias,
    // and the reader refuses a document with thousands of them (the yaml package's alias-count guard).
    const users = Array.from({ length: size.users }, (_, i) => ({
        ...structuredClone(devUsers[i % devUsers.length]),
        iamUser: `bench-user-${String(i + 1).padStart(4, "0")}`,
        sshPublicKey: keyFor(i),
    }));
    const queues = Array.from({ length: size.queues }, (_, i) => ({
        ...structuredClone(devQueues[i % devQueues.length]),
        name: `q${String(i + 1).padStart(2, "0")}-${String(devQueues[i % devQueues.length].name)}`,
    }));
    return {
        ...dev,
        config: { ...dev.config, [CLUSTER_KEY]: { ...cluster, format: "v3", queues }, [USERS_KEY]: users },
    };
}

/** Reads `devFile`, grows it to `size` and writes the result to `outFile`. */
export function writeGrownStack(devFile: string, outFile: string, size: StackSize, keyFor: (index: number) => string): void {
    const dev = YAML.parse(readFileSync(devFile, "utf8")) as StackDocument;
    writeFileSync(outFile, YAML.stringify(growStack(dev, size, keyFor)));
}
