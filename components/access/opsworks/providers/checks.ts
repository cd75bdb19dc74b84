/**
 * Input checks shared by the OpsWorks providers' `check` methods. Each failure names its property
 * and says what is expected. A value that is unknown during a preview (the output of a resource not
 * yet created) is not judged: it is checked again when known.
 */
import * as pulumi from "@pulumi/pulumi";
import { OPSWORKS_REGIONS } from "../../../config/opsworksRegions";
import { RetryOptions } from "./retry";

export interface Failure {
    readonly property: string;
    readonly reason: string;
}

/** Pulumi's placeholder for a value not known until apply. */
const UNKNOWN = pulumi.runtime.unknownValue;

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** A string matching `pattern`; `rule` completes "must be ...". */
export function checkString(failures: Failure[], property: string, value: unknown, pattern: RegExp, rule: string): void {
    if (isUnknown(value)) {
        return;
    }
    if (typeof value !== "string" || !pattern.test(value)) {
        failures.push({ property, reason: `must be ${rule}; got ${JSON.stringify(value) ?? "nothing"}` });
    }
}

export function checkRegion(failures: Failure[], value: unknown): void {
    if (isUnknown(value)) {
        return;
    }
    if (typeof value !== "string" || !OPSWORKS_REGIONS.includes(value)) {
        failures.push({
            property: "region",
            reason: `must be a region that served OpsWorks Stacks (${OPSWORKS_REGIONS.join(", ")}); got ${JSON.stringify(value) ?? "nothing"}`,
        });
    }
}

export function checkBoolean(failures: Failure[], property: string, value: unknown): void {
    if (!isUnknown(value) && typeof value !== "boolean") {
        failures.push({ property, reason: `must be true or false; got ${JSON.stringify(value) ?? "nothing"}` });
    }
}

export function checkRetry(failures: Failure[], value: unknown): void {
    if (value === undefined || isUnknown(value)) {
        return;
    }
    const { maxAttempts, baseDelayMs, ...rest } = (value ?? {}) as RetryOptions & Record<string, unknown>;
    const problems: string[] = [];
    if (typeof value !== "object" || value === null) {
        problems.push("must be an object { maxAttempts?, baseDelayMs? }");
    }
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 20)) {
        problems.push(`maxAttempts must be a whole number from 1 to 20; got ${JSON.stringify(maxAttempts)}`);
    }
    if (baseDelayMs !== undefined && !(Number.isInteger(baseDelayMs) && baseDelayMs >= 0 && baseDelayMs <= 20_000)) {
        problems.push(`baseDelayMs must be a whole number of milliseconds from 0 to 20000; got ${JSON.stringify(baseDelayMs)}`);
    }
    if (Object.keys(rest).length > 0) {
        problems.push(`unknown settings ${Object.keys(rest).join(", ")}; only maxAttempts and baseDelayMs exist`);
    }
    if (problems.length > 0) {
        failures.push({ property: "retry", reason: problems.join("; ") });
    }
}
