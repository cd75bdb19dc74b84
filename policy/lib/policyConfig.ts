/**
 * Policy config with the pack's defaults. The Pulumi CLI fills in each configSchema default before it
 * configures the pack; falling back to the same values here keeps a policy correct when it is called
 * without that step (hand-built arguments, another runner).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

type PropertySchema = PolicyConfigSchema["properties"][string];

export interface ConfigSource {
    getConfig<T extends object>(): T;
}

export function configWithDefaults<T extends object>(args: ConfigSource, defaults: T): T {
    const given = args.getConfig<Partial<T>>();
    const merged: T = { ...defaults };
    for (const key of Object.keys(defaults) as (keyof T)[]) {
        if (given[key] !== undefined) {
            merged[key] = given[key] as T[keyof T];
        }
    }
    return merged;
}

/** A configSchema property holding a list of strings. */
export function stringList(description: string, defaults: readonly string[]): PropertySchema {
    return { type: "array", items: { type: "string" }, default: [...defaults], description };
}

/** A configSchema property holding a string. */
export function stringValue(description: string, defaultValue: string): PropertySchema {
    return { type: "string", default: defaultValue, description };
}
