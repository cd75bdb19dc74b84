/**
 * Renders the ParallelCluster configuration from the validated settings and the other components'
 * outputs: a structured document (Pulumi inputs as leaves, so what is known during a preview stays known
 * for the policies) and its text (YAML for v3, INI for v2).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings } from "../../config/model";
import { serializeV2, serializeV3, type ResolvedIniSection, type ResolvedV3Document } from "./serialize";
import { buildV2Sections, type IniSection } from "./v2Document";
import { buildV3Document, type V3Node } from "./v3Document";
import type { ClusterWiring } from "./wiring";

export type { ClusterWiring } from "./wiring";

export type RenderedConfiguration =
    | { readonly format: "v3"; readonly document: V3Node; readonly text: pulumi.Output<string> }
    | { readonly format: "v2"; readonly document: IniSection[]; readonly text: pulumi.Output<string> };

export function renderClusterConfiguration(cluster: ClusterSettings, wiring: ClusterWiring): RenderedConfiguration {
    if (cluster.format === "v2") {
        const document = buildV2Sections(cluster, wiring);
        const text = pulumi.output(document).apply((sections) => serializeV2(sections as unknown as ResolvedIniSection[]));
        return { format: "v2", document, text };
    }
    const document = buildV3Document(cluster, wiring);
    const text = pulumi.output(document).apply((resolved) => serializeV3(resolved as ResolvedV3Document, wiring.access.imds?.reason));
    return { format: "v3", document, text };
}

/** The file name the configuration is stored and written under. */
export function configurationFileName(format: "v2" | "v3"): string {
    return format === "v2" ? "cluster-config.ini" : "cluster-config.yaml";
}
