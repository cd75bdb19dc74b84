/** Keys of the roster example (test/fixtures/roster-example.txt), comments included as the config has them. */
export const ED25519_ALICE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM alice@example.org";
export const ECDSA_ADAM =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPH2G9zCRDN+LBhCpC8a4x9WgBW0FaxjJP6B9CSg93kkkV4/k9CmcPU76gnjYHkWzyLTe+/kzjPBaqvLztlSa8Q= adam.black@example.org";
/** Alice's second key (her desktop), with a date in the example. */
export const ED25519_ALICE_DESKTOP = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILPd/CcN179iN9VSRy+FBe3D3lnRR1/uzE/pePdbEjJY alice@desktop";
/** The example's `agent` line: the SHA-256 of a stand-in agent ("#!/bin/bash\n# example agent\n"). */
export const EXAMPLE_AGENT_SHA256 = "e352d80b34edbff47ea56a571322f87b39aaf86cc72262d1d10bbc801d020b45";
/** The option lines the provider specs write: the program's defaults. */
export const EXAMPLE_OPTIONS = { homeKeys: "cluster", instanceConnect: false } as const;
