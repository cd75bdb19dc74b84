import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
    countDecisions,
    createFleet,
    cycleEnv,
    DeregistrationServices,
    Fleet,
    FleetCounts,
    measureDeregistration,
    REGION,
    startServices,
    SUMMARY,
    stopServices,
} from "./measureDeregistration";
import { NodeRoot, runDeregister, scriptEnv, ScriptRun } from "./support/script";
import { failingEndpoint, relay, relayFailingNth, unreachableUrl } from "./support/stubEndpoints";

const TAG = "opsworks-deregister";
const LOCK = "/var/lock/pcluster-access-deregister.lock";

describe("post-install.sh deregister mode (real AWS CLI, OpsWorks emulator, moto EC2)", () => {
    let services: DeregistrationServices;
    let root: NodeRoot;
    let fleet: Fleet | undefined;

    before(async () => {
        services = await startServices();
    });
    after(async () => {
        await stopServices(services);
    });
    beforeEach(() => {
        root = new NodeRoot();
        services.emulator.faults.clear();
    });
    afterEach(() => {
        fleet?.stack.close();
        fleet = undefined;
        root.remove();
    });

    /** A fleet in a stack named "cluster", closed after the test. */
    async function makeFleet(counts: FleetCounts): Promise<Fleet> {
        fleet = await createFleet(services, "cluster", counts);
        return fleet;
    }

    /** Runs one cycle against the emulator and moto, or with EC2 at `ec2Url` instead. */
    async function cycle(target: Fleet, ec2Url?: string): Promise<ScriptRun> {
        const env = cycleEnv(root, target.stack, { opsworks: services.emulator.url, ec2: ec2Url ?? services.moto.url });
        return runDeregister(root, env);
    }

    function deregisteredIds(): string[] {
        return services.emulator.calls
            .filter((call) => call.operation === "DeregisterInstance" && call.status === 200)
            .map((call) => (call.request as { InstanceId: string }).InstanceId)
            .sort();
    }

    /** The log with the summary's duration (whole seconds) replaced by `Ts`, so it can be compared exactly. */
    const exact = (log: readonly string[]): string[] => log.map((line) => (SUMMARY.test(line) ? line.replace(/, \d+s$/, ", Ts") : line));
    const summary = (target: Fleet, counts: string): string => `${TAG}: cycle for OpsWorks stack ${target.stack.stackId} in ${REGION}: ${counts}, Ts`;

    it("deregisters exactly the terminated instances and those EC2 forgot; keeps the rest; skips on-premises", async () => {
        const target = await makeFleet({ running: 2, terminated: 2, vanished: 1, onPremises: 1 });
        services.emulator.resetCalls();
        await services.moto.startRecording();
        const result = await cycle(target);
        assert.equal(result.status, 0, result.stderr);

        const [r1, r2] = target.running;
        const [t1, t2] = target.terminated;
        const [v1] = target.vanished;
        // Decisions and one summary line; the two running nodes are only counted.
        assert.deepEqual(exact(result.log), [
            `${TAG}: skip ${target.onPremises[0]}: infrastructure class on-premises, not an EC2 instance`,
            `${TAG}: deregistered ${t1.ow} (${t1.ec2}): EC2 state terminated`,
            `${TAG}: deregistered ${t2.ow} (${t2.ec2}): EC2 state terminated`,
            `${TAG}: deregistered ${v1.ow} (${v1.ec2}): EC2 no longer knows the instance`,
            summary(target, "6 listed, 2 kept, 3 deregistered, 0 failed, 0 deferred, 1 skipped"),
        ]);
        assert.deepEqual(deregisteredIds(), [t1.ow, t2.ow, v1.ow].sort());
        assert.equal(services.emulator.callCount("DescribeInstances"), 1);
        assert.equal(services.emulator.callCount(), 4);
        const ec2 = await services.moto.recorded();
        assert.deepEqual(ec2, [{ action: "DescribeInstances", instanceIdFilter: [r1.ec2, r2.ec2, t1.ec2, t2.ec2, v1.ec2] }]);

        const left = await target.stack.instances();
        assert.deepEqual(left.map((instance) => instance.instanceId).sort(), [r1.ow, r2.ow, target.onPremises[0]].sort());

        // The next cycle finds nothing more to do.
        services.emulator.resetCalls();
        const again = await cycle(target);
        assert.equal(again.status, 0, again.stderr);
        assert.equal(services.emulator.callCount("DeregisterInstance"), 0);
        // The log file holds both cycles: the second adds only the skip and its summary.
        assert.deepEqual(exact(again.log).slice(result.log.length), [
            `${TAG}: skip ${target.onPremises[0]}: infrastructure class on-premises, not an EC2 instance`,
            summary(target, "3 listed, 2 kept, 0 deregistered, 0 failed, 0 deferred, 1 skipped"),
        ]);
    });

    it("an id EC2 does not know costs nothing extra: the filter answers without it (InstanceIds would fail)", async () => {
        const target = await makeFleet({ running: 1, terminated: 0, vanished: 1, onPremises: 0 });
        // The article's per-instance call fails outright for such an id, so its script never deregisters it.
        await assert.rejects(
            services.moto.ec2(["describe-instances", "--instance-ids", target.vanished[0].ec2]),
            new RegExp(`InvalidInstanceID\\.NotFound.*The instance ID '${target.vanished[0].ec2}' does not exist`),
        );
        services.emulator.resetCalls();
        await services.moto.startRecording();
        const result = await cycle(target);
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(await services.moto.recorded(), [
            { action: "DescribeInstances", instanceIdFilter: [target.running[0].ec2, target.vanished[0].ec2] },
        ]);
        assert.deepEqual(deregisteredIds(), [target.vanished[0].ow]);
        assert.deepEqual(countDecisions(result.log), { keep: 1, deregister: 1, skip: 0 });
    });

    it("an EC2 answer with none of the instances deregisters nothing", async () => {
        const target = await makeFleet({ running: 0, terminated: 0, vanished: 2, onPremises: 0 });
        services.emulator.resetCalls();
        const result = await cycle(target);
        assert.equal(result.status, 1);
        assert.equal(
            result.log.at(-1),
            `${TAG}: error: EC2 returned none of the 2 instances: an empty answer is not proof that they are gone, deregistering nothing this cycle`,
        );
        assert.equal(services.emulator.callCount("DeregisterInstance"), 0);
        assert.equal((await target.stack.instances()).length, 2);
    });

    it("throttled OpsWorks DescribeInstances: logs the error, calls EC2 not at all, deregisters nothing", async () => {
        const target = await makeFleet({ running: 1, terminated: 1, vanished: 0, onPremises: 0 });
        services.emulator.resetCalls();
        services.emulator.faults.throttle(1, 7, ["DescribeInstances"]);
        await services.moto.startRecording();
        const result = await cycle(target);
        assert.equal(result.status, 1);
        assert.deepEqual(result.log, [
            `${TAG}: aws: An error occurred (ThrottlingException) when calling the DescribeInstances operation (reached max retries: 0): Rate exceeded`,
            `${TAG}: error: OpsWorks DescribeInstances failed: deregistering nothing this cycle`,
        ]);
        assert.deepEqual(await services.moto.recorded(), []);
        assert.equal(services.emulator.callCount("DeregisterInstance"), 0);
    });

    it("a throttled DeregisterInstance fails that instance only; the next cycle finishes the job", async () => {
        const target = await makeFleet({ running: 1, terminated: 2, vanished: 0, onPremises: 0 });
        const [t1, t2] = target.terminated;
        services.emulator.resetCalls();
        services.emulator.faults.failNth("DeregisterInstance", 1, "ThrottlingException", "Rate exceeded");
        // One call at a time, so the first call the emulator sees (the one it fails) is t1's.
        const first = await runDeregister(root, cycleEnv(root, target.stack, { opsworks: services.emulator.url, ec2: services.moto.url }, { parallel: 1 }));
        assert.equal(first.status, 1);
        assert.deepEqual(exact(first.log), [
            `${TAG}: aws: An error occurred (ThrottlingException) when calling the DeregisterInstance operation (reached max retries: 0): Rate exceeded`,
            `${TAG}: failed to deregister ${t1.ow} (${t1.ec2}, EC2 state terminated): the next cycle tries again`,
            `${TAG}: deregistered ${t2.ow} (${t2.ec2}): EC2 state terminated`,
            summary(target, "3 listed, 1 kept, 1 deregistered, 1 failed, 0 deferred, 0 skipped"),
        ]);
        assert.deepEqual(deregisteredIds(), [t2.ow]);

        services.emulator.resetCalls();
        const second = await cycle(target);
        assert.equal(second.status, 0, second.stderr);
        assert.deepEqual(deregisteredIds(), [t1.ow]);
    });

    it("deregisters a few at a time: never more than PCA_DEREGISTER_PARALLEL calls in flight, every one logged in listing order", async () => {
        const target = await makeFleet({ running: 1, terminated: 7, vanished: 0, onPremises: 0 });
        const opsworks = await relay(services.emulator.url, { holdMs: 300 });
        try {
            services.emulator.resetCalls();
            const result = await runDeregister(root, cycleEnv(root, target.stack, { opsworks: opsworks.url, ec2: services.moto.url }, { parallel: 3, budget: 600 }));
            assert.equal(result.status, 0, result.stderr);
            assert.equal(opsworks.maxInFlight, 3);
            assert.deepEqual(deregisteredIds(), target.terminated.map((t) => t.ow).sort());
            assert.deepEqual(exact(result.log), [
                ...target.terminated.map((t) => `${TAG}: deregistered ${t.ow} (${t.ec2}): EC2 state terminated`),
                summary(target, "8 listed, 1 kept, 7 deregistered, 0 failed, 0 deferred, 0 skipped"),
            ]);
        } finally {
            await opsworks.close();
        }
    });

    it("past its time budget starts no more deregistrations: the rest is deferred to the next cycle, which finishes it", async () => {
        const target = await makeFleet({ running: 1, terminated: 5, vanished: 0, onPremises: 0 });
        const env = cycleEnv(root, target.stack, { opsworks: services.emulator.url, ec2: services.moto.url }, { parallel: 2, budget: 0 });
        const deregistered = (t: { ow: string; ec2: string }) => `${TAG}: deregistered ${t.ow} (${t.ec2}): EC2 state terminated`;
        const [t1, t2, t3, t4, t5] = target.terminated;
        // A budget of 0: the first batch always runs, none after it.
        const first = await runDeregister(root, env);
        assert.equal(first.status, 0, first.stderr);
        assert.deepEqual(exact(first.log), [deregistered(t1), deregistered(t2), summary(target, "6 listed, 1 kept, 2 deregistered, 0 failed, 3 deferred, 0 skipped")]);
        const second = await runDeregister(root, env);
        assert.deepEqual(exact(second.log).slice(first.log.length), [deregistered(t3), deregistered(t4), summary(target, "4 listed, 1 kept, 2 deregistered, 0 failed, 1 deferred, 0 skipped")]);
        const third = await runDeregister(root, env);
        assert.deepEqual(exact(third.log).slice(second.log.length), [deregistered(t5), summary(target, "2 listed, 1 kept, 1 deregistered, 0 failed, 0 deferred, 0 skipped")]);
    });

    it("refuses a PCA_DEREGISTER_PARALLEL outside 1-32 before calling anything", async () => {
        const target = await makeFleet({ running: 0, terminated: 1, vanished: 0, onPremises: 0 });
        services.emulator.resetCalls();
        const result = await runDeregister(root, cycleEnv(root, target.stack, { opsworks: services.emulator.url, ec2: services.moto.url }, { parallel: 33 }));
        assert.equal(result.status, 1);
        assert.deepEqual(result.log, [`${TAG}: error: PCA_DEREGISTER_PARALLEL=33 is not a whole number from 1 to 32`]);
        assert.equal(services.emulator.callCount(), 0);
    });

    describe("a failed EC2 lookup deregisters nothing", () => {
        for (const [label, endpoint, cliError] of [
            [
                "an endpoint answering HTTP 500",
                async () => {
                    const stub = await failingEndpoint();
                    return { url: stub.url, close: () => stub.close() };
                },
                "An error occurred (InternalError) when calling the DescribeInstances operation (reached max retries: 0): An internal error has occurred",
            ],
            [
                "an unreachable endpoint",
                async () => ({ url: await unreachableUrl(), close: async () => undefined }),
                "Could not connect to the endpoint URL: ",
            ],
        ] as const) {
            it(label, async () => {
                const target = await makeFleet({ running: 1, terminated: 1, vanished: 1, onPremises: 0 });
                const ec2 = await endpoint();
                try {
                    services.emulator.resetCalls();
                    const result = await cycle(target, ec2.url);
                    assert.equal(result.status, 1);
                    assert.ok(result.log.some((line) => line.startsWith(`${TAG}: aws: ${cliError}`)), result.log.join("\n"));
                    assert.equal(result.log.at(-1), `${TAG}: error: EC2 DescribeInstances failed: deregistering nothing this cycle`);
                    assert.equal(countDecisions(result.log).deregister, 0);
                    assert.equal(services.emulator.callCount("DeregisterInstance"), 0);
                } finally {
                    await ec2.close();
                }
            });
        }

        it("a failure in the second batch also holds back the first batch's terminated instances", async () => {
            const target = await makeFleet({ running: 200, terminated: 1, vanished: 0, onPremises: 0 });
            const relay = await relayFailingNth(services.moto.url, 2);
            try {
                services.emulator.resetCalls();
                const result = await cycle(target, relay.url);
                assert.equal(relay.requests, 2);
                assert.equal(result.status, 1);
                assert.equal(result.log.at(-1), `${TAG}: error: EC2 DescribeInstances failed: deregistering nothing this cycle`);
                assert.equal(services.emulator.callCount("DeregisterInstance"), 0);
            } finally {
                await relay.close();
            }
        });
    });

    describe("one cycle at a time", () => {
        it("skips, calling nothing, while another cycle holds the lock", async () => {
            const target = await makeFleet({ running: 0, terminated: 1, vanished: 0, onPremises: 0 });
            root.write(LOCK, "");
            const holder = spawn("flock", [root.path(LOCK), "-c", "echo locked; exec cat"], { stdio: ["pipe", "pipe", "ignore"] });
            await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
            try {
                services.emulator.resetCalls();
                const result = await cycle(target);
                assert.equal(result.status, 0, result.stderr);
                assert.deepEqual(result.log, [`${TAG}: another deregistration cycle holds ${root.path(LOCK)}: skipping this one`]);
                assert.equal(services.emulator.callCount(), 0);
            } finally {
                const exited = new Promise((resolve) => holder.once("exit", resolve));
                holder.stdin.end();
                await exited;
            }
            const after = await cycle(target);
            assert.equal(after.status, 0, after.stderr);
            assert.deepEqual(deregisteredIds(), [target.terminated[0].ow]);
        });

        it("two cycles started together: one acts, the other skips", async () => {
            const target = await makeFleet({ running: 1, terminated: 2, vanished: 0, onPremises: 0 });
            const env = cycleEnv(root, target.stack, { opsworks: services.emulator.url, ec2: services.moto.url });
            services.emulator.resetCalls();
            // A slow OpsWorks answer keeps the first cycle inside its lock well past the second's start,
            // however busy the machine.
            services.emulator.faults.delay(1500, "DescribeInstances");
            const runs = await Promise.all([runDeregister(root, env), runDeregister(root, env)]);
            assert.deepEqual(runs.map((run) => run.status), [0, 0]);
            // Read once both have exited: the one that skips may finish before the other logs a line.
            const log = root.logMessages("/var/log/opsworks-deregister.log");
            assert.deepEqual(
                log.filter((line) => line.includes("skipping")),
                [`${TAG}: another deregistration cycle holds ${root.path(LOCK)}: skipping this one`],
            );
            assert.equal(log.filter((line) => SUMMARY.test(line)).length, 1);
            assert.equal(services.emulator.callCount("DescribeInstances"), 1);
            assert.deepEqual(deregisteredIds(), target.terminated.map((t) => t.ow).sort());
        });
    });

    it("fails clearly when the job's settings are missing", async () => {
        const result = await runDeregister(root, scriptEnv(root));
        assert.equal(result.status, 1);
        assert.deepEqual(result.log, [
            `${TAG}: error: cannot read ${root.path("/etc/pcluster-access/deregister.conf")}: post-install.sh installs it on the head node`,
        ]);
    });

    describe("API calls per cycle: 1 OpsWorks + ceil(N/200) EC2 + one per instance to deregister", () => {
        const cases = [
            { n: 10, terminated: 0.2, vanished: 0.1, ec2: [10], deregister: 3, keep: 7, article: 13 },
            { n: 10, terminated: 0, vanished: 0, ec2: [10], deregister: 0, keep: 10, article: 11 },
            { n: 500, terminated: 0.02, vanished: 0.01, ec2: [200, 200, 100], deregister: 15, keep: 485, article: 511 },
            { n: 500, terminated: 0, vanished: 0, ec2: [200, 200, 100], deregister: 0, keep: 500, article: 501 },
        ];
        for (const c of cases) {
            const total = 1 + c.ec2.length + c.deregister;
            it(`N = ${c.n}, ${c.deregister} to deregister: ${total} calls (the article's script: ${c.article})`, async () => {
                const m = await measureDeregistration(
                    { registered: c.n, terminatedFraction: c.terminated, vanishedFraction: c.vanished },
                    services,
                );
                assert.equal(m.exitStatus, 0);
                assert.deepEqual(m.calls, {
                    opsworksDescribeInstances: 1,
                    ec2DescribeInstances: c.ec2.length,
                    deregisterInstance: c.deregister,
                    total,
                });
                assert.equal(m.articleCalls, c.article);
                assert.deepEqual(m.decisions, { keep: c.keep, deregister: c.deregister, skip: 0 });
                assert.deepEqual(m.ec2BatchSizes, c.ec2);
            });
        }
    });
});
