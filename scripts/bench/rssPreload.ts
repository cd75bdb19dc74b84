/**
 * Preloaded (`node -r`) into each timed plan run: on exit, writes the process's peak resident set size
 * in KiB (`process.resourceUsage().maxRSS`) to the file named by PCA_BENCH_RSS_FILE. The plan ends with
 * process.exit, which still runs 'exit' listeners, so every run reports.
 */
import { writeFileSync } from "node:fs";

const target = process.env.PCA_BENCH_RSS_FILE;
if (target) {
    process.on("exit", () => writeFileSync(target, `${process.resourceUsage().maxRSS}\n`));
}
