/**
 * The configurations a team would write (test/support/clusterMatrix.ts), each rendered as ParallelCluster
 * accepts it or refused with the fix. One line per queue says where it runs and in which form:
 * `name CAPACITY subnets [placement group] resource=Form(type)[+efa]`. Every accepted v3 document here also
 * passed ParallelCluster's own schema and validators offline (the note says how).
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { parseIniSections } from "../../../policy/lib/ini";
import { MATRIX, renderMatrix } from "../../support/clusterMatrix";

const ZONE1 = "subnet-0c000000000000001";
const ZONE2 = "subnet-0c000000000000002";
const [EXISTING1, EXISTING2] = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"];

type Expected = { queues: string[]; storage?: string } | { refused: string[] } | { v2: Record<string, Record<string, string>> };

function summary(queue: any): string {
    const subnets = queue.Networking.SubnetIds.join(",");
    const group = queue.Networking.PlacementGroup ? ` pg=${queue.Networking.PlacementGroup.Name ?? "managed"}` : "";
    const resources = queue.ComputeResources.map((resource: any) => {
        const form = resource.Instances ? `Instances(${resource.Instances.map((i: any) => i.InstanceType).join(",")})` : `InstanceType(${resource.InstanceType})`;
        return `${resource.Name}=${form}${resource.Efa?.Enabled ? "+efa" : ""}`;
    });
    return `${queue.Name} ${queue.CapacityType} [${subnets}]${group} ${resources.join(" ")}`;
}

function storage(doc: any): string | undefined {
    const fsx = doc.SharedStorage?.[0];
    return fsx && `${fsx.Name} ${fsx.MountDir} ${JSON.stringify(fsx.FsxLustreSettings)}`;
}

const cpu = (subnets: string) => `cpu ONDEMAND [${subnets}] c6i-large=${subnets.includes(",") ? "Instances" : "InstanceType"}(c6i.large)`;

const EXPECTED: Record<string, Expected> = {
    "one non-EFA queue, two created zones": { queues: [`cpu ONDEMAND [${ZONE1},${ZONE2}] c6i-large=Instances(c6i.large) c6i-xl=Instances(c6i.xlarge)`] },
    "one non-EFA queue, one created zone": { queues: [cpu(ZONE1)] },
    "spot queue, two created zones": { queues: [`spot SPOT [${ZONE1},${ZONE2}] c6i-large=Instances(c6i.large)`] },
    "EFA queue, two created zones": { queues: [`mpi ONDEMAND [${ZONE1}] pg=managed c5n-18xl=InstanceType(c5n.18xlarge)+efa`] },
    "EFA and non-EFA queues, two existing subnets": {
        queues: [`mpi ONDEMAND [${EXISTING1}] pg=managed c5n-18xl=InstanceType(c5n.18xlarge)+efa`, cpu(`${EXISTING1},${EXISTING2}`)],
    },
    "EFA and non-EFA queues, one existing subnet": { queues: [`mpi ONDEMAND [${EXISTING1}] pg=managed c5n-18xl=InstanceType(c5n.18xlarge)+efa`, cpu(EXISTING1)] },
    "non-EFA queue with a placement group, two created zones": { queues: [`tight ONDEMAND [${ZONE1}] pg=managed c6i-large=InstanceType(c6i.large)`] },
    "spot EFA queue with a named placement group": { queues: [`mpi SPOT [${ZONE1}] pg=team-pg c5n-18xl=InstanceType(c5n.18xlarge)+efa`] },
    "non-EFA queue, two zones, SCRATCH_2 created": { queues: [cpu(ZONE1)], storage: 'fsx /fsx {"StorageCapacity":2400,"DeploymentType":"SCRATCH_2"}' },
    "non-EFA queue, two zones, SCRATCH_1 created": { queues: [cpu(ZONE1)], storage: 'fsx /fsx {"StorageCapacity":3600,"DeploymentType":"SCRATCH_1"}' },
    "non-EFA queue, two zones, PERSISTENT_1 created": {
        queues: [cpu(ZONE1)],
        storage: 'fsx /fsx {"StorageCapacity":2400,"DeploymentType":"PERSISTENT_1","PerUnitStorageThroughput":100}',
    },
    "non-EFA queue, two zones, PERSISTENT_2 created": {
        queues: [cpu(ZONE1)],
        storage: 'fsx /fsx {"StorageCapacity":2400,"DeploymentType":"PERSISTENT_2","PerUnitStorageThroughput":250}',
    },
    "non-EFA queue, two existing subnets, existing file system": {
        queues: [cpu(`${EXISTING1},${EXISTING2}`)],
        storage: 'fsx /fsx {"FileSystemId":"fs-0123456789abcdef0"}',
    },
    "50 queues of one compute resource": { queues: Array.from({ length: 50 }, (_, q) => `q${q + 1} ONDEMAND [${ZONE1}] c6i-large=InstanceType(c6i.large)`) },
    "10 queues of 5 compute resources": {
        queues: Array.from(
            { length: 10 },
            (_, q) =>
                `q${q + 1} ONDEMAND [${ZONE1},${ZONE2}] c6i-large=Instances(c6i.large) c6i-xl=Instances(c6i.xlarge) ` +
                "c6i-2xl=Instances(c6i.2xlarge) c6i-4xl=Instances(c6i.4xlarge) c6i-8xl=Instances(c6i.8xlarge)",
        ),
    },
    "v2, EFA and non-EFA queues, PERSISTENT_1": {
        v2: {
            "fsx fsx": { shared_dir: "/fsx", storage_capacity: "1200", deployment_type: "PERSISTENT_1", per_unit_storage_throughput: "200" },
            "vpc std-vpc": { vpc_id: "vpc-0123456789abcdef0", master_subnet_id: "subnet-0123456789abcdef0", compute_subnet_id: ZONE1 },
            "queue mpi": { compute_resource_settings: "c5n-18xl", placement_group: "DYNAMIC", enable_efa: "true", compute_type: "ondemand" },
            "queue cpu": { compute_resource_settings: "c6i-large,c6i-xl", compute_type: "spot" },
            "compute_resource c5n-18xl": { instance_type: "c5n.18xlarge", max_count: "4" },
            "compute_resource c6i-large": { instance_type: "c6i.large", max_count: "4" },
            "compute_resource c6i-xl": { instance_type: "c6i.xlarge", max_count: "4" },
        },
    },
    "11 queues of 5 compute resources (55)": {
        refused: ["cluster.queues: v3 allows at most 50 compute resources in the whole cluster; the queues list 55. Remove compute resources or give one resource a higher maxCount."],
    },
    "EFA without a placement group": {
        refused: ["cluster.queues[0].placementGroup: EFA needs a placement group: set placementGroup: DYNAMIC (or an existing group's name), or set efa: false."],
    },
    "PERSISTENT_2 without a throughput": {
        refused: ["cluster.fsx.perUnitStorageThroughput: PERSISTENT_2 needs a throughput of 125, 250, 500 or 1000 MB/s per TiB of storage. Set one of these values."],
    },
    "PERSISTENT_2 with a PERSISTENT_1 throughput": {
        refused: ["cluster.fsx.perUnitStorageThroughput: PERSISTENT_2 needs a throughput of 125, 250, 500 or 1000 MB/s per TiB of storage (not 200). Set one of these values."],
    },
    "SCRATCH_2 with a throughput": { refused: ["cluster.fsx.perUnitStorageThroughput: only the PERSISTENT types take a throughput; remove it for SCRATCH_2."] },
    "v2 with two existing compute subnets": {
        refused: ["network.existing.computeSubnetIds: v2 takes a single compute subnet (compute_subnet_id). List one subnet, or use format: v3."],
    },
    "v2 with 6 queues": { refused: ["cluster.queues: v2 allows at most 5 queues; 6 are listed. Merge or remove queues."] },
};

describe("configuration matrix: what a team writes, rendered as ParallelCluster accepts it or refused with the fix", () => {
    it("has an expectation for every configuration of the matrix, and none for a configuration it lacks", () => {
        assert.deepEqual(Object.keys(EXPECTED), Object.keys(MATRIX));
    });

    for (const [title, shape] of Object.entries(MATRIX)) {
        it(title, () => {
            const expected = EXPECTED[title];
            const result = renderMatrix(shape);
            if ("refused" in expected) {
                assert.deepEqual(result.ok ? "accepted" : result.problems, expected.refused);
                return;
            }
            assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
            if ("v2" in expected) {
                const sections = parseIniSections(result.text);
                for (const [name, entries] of Object.entries(expected.v2)) {
                    assert.deepEqual(sections[name], entries, name);
                }
                return;
            }
            const doc = YAML.parse(result.text);
            assert.deepEqual(doc.Scheduling.SlurmQueues.map(summary), expected.queues);
            assert.equal(storage(doc), expected.storage);
        });
    }

    it("renders EFA and non-EFA queues on two existing subnets exactly as the reviewed file", () => {
        const result = renderMatrix(MATRIX["EFA and non-EFA queues, two existing subnets"]);
        assert.ok(result.ok);
        assert.equal(result.text, readFileSync(path.join(__dirname, "..", "..", "fixtures", "matrix-efa-and-cpu-existing-subnets.yaml"), "utf8"));
    });
});
