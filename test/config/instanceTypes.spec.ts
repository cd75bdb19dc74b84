/**
 * Instance types are checked for their form offline (issue 23 §5): a typo in the size is refused with the
 * key and the type meant, before anything is rendered.
 */
import * as assert from "node:assert/strict";
import { instanceTypeProblem } from "../../components/config/instanceTypes";
import { configWith as dev, problems } from "../support/configProblems";
import { DEV_STACK_FILE } from "../support/devConfig";

describe("instance types", () => {
    it("accepts every form EC2 uses", () => {
        for (const type of ["t3.large", "t4g.nano", "c5n.18xlarge", "m7i-flex.large", "u-6tb1.112xlarge", "mac2-m2pro.metal", "m7i.metal-24xl", "hpc7a.96xlarge", "x2iedn.xlarge"]) {
            assert.equal(instanceTypeProblem(type), undefined, type);
        }
    });

    it("refuses t3.lrage and c5n.18xl in the stack config, naming the key and the type meant", () => {
        assert.deepEqual(
            problems(
                dev((raw) => {
                    raw.cluster.headNode.instanceType = "t3.lrage";
                    raw.cluster.queues[0].computeResources[0].instanceType = "c5n.18xl";
                    raw.cluster.loginNodes[0].instanceType = "t3.mdium";
                }, DEV_STACK_FILE),
            ),
            [
                "cluster.headNode.instanceType: 't3.lrage' is not an EC2 instance type: 'lrage' is no size EC2 has (nano, micro, small, medium, large, xlarge, 2xlarge ... 48xlarge, metal). Did you mean t3.large?",
                "cluster.queues[0].computeResources[0].instanceType: 'c5n.18xl' is not an EC2 instance type: '18xl' is no size EC2 has (nano, micro, small, medium, large, xlarge, 2xlarge ... 48xlarge, metal). " +
                    "Did you mean c5n.18xlarge? (18xl is ParallelCluster's short form in compute resource names; the instance type spells out 18xlarge).",
                "cluster.loginNodes[0].instanceType: 't3.mdium' is not an EC2 instance type: 'mdium' is no size EC2 has (nano, micro, small, medium, large, xlarge, 2xlarge ... 48xlarge, metal). Did you mean t3.medium?",
            ],
        );
    });

    it("refuses a size too far from any to guess, and a value with no size", () => {
        assert.equal(
            instanceTypeProblem("t3.huge"),
            "'t3.huge' is not an EC2 instance type: 'huge' is no size EC2 has (nano, micro, small, medium, large, xlarge, 2xlarge ... 48xlarge, metal). Give an instance type such as t3.large or c5n.18xlarge",
        );
        assert.equal(instanceTypeProblem("t3"), "must be an EC2 instance type such as t3.large or c5n.18xlarge");
        assert.equal(instanceTypeProblem("T3.large"), "must be an EC2 instance type such as t3.large or c5n.18xlarge");
    });
});
