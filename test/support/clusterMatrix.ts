/**
 * Configurations a team would write (EFA and not, one and two zones, created and existing network, each
 * FSx deployment type, spot, many queues), rendered the way the program renders them, with the wiring a
 * network of that shape produces. The matrix spec asserts their exact output or exact refusal; the same
 * cases can be dumped for ParallelCluster's own schema (see the issue note).
 */
import * as YAML from "yaml";
import { parseEnvironmentConfig, formatProblems, type RawConfigInput } from "../../components/config";
import type { NetworkSettings } from "../../components/config/model";
import { serializeV2, serializeV3, type ResolvedIniSection } from "../../components/cluster/render/serialize";
import { buildV2Sections } from "../../components/cluster/render/v2Document";
import { buildV3Document } from "../../components/cluster/render/v3Document";
import { opsworksNodeAccess } from "../../components/access/opsworks";
import type { ClusterWiring } from "../../components/cluster/render/wiring";
import { ed25519PublicKey } from "./keys";

export const EXISTING_SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"];

/** Values shaped like real ones (ParallelCluster's schema checks ids and bucket names by pattern). */
const MATRIX_WIRING: Omit<ClusterWiring, "computeSubnetIds" | "primaryComputeSubnetId"> = {
    region: "eu-west-1",
    vpcId: "vpc-0123456789abcdef0",
    headNodeSubnetId: "subnet-0123456789abcdef0",
    scriptReadResourceArn: "arn:aws:s3:::hpc-matrix-scripts-bucket-4f1c2a9/*",
    access: opsworksNodeAccess("2f18b4cb-4de5-4429-a149-ff7da9f0d8ee", "hpc-matrix-scripts-bucket-4f1c2a9", "s3://hpc-matrix-scripts-bucket-4f1c2a9/post-install.sh"),
};

/** A queue as a team writes it; `efa` brings the placement group EFA needs. */
export function queue(name: string, instanceTypes: string[], options: { efa?: boolean; placementGroup?: string; spot?: boolean } = {}) {
    return {
        name,
        computeResources: instanceTypes.map((instanceType) => ({ instanceType, maxCount: 4 })),
        ...(options.efa ? { efa: true, placementGroup: options.placementGroup ?? "DYNAMIC" } : {}),
        ...(!options.efa && options.placementGroup ? { placementGroup: options.placementGroup } : {}),
        ...(options.spot ? { capacityType: "spot" } : {}),
    };
}

export interface MatrixShape {
    readonly format?: "v2" | "v3";
    readonly queues: object[];
    /** Number of zones of a created network, or "existing" with EXISTING_SUBNETS (or the subnets given). */
    readonly network?: number | { existing: string[] };
    readonly fsx?: object;
    /** More cluster keys (os, parallelClusterVersion, loginNodes, root volumes...) over the matrix's. */
    readonly cluster?: object;
}

export function matrixConfig(shape: MatrixShape): RawConfigInput {
    const format = shape.format ?? "v3";
    const network = shape.network ?? 2;
    return {
        region: "eu-west-1",
        cluster: {
            name: "hpc-matrix",
            format,
            os: format === "v2" ? "alinux2" : "alinux2023",
            keyName: "admin",
            headNode: { instanceType: "t3.large" },
            queues: shape.queues,
            ...(shape.fsx ? { fsx: { mountDir: "/fsx", ...shape.fsx } } : {}),
            ...shape.cluster,
        },
        network:
            typeof network === "number"
                ? { create: { availabilityZones: network } }
                : { existing: { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: network.existing } },
        users: [{ iamUser: "alice", sshPublicKey: ed25519PublicKey() }],
    };
}

/** The compute subnets a network of these settings gives the renderer (created ones named by zone). */
function computeSubnets(network: NetworkSettings): string[] {
    return network.mode === "existing" ? [...network.computeSubnetIds] : Array.from({ length: network.availabilityZones }, (_, i) => `subnet-0c00000000000000${i + 1}`);
}

export type MatrixResult = { ok: true; text: string; warnings: string[] } | { ok: false; problems: string[] };

/** The policy granting login node pools the backend's S3 reads, as the program wires it (its ARN shaped like a real one). */
export const MATRIX_LOGIN_READ_POLICY = "arn:aws:iam::123456789012:policy/hpc-matrix-login-node-reads-7d1e2f3";

/** Parses and renders as the program does; the text is the file `pcluster create-cluster` would get. */
export function renderMatrix(shape: MatrixShape): MatrixResult {
    const result = parseEnvironmentConfig(matrixConfig(shape));
    if (!result.ok) {
        return { ok: false, problems: formatProblems(result.problems).split("\n") };
    }
    const subnets = computeSubnets(result.config.network);
    const cluster = result.config.cluster;
    const wiring = {
        ...MATRIX_WIRING,
        computeSubnetIds: subnets,
        primaryComputeSubnetId: subnets[0],
        ...(cluster.loginNodes.length === 0 ? {} : { loginNodeIamPolicyArns: [MATRIX_LOGIN_READ_POLICY] }),
    };
    const text =
        cluster.format === "v2"
            ? serializeV2(buildV2Sections(cluster, wiring) as unknown as ResolvedIniSection[])
            : serializeV3(buildV3Document(cluster, wiring) as Record<string, unknown>, wiring.access.imds?.reason);
    return { ok: true, text, warnings: formatProblems(result.warnings).split("\n").filter((line) => line !== "") };
}

