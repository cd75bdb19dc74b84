/** The status command's text: one line per node, then the summary and the stragglers. */
import { ago, progressLine, stragglerLine, type FleetReport } from "../../components/access/roster/nodeStatus";
import { formatTable } from "../bench/table";

export function formatStatus(report: FleetReport & { readonly environment: string }, cluster: string, now: number): string {
    const table = formatTable({
        title: `Nodes of cluster ${cluster} (environment ${report.environment}): roster generation ${report.expected.generation}, agent ${report.expected.agentSha256.slice(0, 12)}`,
        columns: ["instance", "type", "state", "generation", "agent", "last seen", "last failure", "flags"],
        rows: report.rows.map((row) => [
            row.instanceId,
            row.nodeType,
            row.state,
            row.generation === null ? "-" : String(row.generation),
            row.agentSha256 === null ? "-" : row.agentSha256.slice(0, 12),
            row.lastSeen === null ? "never" : `${ago(row.lastSeen, now)} ago`,
            row.lastFailure ?? "-",
            row.flags.length === 0 ? "-" : row.flags.join(", "),
        ]),
    });
    const lines = [table, "", progressLine(report)];
    if (report.behind.length > 0) {
        lines.push(`${report.behind.length} behind:`, ...report.behind.map((row) => `  ${stragglerLine(row, now)}`));
    }
    if (report.ignored.length > 0) {
        lines.push(`${report.ignored.length} status objects ignored:`, ...report.ignored.map((problem) => `  ${problem}`));
    }
    return `${lines.join("\n")}\n`;
}
