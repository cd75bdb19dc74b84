/**
 * Edits of registered resources' inputs for mutation tests. A cluster configuration is edited in both of
 * its forms alike: the document (its structure copied, its leaves, which may be outputs unknown during a
 * preview, kept) and the rendered text (parsed, edited, written back).
 */
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { CLUSTER_CONFIGURATION } from "../../../policy/lib/resourceTypes";
import type { Props, ResourceEdit } from "./variants";

/** A v3 document or one of its nodes, as plain objects. */
export type Node = Record<string, unknown>;

/** Sets (or with undefined, removes) input properties of resources of a type. */
export function setInputs(type: string, values: Props, nameSuffix?: string): ResourceEdit {
    return {
        type,
        nameSuffix,
        edit: (props) => {
            const edited: Props = { ...props, ...values };
            for (const [key, value] of Object.entries(values)) {
                if (value === undefined) {
                    delete edited[key];
                }
            }
            return edited;
        },
    };
}

/** Changes a string input that may be an output, once it resolves. */
export function mapText(type: string, key: string, change: (value: string) => string, nameSuffix?: string): ResourceEdit {
    return { type, nameSuffix, edit: (props) => ({ ...props, [key]: pulumi.output(props[key] as pulumi.Input<string>).apply(change) }) };
}

/** Edits the v3 configuration: `change` receives the document (or the parsed text) and changes it in place. */
export function editV3(change: (document: Node) => void): ResourceEdit {
    return {
        type: CLUSTER_CONFIGURATION,
        edit: (props) => ({
            ...props,
            document: changed(props.document, change),
            text: pulumi.output(props.text as pulumi.Input<string>).apply((text) => {
                const document = YAML.parse(text) as Node;
                change(document);
                return YAML.stringify(document, { lineWidth: 0 });
            }),
        }),
    };
}

/** The edit applied to the rendered text only, the document left as the program made it. */
export function textOnly(edit: ResourceEdit): ResourceEdit {
    return { ...edit, edit: (props) => ({ ...edit.edit(props), document: props.document }) };
}

/** The head node (`"HeadNode"`), or the queue or login node pool of that name. */
export function nodeOf(document: Node, node: string): Node {
    if (node === "HeadNode") {
        return document.HeadNode as Node;
    }
    const queues = (document.Scheduling as Node).SlurmQueues as Node[];
    const pools = ((document.LoginNodes as Node | undefined)?.Pools ?? []) as Node[];
    const found = [...queues, ...pools].find((candidate) => candidate.Name === node);
    if (!found) {
        throw new Error(`no queue or login node pool ${node}`);
    }
    return found;
}

export function dropIamPolicy(node: string, arn: string): ResourceEdit {
    return editV3((document) => {
        const iam = nodeOf(document, node).Iam as Node;
        iam.AdditionalIamPolicies = (iam.AdditionalIamPolicies as Node[]).filter((entry) => entry.Policy !== arn);
    });
}

export function setOnNodeConfigured(node: string, values: { Script?: string; Args?: string[] }): ResourceEdit {
    return editV3((document) => {
        const action = (nodeOf(document, node).CustomActions as Node).OnNodeConfigured as Node;
        Object.assign(action, values);
    });
}

/**
 * Edits the v2 configuration: sets `key` in `section` to `value` (undefined removes the key). `textValue`
 * is the value as the text writes it (post_install_args is quoted).
 */
export function editV2(section: string, key: string, value: string | undefined, textValue = value): ResourceEdit {
    return {
        type: CLUSTER_CONFIGURATION,
        edit: (props) => ({
            ...props,
            document: changed(props.document, (sections) => {
                const entries = (sections as unknown as [string, [string, unknown][]][]).find(([name]) => name === section)?.[1];
                if (!entries) {
                    throw new Error(`no section [${section}]`);
                }
                const index = entries.findIndex(([name]) => name === key);
                const replacement: [string, unknown][] = value === undefined ? [] : [[key, value]];
                entries.splice(index < 0 ? entries.length : index, index < 0 ? 0 : 1, ...replacement);
            }),
            text: pulumi.output(props.text as pulumi.Input<string>).apply((text) => editIniLine(text, section, key, textValue)),
        }),
    };
}

function editIniLine(text: string, section: string, key: string, value: string | undefined): string {
    let current = "";
    const lines: string[] = [];
    for (const line of text.split("\n")) {
        const header = /^\[(.+)\]$/.exec(line);
        if (header) {
            current = header[1];
        }
        if (current === section && line.startsWith(`${key} = `)) {
            if (value !== undefined) {
                lines.push(`${key} = ${value}`);
            }
            continue;
        }
        lines.push(line);
    }
    return lines.join("\n");
}

/** A copy of the document's structure (objects and arrays) with `change` applied; leaves are kept as they are. */
function changed(document: unknown, change: (document: Node) => void): unknown {
    const copy = copyStructure(document) as Node;
    change(copy);
    return copy;
}

function copyStructure(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(copyStructure);
    }
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, copyStructure(child)]));
    }
    return value;
}

/** A config change: the stack gets one login node pool, `login` (the article's stack has none). */
export function withLoginPool(raw: { cluster: Record<string, unknown> }): void {
    raw.cluster.loginNodes = [{ name: "login", instanceType: "t3.medium" }];
}
