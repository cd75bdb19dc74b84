/**
 * Where the status command looks: the region, the cluster and its sync interval from the stack config
 * (Pulumi.<stack>.yaml, as the plan reads it), the bucket from a flag or from a `pulumi stack export` of
 * the stack (its `access` output names the roster's URL). No Pulumi CLI is needed.
 */
import { readFileSync } from "node:fs";
import { readStackConfig } from "../offline/stackConfig";

export class StatusArgsError extends Error {}

export interface StatusTarget {
    readonly region: string;
    readonly bucket: string;
    readonly rosterKey: string;
    readonly cluster: string;
    readonly syncIntervalSeconds: number;
}

export interface StatusFlags {
    readonly stack: string;
    readonly configFile?: string;
    readonly projectFile?: string;
    readonly bucket?: string;
    readonly state?: string;
    readonly region?: string;
    readonly cluster?: string;
}

/** `s3://bucket/key` of the roster, from a `pulumi stack export` file's root stack outputs (`access.rosterUrl`). */
export function rosterUrlFromExport(file: string): string {
    let exported: { deployment?: { resources?: { type?: string; outputs?: { access?: { rosterUrl?: unknown } } }[] } };
    try {
        exported = JSON.parse(readFileSync(file, "utf8")) as typeof exported;
    } catch (error) {
        throw new StatusArgsError(`--state ${file}: cannot be read as JSON (${(error as Error).message}). Give the file \`pulumi stack export --file FILE\` writes.`);
    }
    const stack = exported.deployment?.resources?.find((resource) => resource.type === "pulumi:pulumi:Stack");
    const url = stack?.outputs?.access?.rosterUrl;
    if (typeof url !== "string") {
        throw new StatusArgsError(`--state ${file}: its stack has no access.rosterUrl output (the roster backend's). Is it a stack of this program with access.backend: roster?`);
    }
    return url;
}

export function resolveTarget(flags: StatusFlags): StatusTarget {
    const configFile = flags.configFile ?? `Pulumi.${flags.stack}.yaml`;
    const { project, config } = readStackConfig(flags.projectFile ?? "Pulumi.yaml", configFile);
    const section = (name: string): Record<string, unknown> => {
        const raw = config[`${project}:${name}`];
        return raw === undefined ? {} : ((JSON.parse(raw) ?? {}) as Record<string, unknown>);
    };
    const backend = section("access").backend ?? "roster";
    if (backend !== "roster") {
        throw new StatusArgsError(`${configFile}: access.backend is ${String(backend)}; node status is the roster backend's (OpsWorks lists its instances in its own console).`);
    }
    const region = flags.region ?? config["aws:region"];
    if (region === undefined || region === "") {
        throw new StatusArgsError(`${configFile}: no aws:region. Set it in the stack config, or pass --region.`);
    }
    const clusterName = section("cluster").name;
    const cluster = flags.cluster ?? (typeof clusterName === "string" ? clusterName : undefined);
    if (cluster === undefined) {
        throw new StatusArgsError(`${configFile}: no cluster.name. Set it, or pass --cluster NAME (the cluster's parallelcluster:cluster-name tag).`);
    }
    const interval = section("roster").syncIntervalSeconds;
    const url = flags.bucket === undefined ? (flags.state === undefined ? undefined : rosterUrlFromExport(flags.state)) : `s3://${flags.bucket}/roster.txt`;
    if (url === undefined) {
        throw new StatusArgsError(
            "which bucket? The bucket's name is made by Pulumi and lives in the stack's state: pass --bucket NAME " +
                "(`pulumi stack output access` shows it in rosterUrl), or --state FILE written by `pulumi stack export --file FILE`.",
        );
    }
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    if (match === null) {
        throw new StatusArgsError(`the roster URL '${url}' is not s3://BUCKET/KEY.`);
    }
    return { region, bucket: match[1], rosterKey: match[2], cluster, syncIntervalSeconds: typeof interval === "number" ? interval : 60 };
}