/** The parts of a rendered v3 document the matrix is about: each queue's networking and resources, storage. */
export function queuesAndStorage(text: string): { queues: unknown[]; storage: unknown } {
    const doc = YAML.parse(text);
    return {
        queues: doc.Scheduling.SlurmQueues.map((q: Record<string, unknown>) => ({
            Name: q.Name,
            CapacityType: q.CapacityType,
            Networking: q.Networking,
            ComputeResources: q.ComputeResources,
        })),
        storage: doc.SharedStorage,
    };
}

const many = (count: number, resourcesEach: number) =>
    Array.from({ length: count }, (_, q) => queue(`q${q + 1}`, Array.from({ length: resourcesEach }, (_, r) => `c6i.${["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"][r]}`)));

/** Configurations a team would write, by name; test/cluster/render/matrix.spec.ts holds what each must give. */
export const MATRIX: Readonly<Record<string, MatrixShape>> = {
    "one non-EFA queue, two created zones": { queues: [queue("cpu", ["c6i.large", "c6i.xlarge"])] },
    "one non-EFA queue, one created zone": { queues: [queue("cpu", ["c6i.large"])], network: 1 },
    "spot queue, two created zones": { queues: [queue("spot", ["c6i.large"], { spot: true })] },
    "EFA queue, two created zones": { queues: [queue("mpi", ["c5n.18xlarge"], { efa: true })] },
    "EFA and non-EFA queues, two existing subnets": { queues: [queue("mpi", ["c5n.18xlarge"], { efa: true }), queue("cpu", ["c6i.large"])], network: { existing: EXISTING_SUBNETS } },
    "EFA and non-EFA queues, one existing subnet": { queues: [queue("mpi", ["c5n.18xlarge"], { efa: true }), queue("cpu", ["c6i.large"])], network: { existing: EXISTING_SUBNETS.slice(0, 1) } },
    "non-EFA queue with a placement group, two created zones": { queues: [queue("tight", ["c6i.large"], { placementGroup: "DYNAMIC" })] },
    "spot EFA queue with a named placement group": { queues: [queue("mpi", ["c5n.18xlarge"], { efa: true, spot: true, placementGroup: "team-pg" })] },
    "non-EFA queue, two zones, SCRATCH_2 created": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "SCRATCH_2", storageCapacity: 2400 } },
    "non-EFA queue, two zones, SCRATCH_1 created": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "SCRATCH_1", storageCapacity: 3600 } },
    "non-EFA queue, two zones, PERSISTENT_1 created": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "PERSISTENT_1", storageCapacity: 2400, perUnitStorageThroughput: 100 } },
    "non-EFA queue, two zones, PERSISTENT_2 created": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "PERSISTENT_2", storageCapacity: 2400, perUnitStorageThroughput: 250 } },
    "non-EFA queue, two existing subnets, existing file system": { queues: [queue("cpu", ["c6i.large"])], network: { existing: EXISTING_SUBNETS }, fsx: { fileSystemId: "fs-0123456789abcdef0" } },
    "50 queues of one compute resource": { queues: many(50, 1), network: 1 },
    "10 queues of 5 compute resources": { queues: many(10, 5) },
    "v2, EFA and non-EFA queues, PERSISTENT_1": { format: "v2", queues: [queue("mpi", ["c5n.18xlarge"], { efa: true }), queue("cpu", ["c6i.large", "c6i.xlarge"], { spot: true })], fsx: { deploymentType: "PERSISTENT_1", storageCapacity: 1200, perUnitStorageThroughput: 200 } },
    // Refused: each with the problem and its fix.
    "11 queues of 5 compute resources (55)": { queues: many(11, 5) },
    "EFA without a placement group": { queues: [{ name: "mpi", computeResources: [{ instanceType: "c5n.18xlarge" }], efa: true }] },
    "PERSISTENT_2 without a throughput": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "PERSISTENT_2", storageCapacity: 2400 } },
    "PERSISTENT_2 with a PERSISTENT_1 throughput": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "PERSISTENT_2", storageCapacity: 2400, perUnitStorageThroughput: 200 } },
    "SCRATCH_2 with a throughput": { queues: [queue("cpu", ["c6i.large"])], fsx: { deploymentType: "SCRATCH_2", storageCapacity: 1200, perUnitStorageThroughput: 125 } },
    "v2 with two existing compute subnets": { format: "v2", queues: [queue("cpu", ["c6i.large"])], network: { existing: EXISTING_SUBNETS } },
    "v2 with 6 queues": { format: "v2", queues: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge"].map((size, q) => queue(`q${q + 1}`, [`c6i.${size}`])) },
};
