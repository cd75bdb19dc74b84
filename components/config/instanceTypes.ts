/**
 * The form of an EC2 instance type, checked offline: FAMILY.SIZE, the family a series letter with a
 * generation digit and attributes (t3, c5n, m7i-flex, u-6tb1, mac2-m2pro), the size one EC2 uses. Sizes:
 * nano through xlarge, Nxlarge, metal and metal-Nxl (the `aws ec2 describe-instance-types` list: e.g.
 * m7i.metal-24xl, c5n.18xlarge, t4g.nano). Whether the region offers a well-formed type is asked of AWS in a
 * real preview (components/cluster/instanceTypeOfferings.ts).
 */

const FAMILY = /^[a-z][a-z0-9-]*$/;
const SIZE = /^(?:nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal|metal-[1-9]\d*xl)$/;
const NAMED_SIZES = ["nano", "micro", "small", "medium", "large", "xlarge", "metal"];

export const INSTANCE_TYPE_EXAMPLE = "such as t3.large or c5n.18xlarge";

/** Why `value` is not an EC2 instance type (the message after the key path), or undefined when its form is one. */
export function instanceTypeProblem(value: string): string | undefined {
    const dot = value.indexOf(".");
    const family = value.slice(0, dot);
    const size = value.slice(dot + 1);
    if (dot < 0 || !FAMILY.test(family) || !/\d/.test(family) || size.includes(".")) {
        return `must be an EC2 instance type ${INSTANCE_TYPE_EXAMPLE}`;
    }
    if (SIZE.test(size)) {
        return undefined;
    }
    const suggestion = suggestSize(size);
    return (
        `'${value}' is not an EC2 instance type: '${size}' is no size EC2 has (nano, micro, small, medium, large, xlarge, 2xlarge ... 48xlarge, metal). ` +
        (suggestion === undefined ? `Give an instance type ${INSTANCE_TYPE_EXAMPLE}` : `Did you mean ${family}.${suggestion}?${/^\d*xl$/.test(size) ? ` (${size} is ParallelCluster's short form in compute resource names; the instance type spells out ${suggestion})` : ""}`)
    );
}

/** The size meant by a mistyped one: `18xl` is `18xlarge`; otherwise the nearest size within two edits. */
function suggestSize(size: string): string | undefined {
    const short = /^(\d*)xl$/.exec(size);
    if (short !== null) {
        return `${short[1]}xlarge`;
    }
    const digits = /^\d+/.exec(size)?.[0];
    const candidates = digits === undefined ? NAMED_SIZES : [`${digits}xlarge`];
    let best: { size: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = editDistance(size, candidate);
        if (distance <= 2 && (best === undefined || distance < best.distance)) {
            best = { size: candidate, distance };
        }
    }
    return best?.size;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each count one. */
function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}
