/**
 * The roster (token pulumi-nodejs:dynamic/roster:Roster): the users' UIDs and the project groups' GIDs,
 * allocated from the previous allocation kept in this resource's state, and the roster document written
 * as one S3 object in the environment's bucket. What it writes is planned by planner.ts (pure); the object's
 * lifecycle is the one every owned object shares (components/s3Object.ts).
 *
 * - Any number of user or group changes is one kms:Sign and one PutObject; a `pulumi up` that changes
 *   nothing signs and writes nothing (decided in `diff`, with no call). The document is signed with the
 *   environment's KMS key (signing.ts) and checked against the public key the nodes get before it is
 *   written: a signature the nodes would refuse is never written. A new signing key re-signs.
 * - A refresh reads the object back: a deleted object shows as gone and the next `up` writes it again.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Allocation, IdRange } from "./allocation";
import { sha256, type RosterOptions } from "./document";
import { contentFingerprint, nextDocument, planRoster, type RosterClusterInput, type RosterInputs, type RosterUserInput } from "./planner";
import { kmsSigner, signDocument } from "./signing";
import { deleteObject, locationFailures, locationReplaces, objectUrl, putObject, readObject } from "../../s3Object";

export { ROSTER_TYPE, type RosterInputs, type RosterUserInput } from "./planner";

export interface RosterArgs {
    readonly region: pulumi.Input<string>;
    readonly bucket: pulumi.Input<string>;
    readonly key: pulumi.Input<string>;
    /** The environment's name: the document's `environment` line, which the agents compare with their own. */
    readonly environment: pulumi.Input<string>;
    /** ARN of the environment's KMS signing key (RosterSigningKey): every document is signed with it. */
    readonly signingKeyArn: pulumi.Input<string>;
    /** Its public key as the nodes get it (base64 DER SubjectPublicKeyInfo): each signature is checked with it before the write. */
    readonly publicKey: pulumi.Input<string>;
    readonly range: pulumi.Input<IdRange>;
    readonly users: pulumi.Input<pulumi.Input<RosterUserInput>[]>;
    readonly groups: pulumi.Input<{ name: string; gid?: number }[]>;
    /** The document's `agent` line: lowercase hex SHA-256 of the agent object at AGENT_KEY (agentBundle().sha256). */
    readonly agentSha256: pulumi.Input<string>;
    /** The document's `option` lines. */
    readonly options: pulumi.Input<RosterOptions>;
    /** SDK attempts per S3 and KMS call. Default 3. */
    readonly maxAttempts?: pulumi.Input<number>;
    /** A pool's roster: one document per cluster (planner.ts RosterClusterInput), none at `key`. */
    readonly clusters?: pulumi.Input<RosterClusterInput[]>;
}

export interface RosterOutputs extends RosterInputs {
    readonly allocation: Allocation;
    readonly generation: number;
    /** contentFingerprint of what was written: `diff` compares it, so an unchanged roster writes nothing. */
    readonly contentSha256: string;
    /** SHA-256 of the document written, signature line included (its `end` line's value covers all before that line). */
    readonly documentSha256: string;
    /** `s3://bucket/key`. */
    readonly url: string;
    readonly versionId: string;
    /** A pool's roster: each cluster's document as written. */
    readonly documents?: readonly { readonly key: string; readonly url: string; readonly versionId: string }[];
}

async function writeRoster(news: RosterInputs, previous: RosterOutputs | undefined): Promise<RosterOutputs> {
    const { planned, generation, documents } = nextDocument(previous, news);
    const signer = kmsSigner(news.region, news.signingKeyArn, news.maxAttempts ?? 3);
    // Every document signed before any is written: a failed Sign (a disabled or deleted key) leaves the last ones in place.
    const signed = await Promise.all(documents.map(async (document) => ({ ...document, text: await signDocument(document.text, signer, news.publicKey, news.signingKeyArn) })));
    const written = await Promise.all(signed.map(async (document) => ({ key: document.key, ...(await putObject({ ...news, key: document.key }, document.text, "text/plain; charset=us-ascii")) })));
    // A cluster that left the pool: its document goes (a delete marker); its nodes then change nothing (a failed fetch is doubt).
    const kept = new Set(written.map((document) => document.key));
    await Promise.all((previous?.documents ?? []).filter((document) => !kept.has(document.key)).map((document) => deleteObject({ ...news, key: document.key })));
    const outputs = { ...news, allocation: planned.allocation, generation, contentSha256: contentFingerprint(planned), documentSha256: sha256(signed.map((document) => document.text).join("")) };
    return news.clusters === undefined
        ? { ...outputs, url: written[0].url, versionId: written[0].versionId }
        : { ...outputs, url: objectUrl(news), versionId: "", documents: written };
}

