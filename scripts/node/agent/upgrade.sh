# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the envelope (lines 1-4 of a
# document of format 2 or later, the same for every such format: FORMAT-2.md) and the upgrade it can ask for.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154
#
# Head and login nodes live for months, so the agent post-install.sh installed at boot must not be the last
# one they run: the document the agent already trusts names the agent the environment expects (`agent
# SHA256`, line 4). An agent that is not that one fetches AGENT_KEY, checks its SHA-256 against the line,
# installs it (install.sh: a release directory of its own, `current` switched by one rename) and runs it on
# the same document, before anything past the envelope is read, so a document in a format only the new agent
# knows reaches an agent that knows it. A failed fetch, another hash or a bundle that does not install keeps
# the working agent and changes nothing else; no code runs that was not checked against the line.

env_format="" env_environment="" env_generation="" env_agent_sha256=""

# read_envelope: lines 1-4 of the verified document (doc_lines, verify_roster). For format 1 (no agent line)
# env_format stays empty and the parser judges everything; 1 with refuse_reason when lines 1-4 of a later
# format are not the envelope.
read_envelope() {
    env_format="" env_environment="" env_generation="" env_agent_sha256=""
    [[ "${doc_lines[0]:-}" =~ ^${ROSTER_MAGIC}\ ([1-9][0-9]{0,3})$ ]] || return 0
    ((BASH_REMATCH[1] >= 2)) || return 0
    env_format="${BASH_REMATCH[1]}"
    [[ "${doc_lines[1]:-}" =~ ^environment\ (.+)$ ]] || refuse "line 2 is not 'environment NAME'" || return 1
    env_environment="${BASH_REMATCH[1]}"
    [[ "${doc_lines[2]:-}" =~ ^generation\ ([1-9][0-9]{0,17})$ ]] || refuse "line 3 is not 'generation N'" || return 1
    env_generation="${BASH_REMATCH[1]}"
    [[ "${doc_lines[3]:-}" =~ ^agent\ ([0-9a-f]{64})$ ]] || refuse "line 4 is not 'agent SHA256' (lowercase hex)" || return 1
    env_agent_sha256="${BASH_REMATCH[1]}"
}

# upgrade_agent BODY: nothing when this agent is the one the envelope names; otherwise fetch, check, install
# and exec the named one on BODY (this never returns then). Returns 1, with a warning and nothing changed,
# when that cannot be done. upgraded_from: set when this agent was itself just installed for BODY, which
# then must name it (no second round).
upgraded_from=""
# upgrade_failed MESSAGE: a warning, and the cycle's failure for the status record.
upgrade_failed() {
    sync_failed upgrade "$1"
    warn "$1"
}
upgrade_agent() {
    local body="$1" own want="$env_agent_sha256" bundle="$PCA_STATE_DIR/agent.tar" err="$PCA_STATE_DIR/agent-fetch.err" got status=0
    own="$(agent_sha256)"
    [[ "$own" != "$want" ]] || return 0
    if [[ -n "$upgraded_from" ]]; then
        upgrade_failed "refused the roster (ETag $fetched_etag): it names agent $want, but the agent just installed for it is ${own:-not an installed release}; nothing changed"
        return 1
    fi
    if [[ ! "$PCA_AGENT_URL" =~ $S3_URL_RE ]]; then
        upgrade_failed "the roster names agent $want and this is ${own:-not an installed release}, but PCA_AGENT_URL '$PCA_AGENT_URL' is not s3://BUCKET/KEY; kept this agent, nothing changed"
        return 1
    fi
    rm -f "$bundle"
    "$PCA_AWS_CLI" s3api get-object --region "$PCA_REGION" ${PCA_S3_ENDPOINT_URL:+--endpoint-url "$PCA_S3_ENDPOINT_URL"} \
        --bucket "${BASH_REMATCH[1]}" --key "${BASH_REMATCH[2]}" "$bundle" >/dev/null 2>"$err" || status=$?
    if ((status != 0)); then
        upgrade_failed "the roster names agent $want; fetching it from $PCA_AGENT_URL failed (exit $status): $(tr '\n' ' ' <"$err")kept agent ${own:-(source tree)}, nothing changed"
        rm -f "$bundle"
        return 1
    fi
    got="$(sha256sum "$bundle")"
    got="${got%% *}"
    if [[ "$got" != "$want" ]]; then
        upgrade_failed "the agent at $PCA_AGENT_URL has SHA-256 $got, the roster names $want: not run; kept agent ${own:-(source tree)}, nothing changed"
        rm -f "$bundle"
        return 1
    fi
    if ! install_bundle "$bundle" "$want"; then
        upgrade_failed "the agent at $PCA_AGENT_URL (SHA-256 $want) is not an agent bundle: $install_error; kept agent ${own:-(source tree)}, nothing changed"
        rm -f "$bundle"
        return 1
    fi
    rm -f "$bundle"
    log "upgraded the agent from ${own:-(source tree)} to $want: it runs generation $env_generation"
    # The lock stays held: fd 9 is inherited, and the new agent checks it holds it.
    exec "$PCA_AGENT_HOME/releases/$want/roster-agent.sh" sync-document "$body" "$fetched_etag" "${own:-source}"
}
