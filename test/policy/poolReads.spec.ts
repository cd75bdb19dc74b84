/**
 * prohibited-other-cluster-documents on the pool example's subscribed cluster (test/fixtures/pool): the
 * program's own wiring passes; a grant of another cluster's document, of the whole pool bucket, or a node
 * reading another cluster's document, is stopped.
 */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import type { PoolOutput } from "../../components/access/pool";
import { STORED_CONFIGURATION_TYPE } from "../../components/cluster/storedConfiguration";
import { runPolicyPack } from "../../scripts/offline/policyHarness";
import type { ProgramRun, RegisteredResource } from "../../scripts/offline/runProgram";
import { onPcs, poolStackConfig, runPoolStack, runSubscriber } from "../support/pool";
import { violations } from "./support/check";

const POLICY = "prohibited-other-cluster-documents";

type V3 = { HeadNode: Record<string, any>; Scheduling: { SlurmQueues: Record<string, any>[] } };

/** The run's resources with the stored configuration (its document and its text alike) changed by `change`. */
function edited(run: ProgramRun, change: (document: V3) => void): RegisteredResource[] {
    return run.resources.map((resource) => {
        if (resource.type !== STORED_CONFIGURATION_TYPE) {
            return resource;
        }
        const document = JSON.parse(JSON.stringify(resource.inputs.document)) as V3;
        change(document);
        const props = { document, text: YAML.stringify(document, { lineWidth: 0 }) };
        return { ...resource, inputs: { ...resource.inputs, ...props }, outputs: { ...resource.outputs, ...props } };
    });
}

describe(`policy ${POLICY}`, () => {
    let pool: PoolOutput;
    let cpu: ProgramRun;
    before(async () => {
        pool = (await runPoolStack("users")).stackOutputs.pool as PoolOutput;
        cpu = await runSubscriber("hpc-cpu", pool);
    });

    it("passes the subscribed cluster as the program wires it, and the pool stack itself", async () => {
        assert.deepEqual(violations(await runPolicyPack(cpu.resources), POLICY), []);
        assert.deepEqual(violations(await runPolicyPack((await runPoolStack("users")).resources), POLICY), []);
    });

    it("stops a cluster whose nodes could read another cluster's document", async () => {
        const resources = edited(cpu, (document) => document.Scheduling.SlurmQueues[0].Iam.S3Access.push({ BucketName: pool.bucket, KeyName: "pool/hpc-gpu/roster.txt", EnableWriteAccess: false }));
        assert.deepEqual(violations(await runPolicyPack(resources), POLICY), [
            [
                "mandatory",
                `Queue compute may read arn:aws:s3:::${pool.bucket}/pool/hpc-gpu/roster.txt (Scheduling.SlurmQueues[0].Iam.S3Access) in the pool's bucket. ` +
                    `A node of hpc-cpu must read only its own document arn:aws:s3:::${pool.bucket}/pool/hpc-cpu/roster.txt and the agent: another cluster's document is another cluster's logins and sudo. Remove the grant, or narrow it to those two objects.`,
                "hpc-cpu-cluster-config-object",
            ],
        ]);
    });

    it("stops a node that may write in the pool's bucket, even its own document", async () => {
        const resources = edited(cpu, (document) => {
            const own = (document.HeadNode.Iam.S3Access as { KeyName?: string; EnableWriteAccess: boolean }[]).find((entry) => entry.KeyName === "pool/hpc-cpu/roster.txt")!;
            own.EnableWriteAccess = true;
        });
        assert.deepEqual(violations(await runPolicyPack(resources), POLICY).map(([, message]) => message), [
            `The head node may write arn:aws:s3:::${pool.bucket}/pool/hpc-cpu/roster.txt in the pool's bucket (HeadNode.Iam.S3Access): only the pool stack writes there. Remove the write access (EnableWriteAccess: false).`,
        ]);
    });

    it("stops a grant of the whole pool bucket, and a node that reads another cluster's document", async () => {
        const resources = edited(cpu, (document) => {
            document.HeadNode.Iam.S3Access.push({ BucketName: pool.bucket, EnableWriteAccess: false });
            document.HeadNode.CustomActions.OnNodeConfigured.Args[1] = `s3://${pool.bucket}/pool/hpc-gpu/roster.txt`;
        });
        const found = violations(await runPolicyPack(resources), POLICY).map(([, message]) => message);
        assert.deepEqual(found, [
            `The head node reads the pool's document of cluster hpc-gpu (HeadNode.CustomActions.OnNodeConfigured.Args), but is a node of hpc-cpu: another cluster's logins and sudo. Pass s3://${pool.bucket}/pool/hpc-cpu/roster.txt.`,
            `The head node may read arn:aws:s3:::${pool.bucket}/* (HeadNode.Iam.S3Access) in the pool's bucket. A node of hpc-cpu must read only its own document arn:aws:s3:::${pool.bucket}/pool/hpc-cpu/roster.txt and the agent: ` +
                "another cluster's document is another cluster's logins and sudo. Remove the grant, or narrow it to those two objects.",
        ]);
    });

    describe("on an AWS PCS cluster subscribed to the pool", () => {
        let pcs: ProgramRun;
        before(async () => {
            // hpc-cpu of the pool's example, on PCS instead of ParallelCluster (as test/scripts/plan/pcs.spec.ts plans it).
            const config = onPcs(poolStackConfig("hpc-cpu"));
            pcs = await runSubscriber("hpc-cpu", pool, {}, config);
        });

        it("passes the node groups as the program wires them", async () => {
            assert.deepEqual(violations(await runPolicyPack(pcs.resources), POLICY), []);
        });

        it("stops a node group whose instance role could read another cluster's document", async () => {
            const other = `arn:aws:s3:::${pool.bucket}/pool/hpc-gpu/roster.txt`;
            const resources = pcs.resources.map((resource) => {
                if (resource.type !== "aws:iam/policy:Policy" || resource.name !== "hpc-cpu-pcs-compute-reads") {
                    return resource;
                }
                const document = JSON.parse(String(resource.inputs.policy)) as { Statement: { Resource: string[] }[] };
                document.Statement[0].Resource.push(other);
                const policy = JSON.stringify(document);
                return { ...resource, inputs: { ...resource.inputs, policy }, outputs: { ...resource.outputs, policy } };
            });
            const found = violations(await runPolicyPack(resources), POLICY);
            assert.deepEqual(
                found.map(([level, message]) => [level, message.replace(/ \(the managed policies[^)]*\)\)/, " (…)")]),
                [["mandatory", `PCS node group compute may read ${other} (…) in the pool's bucket. A node of hpc-cpu must read only its own document arn:aws:s3:::${pool.bucket}/pool/hpc-cpu/roster.txt and the agent: another cluster's document is another cluster's logins and sudo. Remove the grant, or narrow it to those two objects.`]],
            );
        });
    });
});
