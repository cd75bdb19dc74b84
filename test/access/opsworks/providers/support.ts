/**
 * Test support for the OpsWorks providers: an emulator per suite, the SDK pointed at it through the
 * standard endpoint variable (the providers have no test-only path), and the fixtures of the article's
 * setup (a Chef 12 stack in a VPC, IAM users with keys).
 */
import { DescribeUserProfilesCommand, OpsWorksClient } from "@aws-sdk/client-opsworks";
import { OpsWorksEmulator, startEmulator } from "../../../emulator";
import { ed25519PublicKey } from "../../../support/keys";
import { PermissionInputs, StackInputs, UserProfileInputs } from "../../../../components/access/opsworks/providers";

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";
/** Retries without real back-off. */
export const FAST = { maxAttempts: 5, baseDelayMs: 0 };

/**
 * Points the SDK at `url` through AWS_ENDPOINT_URL_OPSWORKS, with dummy credentials and any `extra`
 * variables; returns a function that restores the environment.
 */
export function pointSdkAt(url: string, extra: Record<string, string> = {}): () => void {
    const variables = {
        AWS_ENDPOINT_URL_OPSWORKS: url,
        AWS_ACCESS_KEY_ID: "AKIAEMULATOREXAMPLE",
        AWS_SECRET_ACCESS_KEY: "emulator-secret",
        ...extra,
    };
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    Object.assign(process.env, variables);
    return () => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
    };
}

/**
 * Starts an emulator for the calling `describe` and points the SDK at it. Every test starts from an
 * empty emulator with the default propagation delay: a new profile's first SetPermission fails, so
 * the retry path runs in every test that creates a user.
 */
export function useEmulator(): () => OpsWorksEmulator {
    let emulator: OpsWorksEmulator | undefined;
    let restore: (() => void) | undefined;
    before(async () => {
        emulator = await startEmulator();
        restore = pointSdkAt(emulator.url);
    });
    beforeEach(() => {
        emulator!.reset();
        emulator!.settings.propagationFailures = 1;
    });
    after(async () => {
        restore?.();
        await emulator?.close();
    });
    return () => emulator!;
}

/** A client as an operator at the console would act: the same endpoint, outside the providers. */
export function consoleClient(region = REGION): OpsWorksClient {
    return new OpsWorksClient({ region, maxAttempts: 1 });
}

export function userArn(name: string): string {
    return `arn:aws:iam::${ACCOUNT}:user/${name}`;
}

export function stackInputs(overrides: Partial<StackInputs> = {}): StackInputs {
    return {
        region: REGION,
        name: "pcluster-users",
        vpcId: "vpc-0a1b2c3d4e5f60718",
        defaultSubnetId: "subnet-0a1b2c3d4e5f60718",
        serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-opsworks-service-role`,
        defaultInstanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/aws-opsworks-ec2-role`,
        configurationManager: { name: "Chef", version: "12" },
        retry: FAST,
        ...overrides,
    };
}

export function profileInputs(name: string, overrides: Partial<UserProfileInputs> = {}): UserProfileInputs {
    return {
        region: REGION,
        iamUserArn: userArn(name),
        sshUsername: name,
        sshPublicKey: ed25519PublicKey(`${name}@laptop`),
        blocked: false,
        retry: FAST,
        ...overrides,
    };
}

export function permissionInputs(name: string, stackId: string, overrides: Partial<PermissionInputs> = {}): PermissionInputs {
    return {
        region: REGION,
        stackId,
        iamUserArn: userArn(name),
        allowSsh: true,
        allowSudo: false,
        level: "iam_only",
        retry: FAST,
        ...overrides,
    };
}

/** The stored SSH key of a profile, read as the console shows it. */
export async function storedKey(iamUserArn: string, region = REGION): Promise<string | undefined> {
    const client = consoleClient(region);
    try {
        const { UserProfiles } = await client.send(new DescribeUserProfilesCommand({ IamUserArns: [iamUserArn] }));
        return UserProfiles?.[0]?.SshPublicKey;
    } finally {
        client.destroy();
    }
}

/** The operations of the calls logged so far, in order. */
export function operations(emulator: OpsWorksEmulator): string[] {
    return emulator.calls.map((call) => call.operation);
}

/** Runs `task` and returns the error message it rejected with. */
export async function rejection(task: Promise<unknown>): Promise<string> {
    try {
        await task;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
    throw new Error("expected a rejection, but the task succeeded");
}
