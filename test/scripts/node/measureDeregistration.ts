/**
 * Measures one deregistration cycle of scripts/node/post-install.sh, run with the real AWS CLI against
 * the OpsWorks emulator and moto (EC2): API calls per cycle and the decisions logged, for N
 * registered instances of which a share is terminated (and a share gone from EC2 entirely).
 * Used by the specs and by the benchmark.
 */
import { startEmulator, OpsWorksEmulator } from "../../emulator";
import { dummyAwsEnv, Moto } from "../../support/moto";
import { EmulatedStack, vanishedEc2Id } from "./support/opsworksStack";
import { NodeRoot, REAL_AWS_CLI, runDeregister, scriptEnv } from "./support/script";

/** The region both services are addressed in. */
export const REGION = "us-east-1";

/** The two services a cycle talks to; start them once and reuse them across measurements. */
export interface DeregistrationServices {
    readonly emulator: OpsWorksEmulator;
    readonly moto: Moto;
}

/** Starts the OpsWorks emulator and moto_server on loopback. */
export async function startServices(): Promise<DeregistrationServices> {
    const [emulator, moto] = await Promise.all([startEmulator({ port: 0 }), Moto.start(REGION)]);
    return { emulator, moto };
}

export async function stopServices(services: DeregistrationServices): Promise<void> {
    await Promise.all([services.emulator.close(), services.moto.close()]);
}

/** One registered EC2 instance: its OpsWorks and EC2 ids. */
export interface Member {
    readonly ow: string;
    readonly ec2: string;
}

/** A stack whose instances were registered in this order: running, terminated, vanished, on-premises. */
export interface Fleet {
    readonly stack: EmulatedStack;
    readonly running: Member[];
    /** Terminated in EC2, still listed there with state `terminated`. */
    readonly terminated: Member[];
    /** Ids EC2 never issued: EC2 has forgotten them, as an hour after termination. */
    readonly vanished: Member[];
    /** OpsWorks ids of registered on-premises machines. */
    readonly onPremises: string[];
}

/** How many instances of each kind a Fleet has. */
export interface FleetCounts {
    readonly running: number;
    readonly terminated: number;
    readonly vanished: number;
    readonly onPremises: number;
}

/** Creates stack `name` and registers the given number of instances of each kind (see Fleet). */
export async function createFleet(services: DeregistrationServices, name: string, counts: FleetCounts): Promise<Fleet> {
    const stack = await EmulatedStack.create(services.emulator.url, REGION, name);
    const launched = await services.moto.launch(counts.running + counts.terminated);
    await services.moto.terminate(launched.slice(counts.running));
    const ec2Ids = [...launched, ...Array.from({ length: counts.vanished }, vanishedEc2Id)];
    const members = (await stack.registerEc2(ec2Ids)).map((ow, i) => ({ ow, ec2: ec2Ids[i] }));
    const onPremises: string[] = [];
    for (let i = 0; i < counts.onPremises; i++) onPremises.push(await stack.registerOnPremises(`build-server-${i}`));
    return {
        stack,
        running: members.slice(0, counts.running),
        terminated: members.slice(counts.running, launched.length),
        vanished: members.slice(launched.length),
        onPremises,
    };
}

export interface DeregistrationScenario {
    /** EC2 instances registered in the stack (N). */
    readonly registered: number;
    /** Share of N terminated in EC2 before the cycle (still listed, state `terminated`); rounded. */
    readonly terminatedFraction: number;
    /** Share of N registered with ids EC2 no longer knows (as an hour after termination); default 0. */
    readonly vanishedFraction?: number;
}

export interface DeregistrationMeasurement {
    readonly registered: number;
    readonly terminated: number;
    readonly vanished: number;
    /** API calls of the cycle, counted by the emulator and by moto's request recorder. */
    readonly calls: {
        readonly opsworksDescribeInstances: number;
        readonly ec2DescribeInstances: number;
        readonly deregisterInstance: number;
        /** Every request either service received during the cycle. */
        readonly total: number;
    };
    /** What the article's script makes for the same stack: 1 + N lookups + one per terminated instance. */
    readonly articleCalls: number;
    /** Decisions the cycle made (kept nodes from the summary line). */
    readonly decisions: { readonly keep: number; readonly deregister: number; readonly skip: number };
    /** Ids per EC2 request, in order (each at most 200). */
    readonly ec2BatchSizes: number[];
    /** Lines the cycles wrote to their log (and syslog): one per decision and a summary each. */
    readonly logLines: number;
    /** Cycles run until none deferred work to the next (1 unless the time budget was reached). */
    readonly cycles: number;
    /** The cycle's exit status (0 when every deregistration succeeded). */
    readonly exitStatus: number;
    /** Wall time of the longest cycle, for the benchmark only. */
    readonly wallMs: number;
}

