/**
 * Builds the stand-in programs (fakeAws.ts, fakeLogger.ts) into executables: transpiled once to
 * plain JavaScript with a node shebang, so each call costs a node start, not a ts-node compile.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { readLines } from "./lines";

/** Paths of the built stand-ins. */
export interface StandIns {
    /** Stand-in AWS CLI; see fakeAws.ts for the environment it reads. */
    readonly aws: string;
    /** Stand-in syslog `logger`; see fakeLogger.ts. */
    readonly logger: string;
}

function build(source: string, target: string): string {
    const output = ts.transpileModule(readFileSync(source, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(target, `#!${process.execPath}\n${output.outputText}`);
    chmodSync(target, 0o755);
    return target;
}

/** Writes the stand-ins into `dir` and returns their paths. */
export function buildStandIns(dir: string): StandIns {
    return {
        aws: build(path.join(__dirname, "fakeAws.ts"), path.join(dir, "aws")),
        logger: build(path.join(__dirname, "fakeLogger.ts"), path.join(dir, "logger")),
    };
}

/** Each JSON line of a stand-in's record file, parsed; none when the stand-in never ran. */
export function recordedCalls(file: string): string[][] {
    return readLines(file).map((line) => JSON.parse(line) as string[]);
}
