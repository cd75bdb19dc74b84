/**
 * Row 4, deregistration: test/scripts/node/measureDeregistration.ts runs one cycle of scripts/node/post-install.sh's
 * deregistration job with the real AWS CLI against the OpsWorks emulator and moto (EC2), for N registered
 * instances of which 10% are terminated, and counts the calls each service received and the decisions
 * the cycle logged. The article's script makes 1 + N calls plus one per deregistration.
 */
import { measureDeregistration, startServices, stopServices, type DeregistrationMeasurement } from "../../test/scripts/node/measureDeregistration";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount, formatSeconds } from "./table";

const INSTANCE_COUNTS = [10, 100, 1000] as const;
/** The job's default cron interval (PCA_DEREGISTER_INTERVAL=1): a cycle must end before the next starts. */
const CYCLE_INTERVAL_S = 60;
const TERMINATED_FRACTION = 0.1;

export async function deregistrationRow(): Promise<RowResult> {
    const services = await startServices();
    const measured: DeregistrationMeasurement[] = [];
    try {
        for (const registered of INSTANCE_COUNTS) {
            progress(`deregistration: N = ${registered}: registering and running one cycle`);
            const result = await measureDeregistration({ registered, terminatedFraction: TERMINATED_FRACTION }, services);
            measured.push(result);
            progress(`deregistration: N = ${registered}: ${result.calls.total} calls, ${result.decisions.deregister} deregistered, ${formatSeconds(result.wallMs)} s`);
        }
    } finally {
        await stopServices(services);
    }
    const goals: Goal[] = measured.flatMap((result) => {
        const decisionsRight =
            result.decisions.deregister === result.terminated && result.decisions.keep === result.registered - result.terminated && result.decisions.skip === 0;
        return [
            {
                row: "deregistration",
                goal: `N = ${formatCount(result.registered)}: exactly the ${result.terminated} terminated instances deregistered, in no more calls than the article's ${formatCount(result.articleCalls)}`,
                measured: `${result.calls.total} calls, ${result.decisions.deregister} deregistered, ${result.decisions.keep} kept, exit ${result.exitStatus}`,
                met: decisionsRight && result.exitStatus === 0 && result.calls.total <= result.articleCalls,
            },
            {
                row: "deregistration",
                goal: `N = ${formatCount(result.registered)}: every cycle ends within its ${CYCLE_INTERVAL_S} s interval and logs one line per deregistration plus one summary`,
                measured: `${result.cycles} cycle(s), the longest ${formatSeconds(result.wallMs, 1)} s, ${result.logLines} log lines`,
                met: result.wallMs < CYCLE_INTERVAL_S * 1000 && result.logLines === result.decisions.deregister + result.cycles,
            },
        ];
    });
    return {
        tables: [
            {
                title: `4. Deregistration (one cycle, real AWS CLI against the OpsWorks emulator and moto; ${TERMINATED_FRACTION * 100}% of N terminated)`,
                columns: ["N", "terminated", "OW Describe", "EC2 Describe", "Deregister", "calls", "article", "keep/dereg/skip", "log lines", "exit", "cycles", "longest s", "s/call"],
                rows: measured.map((result) => [
                    formatCount(result.registered),
                    String(result.terminated),
                    String(result.calls.opsworksDescribeInstances),
                    `${result.calls.ec2DescribeInstances} (${Math.max(0, ...result.ec2BatchSizes)})`,
                    String(result.calls.deregisterInstance),
                    String(result.calls.total),
                    formatCount(result.articleCalls),
                    `${result.decisions.keep}/${result.decisions.deregister}/${result.decisions.skip}`,
                    String(result.logLines),
                    String(result.exitStatus),
                    String(result.cycles),
                    formatSeconds(result.wallMs, 1),
                    formatSeconds(result.wallMs / result.calls.total),
                ]),
                notes: [
                    "calls: every request the emulator and moto received during the cycle; EC2 Describe: requests (most ids in one).",
                    "article: its script's 1 + N + deregistrations (one OpsWorks DescribeInstances, one EC2 lookup per instance, one per deregistration).",
                    "log lines: what the cycle wrote to its log and syslog (decisions and one summary; kept nodes are counted, not listed).",
                    "cycles: run back to back until one defers nothing: a cycle starts no deregistration after 40 s (PCA_DEREGISTER_BUDGET) and leaves the rest to the next.",
                    "longest s: wall time of the longest cycle; each call is one AWS CLI process; deregistrations run 8 at a time (PCA_DEREGISTER_PARALLEL).",
                ],
            },
        ],
        goals,
        raw: { terminatedFraction: TERMINATED_FRACTION, measured },
    };
}