/** Where the cycle finds OpsWorks and EC2. */
export interface CycleEndpoints {
    readonly opsworks: string;
    readonly ec2: string;
}

/** Writes the job's settings for `stack` and returns the environment the job runs with: the real CLI. */
export function cycleEnv(root: NodeRoot, stack: EmulatedStack, endpoints: CycleEndpoints, job: { parallel?: number; budget?: number } = {}): NodeJS.ProcessEnv {
    root.writeJobConf({
        stackId: stack.stackId,
        region: REGION,
        awsCli: REAL_AWS_CLI,
        opsworksUrl: endpoints.opsworks,
        ec2Url: endpoints.ec2,
        ...job,
    });
    return scriptEnv(root, dummyAwsEnv(root.dir));
}

/** The cycle's summary line: `cycle for OpsWorks stack ID in REGION: N listed, K kept, D deregistered, F failed, L deferred, S skipped, Ts`. */
export const SUMMARY =
    /^opsworks-deregister: cycle for OpsWorks stack \S+ in \S+: (\d+) listed, (\d+) kept, (\d+) deregistered, (\d+) failed, (\d+) deferred, (\d+) skipped, (\d+)s$/;

/**
 * The decisions of a cycle: kept nodes are counted by the summary line only (a healthy node is never
 * logged); deregistrations and skips each have their line, attempts that failed included.
 */
export function countDecisions(log: readonly string[]): DeregistrationMeasurement["decisions"] {
    const count = (prefix: string): number => log.filter((line) => line.startsWith(`opsworks-deregister: ${prefix}`)).length;
    const summary = log.map((line) => SUMMARY.exec(line)).find((match) => match !== null);
    return { keep: summary ? Number(summary[2]) : 0, deregister: count("deregistered ") + count("failed to deregister "), skip: count("skip ") };
}

/** Runs one cycle under a fresh stack; starts and stops its own services unless given some. */
export async function measureDeregistration(
    scenario: DeregistrationScenario,
    services?: DeregistrationServices,
): Promise<DeregistrationMeasurement> {
    const n = scenario.registered;
    const terminated = Math.round(n * scenario.terminatedFraction);
    const vanished = Math.round(n * (scenario.vanishedFraction ?? 0));
    if (terminated + vanished > n) throw new RangeError("terminated and vanished shares exceed 100%");
    const own = services ?? (await startServices());
    const root = new NodeRoot();
    let fleet: Fleet | undefined;
    try {
        fleet = await createFleet(own, `measure-${n}`, { running: n - terminated - vanished, terminated, vanished, onPremises: 0 });
        const env = cycleEnv(root, fleet.stack, { opsworks: own.emulator.url, ec2: own.moto.url });
        own.emulator.resetCalls();
        await own.moto.startRecording();
        // Cycles as cron would run them, until one defers nothing (a cycle past its budget leaves the rest).
        const walls: number[] = [];
        let run = await runDeregister(root, env);
        walls.push(run.wallMs);
        while (run.status === 0 && Number(SUMMARY.exec(run.log.at(-1) ?? "")?.[5] ?? 0) > 0 && walls.length < 10) {
            run = await runDeregister(root, env);
            walls.push(run.wallMs);
        }
        const ec2 = await own.moto.recorded();

        const ec2Describes = ec2.filter((request) => request.action === "DescribeInstances");
        return {
            registered: n,
            terminated,
            vanished,
            calls: {
                opsworksDescribeInstances: own.emulator.callCount("DescribeInstances"),
                ec2DescribeInstances: ec2Describes.length,
                deregisterInstance: own.emulator.callCount("DeregisterInstance"),
                total: own.emulator.callCount() + ec2.length,
            },
            articleCalls: 1 + n + terminated,
            decisions: countDecisions(run.log),
            logLines: run.log.length,
            cycles: walls.length,
            ec2BatchSizes: ec2Describes.map((request) => request.instanceIdFilter.length),
            exitStatus: run.status,
            wallMs: Math.max(...walls),
        };
    } finally {
        fleet?.stack.close();
        root.remove();
        if (!services) await stopServices(own);
    }
}
