/**
 * Fault injection: the failures a real endpoint produces, on demand and reproducibly (throttling is
 * drawn from a seeded generator, so a run can be repeated exactly).
 */
import { ApiError } from "./errors";

/** Controls exposed to tests as `emulator.faults`. Operation names are API names, e.g. "SetPermission". */
export interface FaultControls {
    /** Answer a share `rate` (0..1) of calls with ThrottlingException, drawn from a generator seeded with `seed`. */
    throttle(rate: number, seed?: number, operations?: readonly string[]): void;
    /** Answer the next `times` calls of `operation` (every call by default) with HTTP 500 InternalFailure. */
    http500(operation: string, times?: number): void;
    /** Hold every answer (or only `operation`'s) for `ms` milliseconds. */
    delay(ms: number, operation?: string): void;
    /**
     * Fail the `n`th call of `operation` counted from now with `code` and `message` (HTTP `status`, 400 by
     * default). With `afterApply` the call takes effect first and only its answer is an error: a lost response.
     */
    failNth(operation: string, n: number, code: string, message: string, options?: FailNthOptions): void;
    /** Remove every fault. */
    clear(): void;
}

export interface FailNthOptions {
    readonly status?: number;
    readonly afterApply?: boolean;
}

/** What to do with one call. */
export interface FaultDecision {
    readonly delayMs: number;
    /** Answer with this error instead of running the operation. */
    readonly before?: ApiError;
    /** Run the operation, then answer with this error. */
    readonly after?: ApiError;
}

interface NthFault {
    readonly operation: string;
    readonly n: number;
    readonly error: ApiError;
    readonly afterApply: boolean;
    seen: number;
}

interface Throttle {
    readonly rate: number;
    readonly random: () => number;
    readonly operations?: ReadonlySet<string>;
}

export class Faults implements FaultControls {
    private throttling?: Throttle;
    private readonly http500s = new Map<string, number>();
    private readonly delays = new Map<string | undefined, number>();
    private nth: NthFault[] = [];

    throttle(rate: number, seed = 1, operations?: readonly string[]): void {
        if (!(rate >= 0 && rate <= 1)) {
            throw new RangeError(`throttle rate must be within 0..1, got ${rate}`);
        }
        this.throttling = { rate, random: mulberry32(seed), operations: operations && new Set(operations) };
    }

    http500(operation: string, times = Number.POSITIVE_INFINITY): void {
        this.http500s.set(operation, times);
    }

    delay(ms: number, operation?: string): void {
        this.delays.set(operation, ms);
    }

    failNth(operation: string, n: number, code: string, message: string, options: FailNthOptions = {}): void {
        if (!Number.isInteger(n) || n < 1) {
            throw new RangeError(`failNth needs n >= 1, got ${n}`);
        }
        const error = new ApiError(code, message, options.status ?? 400);
        this.nth.push({ operation, n, error, afterApply: options.afterApply ?? false, seen: 0 });
    }

    clear(): void {
        this.throttling = undefined;
        this.http500s.clear();
        this.delays.clear();
        this.nth = [];
    }

    /** Decides the fate of one call; counts it towards every armed failNth of its operation. */
    decide(operation: string): FaultDecision {
        const delayMs = this.delays.get(operation) ?? this.delays.get(undefined) ?? 0;
        let nthHit: NthFault | undefined;
        for (const fault of this.nth) {
            if (fault.operation === operation && ++fault.seen === fault.n) {
                nthHit ??= fault;
            }
        }
        this.nth = this.nth.filter((fault) => fault.seen < fault.n);
        if (nthHit) {
            return nthHit.afterApply ? { delayMs, after: nthHit.error } : { delayMs, before: nthHit.error };
        }
        const remaining500 = this.http500s.get(operation) ?? 0;
        if (remaining500 > 0) {
            this.http500s.set(operation, remaining500 - 1);
            return { delayMs, before: new ApiError("InternalFailure", "An internal error occurred.", 500) };
        }
        const throttle = this.throttling;
        if (throttle && (!throttle.operations || throttle.operations.has(operation)) && throttle.random() < throttle.rate) {
            return { delayMs, before: new ApiError("ThrottlingException", "Rate exceeded") };
        }
        return { delayMs };
    }
}

/** A small seeded generator (mulberry32): the same seed gives the same throttling pattern. */
function mulberry32(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
