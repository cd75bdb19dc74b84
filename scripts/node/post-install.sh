#!/bin/bash
# pcluster-access node script: the one file ParallelCluster downloads from S3 and runs on every node (its
# post-install action). Three modes, chosen by the first word:
#
#   OpsWorks (the article's backend, registration and deregistration, all in this file): the node registers with
#   an OpsWorks stack, whose agent then manages the SSH users; on the head node it also installs a cron job that
#   deregisters terminated nodes. The job is this same file, copied to a fixed path and run in `deregister`
#   mode: in this mode nothing but this file reaches the node.
#   Roster (the default backend): the node fetches the agent bundle the program uploaded beside this file and
#   runs the bundle's own setup (roster-agent.sh setup, agent/setup.sh) with the same six words; the agent, its
#   settings, cron entry, log rotation, status reports and CloudWatch wiring are all the bundle's.
#
# Usage:
#   post-install.sh STACK_ID     OpsWorks, ParallelCluster 3 (CustomActions OnNodeConfigured Args: [STACK_ID])
#   post-install.sh URL [ARG..]  ParallelCluster 2 (runs the script with its URL first): OpsWorks with the
#                                stack id in cfn_postinstall_args, or roster mode when those args start `roster`
#   post-install.sh deregister   one OpsWorks deregistration cycle (what the head node's cron job runs)
#   post-install.sh roster ROSTER_URL AGENT_URL INTERVAL ENVIRONMENT PUBKEY
#                                roster mode, ParallelCluster 3 (ParallelCluster 2: the same six words in
#                                cfn_postinstall_args); components/access/roster/FORMAT.md describes the words
#
# Settings (environment; the defaults suit a real node). Written for bash 4.2 (Amazon Linux 2).
#   PCA_ROOT                    prefix of every node path read or written (cfnconfig, agent config, job
#                               files, logs, lock; not the CLI, $TMPDIR or the script itself); tests
#                               point it at a temp dir
#   PCA_AWS_CLI                 AWS CLI to use. OpsWorks mode: it must still have the opsworks commands,
#                               which AWS removed from current CLIs (Debian 12's awscli 2.9.19 has them);
#                               roster mode: any
#   PCA_AWS_CLI_CANDIDATES      where to look when PCA_AWS_CLI is empty (space-separated globs); roster
#                               mode takes the first AWS CLI v2 among them, else the first that runs
#   PCA_LOGGER                  syslog command, called as: PCA_LOGGER -t TAG -- MESSAGE
#   PCA_REGISTER_ATTEMPTS       registration attempts before giving up (default 3)
#   PCA_REGISTER_RETRY_DELAY    seconds before retry n, times n (default 20)
#   PCA_DEREGISTER_INTERVAL     minutes between deregistration cycles, 1-59 (default 1): a cron step
#   PCA_DEREGISTER_PARALLEL     DeregisterInstance calls a cycle runs at once, 1-32 (default 8)
#   PCA_DEREGISTER_BUDGET       seconds into a cycle after which it starts no more deregistrations and
#                               leaves the rest to the next cycle (default: 40 per interval minute)
#                               (*/N), so the gap before each full hour is shorter unless N divides 60
#   PCA_OPSWORKS_ENDPOINT_URL   test and air-gapped hooks: add --endpoint-url to the opsworks and
#   PCA_EC2_ENDPOINT_URL        ec2 calls (Debian's CLI ignores AWS_ENDPOINT_URL*); empty = default
#   PCA_S3_ENDPOINT_URL         the same for S3 in roster mode (setup writes it to the agent's settings too)
# Deregister mode reads only PCA_ROOT and PCA_LOGGER from the environment: the stack id, region, CLI
# and endpoints come from the settings file registration wrote (/etc/pcluster-access/deregister.conf).
# Roster mode passes PCA_ROOT, PCA_LOGGER and PCA_S3_ENDPOINT_URL on to the bundle's setup, whose own settings
# (roster-agent.sh's agent/settings.sh) it also reads from the environment.
set -euo pipefail

