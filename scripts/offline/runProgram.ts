/**
 * Runs the Pulumi program (index.ts) under Pulumi's mock runtime and records what the engine would have
 * seen: every resource with its type, name, URN, parent, dependencies, inputs and outputs, and the stack
 * outputs. The policy harness and the offline plan read this record.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { MockCloud, type MockCloudOptions } from "./mockCloud";

export interface RegisteredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** false for component resources (and the stack). */
    readonly custom: boolean;
    /** The id the mock cloud gave a custom resource (what the engine keeps in state). */
    readonly id?: string;
    readonly parent?: string;
    readonly dependencies: readonly string[];
    /** Kept in the cloud when deleted from the stack (`retainOnDelete`). */
    readonly retainOnDelete: boolean;
    /** Names the resource had before (its own `aliases`; children inherit their parent's in the engine). */
    readonly aliasNames: readonly string[];
    /** Inputs as the provider (and a resource policy) sees them; unknown values are pulumi's `unknown`. */
    readonly inputs: Record<string, unknown>;
    /** Outputs as the mock cloud returned them (inputs only during a preview). */
    readonly outputs: Record<string, unknown>;
    /** Resource options the engine would act on (the mocks do not see them). */
    readonly options: ResourceOptionsRecord;
}

export interface ResourceOptionsRecord {
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    /** Empty strings where no timeout is set. */
    readonly customTimeouts: { readonly create: string; readonly update: string; readonly delete: string };
}

/** A message the program logged through pulumi.log, as `pulumi preview` prints it among its diagnostics. */
export interface Diagnostic {
    readonly severity: "info" | "warning";
    readonly message: string;
}

export interface ProgramRun {
    readonly resources: readonly RegisteredResource[];
    readonly stackOutputs: Record<string, unknown>;
    /** What the program logged (pulumi.log.info and warn), in order. */
    readonly diagnostics: readonly Diagnostic[];
}

export interface RunProgramOptions {
    readonly project: string;
    readonly stack: string;
    /** Config as `pulumi config` stores it: `namespace:key` to a string (objects JSON-encoded). */
    readonly config: Readonly<Record<string, string>>;
    readonly cloud: MockCloudOptions;
    /** Module that registers the resources. Default: the repository's index.ts. */
    readonly programPath?: string;
    /** Told of every registration and data-source call as it happens (even when the run then fails). */
    readonly observer?: (event: { kind: "register" | "call"; type: string; name?: string }) => void;
    /** Print the diagnostics as they come, as the mock runtime does (default true); the plan prints them itself. */
    readonly echoDiagnostics?: boolean;
}

/** How pulumi.log writes a message when no engine is attached (the mock runtime): `info: [runtime] ...`. */
const DIAGNOSTIC_PREFIX: Record<Diagnostic["severity"], string> = { info: "info: [runtime] ", warning: "warning: [runtime] " };

/**
 * Records what pulumi.log writes while `body` runs (console.log for info, console.warn for warnings) and
 * passes everything else through.
 */
async function recordingDiagnostics<T>(echo: boolean, diagnostics: Diagnostic[], body: () => Promise<T>): Promise<T> {
    const original = { log: console.log, warn: console.warn };
    const recorder = (severity: Diagnostic["severity"], write: (...args: unknown[]) => void) => (...args: unknown[]) => {
        const [first] = args;
        if (typeof first === "string" && first.startsWith(DIAGNOSTIC_PREFIX[severity])) {
            diagnostics.push({ severity, message: first.slice(DIAGNOSTIC_PREFIX[severity].length) });
            if (!echo) {
                return;
            }
        }
        write(...args);
    };
    console.log = recorder("info", original.log);
    console.warn = recorder("warning", original.warn);
    try {
        return await body();
    } finally {
        console.log = original.log;
        console.warn = original.warn;
    }
}

export const PROGRAM_PATH = path.join(__dirname, "..", "..", "index.ts");

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getProtect(): boolean;
    getIgnorechangesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getRetainondelete(): boolean;
    /** Alias specs (the mock monitor supports them): the resource's own aliases, by name here. */
    getAliasesList(): { getSpec?(): { getName(): string } | undefined }[];
}

interface MockMonitorLike {
    registerResource(request: RegisterRequest, callback: (error: unknown, response?: { getUrn(): string }) => void): Promise<void>;
}

/** Runs the program once; resolves when every resource has been registered. */
export async function runProgram(options: RunProgramOptions): Promise<ProgramRun> {
    const diagnostics: Diagnostic[] = [];
    const run = await recordingDiagnostics(options.echoDiagnostics ?? true, diagnostics, () => runRecorded(options));
    return { ...run, diagnostics };
}

