/**
 * Runs the policy pack offline, the way the Pulumi CLI and @pulumi/policy's analyzer server (server.js)
 * run it during `pulumi preview --policy-pack policy`: resource policies on each resource's inputs (in
 * the run's record order, sorted by URN, where the engine goes by registration); then stack policies on
 * every resource's outputs with parents and dependencies; enforcement levels and config reconciled as
 * the CLI does (schema defaults, then "all", then per policy); properties behind @pulumi/policy's
 * unknown-checking proxy, so a policy that reads a value unknown during preview is reported as "can't
 * run ... during preview" (advisory), never as a violation.
 */
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import type {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { unknown } from "@pulumi/pulumi/output";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies as packPolicies, POLICY_PACK_NAME } from "../../policy/policies";
import type { RegisteredResource } from "./runProgram";

export interface PolicyViolation {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    readonly urn?: string;
}

export interface PolicyReport {
    /** Names of the policies that ran. */
    readonly policies: readonly string[];
    readonly violations: readonly PolicyViolation[];
}

/**
 * A policy config file as `--policy-pack-config` reads it: policy name (or "all") to an enforcement
 * level, or to an object of config properties with an optional enforcementLevel.
 */
export type PolicyConfigFile = Readonly<Record<string, EnforcementLevel | Readonly<Record<string, unknown>>>>;

export interface PolicyHarnessOptions {
    /** Policies to run. Default: the pack's (policy/policies.ts). */
    readonly policies?: Policies;
    /** Policy config, as passed with `--policy-pack-config`. Default: none (schema defaults only). */
    readonly config?: PolicyConfigFile;
}

/** A policy config the CLI would refuse: unknown policy, invalid level or a property of the wrong type. */
export class PolicyConfigError extends Error {}

