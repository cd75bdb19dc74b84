# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): constants, the settings (PCA_*) and their checks.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# Settings: the settings file (PCA_AGENT_CONF, KEY=VALUE lines written by its setup, agent/setup.sh) sets any
# variable below that the environment does not already set; the rest take these defaults. Bash 4.2
# (Amazon Linux 2), coreutils, shadow-utils, sudo and any AWS CLI; no jq.
#   PCA_AGENT_CONF        settings file (default /etc/pcluster-access/roster-agent.conf)
#   PCA_ROSTER_URL        s3://BUCKET/KEY of the roster document (required)
#   PCA_AGENT_URL         s3://BUCKET/KEY of the agent bundle (AGENT_KEY), fetched when the roster names another agent
#   PCA_ENVIRONMENT       this environment's name; a document for any other is refused (required)
#   PCA_NODE_TYPE         ParallelCluster's cfn_node_type; home directories and the intra-cluster key
#                         pair are created only on the head node (HeadNode or MasterServer) (required)
#   PCA_HOMES             empty: home directories are made on the head node only (ParallelCluster's, which exports
#                         /home); `locked`: this node makes them too, under an flock on the shared home base, so two
#                         nodes never both make one (AWS PCS login nodes: PCS has no head node; scripts/node/pcs-node.sh)
#   PCA_REGION            the bucket's region (required)
#   PCA_CLUSTER           the cluster's name, which the node's status records carry (ParallelCluster: cfnconfig's
#                         stack_name; AWS PCS: the PCS cluster's name); empty = unnamed
#   PCA_PUBKEY            the environment's signing public key: standard base64 of its DER SubjectPublicKeyInfo
#                         (ECDSA P-256); a document it did not sign is refused (required; setup writes it from
#                         the PUBKEY word)
#   PCA_OPENSSL           openssl, which verifies the signature (default: openssl on PATH)
#   PCA_NOW               test hook: the agent's clock in Unix seconds, for key and account dates; empty = the clock
#   PCA_SOURCE_SHA256     test hook: the SHA-256 a run from outside releases/ (the repository's copy) takes as its
#                         own, so that a document naming this tree's bundle needs no upgrade; empty = none
#   PCA_AWS_CLI           AWS CLI (default: aws on PATH); any version has s3api get-object
#   PCA_S3_ENDPOINT_URL   test and air-gapped hook: --endpoint-url for S3; empty = AWS's
#   PCA_STATE_DIR         last ETag, generation, managed groups, retired UIDs (default /var/lib/pcluster-access/roster)
#   PCA_LOG               log file (default /var/log/pcluster-access-roster.log); warnings also go to syslog
#   PCA_LOCK              lock file (default /var/lock/pcluster-access-roster.lock)
#   PCA_LOGGER            syslog command, called as: PCA_LOGGER -t TAG -p PRIORITY -- MESSAGE (default logger)
#   PCA_KEYS_DIR          root-owned directory of key files, one per user, read by sshd
#                         (default /etc/pcluster-access/authorized_keys)
#   PCA_SSHD_CONFIG       sshd's config file, which gets the marked block (default /etc/ssh/sshd_config)
#   PCA_SSHD              sshd binary, for `sshd -t` (default /usr/sbin/sshd)
#   PCA_SSHD_RELOAD       command that reloads sshd; empty = `systemctl reload` of sshd or ssh, whichever runs
#   PCA_SUDOERS           the one sudoers file (default /etc/sudoers.d/pcluster-access)
#   PCA_MARKER_GROUP      the group that marks managed accounts (default pcluster-access)
#   PCA_HOME_BASE         parent of home directories (default /home)
#   PCA_SHELL             login shell of new accounts (default /bin/bash)
#   PCA_IMDS_URL          the instance metadata service, where the agent reads the VPC's CIDR blocks for the key
#                         rule (default http://169.254.169.254; tests point it at a stand-in)
#   PCA_CLUSTER_NETWORKS  the cluster's network for the key rule as comma-separated CIDR blocks, instead of
#                         asking IMDS (default empty: ask IMDS); the node itself (127.0.0.1, ::1) is always in it
#   PCA_AGENT_HOME        where the agent is installed: releases/SHA256/ and the `current` symlink cron runs
#                         (default /opt/pcluster-access)
#   PCA_STATUS_URL        s3://BUCKET/PREFIX/ under which the node writes its status record, PREFIX<instance ARN>.json
#                         (agent/status.sh); unset = s3://<the roster's bucket>/status/, the key the node role may
#                         write; empty = no status records (the agent's tests that are not about them)
#   PCA_STATUS_INTERVAL   seconds after which an unchanged status record is written again, the heartbeat (default 3600)
#   PCA_CLOUDWATCH_CONFIG the CloudWatch agent configuration ParallelCluster writes when its CloudWatch logging is on;
#                         setup adds the agent's and sshd's logs beside it (default
#                         /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json)
#   PCA_CLOUDWATCH_CTL    the CloudWatch agent's control command (default
#                         /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl)
#   PCA_AUTH_LOGS         where sshd's authentication log may be, the first that exists is shipped to CloudWatch
#                         (default /var/log/secure /var/log/auth.log: RHEL, Rocky and Amazon Linux; Ubuntu)
#   PCA_PROTECTED         names never managed, whatever the roster says (default: root, the images' default
#                         users, ParallelCluster's service accounts)