: "${PCA_ROOT:=}"
: "${PCA_AWS_CLI:=}"
: "${PCA_AWS_CLI_CANDIDATES:=/usr/local/bin/aws /usr/bin/aws /opt/parallelcluster/pyenv/versions/*/envs/*/bin/aws}"
: "${PCA_LOGGER:=logger}"
: "${PCA_REGISTER_ATTEMPTS:=3}"
: "${PCA_REGISTER_RETRY_DELAY:=20}"
: "${PCA_DEREGISTER_INTERVAL:=1}"
: "${PCA_DEREGISTER_PARALLEL:=8}"
: "${PCA_DEREGISTER_BUDGET:=}"
: "${PCA_OPSWORKS_ENDPOINT_URL:=}"
: "${PCA_EC2_ENDPOINT_URL:=}"
: "${PCA_S3_ENDPOINT_URL:=}"

readonly CFNCONFIG="${PCA_ROOT}/etc/parallelcluster/cfnconfig"
# Written by the OpsWorks agent once the instance is registered (its INSTANCE_AGENT_CONFIG).
readonly AGENT_CONFIG="${PCA_ROOT}/etc/aws/opsworks/instance-agent.yml"
readonly INSTALL_LOG="${PCA_ROOT}/var/log/post-install.log"
readonly JOB_SCRIPT="/opt/pcluster-access/post-install.sh"
readonly JOB_CONF="/etc/pcluster-access/deregister.conf"
readonly JOB_CRON="/etc/cron.d/pcluster-access-deregister"
readonly JOB_LOGROTATE="/etc/logrotate.d/pcluster-access-deregister"
readonly JOB_LOG="/var/log/opsworks-deregister.log"
readonly JOB_LOCK="/var/lock/pcluster-access-deregister.lock"
# EC2 refuses more than 200 filter values in one call (FilterLimitExceeded).
readonly EC2_BATCH=200
readonly STACK_ID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
readonly REGION_RE='^[a-z]{2}(-[a-z]+)+-[0-9]+$'
readonly EC2_ID_RE='^i-[0-9a-f]{8}([0-9a-f]{9})?$'

# The CLI must never stop to page its output, even if a terminal is attached.
export AWS_PAGER=""

log_file=""
log_tag=""

# log MESSAGE: one UTC-stamped line to the log file and stderr, and the message to syslog.
log() {
    local line
    line="$(date -u +%Y-%m-%dT%H:%M:%SZ) ${log_tag}: $*"
    printf '%s\n' "$line" >>"$log_file"
    printf '%s\n' "$line" >&2
    "$PCA_LOGGER" -t "$log_tag" -- "$*" 2>/dev/null || true
}

# log_lines PREFIX: log each non-blank line read from stdin (the output of a command we ran).
log_lines() {
    local line
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ "$line" =~ ^[[:space:]]*$ ]] || log "$1$line"
    done
}

die() {
    log "error: $*"
    exit 1
}

start_log() {
    log_tag="$1"
    log_file="$2"
    mkdir -p "$(dirname "$log_file")"
}

# cfn_value NAME: the value ParallelCluster's cfnconfig gives NAME, empty when unset. Read in a
# subshell so that nothing else the file defines leaks into this script.
cfn_value() {
    (
        set +eu
        # shellcheck disable=SC1090
        . "$CFNCONFIG" >/dev/null 2>&1
        printf '%s' "${!1-}"
    )
}

# aws_has_opsworks CLI: true when CLI knows the opsworks commands; needs no credentials or network.
aws_has_opsworks() {
    "$1" opsworks describe-instances --generate-cli-skeleton >/dev/null 2>&1
}

# find_aws_cli: print the CLI to use, or die saying what was tried.
find_aws_cli() {
    local candidate tried=()
    if [[ -n "$PCA_AWS_CLI" ]]; then
        [[ -f "$PCA_AWS_CLI" && -x "$PCA_AWS_CLI" ]] ||
            die "PCA_AWS_CLI=$PCA_AWS_CLI is not an executable file"
        aws_has_opsworks "$PCA_AWS_CLI" ||
            die "PCA_AWS_CLI=$PCA_AWS_CLI has no opsworks commands (AWS removed them from current CLIs; AWS CLI 2.9.19 still has them)"
        printf '%s\n' "$PCA_AWS_CLI"
        return
    fi
    # Globs in the candidate list are meant to expand here.
    # shellcheck disable=SC2086
    for candidate in $PCA_AWS_CLI_CANDIDATES; do
        [[ -f "$candidate" && -x "$candidate" ]] || continue
        tried+=("$candidate")
        if aws_has_opsworks "$candidate"; then
            printf '%s\n' "$candidate"
            return
        fi
    done
    die "no AWS CLI with the opsworks commands (looked in: $PCA_AWS_CLI_CANDIDATES; without them: ${tried[*]:-none found}); install one (AWS CLI 2.9.19 has them) and set PCA_AWS_CLI"
}

