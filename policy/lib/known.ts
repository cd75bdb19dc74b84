/**
 * Reading resource properties that may hold values unknown during a preview. @pulumi/policy hands a
 * policy its properties behind a proxy that throws UnknownValueError on any unknown value; a policy that
 * let it escape would be reported as "can't run during preview" as a whole. Copying the properties into
 * plain data with an explicit UNKNOWN marker lets each check skip exactly what it cannot know and still
 * enforce everything else.
 */
import { UnknownValueError } from "@pulumi/policy";

/** A value that will only be known once the resources it comes from exist. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** A property that may be unknown during a preview, or absent. */
export type Maybe<T> = T | Unknown | undefined;

export type Plain = null | undefined | boolean | number | string | Unknown | readonly Plain[] | PlainObject;
export interface PlainObject {
    readonly [key: string]: Plain;
}

export function isKnown<T>(value: T | Unknown): value is T {
    return value !== UNKNOWN;
}

/** Array.isArray as a guard that keeps UNKNOWN in the other branch (TypeScript widens it to `symbol`). */
export function isList(value: Plain): value is readonly Plain[] {
    return Array.isArray(value);
}

/** A value IAM-style: one item or a list of them. */
export function items(value: Plain): readonly Plain[] {
    return isList(value) ? value : [value];
}

export function isObject(value: Plain): value is PlainObject {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A deep copy of (possibly proxied) properties, with every unknown value replaced by UNKNOWN. */
function plain(value: unknown): Plain {
    if (value === null || value === undefined || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
        return value;
    }
    if (typeof value !== "object") {
        return undefined;
    }
    const container = value as Record<string | number, unknown>;
    if (Array.isArray(container)) {
        return Array.from({ length: container.length }, (_, index) => read(container, index));
    }
    const copy: Record<string, Plain> = {};
    for (const key of Object.keys(container)) {
        copy[key] = read(container, key);
    }
    return copy;
}

function read(container: Record<string | number, unknown>, key: string | number): Plain {
    try {
        return plain(container[key]);
    } catch (error) {
        if (error instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw error;
    }
}

/** The properties of a resource as plain data; unknown as a whole when even the top level is. */
export function plainProps(props: unknown): PlainObject {
    const copy = plain(props);
    return isObject(copy) ? copy : {};
}

/** A string property: the string, UNKNOWN, or undefined when absent or of another type. */
export function str(value: Plain): Maybe<string> {
    return value === UNKNOWN || typeof value === "string" ? value : undefined;
}

/** An array property: its items, UNKNOWN, or undefined when absent or not an array. */
export function list(value: Plain): Maybe<readonly Plain[]> {
    return value === UNKNOWN || isList(value) ? value : undefined;
}

/** Follows a path of keys and indices; UNKNOWN as soon as an unknown value is met, undefined when a step is missing. */
export function at(value: Plain, ...path: readonly (string | number)[]): Plain {
    let current: Plain = value;
    for (const step of path) {
        if (current === UNKNOWN) {
            return UNKNOWN;
        }
        if (typeof step === "number" ? !isList(current) : !isObject(current)) {
            return undefined;
        }
        current = (current as Record<string | number, Plain>)[step];
    }
    return current;
}