readonly LOG_TAG=roster-agent
readonly NAME_RE='^[a-z_][a-z0-9_-]{0,31}$'
readonly ENV_RE='^[A-Za-z][A-Za-z0-9-]{0,59}$'
readonly S3_URL_RE='^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/([^[:space:]]+)$'
readonly NODE_TYPE_RE='^(HeadNode|MasterServer|ComputeFleet|LoginNode)$'
readonly REGION_RE='^[a-z]{2}(-[a-z]+)+-[0-9]+$'
# A ParallelCluster cluster name, or an AWS PCS one (which may hold '_'); it goes into JSON as it is.
readonly CLUSTER_RE='^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$'
# useradd's -e takes a date; day 1 is in the past everywhere, which sshd (with or without PAM) refuses.
readonly EXPIRED_DATE=1970-01-02
readonly EXPIRED_DAYS=1

# load_settings FILE: KEY=VALUE lines (values without quotes or whitespace) for variables the environment
# does not set. Read, not sourced: the file is data.
load_settings() {
    local line name value
    [[ -f "$1" ]] || return 0
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ "$line" =~ ^(PCA_[A-Z0-9_]+)=([^[:space:]]*)$ ]] || continue
        name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
        [[ -n "${!name+set}" ]] || printf -v "$name" '%s' "$value"
    done <"$1"
}

: "${PCA_AGENT_CONF:=/etc/pcluster-access/roster-agent.conf}"
load_settings "$PCA_AGENT_CONF"
: "${PCA_ROSTER_URL:=}"
: "${PCA_AGENT_URL:=}"
: "${PCA_ENVIRONMENT:=}"
: "${PCA_NODE_TYPE:=}"
: "${PCA_HOMES:=}"
: "${PCA_REGION:=}"
: "${PCA_CLUSTER:=}"
: "${PCA_PUBKEY:=}"
: "${PCA_OPENSSL:=openssl}"
: "${PCA_NOW:=}"
: "${PCA_SOURCE_SHA256:=}"
: "${PCA_AWS_CLI:=aws}"
: "${PCA_S3_ENDPOINT_URL:=}"
: "${PCA_STATE_DIR:=/var/lib/pcluster-access/roster}"
: "${PCA_LOG:=/var/log/pcluster-access-roster.log}"
: "${PCA_LOCK:=/var/lock/pcluster-access-roster.lock}"
: "${PCA_LOGGER:=logger}"
: "${PCA_KEYS_DIR:=/etc/pcluster-access/authorized_keys}"
: "${PCA_SSHD_CONFIG:=/etc/ssh/sshd_config}"
: "${PCA_SSHD:=/usr/sbin/sshd}"
: "${PCA_SSHD_RELOAD:=}"
: "${PCA_SUDOERS:=/etc/sudoers.d/pcluster-access}"
: "${PCA_MARKER_GROUP:=pcluster-access}"
: "${PCA_HOME_BASE:=/home}"
: "${PCA_SHELL:=/bin/bash}"
: "${PCA_IMDS_URL:=http://169.254.169.254}"
: "${PCA_CLUSTER_NETWORKS:=}"
: "${PCA_AGENT_HOME:=/opt/pcluster-access}"
: "${PCA_STATUS_INTERVAL:=3600}"
: "${PCA_CLOUDWATCH_CONFIG:=/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json}"
: "${PCA_CLOUDWATCH_CTL:=/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl}"
: "${PCA_AUTH_LOGS:=/var/log/secure /var/log/auth.log}"
: "${PCA_PROTECTED:=root ec2-user ubuntu centos rocky admin slurm munge pcluster-admin dcvextauth slurmrestd}"

