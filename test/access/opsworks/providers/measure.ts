/**
 * API-call measurements of the OpsWorks providers for the benchmark (issue 6) and the budget tests:
 * each function starts its own emulator, points the SDK at it, drives the providers as `pulumi up` /
 * `pulumi refresh` would (test/access/opsworks/providers/engine.ts), and counts the requests the emulator received.
 * Retries run without back-off (baseDelayMs 0), so elapsed times show the call path, not waiting.
 */
import { DescribePermissionsCommand, DescribeUserProfilesCommand } from "@aws-sdk/client-opsworks";
import {
    PermissionInputs,
    PermissionOutputs,
    permissionProvider,
    RetryOptions,
    stackProvider,
    UserProfileInputs,
    UserProfileOutputs,
    userProfileProvider,
} from "../../../../components/access/opsworks/providers";
import { OpsWorksEmulator, startEmulator } from "../../../emulator";
import { ed25519PublicKey } from "../../../support/keys";
import { DEFAULT_MAX_ATTEMPTS } from "../../../../components/access/opsworks/providers/retry";
import { EngineResource } from "./engine";
import { consoleClient, FAST, permissionInputs, pointSdkAt, profileInputs, stackInputs } from "./support";

export interface UserCallCounts {
    readonly users: number;
    /** SetPermission failures the emulator owed each new profile ("Unable to find user with ARN"). */
    readonly propagationFailures: number;
    /** Requests to create every user (profile and permission), retries included. */
    readonly create: number;
    /** Requests for a `pulumi up` that changes nothing. */
    readonly noop: number;
    /** Requests for a `pulumi up` that rotates one user's key. */
    readonly rotateOne: number;
    /** Requests for a `pulumi refresh` of every user. */
    readonly refresh: number;
    /** Wall-clock milliseconds of each phase (for reporting only). */
    readonly elapsedMs: { readonly create: number; readonly noop: number; readonly rotateOne: number; readonly refresh: number };
}

export interface ThrottledCreateResult {
    readonly users: number;
    readonly rate: number;
    readonly seed: number;
    readonly maxAttempts: number;
    readonly concurrency: number;
    /** `pulumi up` runs made: a run after the first retries only the users that failed. */
    readonly passes: number;
    /** Requests received, throttled ones included. */
    readonly requests: number;
    readonly throttled: number;
    /** Users whose profile and permission were both created by the first run. */
    readonly createdFirstPass: number;
    /** Error messages of the users still failing after the last run. */
    readonly failed: readonly string[];
    /** What the emulator holds afterwards. */
    readonly stored: { readonly profiles: number; readonly sshPermissions: number };
    readonly elapsedMs: number;
}

interface Roster {
    readonly name: string;
    key: string;
    readonly profile: EngineResource<UserProfileInputs, UserProfileOutputs>;
    readonly permission: EngineResource<PermissionInputs, PermissionOutputs>;
}

function roster(users: number): Roster[] {
    return Array.from({ length: users }, (_, index) => ({
        name: `user${String(index + 1).padStart(3, "0")}`,
        key: ed25519PublicKey(`user${index + 1}@laptop`),
        profile: new EngineResource(userProfileProvider),
        permission: new EngineResource(permissionProvider),
    }));
}

async function upUser(user: Roster, stackId: string, retry: RetryOptions): Promise<void> {
    await user.profile.up(profileInputs(user.name, { sshPublicKey: user.key, retry }));
    await user.permission.up(permissionInputs(user.name, stackId, { retry }));
}

/** Runs `task` for every item with at most `concurrency` running at once, as Pulumi runs independent steps. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            await task(items[next++]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function withEmulator<T>(run: (emulator: OpsWorksEmulator, stackId: string) => Promise<T>): Promise<T> {
    const emulator = await startEmulator();
    const restore = pointSdkAt(emulator.url);
    try {
        const stack = await stackProvider.create(stackInputs());
        emulator.resetCalls();
        return await run(emulator, stack.id);
    } finally {
        restore();
        await emulator.close();
    }
}

/** Counts one phase's requests and time; the log is cleared first. */
async function phase(emulator: OpsWorksEmulator, run: () => Promise<void>): Promise<[number, number]> {
    emulator.resetCalls();
    const started = performance.now();
    await run();
    return [emulator.callCount(), performance.now() - started];
}

/** Calls for N users: create, a no-op up, one key rotation, a refresh. */
export async function measureUserCalls(users: number, options: { propagationFailures?: number } = {}): Promise<UserCallCounts> {
    const propagationFailures = options.propagationFailures ?? 0;
    return withEmulator(async (emulator, stackId) => {
        emulator.settings.propagationFailures = propagationFailures;
        const all = roster(users);
        const [create, createMs] = await phase(emulator, () => pool(all, 1, (user) => upUser(user, stackId, FAST)));
        const [noop, noopMs] = await phase(emulator, () => pool(all, 1, (user) => upUser(user, stackId, FAST)));
        all[0].key = ed25519PublicKey("rotated@laptop");
        const [rotateOne, rotateMs] = await phase(emulator, () => pool(all, 1, (user) => upUser(user, stackId, FAST)));
        const [refresh, refreshMs] = await phase(emulator, () =>
            pool(all, 1, async (user) => {
                await user.profile.refresh();
                await user.permission.refresh();
            }),
        );
        return {
            users,
            propagationFailures,
            create,
            noop,
            rotateOne,
            refresh,
            elapsedMs: { create: createMs, noop: noopMs, rotateOne: rotateMs, refresh: refreshMs },
        };
    });
}

/**
 * Creates N users while the emulator throttles a seeded share `rate` of all calls; runs `pulumi up`
 * again for the users that failed, up to `maxPasses` runs in all. With concurrency 1 a seed gives the
 * same run every time.
 */
export async function measureThrottledCreate(
    users: number,
    options: { rate?: number; seed?: number; maxAttempts?: number; concurrency?: number; maxPasses?: number } = {},
): Promise<ThrottledCreateResult> {
    const { rate = 0.3, seed = 1, maxAttempts = DEFAULT_MAX_ATTEMPTS, concurrency = 1, maxPasses = 1 } = options;
    return withEmulator(async (emulator, stackId) => {
        emulator.faults.throttle(rate, seed);
        let pending = roster(users);
        let failed: string[] = [];
        let createdFirstPass = 0;
        let passes = 0;
        const started = performance.now();
        while (pending.length > 0 && passes < maxPasses) {
            const stillFailing: Roster[] = [];
            failed = [];
            await pool(pending, concurrency, (user) =>
                upUser(user, stackId, { maxAttempts, baseDelayMs: 0 }).catch((error: Error) => {
                    stillFailing.push(user);
                    failed.push(error.message);
                }),
            );
            createdFirstPass ||= users - stillFailing.length;
            pending = stillFailing;
            passes++;
        }
        const elapsedMs = performance.now() - started;
        const requests = emulator.callCount();
        const throttled = emulator.calls.filter((call) => call.errorCode === "ThrottlingException").length;
        emulator.faults.clear();
        const client = consoleClient();
        try {
            const { UserProfiles } = await client.send(new DescribeUserProfilesCommand({}));
            const { Permissions } = await client.send(new DescribePermissionsCommand({ StackId: stackId }));
            return {
                users,
                rate,
                seed,
                maxAttempts,
                concurrency,
                passes,
                requests,
                throttled,
                createdFirstPass,
                failed,
                stored: { profiles: UserProfiles?.length ?? 0, sshPermissions: Permissions?.filter((p) => p.AllowSsh).length ?? 0 },
                elapsedMs,
            };
        } finally {
            client.destroy();
        }
    });
}
