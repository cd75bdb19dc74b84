# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the login audit trail's node half.
# sshd logs each login as `Accepted publickey for NAME from ADDR port P ssh2: TYPE SHA256:FP`; once per applied
# generation the agent logs which SHA256 fingerprint is which user's key, one line a key:
#   key SHA256:FP user NAME generation N
# so a CloudWatch Logs query joins the two (docs/node-status.md), and the plan's user table joins NAME to the IAM user.
# The table is the same on every node of a generation, so only the head node and login nodes log it (where users
# arrive from outside); a compute node's sshd lines join with theirs.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# log_key_fingerprints: the lines above for the generation just applied (doc_generation, user_names, user_keys),
# fingerprinted by one ssh-keygen run (-E sha256: OpenSSH 6.8 and later, so every target AMI). A failure is a
# warning: the accounts are applied, only the audit table is missing.
log_key_fingerprints() {
    local name days type blob list="$PCA_STATE_DIR/keys.pub" out bits fingerprint rest count=0
    [[ "$PCA_NODE_TYPE" != ComputeFleet ]] || return 0
    : >"$list"
    for name in "${user_names[@]}"; do
        [[ "${user_state[$name]}" == allowed ]] || continue
        while read -r days type blob; do
            [[ -z "$type" ]] || printf '%s %s %s\n' "$type" "$blob" "$name" >>"$list"
        done <<<"${user_keys[$name]}"
    done
    if [[ -s "$list" ]] && ! out="$(ssh-keygen -l -E sha256 -f "$list" 2>&1)"; then
        warn "could not fingerprint the keys of generation $doc_generation: ${out//$'\n'/ }"
        rm -f "$list"
        return 0
    fi
    rm -f "$list"
    while read -r bits fingerprint rest; do
        [[ "$fingerprint" == SHA256:* ]] || continue
        # rest: "NAME (TYPE)"
        log "key $fingerprint user ${rest%% *} generation $doc_generation"
        count=$((count + 1))
    done <<<"${out:-}"
    log "generation $doc_generation: $count key fingerprints logged"
}
