/**
 * The node agent as the nodes fetch it: one object at AGENT_KEY, a tar of scripts/node/roster-agent.sh and
 * scripts/node/agent/*.sh (the entry script and its parts, one job a file). Built here, byte for byte the
 * same from the same files (names sorted, owner 0, mtime 0, fixed modes), so its SHA-256 only changes when
 * the agent does: the roster document names that hash on its `agent` line and a running agent that differs
 * fetches, checks and installs this object (scripts/node/agent/install.sh). POSIX ustar, which GNU tar
 * (every ParallelCluster image) reads.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** Where the agent's files live in this repository. */
export const AGENT_SOURCE_DIR = path.join(__dirname, "..", "..", "..", "scripts", "node");
const ENTRY = "roster-agent.sh";
const PARTS = "agent";

export interface AgentBundle {
    /** The tar's bytes, as uploaded. */
    readonly bytes: Buffer;
    /** Lowercase hex SHA-256 of `bytes`: the document's `agent` line. */
    readonly sha256: string;
    /** The members, in the tar's order. */
    readonly members: readonly string[];
}

/** Builds the bundle from `dir` (default: this repository's scripts/node). */
export function agentBundle(dir: string = AGENT_SOURCE_DIR): AgentBundle {
    const parts = readdirSync(path.join(dir, PARTS)).filter((name) => name.endsWith(".sh")).sort();
    const entries: TarEntry[] = [
        { name: ENTRY, mode: 0o755, content: readFileSync(path.join(dir, ENTRY)) },
        { name: `${PARTS}/`, mode: 0o755 },
        ...parts.map((name) => ({ name: `${PARTS}/${name}`, mode: 0o644, content: readFileSync(path.join(dir, PARTS, name)) })),
    ];
    const bytes = tar(entries);
    return { bytes, sha256: createHash("sha256").update(bytes).digest("hex"), members: entries.map((e) => e.name) };
}

/** A file (with content) or a directory (without). */
export interface TarEntry {
    readonly name: string;
    readonly mode: number;
    readonly content?: Buffer;
}

const BLOCK = 512;

/** A ustar archive of `entries`: a header block per entry, the content padded to whole blocks, two zero blocks. */
export function tar(entries: readonly TarEntry[]): Buffer {
    const blocks: Buffer[] = [];
    for (const entry of entries) {
        const size = entry.content?.length ?? 0;
        blocks.push(header(entry.name, entry.mode, size, entry.content === undefined ? "5" : "0"));
        if (entry.content !== undefined) {
            blocks.push(entry.content, Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK));
        }
    }
    blocks.push(Buffer.alloc(2 * BLOCK));
    return Buffer.concat(blocks);
}

function header(name: string, mode: number, size: number, type: "0" | "5"): Buffer {
    if (Buffer.byteLength(name) > 100) throw new Error(`tar member name over 100 bytes: ${name}`);
    const block = Buffer.alloc(BLOCK);
    const put = (offset: number, length: number, value: string): void => {
        block.write(value, offset, length, "ascii");
    };
    // Numeric fields: octal, zero-padded, NUL-terminated (POSIX ustar).
    const octal = (offset: number, length: number, value: number): void => put(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
    put(0, 100, name);
    octal(100, 8, mode);
    octal(108, 8, 0); // uid
    octal(116, 8, 0); // gid
    octal(124, 12, size);
    octal(136, 12, 0); // mtime: the epoch, so the bytes do not depend on when or where the bundle was built
    put(148, 8, "        "); // the checksum field counts as spaces while the checksum is summed
    put(156, 1, type);
    put(257, 6, "ustar\0");
    put(263, 2, "00");
    put(265, 32, "root");
    put(297, 32, "root");
    let sum = 0;
    for (const byte of block) sum += byte;
    put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    return block;
}
