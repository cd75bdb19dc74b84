/**
 * Request validation against AWS's own model of the OpsWorks API (opsworks-2013-02-18.service-2.json,
 * copied from the Debian awscli 2.9.19 package): required members, member types, enum values.
 *
 * Messages follow the Coral "N validation errors detected: Value ... at '...' failed to satisfy
 * constraint: ..." form AWS JSON services use. Two choices are stricter than AWS, on purpose: an
 * unknown member and an explicit null are refused (AWS ignores the first and treats the second as
 * absent), so a provider that sends a misspelt or unsettable member, or null for an optional boolean,
 * fails here instead of passing silently.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface MemberRef {
    readonly shape: string;
}

interface Shape {
    readonly type: string;
    readonly required?: readonly string[];
    readonly members?: Readonly<Record<string, MemberRef>>;
    readonly member?: MemberRef;
    readonly key?: MemberRef;
    readonly value?: MemberRef;
    readonly enum?: readonly string[];
}

interface Operation {
    readonly input?: MemberRef;
}

interface ServiceModel {
    readonly metadata: { readonly targetPrefix: string; readonly endpointPrefix: string };
    readonly operations: Readonly<Record<string, Operation>>;
    readonly shapes: Readonly<Record<string, Shape>>;
}

// Read at run time rather than imported: the typed import of a 270 kB JSON slows every tsc run.
const model = JSON.parse(readFileSync(join(__dirname, "opsworks-2013-02-18.service-2.json"), "utf8")) as ServiceModel;
const shapes = model.shapes;
const operations = model.operations;

/** `OpsWorks_20130218`, the X-Amz-Target prefix. */
export const TARGET_PREFIX: string = model.metadata.targetPrefix;

/** `opsworks`, the SigV4 signing name. */
export const SIGNING_NAME: string = model.metadata.endpointPrefix;

/** Problems with `body` as the input of `operation`, in Coral wording; empty when valid. */
export function validateInput(operation: string, body: unknown): string[] {
    const input = operations[operation]?.input;
    if (!input) {
        return [];
    }
    const problems: string[] = [];
    checkValue(body, input.shape, "", problems);
    return problems;
}

/** Coral's summary line: "2 validation errors detected: a; b". */
export function validationMessage(problems: readonly string[]): string {
    const noun = problems.length === 1 ? "error" : "errors";
    return `${problems.length} validation ${noun} detected: ${problems.join("; ")}`;
}

/** Coral names members in lower camel case: `IamUserArn` is reported as `iamUserArn`. */
function memberPath(parent: string, member: string): string {
    const name = member.charAt(0).toLowerCase() + member.slice(1);
    return parent === "" ? name : `${parent}.${name}`;
}

function describe(value: unknown): string {
    return typeof value === "string" ? `'${value}'` : `'${JSON.stringify(value)}'`;
}

function typeProblem(value: unknown, path: string, type: string): string {
    return `Value ${describe(value)} at '${path}' failed to satisfy constraint: Member must be of type ${type}`;
}

function checkValue(value: unknown, shapeName: string, path: string, problems: string[]): void {
    const shape = shapes[shapeName];
    switch (shape.type) {
        case "structure":
            checkStructure(value, shape, path, problems);
            return;
        case "list":
            if (!Array.isArray(value)) {
                problems.push(typeProblem(value, path, "list"));
                return;
            }
            value.forEach((item, index) => checkPresent(item, shape.member!.shape, `${path}.${index + 1}.member`, problems));
            return;
        case "map":
            if (!isPlainObject(value)) {
                problems.push(typeProblem(value, path, "map"));
                return;
            }
            for (const [key, item] of Object.entries(value)) {
                checkValue(key, shape.key!.shape, `${path}.${key}.key`, problems);
                checkPresent(item, shape.value!.shape, `${path}.${key}.value`, problems);
            }
            return;
        case "string":
            if (typeof value !== "string") {
                problems.push(typeProblem(value, path, "string"));
            } else if (shape.enum && !shape.enum.includes(value)) {
                problems.push(
                    `Value '${value}' at '${path}' failed to satisfy constraint: ` +
                        `Member must satisfy enum value set: [${shape.enum.join(", ")}]`,
                );
            }
            return;
        case "boolean":
            if (typeof value !== "boolean") {
                problems.push(typeProblem(value, path, "boolean"));
            }
            return;
        case "integer":
            if (!Number.isInteger(value)) {
                problems.push(typeProblem(value, path, "integer"));
            }
            return;
        case "double":
            if (typeof value !== "number") {
                problems.push(typeProblem(value, path, "double"));
            }
            return;
        default:
            throw new Error(`service model shape ${shapeName} has unsupported type ${shape.type}`);
    }
}

/** A present value (list item, map value, structure member): null is refused, not treated as absent. */
function checkPresent(value: unknown, shapeName: string, path: string, problems: string[]): void {
    if (value === null) {
        problems.push(`Value null at '${path}' failed to satisfy constraint: Member must be omitted rather than null`);
        return;
    }
    checkValue(value, shapeName, path, problems);
}

function checkStructure(value: unknown, shape: Shape, path: string, problems: string[]): void {
    if (!isPlainObject(value)) {
        problems.push(typeProblem(value, path === "" ? "input" : path, "structure"));
        return;
    }
    const members = shape.members ?? {};
    for (const required of shape.required ?? []) {
        if (value[required] === undefined) {
            problems.push(`Value null at '${memberPath(path, required)}' failed to satisfy constraint: Member must not be null`);
        }
    }
    for (const [name, item] of Object.entries(value)) {
        const member = members[name];
        if (!member) {
            problems.push(`Unknown member '${name}' at '${path === "" ? "input" : path}': the model has no such member`);
            continue;
        }
        checkPresent(item, member.shape, memberPath(path, name), problems);
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
