/**
 * required-deployed-configuration: a cluster stack (an `aws:cloudformation/stack:Stack` whose template
 * holds a `Custom::PclusterCluster`) must deploy exactly the rendered configuration the other policies
 * read. Otherwise the pack would pass a configuration that is not the one ParallelCluster gets.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import * as YAML from "yaml";
import { unreadableConfiguration } from "./lib/clusterConfiguration";
import { isObject, UNKNOWN, type Plain, type PlainObject } from "./lib/known";
import { CLOUDFORMATION_STACK, S3_BUCKET_OBJECT } from "./lib/resourceTypes";
import { StackResources, type StackResource } from "./lib/stackResources";

const CLUSTER_RESOURCE_TYPE = "Custom::PclusterCluster";

export const requiredDeployedConfiguration: StackValidationPolicy = {
    name: "required-deployed-configuration",
    description:
        "Checks that every ParallelCluster custom resource (Custom::PclusterCluster) deploys exactly the rendered cluster configuration the policies check.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const stack = new StackResources(args.resources);
        const { documents: rendered, unreadable } = renderedDocuments(stack);
        for (const resource of stack.ofType(CLOUDFORMATION_STACK)) {
            const template = templateOf(resource, stack);
            if (template === UNKNOWN || template === undefined) {
                continue;
            }
            const deployed = clusterConfigurations(template);
            // Applies only where a cluster is deployed; there, a configuration it cannot read is its own verdict.
            for (const problem of deployed.length > 0 ? unreadable : []) {
                reportViolation(unreadableConfiguration(problem, `whether cluster stack ${resource.name} deploys exactly the rendered configuration`), resource.urn);
            }
            if (unreadable.length > 0) {
                continue;
            }
            for (const [logicalId, configuration] of deployed) {
                const problem = deployedProblem(configuration, rendered);
                if (problem !== undefined) {
                    reportViolation(
                        `Cluster stack ${resource.name} deploys ${logicalId} with a ClusterConfiguration ${problem}. ` +
                            "It must deploy exactly the rendered configuration (the program passes the same object to both): otherwise the policies check one " +
                            "configuration and ParallelCluster gets another. Deploy the rendered document; do not edit or transform the template.",
                        resource.urn,
                    );
                }
            }
        }
    },
};

/**
 * The stored configurations' documents as ParallelCluster reads them (v3 YAML); UNKNOWN while any text is.
 * `unreadable`: why a stored configuration could not be read, for this policy's own verdict.
 */
function renderedDocuments(stack: StackResources): { documents: Plain[] | typeof UNKNOWN; unreadable: string[] } {
    const documents: Plain[] = [];
    const unreadable: string[] = [];
    for (const { resource, read } of stack.configurations()) {
        const text = resource.props.text;
        if (text === UNKNOWN) {
            return { documents: UNKNOWN, unreadable };
        }
        if (!read.ok) {
            unreadable.push(read.problem);
        } else if (resource.props.format === "v3" && typeof text === "string") {
            documents.push(YAML.parse(text) as Plain);
        }
    }
    return { documents, unreadable };
}

/** The stack's template: its body, or the object of this stack its URL names; undefined when neither. */
function templateOf(resource: StackResource, stack: StackResources): PlainObject | typeof UNKNOWN | undefined {
    const body = resource.props.templateBody;
    const url = resource.props.templateUrl;
    let text: Plain = body;
    if (body === undefined && typeof url === "string") {
        const object = stack.ofType(S3_BUCKET_OBJECT).find((candidate) => {
            const { bucket, key } = candidate.props;
            return typeof bucket === "string" && typeof key === "string" && url.startsWith(`https://${bucket}.s3.`) && url.endsWith(`/${key}`);
        });
        text = object?.props.content;
    } else if (body === undefined && url === UNKNOWN) {
        return UNKNOWN;
    }
    if (text === UNKNOWN) {
        return UNKNOWN;
    }
    if (typeof text !== "string") {
        return undefined;
    }
    try {
        const parsed = JSON.parse(text) as Plain;
        return isObject(parsed) ? parsed : undefined;
    } catch {
        return undefined;
    }
}

function clusterConfigurations(template: PlainObject): [string, Plain][] {
    const resources = template.Resources;
    if (!isObject(resources)) {
        return [];
    }
    return Object.entries(resources).flatMap(([logicalId, resource]): [string, Plain][] =>
        isObject(resource) && resource.Type === CLUSTER_RESOURCE_TYPE ? [[logicalId, isObject(resource.Properties) ? resource.Properties.ClusterConfiguration : undefined]] : [],
    );
}

/** What is wrong with a deployed configuration, or undefined when it is one of the rendered documents. */
function deployedProblem(configuration: Plain, rendered: Plain[] | typeof UNKNOWN): string | undefined {
    if (rendered === UNKNOWN) {
        return undefined;
    }
    if (!isObject(configuration)) {
        return "that is not a mapping (ParallelCluster's Lambda reads it as one)";
    }
    if (rendered.length === 0) {
        return "but this stack renders no ParallelCluster 3 configuration (pulumi-nodejs:dynamic/pcluster:ClusterConfiguration) to compare it with";
    }
    const differences = rendered.map((document) => firstDifference(document, configuration, ""));
    if (differences.some((difference) => difference === undefined)) {
        return undefined;
    }
    return `that differs from the rendered one at ${differences[0]}`;
}

/** The path of the first difference between two plain values, or undefined when they are equal. */
function firstDifference(expected: Plain, actual: Plain, path: string): string | undefined {
    if (Array.isArray(expected) && Array.isArray(actual)) {
        for (let index = 0; index < Math.max(expected.length, actual.length); index++) {
            const difference = firstDifference(expected[index], actual[index], `${path}[${index}]`);
            if (difference !== undefined) {
                return difference;
            }
        }
        return undefined;
    }
    if (isObject(expected) && isObject(actual)) {
        for (const key of [...new Set([...Object.keys(expected), ...Object.keys(actual)])]) {
            const difference = firstDifference(expected[key], actual[key], path === "" ? key : `${path}.${key}`);
            if (difference !== undefined) {
                return difference;
            }
        }
        return undefined;
    }
    return expected === actual ? undefined : path === "" ? "its top level" : path;
}
