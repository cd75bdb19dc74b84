/**
 * Builds the stand-in programs (fakeAws.ts, fakeLogger.ts) into executables: transpiled once to
 * plain JavaScript with a node shebang, so each call costs a node start, not a ts-node compile.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** Suite hooks: the stand-ins built once into a temporary directory before the suite, removed after; call the result inside a test. */
export function useStandIns(): () => StandIns {
    let dir = "";
    let built: StandIns | undefined;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-standins-"));
        built = buildStandIns(dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    return () => {
        if (built === undefined) {
            throw new Error("useStandIns: the stand-ins are built in the suite's before hook");
        }
        return built;
    };
}

/** Each JSON line of a stand-in's record file, parsed; none when the stand-in never ran. */
export function recordedCalls(file: string): string[][] {
    return readLines(file).map((line) => JSON.parse(line) as string[]);
}
