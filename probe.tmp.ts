import { writeFileSync } from "node:fs";
import { MATRIX, renderMatrix } from "./test/support/clusterMatrix";
Object.entries(MATRIX).forEach(([title, shape], i) => {
    const r = renderMatrix(shape);
    const file = `/tmp/pcvalid/matrix/${String(i).padStart(2, "0")}-${title.replace(/[^a-zA-Z0-9]+/g, "_")}`;
    if (r.ok) writeFileSync(`${file}.${shape.format === "v2" ? "ini" : "yaml"}`, r.text);
    else writeFileSync(`${file}.refused`, r.problems.join("\n") + "\n");
});