/** The level and properties each policy runs with. */
export interface ResolvedPolicyConfig {
    readonly enforcementLevel: EnforcementLevel;
    readonly properties: Readonly<Record<string, unknown>>;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export const POLICY_PACK_VERSION: string = (
    JSON.parse(readFileSync(path.join(__dirname, "..", "..", "policy", "package.json"), "utf8")) as { version: string }
).version;

/** Runs every policy on the resources; resolves to the names of the policies that ran and their violations. */
export async function runPolicyPack(resources: readonly RegisteredResource[], options: PolicyHarnessOptions = {}): Promise<PolicyReport> {
    const policies = options.policies ?? packPolicies;
    const config = resolvePolicyConfig(policies, options.config ?? {});
    const violations: PolicyViolation[] = [];
    const enabled = policies.filter((policy) => config.get(policy.name)?.enforcementLevel !== "disabled");
    const resourcePolicies = enabled.filter((policy): policy is ResourceValidationPolicy => "validateResource" in policy);
    const stackPolicies = enabled.filter((policy): policy is StackValidationPolicy => "validateStack" in policy);

    for (const resource of resources) {
        for (const policy of resourcePolicies) {
            const settings = config.get(policy.name)!;
            for (const validate of [policy.validateResource ?? []].flat()) {
                await guarded(policy.name, violations, async () => {
                    const report = reporter(policy.name, settings.enforcementLevel, violations, resource.urn);
                    await validate(resourceArgs(resource, settings), report);
                });
            }
        }
    }
    for (const policy of stackPolicies) {
        const settings = config.get(policy.name)!;
        await guarded(policy.name, violations, async () => {
            const report = reporter(policy.name, settings.enforcementLevel, violations, undefined);
            await policy.validateStack(
                { resources: stackResources(resources), stackTags: new Map(), getConfig: configGetter(settings), notApplicable: throwNotApplicable },
                report,
            );
        });
    }
    return { policies: enabled.map((policy) => policy.name), violations };
}

/** The CLI's reconciliation: each policy's level and schema defaults, then "all", then the policy's own entry. */
export function resolvePolicyConfig(policies: Policies, file: PolicyConfigFile): Map<string, ResolvedPolicyConfig> {
    const names = new Set(policies.map((policy) => policy.name));
    for (const name of Object.keys(file)) {
        if (name !== "all" && !names.has(name)) {
            throw new PolicyConfigError(`policy config: "${name}" is not a policy of the ${POLICY_PACK_NAME} pack (policies: ${[...names].join(", ")}).`);
        }
    }
    const all = file.all === undefined ? undefined : levelOf("all", file.all);
    const resolved = new Map<string, ResolvedPolicyConfig>();
    for (const policy of policies) {
        const schema = policy.configSchema?.properties ?? {};
        const properties: Record<string, unknown> = {};
        for (const [key, property] of Object.entries(schema)) {
            if (typeof property === "object" && property.default !== undefined) {
                properties[key] = property.default;
            }
        }
        let enforcementLevel: EnforcementLevel = all ?? policy.enforcementLevel ?? "advisory";
        const entry = file[policy.name];
        if (typeof entry === "string") {
            enforcementLevel = levelOf(policy.name, entry);
        } else if (entry !== undefined) {
            const { enforcementLevel: level, ...given } = entry;
            if (level !== undefined) {
                enforcementLevel = levelOf(policy.name, level);
            }
            for (const [key, value] of Object.entries(given)) {
                checkProperty(policy.name, key, value, schema[key]);
                properties[key] = value;
            }
        }
        for (const key of policy.configSchema?.required ?? []) {
            if (properties[key] === undefined) {
                throw new PolicyConfigError(`policy config: ${policy.name} requires ${key}.`);
            }
        }
        resolved.set(policy.name, { enforcementLevel, properties });
    }
    return resolved;
}

function levelOf(name: string, value: unknown): EnforcementLevel {
    if (typeof value !== "string" || !(LEVELS as readonly string[]).includes(value)) {
        throw new PolicyConfigError(`policy config: ${name}: ${JSON.stringify(value)} is not an enforcement level (${LEVELS.join(", ")}).`);
    }
    return value as EnforcementLevel;
}

/**
 * Part of the JSON Schema check the CLI makes: the property exists, and its type (and item type). Not
 * `minimum` (minRsaBits >= 1024): the CLI refuses a smaller value, this check lets it through.
 */
function checkProperty(policy: string, key: string, value: unknown, schema: unknown): void {
    if (schema === undefined || typeof schema !== "object" || schema === null) {
        throw new PolicyConfigError(`policy config: ${policy} has no property ${key}.`);
    }
    const { type, items } = schema as { type?: string; items?: { type?: string } };
    const matches = (expected: string | undefined, actual: unknown) =>
        expected === undefined ||
        (expected === "array" ? Array.isArray(actual) : expected === "integer" ? Number.isInteger(actual) : typeof actual === expected);
    if (!matches(type, value) || (Array.isArray(value) && !value.every((item) => matches(items?.type, item)))) {
        const expected = type === "array" && items?.type ? `an array of ${items.type}s` : `of type ${type}`;
        throw new PolicyConfigError(`policy config: ${policy}.${key} must be ${expected}; got ${JSON.stringify(value)}.`);
    }
}

/** Runs one policy call; an unknown value read during preview becomes an advisory note, as in server.js. */
async function guarded(name: string, violations: PolicyViolation[], call: () => Promise<void>): Promise<void> {
    try {
        await call();
    } catch (error) {
        const policyFrom = `policy '${name}' from policy pack '${POLICY_PACK_NAME}@v${POLICY_PACK_VERSION}'`;
        if (error instanceof UnknownValueError) {
            violations.push({ policyName: name, enforcementLevel: "advisory", message: `can't run ${policyFrom} during preview: ${(error as Error).message}` });
        } else if (!(error instanceof NotApplicableError)) {
            throw new Error(`Error validating resource with ${policyFrom}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
    }
}

/** reportViolation as policies receive it. A remediate level reports as mandatory, as the engine does. */
function reporter(name: string, level: EnforcementLevel, violations: PolicyViolation[], resourceUrn: string | undefined): ReportViolation {
    const enforcementLevel = level === "remediate" ? "mandatory" : level;
    return (message, urn) => {
        violations.push({ policyName: name, enforcementLevel, message: message ?? "", ...withUrn(urn ?? resourceUrn) });
    };
}

function withUrn(urn: string | undefined): { urn?: string } {
    return urn === undefined ? {} : { urn };
}

function resourceArgs(resource: RegisteredResource, settings: ResolvedPolicyConfig): ResourceValidationArgs {
    const props = unknownCheckingProxy(toPolicyValues(resource.inputs)) as Record<string, unknown>;
    return {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: options(resource),
        stackTags: new Map(),
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: configGetter(settings),
        notApplicable: throwNotApplicable,
    };
}

/** Resources as a stack policy receives them: outputs, with parent and dependencies as objects. */
function stackResources(resources: readonly RegisteredResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const converted = resources.map((resource) => {
        const props = unknownCheckingProxy(toPolicyValues(resource.outputs)) as Record<string, unknown>;
        const policyResource: PolicyResource = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: options(resource),
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
            asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(resource.urn, policyResource);
        return policyResource;
    });
    resources.forEach((resource, index) => {
        const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
        if (parent) {
            converted[index].parent = parent;
        }
        converted[index].dependencies = resource.dependencies.flatMap((urn) => byUrn.get(urn) ?? []);
    });
    return converted;
}

function options(resource: RegisteredResource): PolicyResourceOptions {
    return {
        // As the engine passes it (required-signing-key-retention reads it).
        protect: resource.options.protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(resource.parent === undefined ? {} : { parent: resource.parent }),
    };
}

/**
 * Values as the engine sends them to a policy: the SDK's `unknown` becomes the wire's unknown sentinel
 * (which the proxy turns into UnknownValueError), properties that are undefined are absent, and assets
 * stay the SDK objects @pulumi/policy's deserializer makes.
 */
export function toPolicyValues(value: unknown): unknown {
    if (value === unknown) {
        return unknownValue;
    }
    if (Array.isArray(value)) {
        return value.map(toPolicyValues);
    }
    if (value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
        const copy: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(value)) {
            if (child !== undefined) {
                copy[key] = toPolicyValues(child);
            }
        }
        return copy;
    }
    return value;
}

function configGetter(settings: ResolvedPolicyConfig): <T extends object>() => T {
    return <T extends object>() => ({ ...settings.properties }) as T;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const candidate = resourceClass as { __pulumiType?: string; isInstance?: (value: unknown) => boolean };
    if (candidate.__pulumiType !== undefined) {
        return candidate.__pulumiType === type;
    }
    return typeof candidate.isInstance === "function" && candidate.isInstance({ __pulumiType: type }) === true;
}

class NotApplicableError extends Error {}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason ?? "Policy does not apply");
}