# write_file DEST MODE: install stdin at DEST unless DEST already holds exactly that. The new file is
# renamed into place, so a running job never reads a half-written copy of itself; until then it is a
# dot file, which cron (cronie included) does not read from cron.d.
write_file() {
    local dest="$1" mode="$2" tmp
    mkdir -p "$(dirname "$dest")"
    tmp="$(mktemp "$(dirname "$dest")/.$(basename "$dest").XXXXXX")"
    cat >"$tmp"
    chmod "$mode" "$tmp"
    if [[ -f "$dest" ]] && cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
        log "unchanged: $dest"
    else
        mv -f "$tmp" "$dest"
        log "installed: $dest"
    fi
}

# ---------------------------------------------------------------------------------------------
# OpsWorks registration mode
# ---------------------------------------------------------------------------------------------

# stack_id_from_args_v2 RAW: cfn_postinstall_args as one stack id; the INI value may carry quotes.
stack_id_from_args_v2() {
    local raw="$1"
    raw="${raw#"${raw%%[![:space:]]*}"}"
    raw="${raw%"${raw##*[![:space:]]}"}"
    if [[ "$raw" =~ ^\"(.*)\"$ || "$raw" =~ ^\'(.*)\'$ ]]; then
        raw="${BASH_REMATCH[1]}"
    fi
    [[ "$raw" == NONE ]] && raw=""
    printf '%s' "$raw"
}

install_deregistration_job() {
    local stack_id="$1" region="$2" aws_cli="$3" schedule
    schedule="*/$PCA_DEREGISTER_INTERVAL * * * *"
    ((PCA_DEREGISTER_INTERVAL == 1)) && schedule="* * * * *"

    [[ -r "$0" ]] || die "cannot read this script ($0) to install it as the deregistration job"
    write_file "${PCA_ROOT}${JOB_SCRIPT}" 0755 <"$0"
    {
        printf '# pcluster-access deregistration job settings, written by post-install.sh.\n'
        printf 'PCA_STACK_ID=%q\n' "$stack_id"
        printf 'PCA_REGION=%q\n' "$region"
        printf 'PCA_AWS_CLI=%q\n' "$aws_cli"
        printf 'PCA_OPSWORKS_ENDPOINT_URL=%q\n' "$PCA_OPSWORKS_ENDPOINT_URL"
        printf 'PCA_EC2_ENDPOINT_URL=%q\n' "$PCA_EC2_ENDPOINT_URL"
        printf 'PCA_DEREGISTER_PARALLEL=%q\n' "$PCA_DEREGISTER_PARALLEL"
        printf 'PCA_DEREGISTER_BUDGET=%q\n' "$PCA_DEREGISTER_BUDGET"
    } | write_file "${PCA_ROOT}${JOB_CONF}" 0600
    # A file of its own in cron.d: rewriting it is idempotent, unlike the article's append to
    # /etc/crontab. Its name has no dot, which cron's run-parts naming rule would skip.
    {
        printf '# pcluster-access: deregister terminated nodes from OpsWorks stack %s.\n' "$stack_id"
        printf '# Written by post-install.sh; the job logs to %s.\n' "${PCA_ROOT}${JOB_LOG}"
        printf 'SHELL=/bin/bash\n'
        printf 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
        printf 'MAILTO=""\n'
        [[ -z "$PCA_ROOT" ]] || printf 'PCA_ROOT=%s\n' "$PCA_ROOT"
        printf '%s root %s deregister\n' "$schedule" "${PCA_ROOT}${JOB_SCRIPT}"
    } | write_file "${PCA_ROOT}${JOB_CRON}" 0644
    # A size cap as well as a weekly turn (logrotate runs daily): a cycle that fails every minute logs
    # a few lines every minute.
    {
        printf '%s {\n' "${PCA_ROOT}${JOB_LOG}"
        printf '    weekly\n    maxsize 10M\n    rotate 4\n    compress\n    delaycompress\n    missingok\n    notifempty\n}\n'
    } | write_file "${PCA_ROOT}${JOB_LOGROTATE}" 0644
}

# is_registered: the OpsWorks agent records its identity once the instance is registered.
is_registered() {
    [[ -f "$AGENT_CONFIG" ]] && grep -q '^:identity:' "$AGENT_CONFIG"
}

register_node() {
    local stack_id="$1" region="$2" aws_cli="$3" attempt delay
    local cmd=("$aws_cli" opsworks register --use-instance-profile --infrastructure-class ec2
        --region "$region" --stack-id "$stack_id" --local)
    [[ -z "$PCA_OPSWORKS_ENDPOINT_URL" ]] || cmd+=(--endpoint-url "$PCA_OPSWORKS_ENDPOINT_URL")

    for ((attempt = 1; attempt <= PCA_REGISTER_ATTEMPTS; attempt++)); do
        # Checked before every attempt: a failed attempt may still have registered the instance.
        if is_registered; then
            log "already registered with OpsWorks ($AGENT_CONFIG has an identity): not registering again"
            return
        fi
        log "registering with OpsWorks stack $stack_id in $region (attempt $attempt of $PCA_REGISTER_ATTEMPTS)"
        if "${cmd[@]}" 2>&1 | log_lines "aws: "; then
            log "registered with OpsWorks stack $stack_id"
            return
        fi
        if ((attempt < PCA_REGISTER_ATTEMPTS)); then
            delay=$((PCA_REGISTER_RETRY_DELAY * attempt))
            log "registration attempt $attempt failed; retrying in ${delay}s"
            sleep "$delay"
        fi
    done
    die "could not register with OpsWorks stack $stack_id (attempts: $PCA_REGISTER_ATTEMPTS); note that 'aws opsworks register --local' reads instance metadata without a token, so the node must allow IMDSv1 (ParallelCluster 3: Imds ImdsSupport v1.0)"
}

check_install_settings() {
    [[ "$PCA_REGISTER_ATTEMPTS" =~ ^[1-9][0-9]?$ ]] ||
        die "PCA_REGISTER_ATTEMPTS=$PCA_REGISTER_ATTEMPTS is not a whole number from 1 to 99"
    [[ "$PCA_REGISTER_RETRY_DELAY" =~ ^(0|[1-9][0-9]{0,3})$ ]] ||
        die "PCA_REGISTER_RETRY_DELAY=$PCA_REGISTER_RETRY_DELAY is not a whole number of seconds from 0 to 9999"
    [[ "$PCA_DEREGISTER_INTERVAL" =~ ^([1-9]|[1-5][0-9])$ ]] ||
        die "PCA_DEREGISTER_INTERVAL=$PCA_DEREGISTER_INTERVAL is not a whole number of minutes from 1 to 59"
    # Two thirds of the interval: the cycle's last batch and its summary fit in the rest.
    : "${PCA_DEREGISTER_BUDGET:=$((PCA_DEREGISTER_INTERVAL * 40))}"
    check_deregister_parallel
}

register_main() {
    local node_type region stack_id format aws_cli
    start_log post-install "$INSTALL_LOG"
    check_install_settings
    [[ -r "$CFNCONFIG" ]] || die "cannot read $CFNCONFIG: this is not a ParallelCluster node"
    node_type="$(cfn_value cfn_node_type)"
    region="$(cfn_value cfn_region)"

    # ParallelCluster 2 runs the script with its own URL as $1; ParallelCluster 3 passes only Args.
    case "$node_type" in
    MasterServer) format=2 ;;
    HeadNode | LoginNode) format=3 ;;
    ComputeFleet) if [[ "${1:-}" =~ ^(s3|https?):// ]]; then format=2; else format=3; fi ;;
    *) die "unknown cfn_node_type '$node_type' in $CFNCONFIG: expected MasterServer, HeadNode, ComputeFleet or LoginNode" ;;
    esac
    [[ "$region" =~ $REGION_RE ]] || die "cfn_region '$region' in $CFNCONFIG is not an AWS region"

    if ((format == 2)); then
        stack_id="$(stack_id_from_args_v2 "$(cfn_value cfn_postinstall_args)")"
        [[ -n "$stack_id" ]] ||
            die "missing OpsWorks stack id: cfn_postinstall_args in $CFNCONFIG is empty (ParallelCluster 2: set post_install_args to the stack id)"
    else
        (($# <= 1)) || die "expected one argument, the OpsWorks stack id, got $#: $*"
        stack_id="${1:-}"
        [[ -n "$stack_id" ]] ||
            die "missing OpsWorks stack id: pass it as the script's only argument (ParallelCluster 3: CustomActions OnNodeConfigured Args)"
    fi
    [[ "$stack_id" =~ $STACK_ID_RE ]] ||
        die "malformed OpsWorks stack id '$stack_id': expected a lowercase UUID such as 01234567-89ab-cdef-0123-456789abcdef"
    log "node type $node_type (ParallelCluster $format), region $region, OpsWorks stack $stack_id"

    aws_cli="$(find_aws_cli)" || exit 1
    log "AWS CLI: $aws_cli"
    case "$node_type" in
    MasterServer | HeadNode) install_deregistration_job "$stack_id" "$region" "$aws_cli" ;;
    esac
    register_node "$stack_id" "$region" "$aws_cli"
}

# ---------------------------------------------------------------------------------------------
# Deregister mode
# ---------------------------------------------------------------------------------------------

err_file=""
# The cycle's scratch directory (CLI errors, each deregistration's outcome); removed on exit.
work_dir=""

# aws_call SERVICE ARGS..: run the CLI for SERVICE (opsworks or ec2) with region and endpoint;
# stdout is the answer, stderr goes to err_file for the caller to log on failure.
aws_call() {
    local service="$1" endpoint="$PCA_OPSWORKS_ENDPOINT_URL"
    shift
    [[ "$service" == ec2 ]] && endpoint="$PCA_EC2_ENDPOINT_URL"
    # ${endpoint:+...} rather than an array: bash 4.2 calls an empty array unbound under set -u.
    "$PCA_AWS_CLI" "$service" --region "$PCA_REGION" ${endpoint:+--endpoint-url "$endpoint"} "$@" 2>"$err_file"
}

# EC2 state per instance id, filled by describe_ec2: only ids EC2 returned are keys.
declare -A ec2_state=()

# describe_ec2 ID..: record the EC2 state of every given id that EC2 still knows. The instance-id
# filter returns nothing for an unknown id, where InstanceIds would fail the whole call
# (InvalidInstanceID.NotFound). Returns non-zero on any failed call.
describe_ec2() {
    local ids=("$@") start batch answer id state
    for ((start = 0; start < ${#ids[@]}; start += EC2_BATCH)); do
        batch="$(IFS=,; printf '%s' "${ids[*]:start:EC2_BATCH}")"
        if ! answer="$(aws_call ec2 describe-instances --filters "Name=instance-id,Values=$batch" \
            --query 'Reservations[].Instances[].[InstanceId,State.Name]' --output text)"; then
            log_lines "aws: " <"$err_file"
            return 1
        fi
        while IFS=$'\t' read -r id state; do
            if [[ -n "$id" ]]; then
                ec2_state["$id"]="$state"
            fi
        done <<<"$answer"
    done
    return 0
}

# check_deregister_parallel: PCA_DEREGISTER_PARALLEL is a whole number from 1 to 32, and
# PCA_DEREGISTER_BUDGET a whole number of seconds from 0 to 3540.
check_deregister_parallel() {
    if [[ ! "$PCA_DEREGISTER_PARALLEL" =~ ^[1-9][0-9]?$ ]] || ((PCA_DEREGISTER_PARALLEL > 32)); then
        die "PCA_DEREGISTER_PARALLEL=$PCA_DEREGISTER_PARALLEL is not a whole number from 1 to 32"
    fi
    if [[ ! "$PCA_DEREGISTER_BUDGET" =~ ^(0|[1-9][0-9]{0,3})$ ]] || ((PCA_DEREGISTER_BUDGET > 3540)); then
        die "PCA_DEREGISTER_BUDGET=$PCA_DEREGISTER_BUDGET is not a whole number of seconds from 0 to 3540"
    fi
}

# deregister_one DIR INDEX OW_ID: one DeregisterInstance, run in the background. Its outcome goes to
# DIR/INDEX.ok or DIR/INDEX.err (the CLI's error), which the cycle logs in listing order once the
# batch is done: background jobs never write the log themselves.
deregister_one() {
    local err_file="$1/$2.err"
    if aws_call opsworks deregister-instance --instance-id "$3" >/dev/null; then
        : >"$1/$2.ok"
    fi
}

deregister_main() {
    local listing i j ow_id ec2_id infra reason failed=0
    local ow_ids=() ec2_ids=() infras=() lookup=() pending=() reasons=()
    local kept=0 deregistered=0 skipped=0 deferred=0
    start_log opsworks-deregister "${PCA_ROOT}${JOB_LOG}"

    mkdir -p "$(dirname "${PCA_ROOT}${JOB_LOCK}")"
    # Locked here rather than in the cron line, so a cycle started by hand is kept out too. The
    # lock lives as long as this process: fd 9 stays open until it exits.
    exec 9>"${PCA_ROOT}${JOB_LOCK}"
    if ! flock -n 9; then
        log "another deregistration cycle holds ${PCA_ROOT}${JOB_LOCK}: skipping this one"
        return 0
    fi

    [[ -r "${PCA_ROOT}${JOB_CONF}" ]] ||
        die "cannot read ${PCA_ROOT}${JOB_CONF}: post-install.sh installs it on the head node"
    # shellcheck source=/dev/null
    . "${PCA_ROOT}${JOB_CONF}"
    [[ "${PCA_STACK_ID:-}" =~ $STACK_ID_RE ]] || die "PCA_STACK_ID '${PCA_STACK_ID:-}' in ${PCA_ROOT}${JOB_CONF} is not a stack id"
    [[ "${PCA_REGION:-}" =~ $REGION_RE ]] || die "PCA_REGION '${PCA_REGION:-}' in ${PCA_ROOT}${JOB_CONF} is not an AWS region"
    [[ -f "$PCA_AWS_CLI" && -x "$PCA_AWS_CLI" ]] || die "PCA_AWS_CLI '$PCA_AWS_CLI' in ${PCA_ROOT}${JOB_CONF} is not an executable file"
    # Settings files written before these existed: the defaults for a one-minute interval.
    : "${PCA_DEREGISTER_PARALLEL:=8}" "${PCA_DEREGISTER_BUDGET:=40}"
    check_deregister_parallel

    work_dir="$(mktemp -d)"
    err_file="$work_dir/cycle.err"
    trap 'rm -rf "$work_dir"' EXIT
    # Only decisions are logged (deregister, skip, errors) and one summary line per cycle: a healthy
    # node is counted, never listed, so a 1,000-node cluster logs one line a minute.
    if ! listing="$(aws_call opsworks describe-instances --stack-id "$PCA_STACK_ID" \
        --query 'Instances[].[InstanceId,Ec2InstanceId,InfrastructureClass]' --output text)"; then
        log_lines "aws: " <"$err_file"
        die "OpsWorks DescribeInstances failed: deregistering nothing this cycle"
    fi
    while IFS=$'\t' read -r ow_id ec2_id infra; do
        [[ -n "$ow_id" ]] || continue
        ow_ids+=("$ow_id")
        ec2_ids+=("$ec2_id")
        infras+=("$infra")
        if [[ "$infra" == ec2 && "$ec2_id" =~ $EC2_ID_RE ]]; then
            lookup+=("$ec2_id")
        fi
    done <<<"$listing"
    if ((${#lookup[@]} > 0)); then
        describe_ec2 "${lookup[@]}" || die "EC2 DescribeInstances failed: deregistering nothing this cycle"
        # Any correct answer includes at least this head node, so an empty one means a wrong region,
        # endpoint or account rather than every node gone.
        ((${#ec2_state[@]} > 0)) ||
            die "EC2 returned none of the ${#lookup[@]} instances: an empty answer is not proof that they are gone, deregistering nothing this cycle"
    fi

    for i in "${!ow_ids[@]}"; do
        ow_id="${ow_ids[i]}" ec2_id="${ec2_ids[i]}" infra="${infras[i]}"
        if [[ "$infra" != ec2 ]]; then
            log "skip $ow_id: infrastructure class $infra, not an EC2 instance"
            skipped=$((skipped + 1))
        elif [[ ! "$ec2_id" =~ $EC2_ID_RE ]]; then
            log "skip $ow_id: no valid EC2 instance id ($ec2_id)"
            skipped=$((skipped + 1))
        elif [[ -z "${ec2_state[$ec2_id]+set}" ]]; then
            pending+=("$i")
            reasons[i]="EC2 no longer knows the instance"
        elif [[ "${ec2_state[$ec2_id]}" == terminated ]]; then
            pending+=("$i")
            reasons[i]="EC2 state terminated"
        else
            kept=$((kept + 1))
        fi
    done

    # A few DeregisterInstance calls at a time, in batches (bash 4.2 has no `wait -n`): each call is
    # a CLI process (about a CPU-second), so 100 in a row would outlast a one-minute interval. Past
    # the budget no batch starts: the rest waits for the next cycle rather than delay it.
    for ((j = 0; j < ${#pending[@]}; j += PCA_DEREGISTER_PARALLEL)); do
        if ((j > 0 && SECONDS >= PCA_DEREGISTER_BUDGET)); then
            deferred=$((${#pending[@]} - j))
            break
        fi
        for i in "${pending[@]:j:PCA_DEREGISTER_PARALLEL}"; do
            deregister_one "$work_dir" "$i" "${ow_ids[i]}" &
        done
        wait
        for i in "${pending[@]:j:PCA_DEREGISTER_PARALLEL}"; do
            ow_id="${ow_ids[i]}" ec2_id="${ec2_ids[i]}" reason="${reasons[i]}"
            if [[ -e "$work_dir/$i.ok" ]]; then
                log "deregistered $ow_id ($ec2_id): $reason"
                deregistered=$((deregistered + 1))
            else
                log_lines "aws: " <"$work_dir/$i.err"
                log "failed to deregister $ow_id ($ec2_id, $reason): the next cycle tries again"
                failed=$((failed + 1))
            fi
        done
    done
    log "cycle for OpsWorks stack $PCA_STACK_ID in $PCA_REGION: ${#ow_ids[@]} listed, $kept kept, $deregistered deregistered, $failed failed, $deferred deferred, $skipped skipped, ${SECONDS}s"
    ((failed == 0))
}

# ---------------------------------------------------------------------------------------------
# Roster mode: fetch the node agent's bundle (components/access/roster/agentBundle.ts: a tar of
# scripts/node/roster-agent.sh and scripts/node/agent/, uploaded beside this script) and run its own setup
# with the same six words. Everything else (the checks of the words, the agent's settings, cron entry, log
# rotation, status reports, CloudWatch wiring, the first sync) is the bundle's (agent/setup.sh), so it is
# upgraded with the agent; this file only tells it what ParallelCluster says the node is.
# ---------------------------------------------------------------------------------------------

# aws_cli_version CLI: the CLI's version word (aws-cli/2.15.30); fails when it does not run as an AWS CLI.
# (AWS CLI v1 printed its version on stderr, v2 prints it on stdout.)
aws_cli_version() {
    local line
    line="$("$1" --version 2>&1 </dev/null)" || return 1
    [[ "$line" =~ ^(aws-cli/[0-9][^[:space:]]*) ]] || return 1
    printf '%s\n' "${BASH_REMATCH[1]}"
}

# find_any_aws_cli: PCA_AWS_CLI, else the first candidate that is AWS CLI v2, else the first that runs
# (any version has s3api get-object); logs which one it took. Current AMIs carry v2 only, from
# ParallelCluster 3.16.2 (its release notes: v1 left the cookbook's virtualenv): /usr/local/bin/aws,
# /usr/bin/aws on Amazon Linux 2023. Before, Amazon Linux 2's /usr/bin/aws was v1: v2 wins over it.
find_any_aws_cli() {
    local candidate version fallback="" fallback_version=""
    if [[ -n "$PCA_AWS_CLI" ]]; then
        [[ -f "$PCA_AWS_CLI" && -x "$PCA_AWS_CLI" ]] || die "PCA_AWS_CLI=$PCA_AWS_CLI is not an executable file"
        version="$(aws_cli_version "$PCA_AWS_CLI")" || version="version unknown"
        log "AWS CLI: $PCA_AWS_CLI ($version, from PCA_AWS_CLI)"
        printf '%s\n' "$PCA_AWS_CLI"
        return
    fi
    # shellcheck disable=SC2086
    for candidate in $PCA_AWS_CLI_CANDIDATES; do
        [[ -f "$candidate" && -x "$candidate" ]] || continue
        version="$(aws_cli_version "$candidate")" || continue
        if [[ "$version" == aws-cli/2.* ]]; then
            log "AWS CLI: $candidate ($version)"
            printf '%s\n' "$candidate"
            return
        fi
        [[ -n "$fallback" ]] || { fallback="$candidate" && fallback_version="$version"; }
    done
    if [[ -n "$fallback" ]]; then
        log "AWS CLI: $fallback ($fallback_version: no AWS CLI v2 among $PCA_AWS_CLI_CANDIDATES)"
        printf '%s\n' "$fallback"
        return
    fi
    die "no AWS CLI found (looked in: $PCA_AWS_CLI_CANDIDATES); install AWS CLI v2 or set PCA_AWS_CLI"
}

agent_tmp="" unpacked=""

# roster_args_v2 URL..: ParallelCluster 2 runs the script with its own URL first; roster mode is then
# the first word of cfn_postinstall_args. Sets roster_words to all its words, `roster` first.
roster_words=()
roster_args_v2() {
    local raw
    [[ "${1:-}" =~ ^(s3|https?):// && -r "$CFNCONFIG" ]] || return 1
    raw="$(stack_id_from_args_v2 "$(cfn_value cfn_postinstall_args)")"
    read -r -a roster_words <<<"$raw"
    [[ "${roster_words[0]:-}" == roster ]]
}

# roster_main roster ROSTER_URL AGENT_URL INTERVAL ENVIRONMENT PUBKEY: the bundle's setup with these words.
roster_main() {
    local agent_url="${3:-}" node_type region cluster aws_cli bucket key status=0
    start_log post-install "$INSTALL_LOG"
    [[ -r "$CFNCONFIG" ]] || die "cannot read $CFNCONFIG: this is not a ParallelCluster node"
    node_type="$(cfn_value cfn_node_type)"
    region="$(cfn_value cfn_region)"
    # ParallelCluster 3 names the cluster's stack after the cluster.
    cluster="$(cfn_value stack_name)"
    # Only what the fetch needs is looked at here; setup checks every word, and these three values.
    [[ "$agent_url" == s3://?*/?* ]] || die "agent location '$agent_url' is not s3://BUCKET/KEY"
    bucket="${agent_url#s3://}" && key="${bucket#*/}" && bucket="${bucket%%/*}"
    log "roster mode: node type $node_type, region $region, cluster ${cluster:-(unnamed)}, environment ${5:-}, roster ${2:-}"
    aws_cli="$(find_any_aws_cli)" || exit 1

    # Globals: the EXIT trap runs after this function's locals are gone.
    agent_tmp="$(mktemp)"
    err_file="$(mktemp)"
    unpacked="$(mktemp -d)"
    trap 'rm -rf "$agent_tmp" "$err_file" "$unpacked"' EXIT
    if ! "$aws_cli" s3api get-object --region "$region" ${PCA_S3_ENDPOINT_URL:+--endpoint-url "$PCA_S3_ENDPOINT_URL"} \
        --bucket "$bucket" --key "$key" "$agent_tmp" >/dev/null 2>"$err_file"; then
        log_lines "aws: " <"$err_file"
        die "could not fetch the node agent from $agent_url"
    fi
    if ! tar -xf "$agent_tmp" -C "$unpacked" --no-same-owner roster-agent.sh agent 2>"$err_file"; then
        log_lines "tar: " <"$err_file"
        die "$agent_url is not the node agent bundle (a tar of roster-agent.sh and agent/)"
    fi
    PCA_BUNDLE="$agent_tmp" PCA_NODE_TYPE="$node_type" PCA_REGION="$region" PCA_CLUSTER="$cluster" PCA_AWS_CLI="$aws_cli" \
        PCA_AGENT_HOME="${PCA_ROOT}/opt/pcluster-access" PCA_LOG="${PCA_ROOT}/var/log/pcluster-access-roster.log" \
        bash "$unpacked/roster-agent.sh" setup "$@" 2>&1 | log_lines "agent: " || status=$?
    ((status == 0)) || die "the node agent's setup failed (exit $status): see its lines above"
}

case "${1:-}" in
deregister) deregister_main ;;
roster) roster_main "$@" ;;
*)
    if roster_args_v2 "$@"; then
        roster_main "${roster_words[@]}"
    else
        register_main "$@"
    fi
    ;;
esac