/** Where the provider's documents are: the one at `key`, or a pool's per cluster. */
function documentLocations(props: RosterOutputs) {
    return props.documents === undefined ? [props] : props.documents.map((document) => ({ ...props, key: document.key }));
}

export const rosterProvider: pulumi.dynamic.ResourceProvider<RosterInputs, RosterOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = locationFailures(news);
        for (const property of ["environment", "signingKeyArn", "publicKey"] as const) {
            if (typeof news[property] !== "string" || news[property] === "") {
                failures.push({ property, reason: `${property} must be a non-empty string` });
            }
        }
        if (!Array.isArray(news.users)) {
            failures.push({ property: "users", reason: "users must be a list" });
        }
        if (typeof news.agentSha256 !== "string" || !/^[0-9a-f]{64}$/.test(news.agentSha256)) {
            failures.push({ property: "agentSha256", reason: "agentSha256 must be the lowercase hex SHA-256 of the agent object (agentBundle().sha256)" });
        }
        const options = news.options as Partial<RosterOptions> | undefined;
        if (!options || !["cluster", "anywhere"].includes(options.homeKeys as string) || typeof options.instanceConnect !== "boolean") {
            failures.push({ property: "options", reason: 'options must be { homeKeys: "cluster" | "anywhere", instanceConnect: boolean }' });
        }
        return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
        const replaces = locationReplaces(olds, news);
        // planRoster throws the data-safety and allocation problems here, so a preview shows them before any write.
        const changed = contentFingerprint(planRoster(olds, news)) !== olds.contentSha256;
        // Another key (a rotation, or a state written before signing): the document is signed again.
        const resign = olds.signingKeyArn !== news.signingKeyArn || olds.publicKey !== news.publicKey;
        return { changes: replaces.length > 0 || changed || resign || olds.maxAttempts !== news.maxAttempts, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        return { id: `${inputs.bucket}/${inputs.key}`, outs: await writeRoster(inputs, undefined) };
    },

    async read(id, state) {
        if (state === undefined) {
            throw new Error(`cannot read the roster ${id} without its state; pulumi import is not supported`);
        }
        const props: RosterOutputs = state;
        const found = await Promise.all(documentLocations(props).map((location) => readObject(location, false)));
        // One deleted by hand: gone, and the next `up` writes them again (with a higher generation).
        if (found.some((document) => document === undefined)) {
            return { id: "", props: {} as RosterOutputs };
        }
        return props.documents === undefined
            ? { id, props: { ...props, versionId: found[0]?.versionId ?? props.versionId } }
            : { id, props: { ...props, documents: props.documents.map((document, d) => ({ ...document, versionId: found[d]?.versionId ?? document.versionId })) } };
    },

    async update(_id, olds, news) {
        return { outs: await writeRoster(news, olds) };
    },

    async delete(_id, props) {
        // Versioned bucket: a delete marker; the agents refuse a failed fetch and change nothing.
        await Promise.all(documentLocations(props).map((location) => deleteObject(location)));
    },
};

export class Roster extends pulumi.dynamic.Resource {
    declare readonly allocation: pulumi.Output<Allocation>;
    declare readonly generation: pulumi.Output<number>;
    declare readonly url: pulumi.Output<string>;
    declare readonly versionId: pulumi.Output<string>;

    constructor(name: string, args: RosterArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            rosterProvider,
            name,
            { allocation: undefined, generation: undefined, contentSha256: undefined, documentSha256: undefined, url: undefined, versionId: undefined, documents: undefined, ...args },
            opts,
            "roster",
            "Roster",
        );
    }
}
