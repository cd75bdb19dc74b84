# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): setup, what makes a node run
# the agent: the bundle installed, its settings, cron entry, log rotation and CloudWatch wiring written, then one
# sync, so the accounts exist before the node takes jobs. It lives in the bundle so that it changes with the agent
# it sets up; post-install.sh (ParallelCluster) and a launch template's user data (AWS PCS) both call it.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154
#
# Usage, from an unpacked copy of the bundle:
#   PCA_BUNDLE=FILE PCA_NODE_TYPE=TYPE PCA_REGION=REGION [PCA_CLUSTER=NAME] \
#     roster-agent.sh setup roster ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY
# The six words are the roster post-install action's (components/access/roster/FORMAT.md). The caller says what
# the node is: PCA_NODE_TYPE is ParallelCluster's cfn_node_type (HeadNode, LoginNode, ComputeFleet, MasterServer;
# an AWS PCS login node group is LoginNode, a compute node group ComputeFleet), PCA_REGION the bucket's region,
# PCA_CLUSTER the cluster's name (its status records carry it), PCA_HOMES who makes home directories (AWS PCS
# login nodes: locked). PCA_AWS_CLI: the AWS CLI (default: aws on PATH).
# PCA_ROOT: prefix of the files setup writes (settings, cron entry, log rotation, CloudWatch), for tests.

readonly SETUP_CONF=/etc/pcluster-access/roster-agent.conf
readonly SETUP_CRON=/etc/cron.d/pcluster-access-roster
readonly SETUP_LOGROTATE=/etc/logrotate.d/pcluster-access-roster
# Where agents before the bundle (one file) were installed; cron no longer runs it once setup has run.
readonly SETUP_LEGACY_AGENT=/opt/pcluster-access/roster-agent.sh

# The CloudWatch agent ParallelCluster installs and configures when its CloudWatch logging is on (the cookbook's
# cloudwatch resource writes the first file and starts the agent with `-a append-config`, which takes more files
# of the same form: aws-parallelcluster-cookbook, cookbooks/aws-parallelcluster-environment/resources/cloudwatch/
# partial/_cloudwatch_common.rb). Neither the agent's log nor sshd's authentication log is among the files it
# ships (files/cloudwatch/cloudwatch_agent_config.json): setup adds them, to the cluster's log group
# (PCA_CLOUDWATCH_CONFIG, PCA_CLOUDWATCH_CTL, PCA_AUTH_LOGS in settings.sh).
readonly SETUP_CLOUDWATCH_FILE=pcluster-access.json

