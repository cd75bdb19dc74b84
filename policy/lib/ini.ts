/**
 * INI text as ParallelCluster 2 (Python's configparser) reads it: `{ section: { key: value } }`. The
 * `ini` package treats dots in section names as nesting (`[compute_resource c5n.18xl]` becomes
 * `compute_resource c5n` > `18xl`); configparser does not, so nested objects are folded back into
 * dotted section names. The package removes surrounding double quotes from values.
 */
import * as ini from "ini";

export type IniSections = Record<string, Record<string, string>>;

export function parseIniSections(text: string): IniSections {
    const sections: IniSections = {};
    const visit = (name: string, value: Record<string, unknown>) => {
        for (const [key, child] of Object.entries(value)) {
            if (child !== null && typeof child === "object" && !Array.isArray(child)) {
                visit(name === "" ? key : `${name}.${key}`, child as Record<string, unknown>);
            } else {
                (sections[name] ??= {})[key] = String(child);
            }
        }
    };
    visit("", ini.parse(text));
    return sections;
}