# Standard base64 of a DER SubjectPublicKeyInfo: 124 characters for a P-256 key; room for other encodings.
readonly PUBKEY_RE='^[A-Za-z0-9+/]{100,200}={0,2}$'

bucket="" key=""

check_settings() {
    [[ "$PCA_ROSTER_URL" =~ $S3_URL_RE ]] ||
        die "PCA_ROSTER_URL '$PCA_ROSTER_URL' is not s3://BUCKET/KEY (set it in $PCA_AGENT_CONF; the agent's setup writes it)"
    bucket="${BASH_REMATCH[1]}" key="${BASH_REMATCH[2]}"
    # Unset: beside the roster. Set and empty: no status records.
    [[ -n "${PCA_STATUS_URL+set}" ]] || PCA_STATUS_URL="s3://$bucket/status/"
    [[ "$PCA_ENVIRONMENT" =~ $ENV_RE ]] ||
        die "PCA_ENVIRONMENT '$PCA_ENVIRONMENT' is not an environment name (letters, digits and '-', starting with a letter, at most 60)"
    [[ "$PCA_NODE_TYPE" =~ $NODE_TYPE_RE ]] ||
        die "PCA_NODE_TYPE '$PCA_NODE_TYPE' is not HeadNode, MasterServer, ComputeFleet or LoginNode"
    [[ -z "$PCA_HOMES" || "$PCA_HOMES" == locked ]] || die "PCA_HOMES '$PCA_HOMES' is not empty or locked"
    [[ "$PCA_REGION" =~ $REGION_RE ]] || die "PCA_REGION '$PCA_REGION' is not an AWS region"
    [[ "$PCA_MARKER_GROUP" =~ $NAME_RE ]] || die "PCA_MARKER_GROUP '$PCA_MARKER_GROUP' is not a group name"
    [[ "$PCA_PUBKEY" =~ $PUBKEY_RE ]] ||
        die "PCA_PUBKEY '$PCA_PUBKEY' is not the environment's public key (base64 of its DER SubjectPublicKeyInfo, one token): the agent's setup writes it from the post-install action's sixth word, PUBKEY"
    [[ -z "$PCA_CLUSTER" || "$PCA_CLUSTER" =~ $CLUSTER_RE ]] || die "PCA_CLUSTER '$PCA_CLUSTER' is not a cluster name"
    [[ "$PCA_STATUS_INTERVAL" =~ ^[1-9][0-9]{0,5}$ ]] || die "PCA_STATUS_INTERVAL '$PCA_STATUS_INTERVAL' is not whole seconds"
    [[ -z "$PCA_NOW" || "$PCA_NOW" =~ ^[1-9][0-9]{0,11}$ ]] || die "PCA_NOW '$PCA_NOW' is not Unix seconds"
}

is_head_node() {
    [[ "$PCA_NODE_TYPE" == HeadNode || "$PCA_NODE_TYPE" == MasterServer ]]
}

# owns_homes: this node makes (and moves) home directories: ParallelCluster's head node, or a node told to share
# the job under a lock (PCA_HOMES=locked: AWS PCS login nodes).
owns_homes() {
    is_head_node || [[ "$PCA_HOMES" == locked ]]
}
