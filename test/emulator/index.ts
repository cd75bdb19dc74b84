/**
 * An OpsWorks Stacks API emulator on a real HTTP port: JSON 1.1, requests validated against AWS's
 * service model, state per regional endpoint, call log and fault injection. Point the AWS SDK at it
 * with AWS_ENDPOINT_URL_OPSWORKS=<url> (the AWS CLI v2.9 needs --endpoint-url <url>) and any
 * credentials: the SigV4 scope's region selects the regional state, the signature is not checked.
 */
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { FaultControls } from "./faults";
import { CallRecord, EmulatorCore } from "./server";
import { EmulatorSettings } from "./state";

export type { CallRecord } from "./server";
export type { FaultControls, FailNthOptions } from "./faults";
export type { EmulatorSettings } from "./state";

export interface EmulatorOptions {
    /** Port to listen on; 0 (default) picks a free one. */
    readonly port?: number;
    /** Address to listen on; default 127.0.0.1. */
    readonly host?: string;
    /** SetPermission failures ("Unable to find user with ARN ...") owed by each new profile; default 1. */
    readonly propagationFailures?: number;
    /** Account in made-up ARNs; default 123456789012. */
    readonly accountId?: string;
    /** The caller's ARN (RegisteredBy; the user that cannot change its own level); default an emulator user. */
    readonly callerArn?: string;
    /** DescribeStackProvisioningParameters' AgentInstallerUrl; `{region}` is filled in. */
    readonly agentInstallerUrl?: string;
}

export interface OpsWorksEmulator {
    /** e.g. http://127.0.0.1:PORT */
    readonly url: string;
    readonly calls: ReadonlyArray<CallRecord>;
    /** Requests received (retries included), for one operation or all. */
    callCount(operation?: string): number;
    resetCalls(): void;
    faults: FaultControls;
    /** Live settings: change `propagationFailures` and the others between tests. */
    readonly settings: EmulatorSettings;
    /** Forget every stack, profile, permission and instance in every region, the call log and the faults. */
    reset(): void;
    close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<OpsWorksEmulator> {
    const accountId = opts.accountId ?? "123456789012";
    const core = new EmulatorCore({
        accountId,
        callerArn: opts.callerArn ?? `arn:aws:iam::${accountId}:user/opsworks-emulator`,
        propagationFailures: opts.propagationFailures ?? 1,
        agentInstallerUrl:
            opts.agentInstallerUrl ?? "https://opsworks-instance-agent-{region}.s3.amazonaws.com/ID/opsworks-agent-installer.tgz",
    });
    const server = createServer((request, response) => {
        void core.handle(request, response);
    });
    const host = opts.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host.includes(":") ? `[${host}]` : host;
    return {
        url: `http://${urlHost}:${port}`,
        calls: core.calls,
        callCount: (operation) =>
            operation === undefined ? core.calls.length : core.calls.filter((call) => call.operation === operation).length,
        resetCalls: () => {
            core.calls.length = 0;
        },
        faults: core.faults,
        settings: core.settings,
        reset: () => {
            core.resetState();
            core.calls.length = 0;
            core.faults.clear();
        },
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((error) => (error ? reject(error) : resolve()));
                // SDK clients keep connections alive; drop them so close() does not wait for their timeout.
                server.closeAllConnections();
            }),
    };
}
