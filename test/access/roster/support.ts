/** Keys of the roster example (test/fixtures/roster-example.txt), comments included as the config has them. */
export const ED25519_ALICE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM alice@example.org";
export const ECDSA_ADAM =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPH2G9zCRDN+LBhCpC8a4x9WgBW0FaxjJP6B9CSg93kkkV4/k9CmcPU76gnjYHkWzyLTe+/kzjPBaqvLztlSa8Q= adam.black@example.org";
