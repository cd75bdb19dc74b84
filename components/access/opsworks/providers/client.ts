/**
 * One OpsWorks API call from a dynamic provider. The SDK is imported and the client built at call
 * time, never at module load: the provider is serialized into Pulumi state, and a client captured
 * from module scope cannot be (reference/pulumi.md). The endpoint is the SDK's own choice: the
 * regional AWS endpoint, or AWS_ENDPOINT_URL_OPSWORKS / AWS_ENDPOINT_URL when set (how the tests
 * reach the emulator; @aws-sdk/client-opsworks 3.876.0 reads both, the service-specific one first).
 */
import type * as OpsWorksSdk from "@aws-sdk/client-opsworks";
import { DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_ATTEMPTS, OpsWorksRetryStrategy, RetryOptions } from "./retry";

export type Sdk = typeof OpsWorksSdk;
export type Client = OpsWorksSdk.OpsWorksClient;

export interface CallTarget {
    /** What the call is about, for error messages, e.g. "OpsWorks user profile arn:... in eu-west-1". */
    readonly subject: string;
    readonly region: string;
    readonly retry?: RetryOptions;
    /** Retry SetPermission's "Unable to find user with ARN" while a new profile propagates. */
    readonly retryPropagation?: boolean;
}

/** An OpsWorks call that failed for good: names the subject, the operation and AWS's code and message. */
export class OpsWorksCallError extends Error {
    constructor(
        readonly code: string,
        readonly awsMessage: string,
        target: CallTarget,
        operation: string,
    ) {
        super(`${target.subject}: ${operation} failed: ${code}: ${awsMessage}`);
        this.name = "OpsWorksCallError";
    }
}

/** Sends one command with a client built for this call; failures become OpsWorksCallError. */
export async function callOpsWorks<T>(
    target: CallTarget,
    operation: string,
    send: (client: Client, sdk: Sdk) => Promise<T>,
): Promise<T> {
    const sdk = await import("@aws-sdk/client-opsworks");
    const maxAttempts = target.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const client = new sdk.OpsWorksClient({
        region: target.region,
        maxAttempts,
        retryStrategy: new OpsWorksRetryStrategy(
            maxAttempts,
            target.retry?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
            target.retryPropagation ?? false,
        ),
    });
    try {
        return await send(client, sdk);
    } catch (error) {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        throw new OpsWorksCallError(name, message, target, operation);
    } finally {
        client.destroy();
    }
}

/** By code rather than instanceof: it must hold however the serialized provider recreates the class. */
function isNotFound(error: unknown): boolean {
    return (error as { code?: unknown } | undefined)?.code === "ResourceNotFoundException";
}

/** callOpsWorks, answering `undefined` for ResourceNotFoundException: what it is about is gone already. */
export async function callUnlessGone<T>(
    target: CallTarget,
    operation: string,
    send: (client: Client, sdk: Sdk) => Promise<T>,
): Promise<T | undefined> {
    try {
        return await callOpsWorks(target, operation, send);
    } catch (error) {
        if (isNotFound(error)) {
            return undefined;
        }
        throw error;
    }
}

/** A read's answer for a resource that no longer exists: an empty id tells the engine to drop it. */
export function gone<T>(): { id: string; props: T } {
    return { id: "", props: {} as T };
}
