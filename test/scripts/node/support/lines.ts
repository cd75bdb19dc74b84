import { readFileSync } from "node:fs";

/** The non-empty lines of `file`; none when the file does not exist (the writer never ran). */
export function readLines(file: string): string[] {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
    }
    return text.split("\n").filter((line) => line !== "");
}
