/**
 * AWS requests of the roster backend for the benchmark: the real Roster provider driven as `pulumi up`
 * / `pulumi refresh` would (diff first; update only when diff reports a change) against moto's S3 over
 * HTTP, every request counted by moto's own recorder. Writes are the requests that change S3 (PUT, POST,
 * DELETE); reads the others; signs the kms:Sign calls (moto's KMS, through moto_kms_digest.py).
 */
import { rosterProvider as provider, type RosterInputs, type RosterOutputs, type RosterUserInput } from "../../../components/access/roster/rosterResource";
import { ed25519PublicKey } from "../../support/keys";
import { startMotoS3 } from "../../support/motoS3";
import { EXAMPLE_AGENT_SHA256, EXAMPLE_OPTIONS } from "./support";

const REGION = "eu-west-1";
const BUCKET = "pca-bench-roster";

/** The operations measured, in table order. */
export const ROSTER_OPERATIONS = ["create", "noop", "rotateOne", "changeAll", "revokeOne", "refresh"] as const;
export type RosterOperation = (typeof ROSTER_OPERATIONS)[number];

export interface RequestCount {
    readonly writes: number;
    readonly reads: number;
    /** kms:Sign calls. */
    readonly signs: number;
    /** Every other KMS call (none expected: the public key reaches the provider as an input). */
    readonly otherKms: number;
}

export type RosterCallCounts = { readonly users: number } & Readonly<Record<RosterOperation, RequestCount>>;

function usersOf(count: number, keyFor: (i: number) => string, change: (user: RosterUserInput, i: number) => RosterUserInput = (user) => user): RosterUserInput[] {
    return Array.from({ length: count }, (_, i) =>
        change({ iamUser: `bench-user-${i + 1}`, name: `bench-user-${i + 1}`, state: "allowed", sudo: i === 0, keys: [keyFor(i)], groups: [] }, i),
    );
}

/** Measures one roster of `users` users: each operation's writes and reads. */
export async function measureRosterCalls(users: number): Promise<RosterCallCounts> {
    const motoS3 = await startMotoS3(REGION, BUCKET);
    const moto = motoS3.moto;
    try {
        const keys = Array.from({ length: users }, (_, i) => ed25519PublicKey(`bench-${i}`));
        const inputs = (list: RosterUserInput[]): RosterInputs => ({
            region: REGION,
            bucket: BUCKET,
            key: "roster.txt",
            environment: "bench",
            signingKeyArn: motoS3.signingKey.arn,
            publicKey: motoS3.signingKey.publicKey,
            range: { first: 2001, last: 60000 },
            agentSha256: EXAMPLE_AGENT_SHA256,
            options: EXAMPLE_OPTIONS,
            users: list,
            groups: [{ name: "project" }],
        });
        const counted = async <T>(phase: () => Promise<T>): Promise<[T, RequestCount]> => {
            await moto.startRecording();
            const result = await phase();
            const requests = (await moto.recordedRequests()).filter((request) => request.includes(`/${BUCKET}`));
            const writes = requests.filter((request) => /^(PUT|POST|DELETE) /.test(request)).length;
            const kms = await moto.recordedKmsActions();
            const signs = kms.filter((action) => action === "Sign").length;
            return [result, { writes, reads: requests.length - writes, signs, otherKms: kms.length - signs }];
        };
        /** `pulumi up` of one resource: diff, then update when it changed. */
        const up = async (olds: RosterOutputs, news: RosterInputs): Promise<RosterOutputs> => {
            const diff = await provider.diff!(`${BUCKET}/roster.txt`, olds, news);
            return diff.changes ? ((await provider.update!(`${BUCKET}/roster.txt`, olds, news)).outs as RosterOutputs) : olds;
        };

        const start = inputs(usersOf(users, (i) => keys[i]));
        const [created, create] = await counted(async () => (await provider.create!(start)).outs as RosterOutputs);
        const [, noop] = await counted(() => up(created, start));
        const rotated = inputs(usersOf(users, (i) => (i === 0 ? ed25519PublicKey("bench-rotated") : keys[i])));
        const [afterRotate, rotateOne] = await counted(() => up(created, rotated));
        // Every user changes at once: every key rotated, a second key with an end date and an end date on the
        // user (issue 16), every other user blocked, all in the project group.
        const all = inputs(
            usersOf(
                users,
                (i) => ed25519PublicKey(`bench-all-${i}`),
                (user, i) => ({ ...user, keys: [...user.keys, { key: keys[i], expires: "2099-06-30" }], expires: "2099-12-31", state: i % 2 === 1 ? "blocked" : "allowed", groups: ["project"] }),
            ),
        );
        const [afterAll, changeAll] = await counted(() => up(afterRotate, all));
        const revoked = inputs(all.users.map((user, i) => (i === users - 1 ? { ...user, state: "revoked" } : user)));
        const [afterRevoke, revokeOne] = await counted(() => up(afterAll, revoked));
        const [, refresh] = await counted(() => provider.read!(`${BUCKET}/roster.txt`, afterRevoke));
        return { users, create, noop, rotateOne, changeAll, revokeOne, refresh };
    } finally {
        await motoS3.close();
    }
}
