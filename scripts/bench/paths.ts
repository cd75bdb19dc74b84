/** Where the bench finds the repository it measures. */
import * as path from "node:path";

/** The repository root (scripts/bench/ is two levels below it). */
export const REPO_ROOT = path.join(__dirname, "..", "..");
