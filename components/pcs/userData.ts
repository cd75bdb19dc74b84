/**
 * A PCS node group's launch template user data: a MIME multi-part archive (PCS merges it with its own parts,
 * so it must be one: PCS user guide, "Working with Amazon EC2 user data") whose one text/x-shellscript part
 * is scripts/node/pcs-node.sh with its settings prepended. Pure: the plan writes what it returns to
 * out/<stack>/, and the node tests run its shell part as cloud-init would.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { PcsHomesSettings } from "../config/model";

export const PCS_NODE_SCRIPT = path.join(__dirname, "..", "..", "scripts", "node", "pcs-node.sh");

/** The MIME boundary: a line no part contains (the script has no line starting with two dashes and this text). */
export const USER_DATA_BOUNDARY = "==PCLUSTER-ACCESS-BOUNDARY==";

export type PcsNodeType = "LoginNode" | "ComputeFleet";

/** What /home is mounted from: EFS over NFS 4.1, or FSx for Lustre. */
export interface HomeMount {
    readonly fstype: "nfs4" | "lustre";
    /** mount(8)'s source: `fs-ID.efs.REGION.amazonaws.com:/` or `DNSNAME@tcp:/MOUNTNAME`. */
    readonly source: string;
}

/** The home mount of `homes`, once a created file system's id is known (`createdFileSystemId`). */
export function homeMount(homes: PcsHomesSettings, region: string, createdFileSystemId?: string): HomeMount {
    switch (homes.mode) {
        case "fsx-lustre":
            return { fstype: "lustre", source: `${homes.dnsName}@tcp:/${homes.mountName}` };
        case "efs":
            return { fstype: "nfs4", source: `${homes.fileSystemId}.efs.${region}.amazonaws.com:/` };
        case "create":
            if (createdFileSystemId === undefined) {
                throw new Error("homeMount: the created EFS file system's id is needed");
            }
            return { fstype: "nfs4", source: `${createdFileSystemId}.efs.${region}.amazonaws.com:/` };
    }
}

export interface NodeUserDataArgs {
    readonly nodeType: PcsNodeType;
    readonly region: string;
    readonly home: HomeMount;
    /** The six words post-install's roster mode takes (NodeAccess.postInstallArgs, resolved). */
    readonly words: readonly string[];
}

/** Single-quoted for bash. */
function quoted(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The shell part: pcs-node.sh with its settings exported first. */
export function nodeScript(args: NodeUserDataArgs): string {
    const [mode, , agentUrl] = args.words;
    if (args.words.length !== 6 || mode !== "roster") {
        throw new Error(`nodeScript: expected the six words of roster mode, got ${args.words.length}`);
    }
    const settings: [string, string][] = [
        ["PCA_NODE_TYPE", args.nodeType],
        ["PCA_REGION", args.region],
        // Login nodes own home creation on PCS (no head node), under a lock on the shared file system.
        ["PCA_HOMES", args.nodeType === "LoginNode" ? "locked" : ""],
        ["PCA_HOME_FSTYPE", args.home.fstype],
        ["PCA_HOME_SOURCE", args.home.source],
        ["PCA_AGENT_URL", agentUrl],
        ["PCA_SETUP_WORDS", args.words.join(" ")],
    ];
    const body = readFileSync(PCS_NODE_SCRIPT, "utf8").replace(/^#!.*\n/, "");
    return ["#!/bin/bash", "# Settings written by pcluster-access (components/pcs/userData.ts).", ...settings.map(([name, value]) => `export ${name}=${quoted(value)}`), body].join("\n");
}

/** The whole user data: MIME-Version, the multipart header and the one shell part. */
export function nodeUserData(args: NodeUserDataArgs): string {
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${USER_DATA_BOUNDARY}"`,
        "",
        `--${USER_DATA_BOUNDARY}`,
        'Content-Type: text/x-shellscript; charset="us-ascii"',
        "MIME-Version: 1.0",
        "",
        nodeScript(args).replace(/\n$/, ""),
        "",
        `--${USER_DATA_BOUNDARY}--`,
        "",
    ].join("\n");
}