async function runRecorded(options: RunProgramOptions): Promise<Omit<ProgramRun, "diagnostics">> {
    const cloud = new MockCloud(options.cloud);
    const records = new Map<string, RegistrationRecord>();
    const io = new Map<string, { id?: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>();

    const recordingCloud: pulumi.runtime.Mocks = {
        newResource: (args) => {
            options.observer?.({ kind: "register", type: args.type, name: args.name });
            const result = cloud.newResource(args);
            io.set(`${args.type}::${args.name}`, { id: result.id, inputs: args.inputs, outputs: result.state });
            return result;
        },
        call: (args) => {
            options.observer?.({ kind: "call", type: args.token });
            return cloud.call(args);
        },
    };

    pulumi.runtime.setAllConfig({ ...options.config });
    // "organization" is what a self-managed backend calls every stack's organization.
    await pulumi.runtime.setMocks(recordingCloud, options.project, options.stack, options.cloud.preview ?? false, "organization");
    captureParents(records);

    const programPath = options.programPath ?? PROGRAM_PATH;
    const failures: unknown[] = [];
    // As under the Node language host, the first unhandled rejection ends the run: a resource whose
    // inputs failed never resolves its outputs, so whatever waits on them (stack exports, components'
    // registered outputs) would never settle and the run would hang instead of failing.
    let fail: (reason: unknown) => void = () => undefined;
    const firstFailure = new Promise<never>((_, reject) => (fail = reject));
    firstFailure.catch(() => undefined);
    const onRejection = (reason: unknown) => {
        failures.push(reason);
        fail(reason);
    };
    process.on("unhandledRejection", onRejection);
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PCA_STACK_TRACES && !process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
        // The SDK records `new Error().stack` on every promise for its leak report, and under ts-node
        // each trace is source-mapped: two thirds of a 1,000-user plan's time. The traces serve only
        // PULUMI_DEBUG_PROMISE_LEAKS; PCA_STACK_TRACES=1 keeps them (and a bug's stack) too.
        Error.stackTraceLimit = 0;
    }
    try {
        const stackOutputs = await Promise.race([
            pulumi.runtime.runInPulumiStack(async () => {
                // The program registers its resources when its module loads: load it afresh for each run.
                delete require.cache[require.resolve(programPath)];
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the program is its run
                return require(programPath);
            }),
            firstFailure,
        ]);
        await Promise.race([waitForRegistrations(), firstFailure]);
        if (failures.length > 0) {
            throw withRootMessage(failures[0]);
        }
        // Registration order depends on when outputs resolve; sorting by URN makes runs comparable.
        const resources = [...records.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([urn, record]) => {
            const registered = io.get(`${record.type}::${record.name}`);
            return { urn, ...record, ...(registered?.id ? { id: registered.id } : {}), inputs: registered?.inputs ?? {}, outputs: registered?.outputs ?? {} };
        });
        return { resources, stackOutputs: (stackOutputs ?? {}) as Record<string, unknown> };
    } catch (error) {
        // Let the failure's other rejections arrive while they are still ours to swallow (registrations
        // that wait on a failed resource never finish: give them a moment, not forever).
        await Promise.race([waitForRegistrations().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 200))]);
        await new Promise((resolve) => setImmediate(resolve));
        discardLeakReport();
        throw withRootMessage(error);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.off("unhandledRejection", onRejection);
    }
}

/**
 * The SDK prefixes an error raised while resolving a resource's inputs with the path it took
 * (`error serializing property "outputs": ...`); the person reading it needs the cause only.
 */
function withRootMessage(error: unknown): unknown {
    if (error instanceof Error) {
        error.message = error.message.replace(/^(error serializing property "[^"]*": )+/, "");
    }
    return error;
}

/** What the engine would get with a registration besides the inputs. */
interface RegistrationRecord {
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    dependencies: string[];
    /** Kept in the cloud when deleted from the stack (`retainOnDelete`). */
    retainOnDelete: boolean;
    /** Names the resource had before (`aliases: [{ name }]`). */
    aliasNames: string[];
    options: ResourceOptionsRecord;
}

/** The mock monitor does not pass parents, dependencies and options to the mocks; read them off each request. */
function captureParents(records: Map<string, RegistrationRecord>): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) =>
        register(request, (error, response) => {
            if (!error && response) {
                records.set(response.getUrn(), {
                    type: request.getType(),
                    name: request.getName(),
                    ...(request.getParent() ? { parent: request.getParent() } : {}),
                    custom: request.getCustom(),
                    dependencies: request.getDependenciesList(),
                    retainOnDelete: request.getRetainondelete(),
                    aliasNames: request.getAliasesList().flatMap((alias) => alias.getSpec?.()?.getName() ?? []),
                    options: optionsOf(request),
                });
            }
            callback(error, response);
        });
}

function optionsOf(request: RegisterRequest): ResourceOptionsRecord {
    const timeouts = request.getCustomtimeouts();
    return {
        protect: request.getProtect(),
        ignoreChanges: request.getIgnorechangesList(),
        customTimeouts: { create: timeouts?.getCreate() ?? "", update: timeouts?.getUpdate() ?? "", delete: timeouts?.getDelete() ?? "" },
    };
}

/**
 * A failed run leaves the promises of resources that will never resolve. The SDK reports those as leaks
 * when the process exits and turns a successful exit into exit code 1; for a run that already failed
 * (and said why) that report is noise, so it is taken (and thereby cleared) here.
 */
function discardLeakReport(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- not in the SDK's typings
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): unknown };
    debuggable.leakedPromises();
}

async function waitForRegistrations(): Promise<void> {
    // Internal to the SDK but stable for years: resolves once no RPC to the (mock) monitor is in flight.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- not in the SDK's typings
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}
