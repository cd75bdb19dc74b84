/**
 * Which config key paths the program accepts, read from the config schema itself (components/config/
 * schema.ts), so the docs specs never hold a copy of the keys: `cluster.headNode.instanceType`,
 * `users[].sshPublicKeys[].expires`, `roster.groups[0].gid`.
 */
import { itemSchemas, sectionSchemas } from "../../components/config/schema";

type KeyNode = { readonly fields: ReadonlyMap<string, KeyNode> } | { readonly element: KeyNode } | { readonly values: KeyNode } | "leaf";

/**
 * Lists the schema parses item by item (`z.array(z.unknown())`, so that each bad item is reported on its
 * own) take their items' shape from itemSchemas; a key entry of `sshPublicKeys` is a key line or a
 * `{key, expires}` mapping (schema.ts, sshPublicKeyEntry, which parses the mapping itself).
 */
const ITEM_SHAPES: Readonly<Record<string, () => KeyNode>> = {
    "cluster.queues": () => walk(itemSchemas.queue),
    "cluster.loginNodes": () => walk(itemSchemas.loginNodePool),
    "roster.groups": () => walk(itemSchemas.group),
    users: () => walk(itemSchemas.user, "users[]"),
    "users[].sshPublicKeys": () => ({ fields: new Map<string, KeyNode>([["key", "leaf"], ["expires", "leaf"]]) }),
};

// zod 4 keeps each schema's structure in `_zod.def`: only its type and the parts below are read.
interface Def {
    readonly type: string;
    readonly shape?: Record<string, unknown>;
    readonly innerType?: unknown;
    readonly element?: unknown;
    readonly valueType?: unknown;
    readonly in?: unknown;
}

function def(schema: unknown): Def {
    return (schema as { _zod: { def: Def } })._zod.def;
}

function walk(schema: unknown, at = ""): KeyNode {
    const d = def(schema);
    switch (d.type) {
        case "object":
            return { fields: new Map(Object.entries(d.shape ?? {}).map(([name, field]) => [name, walk(field, at === "" ? name : `${at}.${name}`)])) };
        case "optional":
        case "default":
        case "prefault":
        case "nullable":
        case "readonly":
            return walk(d.innerType, at);
        case "pipe":
            return walk(d.in, at);
        case "record":
            // A map by name (pool.clusters: the clusters by name): any key, each value of one shape.
            return { values: walk(d.valueType, `${at}.*`) };
        case "array": {
            const items = ITEM_SHAPES[at];
            return { element: items ? items() : walk(d.element, `${at}[]`) };
        }
        default:
            return "leaf";
    }
}

/** The config sections by their key under `pcluster-access:` (the region is `aws:region`). */
export function configTree(): ReadonlyMap<string, KeyNode> {
    return new Map(
        Object.entries(sectionSchemas)
            .filter(([name]) => name !== "region")
            .map(([name, schema]) => [name, walk(schema, name)]),
    );
}

/** `cluster.queues[2].efa` as segments: cluster, queues, [], efa; `pool.clusters.*.users`: pool, clusters, *, users. */
export function segments(keyPath: string): string[] {
    return keyPath.split(".").flatMap((part) => {
        if (part === "*") {
            return ["*"];
        }
        const match = /^([A-Za-z][A-Za-z0-9-]*)?((?:\[\d*\])*)$/.exec(part);
        if (!match) {
            return [`<${part}>`];
        }
        const indexes = match[2].match(/\[\d*\]/g) ?? [];
        return [...(match[1] ? [match[1]] : []), ...indexes.map(() => "[]")];
    });
}

/** Whether the program accepts this key path (rooted at a section: `cluster.deploy`, `users[0].sudo`). */
export function acceptsPath(keyPath: string, tree: ReadonlyMap<string, KeyNode> = configTree()): boolean {
    const [section, ...rest] = segments(keyPath);
    let node: KeyNode | undefined = tree.get(section);
    for (const segment of rest) {
        if (node === undefined || node === "leaf") {
            return false;
        }
        node =
            segment === "[]"
                ? "element" in node
                    ? node.element
                    : undefined
                : "values" in node
                  ? node.values
                  : "fields" in node
                    ? node.fields.get(segment)
                    : undefined;
    }
    return node !== undefined;
}

/** Every leaf key path of a section (`headNode.instanceType`, `queues[].computeResources[].maxCount`), relative to it. */
export function leafPaths(section: string, tree: ReadonlyMap<string, KeyNode> = configTree()): string[] {
    const paths: string[] = [];
    const visit = (node: KeyNode, at: string) => {
        if (node === "leaf") {
            paths.push(at);
        } else if ("element" in node) {
            visit(node.element, `${at}[]`);
        } else if ("values" in node) {
            visit(node.values, `${at}.*`);
        } else {
            for (const [name, field] of node.fields) {
                visit(field, at === "" ? name : `${at}.${name}`);
            }
        }
    };
    const root = tree.get(section);
    if (root !== undefined) {
        visit(root, "");
    }
    return paths;
}
