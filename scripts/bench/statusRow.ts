/**
 * Node status cost (issue 24 §1): the S3 requests the status takes, counted by moto's recorder on the real
 * reader (components/access/roster/nodeStatus) over N records, and priced for 10,000 nodes for a 30-day month.
 * The anchor is what the roster's own polling costs at that size: every node's one conditional GET per
 * interval.
 */
import { measureStatusRequests, type StatusRequests } from "../../test/access/roster/measureStatus";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount } from "./table";

const MEASURED_NODES = 300;
const FLEET = 10_000;
/**
 * S3 Standard request prices, us-east-1, USD per 1,000 requests (aws.amazon.com/s3/pricing: PUT, COPY, POST,
 * LIST $0.005; GET, SELECT and all other requests $0.0004).
 */
const PUT_LIST_PER_1000 = 0.005;
const GET_PER_1000 = 0.0004;
const HOURS_PER_MONTH = 30 * 24;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
/** The agent writes at least hourly (a heartbeat) and on every change or failure (docs/node-status.md). */
const WRITES_PER_NODE_MONTH = HOURS_PER_MONTH;
/** A busy environment: 100 roster writes a month, each a changed record on every node and one wait by pulumi up. */
const ROSTER_WRITES_PER_MONTH = 100;
/** `pulumi up`'s wait, default: 120 s polled every 10 s. */
const POLLS_PER_WAIT = 12;
/** A status command from cron every 15 minutes. */
const STATUS_RUNS_PER_MONTH = MINUTES_PER_MONTH / 15;

const usd = (requests: number, per1000: number): number => (requests / 1000) * per1000;

export async function statusRow(): Promise<RowResult> {
    progress(`status: the reader over ${MEASURED_NODES} records and instances in moto, requests counted`);
    const m: StatusRequests = await measureStatusRequests(MEASURED_NODES);
    // Per read at FLEET nodes, from the counts: LIST pages of 1,000 keys, a GET per record not cached.
    const listPages = Math.ceil(FLEET / 1000);
    const nodeWrites = FLEET * (WRITES_PER_NODE_MONTH + ROSTER_WRITES_PER_MONTH);
    const waitLists = ROSTER_WRITES_PER_MONTH * POLLS_PER_WAIT * listPages;
    // Each wait GETs every record once (the first poll) and each changed record once more.
    const waitGets = ROSTER_WRITES_PER_MONTH * 2 * FLEET;
    const statusLists = STATUS_RUNS_PER_MONTH * listPages;
    const statusGets = STATUS_RUNS_PER_MONTH * (FLEET + 1);
    const cost = {
        nodeWrites: usd(nodeWrites, PUT_LIST_PER_1000),
        waits: usd(waitLists, PUT_LIST_PER_1000) + usd(waitGets, GET_PER_1000),
        statusCron: usd(statusLists, PUT_LIST_PER_1000) + usd(statusGets, GET_PER_1000),
    };
    const reporting = cost.nodeWrites + cost.waits;
    const polling = usd(FLEET * MINUTES_PER_MONTH, GET_PER_1000);
    const readsScale = m.fresh.get === MEASURED_NODES + 1 && m.fresh.list === Math.ceil(MEASURED_NODES / 1000) && m.cached.get === m.changed;
    const goals: Goal[] = [
        {
            row: "status",
            goal: `status reporting at ${formatCount(FLEET)} nodes (node writes + pulumi up's waits) costs less than the roster polling it reports on ($${polling.toFixed(2)}/month at 60 s)`,
            measured: `$${reporting.toFixed(2)}/month; reads scale as counted (${readsScale ? "yes" : "NO"})`,
            met: readsScale && reporting < polling,
        },
    ];
    return {
        tables: [
            {
                title: `Node status requests, counted by moto on the real reader (${MEASURED_NODES} nodes), and priced at ${formatCount(FLEET)} nodes for 30 days`,
                columns: ["what", "LIST", "GET", "PUT", "EC2 calls", `at ${formatCount(FLEET)} nodes, $/month`],
                rows: [
                    [`one status read, fresh (npm run status; a wait's first poll), ${MEASURED_NODES} records`, String(m.fresh.list), String(m.fresh.get), "0", String(m.fresh.ec2), "-"],
                    [`one poll with the ETag cache, ${m.changed} records changed`, String(m.cached.list), String(m.cached.get), "0", String(m.cached.ec2), "-"],
                    [`node writes: ${WRITES_PER_NODE_MONTH} heartbeats + ${ROSTER_WRITES_PER_MONTH} changes per node`, "0", "0", formatCount(nodeWrites), "0", cost.nodeWrites.toFixed(2)],
                    [`pulumi up's waits: ${ROSTER_WRITES_PER_MONTH} roster writes, ${POLLS_PER_WAIT} polls each`, formatCount(waitLists), formatCount(waitGets), "0", formatCount(ROSTER_WRITES_PER_MONTH * POLLS_PER_WAIT), cost.waits.toFixed(2)],
                    ["npm run status from cron every 15 min (optional)", formatCount(statusLists), formatCount(statusGets), "0", formatCount(STATUS_RUNS_PER_MONTH), cost.statusCron.toFixed(2)],
                    [`anchor: the roster's polling, one conditional GET per node per 60 s`, "0", formatCount(FLEET * MINUTES_PER_MONTH), "0", "0", polling.toFixed(2)],
                ],
                notes: [
                    `prices: S3 Standard, us-east-1 (aws.amazon.com/s3/pricing): PUT/LIST $${PUT_LIST_PER_1000}, GET $${GET_PER_1000} per 1,000; EC2 DescribeInstances is free.`,
                    "fresh read: one GET of the roster (its envelope), LIST pages of 1,000 keys, one GET per record; the wait keeps an ETag cache, so a",
                    "  later poll GETs only the records that changed. At 10,000 nodes a read is 10 LISTs and 10,001 GETs.",
                    "node writes: the agent writes on a change or failure and at least hourly, never per cycle; a roster write makes every node write once.",
                    "  Peak: all 10,000 nodes writing within a minute of a roster write is ~170 PUT/s, under S3's 3,500 PUT/s per prefix.",
                    "storage: one object of under 1 KB per node (10 MB); the bucket is versioned, so status/ expires noncurrent versions after 1 day.",
                ],
            },
        ],
        goals,
        raw: { measured: m, fleet: FLEET, cost, reporting, polling },
    };
}