# put_file DEST MODE: stdin at DEST unless DEST holds exactly that already; renamed into place (a dot file until
# then, which cron does not read), so nothing ever reads half a file.
put_file() {
    local dest="$1" tmp
    mkdir -p "$(dirname "$dest")"
    tmp="$(mktemp "$(dirname "$dest")/.${dest##*/}.XXXXXX")"
    cat >"$tmp"
    chmod "$2" "$tmp"
    if cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
        log "setup: unchanged: $dest"
    else
        mv -f "$tmp" "$dest"
        log "setup: installed: $dest"
    fi
}

# setup_cloudwatch ROOT: when ParallelCluster's CloudWatch agent runs here, one more configuration for it with the
# agent's log and sshd's authentication log, in the cluster's log group and named as the cookbook names its streams
# (write_cloudwatch_agent_json.py: the short host name, then {instance_id}, then the log's name), then appended to
# the running agent. Without it: nothing to do.
setup_cloudwatch() {
    local root="$1" group auth="" file dest out host="${HOSTNAME%%.*}"
    if [[ ! -f "$root$PCA_CLOUDWATCH_CONFIG" ]]; then
        log "setup: no CloudWatch agent configuration at $root$PCA_CLOUDWATCH_CONFIG (ParallelCluster's CloudWatch logging off, or not ParallelCluster): logs stay on the node"
        return 0
    fi
    group="$(grep -o '"log_group_name": *"[^"]*"' "$root$PCA_CLOUDWATCH_CONFIG" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/')"
    if [[ ! "$group" =~ ^[A-Za-z0-9_./#-]{1,512}$ ]]; then
        warn "setup: no log group name in $root$PCA_CLOUDWATCH_CONFIG: the agent's and sshd's logs are not shipped to CloudWatch"
        return 0
    fi
    for file in $PCA_AUTH_LOGS; do
        if [[ -f "$root$file" ]]; then auth="$file" && break; fi
    done
    [[ -n "$auth" ]] || warn "setup: none of $PCA_AUTH_LOGS exists (sshd logs only to the journal?): sshd's log is not shipped to CloudWatch"
    dest="$root${PCA_CLOUDWATCH_CONFIG%/*}/$SETUP_CLOUDWATCH_FILE"
    {
        printf '{"logs": {"logs_collected": {"files": {"collect_list": [\n'
        printf '  {"file_path": "%s", "log_group_name": "%s", "log_stream_name": "%s.{instance_id}.pcluster-access-roster", "timestamp_format": "%%Y-%%m-%%dT%%H:%%M:%%SZ"}' "$PCA_LOG" "$group" "$host"
        [[ -z "$auth" ]] || printf ',\n  {"file_path": "%s", "log_group_name": "%s", "log_stream_name": "%s.{instance_id}.sshd-auth"}' "$auth" "$group" "$host"
        printf '\n]}}}}\n'
    } | put_file "$dest" 0644
    if [[ ! -x "$root$PCA_CLOUDWATCH_CTL" ]]; then
        warn "setup: $root$PCA_CLOUDWATCH_CTL is not there: $dest is written but not loaded"
        return 0
    fi
    if ! out="$("$root$PCA_CLOUDWATCH_CTL" -a append-config -m ec2 -c "file:${dest#"$root"}" -s 2>&1)"; then
        warn "setup: the CloudWatch agent did not take $dest: ${out//$'\n'/ | }"
        return 0
    fi
    log "setup: CloudWatch: $PCA_LOG${auth:+ and $auth} to log group $group"
}

setup_main() {
    local root="${PCA_ROOT:-}" roster_url="${2:-}" agent_url="${3:-}" interval="${4:-}" environment="${5:-}" pubkey="${6:-}"
    local sha minutes schedule
    mkdir -p "$(dirname "$PCA_LOG")"
    [[ "${1:-}" == roster ]] ||
        die "setup takes the roster post-install action's six words (roster ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY), got $#: $*"
    (($# == 6)) ||
        die "roster mode takes five arguments after 'roster' (ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY), got $(($# - 1)): ${*:2}"
    [[ "$roster_url" =~ $S3_URL_RE ]] || die "roster location '$roster_url' is not s3://BUCKET/KEY"
    [[ "$agent_url" =~ $S3_URL_RE ]] || die "agent location '$agent_url' is not s3://BUCKET/KEY"
    if [[ ! "$interval" =~ ^[1-9][0-9]{1,3}$ ]] || ((interval % 60 != 0 || interval > 3600)); then
        die "interval '$interval' is not a multiple of 60 seconds from 60 to 3600 (the schedule is a cron step)"
    fi
    [[ "$environment" =~ $ENV_RE ]] ||
        die "environment '$environment' is not an environment name (letters, digits and '-', starting with a letter, at most 60)"
    [[ "$pubkey" =~ $PUBKEY_RE ]] ||
        die "public key '$pubkey' is not the environment's signing key (standard base64 of its DER SubjectPublicKeyInfo, one token)"
    [[ "$PCA_NODE_TYPE" =~ $NODE_TYPE_RE ]] ||
        die "PCA_NODE_TYPE '$PCA_NODE_TYPE' is not HeadNode, MasterServer, ComputeFleet or LoginNode (AWS PCS: LoginNode for a login node group, ComputeFleet for a compute node group)"
    [[ "$PCA_REGION" =~ $REGION_RE ]] || die "PCA_REGION '$PCA_REGION' is not an AWS region"
    [[ -z "$PCA_CLUSTER" || "$PCA_CLUSTER" =~ $CLUSTER_RE ]] || die "PCA_CLUSTER '$PCA_CLUSTER' is not a cluster name"
    # Who makes home directories (AWS PCS login nodes: PCA_HOMES=locked; the agent's settings judge the value).
    [[ "${PCA_HOMES:-}" =~ ^[a-z]*$ ]] || die "PCA_HOMES '${PCA_HOMES:-}' is not a word"
    [[ -n "${PCA_BUNDLE:-}" && -r "${PCA_BUNDLE:-}" ]] || die "PCA_BUNDLE '${PCA_BUNDLE:-}' is not a readable file: set it to the agent bundle this setup was unpacked from"
    if [[ "$PCA_AWS_CLI" != */* ]]; then
        PCA_AWS_CLI="$(command -v "$PCA_AWS_CLI")" || die "no AWS CLI on PATH: install AWS CLI v2 or set PCA_AWS_CLI"
    fi
    [[ -f "$PCA_AWS_CLI" && -x "$PCA_AWS_CLI" ]] || die "PCA_AWS_CLI '$PCA_AWS_CLI' is not an executable file"
    log "setup: node type $PCA_NODE_TYPE, region $PCA_REGION, cluster ${PCA_CLUSTER:-(unnamed)}, environment $environment, roster $roster_url"

    mkdir -p "$PCA_AGENT_HOME/releases"
    sha="$(sha256sum "$PCA_BUNDLE")"
    sha="${sha%% *}"
    install_bundle "$PCA_BUNDLE" "$sha" || die "$agent_url is not the node agent bundle: $install_error; nothing installed"
    [[ ! -e "$root$SETUP_LEGACY_AGENT" ]] || rm -f "$root$SETUP_LEGACY_AGENT"

    # KEY=VALUE without quotes: every value was checked above to hold no whitespace; the agent reads the file as
    # data (settings.sh, load_settings) and does not source it.
    {
        printf '# pcluster-access node agent settings, written by its setup.\n'
        printf 'PCA_ROSTER_URL=%s\n' "$roster_url"
        printf 'PCA_AGENT_URL=%s\n' "$agent_url"
        printf 'PCA_ENVIRONMENT=%s\n' "$environment"
        printf 'PCA_PUBKEY=%s\n' "$pubkey"
        printf 'PCA_NODE_TYPE=%s\n' "$PCA_NODE_TYPE"
        printf 'PCA_REGION=%s\n' "$PCA_REGION"
        printf 'PCA_CLUSTER=%s\n' "$PCA_CLUSTER"
        [[ -z "${PCA_HOMES:-}" ]] || printf 'PCA_HOMES=%s\n' "$PCA_HOMES"
        printf 'PCA_AWS_CLI=%s\n' "$PCA_AWS_CLI"
        printf 'PCA_S3_ENDPOINT_URL=%s\n' "$PCA_S3_ENDPOINT_URL"
    } | put_file "$root$SETUP_CONF" 0600

    minutes=$((interval / 60))
    case "$minutes" in
    1) schedule="* * * * *" ;;
    60) schedule="0 * * * *" ;;
    *) schedule="*/$minutes * * * *" ;;
    esac
    {
        printf '# pcluster-access: apply the roster %s every %s seconds.\n' "$roster_url" "$interval"
        printf '# Written by the node agent'"'"'s setup; the agent locks itself and logs to %s.\n' "$PCA_LOG"
        printf 'SHELL=/bin/bash\n'
        printf 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
        printf 'MAILTO=""\n'
        [[ -z "$root" ]] || printf 'PCA_AGENT_CONF=%s\n' "$root$SETUP_CONF"
        printf '%s root %s sync >/dev/null 2>&1\n' "$schedule" "$PCA_AGENT_HOME/current/roster-agent.sh"
    } | put_file "$root$SETUP_CRON" 0644
    # A size cap as well as a weekly turn: a roster refused every minute logs a line every minute.
    {
        printf '%s {\n' "$PCA_LOG"
        printf '    weekly\n    maxsize 10M\n    rotate 4\n    compress\n    delaycompress\n    missingok\n    notifempty\n}\n'
    } | put_file "$root$SETUP_LOGROTATE" 0644
    setup_cloudwatch "$root"

    log "setup: first sync (accounts before the node takes jobs)"
    if ! PCA_AGENT_CONF="$root$SETUP_CONF" "$PCA_AGENT_HOME/current/roster-agent.sh" sync; then
        die "the first roster sync failed (see $PCA_LOG); cron retries every $interval seconds"
    fi
    log "setup: node agent installed; next sync within $interval seconds"
}
