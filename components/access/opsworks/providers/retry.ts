/**
 * The retry strategy handed to the AWS SDK for every OpsWorks call. It retries what the SDK's standard
 * strategy retries (throttling, transient and 5xx errors) with a configurable number of attempts and
 * back-off base (tests use 0 ms, so no test waits for real back-off), and, for SetPermission only,
 * the "Unable to find user with ARN" error OpsWorks gives until a new user profile has propagated
 * (reference/opsworks.md; Terraform's removed aws_opsworks_permission retried the same message).
 */
import { OPSWORKS_DEFAULT_MAX_ATTEMPTS } from "../../../config/opsworksDefaults";

/** Retry settings of the OpsWorks calls a resource makes. */
export interface RetryOptions {
    /**
     * SDK attempts per call, the first included; default 10. SetPermission's wait for a new user to
     * propagate has as many attempts again, counted apart.
     */
    maxAttempts?: number;
    /** Back-off base in ms: retry n waits a random share of base * 2^(n-1), at most 20 s; default 100; tests 0. */
    baseDelayMs?: number;
}

/** The default of opsworks.maxAttempts (components/config/opsworksDefaults.ts says why 10). */
export const DEFAULT_MAX_ATTEMPTS = OPSWORKS_DEFAULT_MAX_ATTEMPTS;
export const DEFAULT_BASE_DELAY_MS = 100;
/** The cap on one back-off wait. */
export const MAX_DELAY_MS = 20_000;

/** The SDK's RetryToken (@smithy/types), structurally. */
interface RetryToken {
    getRetryCount(): number;
    getRetryDelay(): number;
}

/** What the SDK's retry middleware passes on a failure: its error class, and the error itself. */
interface RetryErrorInfo {
    readonly errorType: string;
    readonly error?: unknown;
}

/** OpsWorks' answer to SetPermission right after CreateUserProfile, until the user has propagated. */
function isPropagationError(error: unknown): boolean {
    const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    return name === "ResourceNotFoundException" && typeof message === "string" && message.startsWith("Unable to find user with ARN");
}

/**
 * Counts the two kinds of retry apart. Waiting for a user to propagate is not a transient failure: each
 * propagation retry is a fresh call with its own transient attempts, as if the provider looped over the
 * SDK call. With one shared budget, 30% throttling made 3% of new users' SetPermission fail in the
 * emulator with 5 attempts.
 */
class OpsWorksRetryToken implements RetryToken {
    constructor(
        readonly transientRetries: number,
        readonly propagationRetries: number,
        private readonly delayMs: number,
    ) {}

    getRetryCount(): number {
        return this.transientRetries + this.propagationRetries;
    }

    getRetryDelay(): number {
        return this.delayMs;
    }
}

/** A RetryStrategyV2 for the SDK's retry middleware. */
export class OpsWorksRetryStrategy {
    readonly mode = "standard";

    constructor(
        private readonly maxAttempts: number,
        private readonly baseDelayMs: number,
        private readonly retryPropagation: boolean,
    ) {}

    async acquireInitialRetryToken(): Promise<RetryToken> {
        return new OpsWorksRetryToken(0, 0, 0);
    }

    /** Throwing tells the SDK to give up and surface the last error unchanged. */
    async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
        const { transientRetries, propagationRetries } = previous as OpsWorksRetryToken;
        if (this.retryPropagation && isPropagationError(info.error)) {
            return this.next(0, propagationRetries + 1, propagationRetries + 1);
        }
        if (info.errorType === "THROTTLING" || info.errorType === "TRANSIENT" || info.errorType === "SERVER_ERROR") {
            return this.next(transientRetries + 1, propagationRetries, transientRetries + 1);
        }
        throw new Error("no retry: the error is not retryable");
    }

    recordSuccess(): void {
        // No shared retry quota: a client lives for one call.
    }

    /** Each kind gets maxAttempts - 1 retries; retry n waits a random share of base * 2^(n-1). */
    private next(transientRetries: number, propagationRetries: number, retry: number): RetryToken {
        if (retry >= this.maxAttempts) {
            throw new Error("no retry: attempts used up");
        }
        const ceiling = Math.min(MAX_DELAY_MS, this.baseDelayMs * 2 ** (retry - 1));
        return new OpsWorksRetryToken(transientRetries, propagationRetries, Math.floor(Math.random() * ceiling));
    }
}
