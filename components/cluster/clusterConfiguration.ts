/**
 * The ParallelCluster configuration of this environment, rendered from the other components' outputs
 * and stored in the environment's bucket, where `pcluster create-cluster` and the policy pack read it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings } from "../config/model";
import { configurationFileName, renderClusterConfiguration, type ClusterWiring, type RenderedConfiguration } from "./render";
import { StoredConfiguration } from "./storedConfiguration";
import { checkInstanceTypesOffered } from "./instanceTypeOfferings";

export interface ClusterConfigurationArgs {
    /** Validated cluster settings; decide the document's shape, so plain values. */
    readonly cluster: ClusterSettings;
    /** Values from the network, OpsWorks stack and post-install asset components. */
    readonly wiring: ClusterWiring;
    /** Bucket the configuration is stored in. */
    readonly bucket: pulumi.Input<string>;
    /** The text the deployed cluster got last time, for the policies to compare with; undefined when none. */
    readonly deployedText?: pulumi.Input<string | undefined>;
}

export class ClusterConfiguration extends pulumi.ComponentResource {
    /** The configuration file's text (YAML for v3, INI for v2). */
    readonly text: pulumi.Output<string>;
    /** `s3://bucket/cluster-config.yaml` (or .ini). */
    readonly url: pulumi.Output<string>;
    readonly fileName: string;
    /** The structured document the text is rendered from (what the policies and the cluster stack read). */
    readonly document: RenderedConfiguration["document"];

    constructor(name: string, args: ClusterConfigurationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:cluster:ClusterConfiguration", name, {}, opts);
        const rendered = renderClusterConfiguration(args.cluster, args.wiring);
        // The text waits on AWS saying the region offers every instance type, so a preview stops on one it does not.
        const offered = checkInstanceTypesOffered(args.cluster, args.wiring.region, this);
        const text = pulumi.all([rendered.text, offered]).apply(([checked]) => checked);
        this.fileName = configurationFileName(rendered.format);
        const stored = new StoredConfiguration(
            `${name}-object`,
            {
                region: args.wiring.region,
                bucket: args.bucket,
                key: this.fileName,
                format: rendered.format,
                text,
                document: rendered.document,
                ...(args.deployedText === undefined ? {} : { deployedText: args.deployedText }),
            },
            { parent: this },
        );
        this.text = text;
        this.document = rendered.document;
        this.url = stored.url;
        this.registerOutputs({ text: this.text, url: this.url });
    }
}
