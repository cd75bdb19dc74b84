/** Problems name a user entry by index and IAM user, `users[1] (bob)`, in what Pulumi and the plan print (issue 23 §5). */
import * as assert from "node:assert/strict";
import { labelUsers } from "../../components/config/userLabels";

describe("user entries in problems", () => {
    it("adds the IAM user to each users[i] in a problem's path and message, once, and leaves entries without one alone", () => {
        const users = [{ iamUser: "alice" }, { iamUser: "arn:aws:iam::123456789012:user/team/bob" }, { sshPublicKey: "x" }];
        assert.deepEqual(
            labelUsers(
                [
                    { path: "users[1].sshUsername", message: "'bob' is already the SSH username of users[0]. Set a unique users[1].sshUsername." },
                    { path: "users[2].iamUser", message: "is required." },
                    { path: "users[0] (alice).uid", message: "already labelled." },
                    { path: "cluster.queues[0].name", message: "no user here." },
                ],
                users,
            ),
            [
                { path: "users[1] (bob).sshUsername", message: "'bob' is already the SSH username of users[0] (alice). Set a unique users[1] (bob).sshUsername." },
                { path: "users[2].iamUser", message: "is required." },
                { path: "users[0] (alice).uid", message: "already labelled." },
                { path: "cluster.queues[0].name", message: "no user here." },
            ],
        );
        assert.deepEqual(labelUsers([{ path: "users[0].x", message: "m" }], undefined), [{ path: "users[0].x", message: "m" }]);
    });
});
