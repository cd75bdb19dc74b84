/**
 * A dynamic resource that stores the rendered cluster configuration as an S3 object. Besides the text it
 * carries the structured document as an input, so policies can read the IAM policies, script and
 * arguments of every node during a preview, when the text (built from outputs not yet known) is not.
 * A refresh reads the object back, so a hand edit in S3 shows as drift and the next `up` restores it;
 * earlier versions stay in the versioned bucket (the lifecycle every owned object shares: components/s3Object.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { deleteObject, locationFailures, locationReplaces, putObject, readObject } from "../s3Object";

export const STORED_CONFIGURATION_TYPE = "pulumi-nodejs:dynamic/pcluster:ClusterConfiguration";

export interface StoredConfigurationArgs {
    readonly region: pulumi.Input<string>;
    readonly bucket: pulumi.Input<string>;
    readonly key: pulumi.Input<string>;
    readonly format: pulumi.Input<"v2" | "v3">;
    /** The rendered file, exactly as `pcluster create-cluster` will read it. */
    readonly text: pulumi.Input<string>;
    /** The same configuration as a structure (v3: the YAML document; v2: ordered INI sections). */
    readonly document: pulumi.Input<unknown>;
    /** SDK attempts per S3 call. Default 3. */
    readonly maxAttempts?: pulumi.Input<number>;
    /** What the deployed cluster got last time (policies compare it with `text`); not written anywhere. */
    readonly deployedText?: pulumi.Input<string | undefined>;
}

/** Inputs as the provider receives them, resolved. */
export interface StoredConfigurationInputs {
    readonly region: string;
    readonly bucket: string;
    readonly key: string;
    readonly format: "v2" | "v3";
    readonly text: string;
    readonly document: unknown;
    readonly maxAttempts?: number;
    readonly deployedText?: string;
}

export interface StoredConfigurationOutputs extends StoredConfigurationInputs {
    /** `s3://bucket/key`. */
    readonly url: string;
    /** The S3 version the last write created. */
    readonly versionId: string;
}

/** PutObject of the text; create and update alike. */
async function writeObject(inputs: StoredConfigurationInputs): Promise<StoredConfigurationOutputs> {
    return { ...inputs, ...(await putObject(inputs, inputs.text, inputs.format === "v3" ? "application/yaml" : "text/plain")) };
}

export const storedConfigurationProvider: pulumi.dynamic.ResourceProvider<StoredConfigurationInputs, StoredConfigurationOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = locationFailures(news);
        if (typeof news.text !== "string" || news.text === "") {
            failures.push({ property: "text", reason: "text must be a non-empty string" });
        }
        if (news.format !== "v2" && news.format !== "v3") {
            failures.push({ property: "format", reason: "format must be v2 or v3" });
        }
        return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
        const replaces = locationReplaces(olds, news);
        const changed = replaces.length > 0 || olds.text !== news.text || olds.format !== news.format || olds.maxAttempts !== news.maxAttempts;
        return { changes: changed, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        return { id: `${inputs.bucket}/${inputs.key}`, outs: await writeObject(inputs) };
    },

    async read(id, state) {
        if (state === undefined) {
            throw new Error(`cannot read the stored cluster configuration ${id} without its state; pulumi import is not supported`);
        }
        const props: StoredConfigurationOutputs = state;
        const found = await readObject(props, true);
        // Deleted by hand: an empty id tells Pulumi the resource is gone, and the next `up` recreates it.
        return found === undefined ? { id: "", props: {} as StoredConfigurationOutputs } : { id, props: { ...props, text: found.text ?? "", versionId: found.versionId ?? props.versionId } };
    },

    async update(_id, _olds, news) {
        return { outs: await writeObject(news) };
    },

    async delete(_id, props) {
        // The bucket is versioned: this adds a delete marker and keeps every earlier configuration.
        await deleteObject(props);
    },
};

export class StoredConfiguration extends pulumi.dynamic.Resource {
    declare readonly url: pulumi.Output<string>;
    declare readonly text: pulumi.Output<string>;
    declare readonly versionId: pulumi.Output<string>;

    constructor(name: string, args: StoredConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
        super(storedConfigurationProvider, name, { url: undefined, versionId: undefined, ...args }, opts, "pcluster", "ClusterConfiguration");
    }
}
