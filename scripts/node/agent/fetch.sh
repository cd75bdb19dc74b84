# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the roster's conditional fetch from S3.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# fetch OUT: the roster into OUT and its ETag into fetched_etag. Returns 0 (new body), 2 (304: unchanged
# since the last applied ETag) or 1 (any failure, described in fetch_error for the caller to log).
fetched_etag="" fetch_error=""
fetch() {
    local out="$1" last="" answer err status=0
    [[ -f "$PCA_STATE_DIR/etag" ]] && IFS= read -r last <"$PCA_STATE_DIR/etag"
    err="$PCA_STATE_DIR/fetch.err"
    # ${x:+...} rather than arrays: bash 4.2 calls an empty array unbound under set -u.
    answer="$("$PCA_AWS_CLI" s3api get-object --region "$PCA_REGION" \
        ${PCA_S3_ENDPOINT_URL:+--endpoint-url "$PCA_S3_ENDPOINT_URL"} \
        --bucket "$bucket" --key "$key" ${last:+--if-none-match "$last"} \
        --query ETag --output text "$out" 2>"$err")" || status=$?
    if ((status == 0)); then
        fetched_etag="$answer"
        return 0
    fi
    # Both CLI generations report a conditional miss as "An error occurred (304) ...".
    if grep -q '(304)' "$err"; then
        return 2
    fi
    fetch_error="fetching $PCA_ROSTER_URL failed (exit $status): $(tr '\n' ' ' <"$err")"
    return 1
}
