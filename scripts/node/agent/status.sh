# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the node's status record, what
# lets the program (`npm run status`, `pulumi up`'s wait) know which generation every node applied, and why one
# did not: one small JSON object per node in the environment's bucket (docs/node-status.md has the schema).
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154
#
# Its key is `status/<instance ARN>.json`, the ARN as IAM renders ec2:SourceInstanceARN, because the node role may
# write exactly `status/${ec2:SourceInstanceARN}.json` and nothing else: a node can write its own record only, never
# another node's and never the roster. Written after a sync when the record (all but reportedAt) changed, when the
# last write is PCA_STATUS_INTERVAL seconds old (the heartbeat), or when the last write failed: never every minute.
# Cost at 10,000 nodes: at most 24 heartbeats a day each, 7.2 million PUTs a month.

readonly STATUS_URL_RE='^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^[:space:]]*/)?$'
readonly INSTANCE_ID_RE='^i-[0-9a-f]{8,17}$'

# What the sync that just ran says about itself: set by sync_failed, read by report_status.
failure_kind="" failure_reason=""

# sync_failed KIND REASON: this cycle failed. KIND: fetch (the roster could not be read), refused (the document
# was refused), upgrade (the agent it names could not be installed), apply (commands failed).
sync_failed() {
    failure_kind="$1" failure_reason="${2//[[:cntrl:]]/ }"
}

# json_text TEXT: TEXT as a JSON string literal, printable ASCII only (anything else becomes '?'), at most 300
# characters, so that the record stays valid and small whatever an error message holds.
json_text() {
    local text="${1:0:300}"
    text="${text//[^[:print:]]/?}"
    text="${text//\\/\\\\}"
    printf '"%s"' "${text//\"/\\\"}"
}

# now_seconds: the agent's clock in Unix seconds (PCA_NOW in tests), printf's (bash 4.2 has no EPOCHSECONDS).
now_seconds() {
    if [[ -n "$PCA_NOW" ]]; then printf '%s\n' "$PCA_NOW"; else printf '%(%s)T\n' -1; fi
}

# iso_time EPOCH: UTC, seconds, Z.
iso_time() {
    printf '%(%Y-%m-%dT%H:%M:%SZ)T' "$1"
}

# instance_arn: this instance's ARN from IMDSv2 (meta-data/services/partition and the instance identity document),
# asked at every report, never cached: an image made from this node must not inherit its identity. Sets
# instance_id; returns 1 when IMDS does not answer with them.
instance_id="" instance_arn=""
find_instance_arn() {
    local partition document region account
    instance_id="" instance_arn=""
    imds_session || return 1
    partition="$(imds services/partition)" || return 1
    document="$("${IMDS_CURL[@]}" -H "X-aws-ec2-metadata-token: $imds_token" "$PCA_IMDS_URL/latest/dynamic/instance-identity/document")" || return 1
    [[ "$partition" =~ ^aws(-[a-z]+)*$ ]] || return 1
    [[ "$document" =~ \"region\"[[:space:]]*:[[:space:]]*\"([a-z0-9-]+)\" ]] || return 1
    region="${BASH_REMATCH[1]}"
    [[ "$document" =~ \"accountId\"[[:space:]]*:[[:space:]]*\"([0-9]{12})\" ]] || return 1
    account="${BASH_REMATCH[1]}"
    [[ "$document" =~ \"instanceId\"[[:space:]]*:[[:space:]]*\"(i-[0-9a-f]+)\" ]] || return 1
    instance_id="${BASH_REMATCH[1]}"
    [[ "$instance_id" =~ $INSTANCE_ID_RE ]] || return 1
    instance_arn="arn:$partition:ec2:$region:$account:instance/$instance_id"
}

# report_status: the record of the sync that just ran, written when due. A failed write is a warning and is
# retried by the next cycle; it never fails the sync (the accounts are what matters).
report_status() {
    local url="$PCA_STATUS_URL" bucket prefix now last_at=0 at kind reason since body last_body="" out
    local generation=null applied_at=null agent failure=null
    local file="$PCA_STATE_DIR/status.json" sent="$PCA_STATE_DIR/status.sent" failed="$PCA_STATE_DIR/failure"
    [[ -n "$url" ]] || return 0
    [[ "$url" =~ $STATUS_URL_RE ]] || { warn "PCA_STATUS_URL '$url' is not s3://BUCKET/PREFIX/: no status record written"; return 0; }
    bucket="${BASH_REMATCH[1]}" prefix="${BASH_REMATCH[2]}"
    now="$(now_seconds)"
    # The failure: kept with the time it was first seen while the same failure repeats; gone once a sync succeeds.
    if [[ -n "$failure_kind" ]]; then
        since="$now"
        if [[ -f "$failed" ]] && IFS=$'\t' read -r at kind reason <"$failed" && [[ "$kind" == "$failure_kind" && "$reason" == "$failure_reason" ]]; then
            since="$at"
        fi
        printf '%s\t%s\t%s\n' "$since" "$failure_kind" "$failure_reason" >"$failed"
        failure="{\"at\": \"$(iso_time "$since")\", \"kind\": \"$failure_kind\", \"reason\": $(json_text "$failure_reason")}"
    else
        rm -f "$failed"
    fi
    [[ ! -f "$PCA_STATE_DIR/generation" ]] || read -r generation <"$PCA_STATE_DIR/generation"
    [[ ! -f "$PCA_STATE_DIR/applied-at" ]] || { read -r applied_at <"$PCA_STATE_DIR/applied-at" && applied_at="\"$(iso_time "$applied_at")\""; }
    agent="$(agent_sha256)"
    agent="${agent:+\"$agent\"}"
    # What the record says, but for the instance (IMDS is asked only when a write is due: not every minute).
    body="\"environment\": \"$PCA_ENVIRONMENT\", \"cluster\": \"$PCA_CLUSTER\", \"nodeType\": \"$PCA_NODE_TYPE\", \"generation\": $generation, \"agentSha256\": ${agent:-null}, \"appliedAt\": $applied_at"
    if [[ -f "$sent" ]]; then
        { read -r last_at && IFS= read -r last_body; } <"$sent" || true
    fi
    if [[ "$body, $failure" == "$last_body" ]] && ((now - last_at < PCA_STATUS_INTERVAL)); then
        return 0
    fi
    if ! find_instance_arn; then
        warn "IMDS did not give this instance's identity (services/partition, instance-identity/document): no status record written"
        return 0
    fi
    printf '{"format": 1, "instanceId": "%s", %s, "reportedAt": "%s", "lastFailure": %s}\n' "$instance_id" "$body" "$(iso_time "$now")" "$failure" >"$file"
    if ! out="$("$PCA_AWS_CLI" s3api put-object --region "$PCA_REGION" ${PCA_S3_ENDPOINT_URL:+--endpoint-url "$PCA_S3_ENDPOINT_URL"} \
        --bucket "$bucket" --key "$prefix$instance_arn.json" --body "$file" \
        --content-type application/json 2>&1 >/dev/null)"; then
        warn "could not write the status record ${url}$instance_arn.json: ${out//$'\n'/ }(the next cycle tries again)"
        rm -f "$sent"
        return 0
    fi
    printf '%s\n%s\n' "$now" "$body, $failure" >"$sent"
    log "status reported: generation ${generation}${failure_kind:+, failing: $failure_kind: $failure_reason}"
}
