# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): EC2 Instance Connect on the node (issue 16, `option instance-connect on|off`).
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154
#
# What EC2 Instance Connect needs on a node, beside the roster's key files:
# - sshd's AuthorizedKeysCommand from the ec2-instance-connect package (`eic_run_authorized_keys %u %f`, run
#   as the user ec2-instance-connect), which reads the key pushed for the user from IMDS. The deb and rpm
#   packages pass it with `-o` on sshd's command line from a systemd drop-in (aws/aws-ec2-instance-connect-config:
#   debian/postinst, rpmsrc/SPECS/generic.spec %post); Amazon Linux 2 writes it into sshd_config. Either way it
#   is global: the agent's Match block only sets AuthorizedKeysFile, so sshd consults both (auth2-pubkey.c
#   user_key_allowed: the command, then each AuthorizedKeysFile). Nothing to change here; the agent only says
#   when it is missing. AL2023 and Ubuntu ship the package; RHEL and Rocky do not (install AWS's
#   ec2-instance-connect rpm, and on SELinux-enforcing RHEL its ec2-instance-connect-selinux policy: the
#   EC2 User Guide, ec2-instance-connect-set-up.html).
# - On the head node and login nodes, ParallelCluster's IMDS lockdown (HeadNode.Imds.Secured, default true)
#   rejects every local user but root, the admin and the default user in its iptables chain
#   PARALLELCLUSTER_IMDS (aws/aws-parallelcluster-cookbook: aws-parallelcluster-environment recipes/config/imds.rb
#   runs files/imds/imds-access.sh --flush then --allow <head_node_imds_allowed_users>; attributes/environment.rb
#   lists root, cluster_admin_user, cluster_user). So ec2-instance-connect's IMDS read is refused there until
#   it is allowed with ParallelCluster's own script (`--allow USER` appends its ACCEPT and moves the final
#   REJECT back last; `--unset USER` removes it), and the rules are saved where parallelcluster-iptables.service
#   restores them at boot (/usr/local/sbin/save_tables.sh, the same recipe).
#   PCA_IMDS_ACCESS       ParallelCluster's IMDS access script (default /opt/parallelcluster/scripts/imds/imds-access.sh)
#   PCA_IPTABLES          iptables, to read the chain (default iptables)
#   PCA_SAVE_TABLES       saves the rules for the boot restore (default /usr/local/sbin/save_tables.sh)
#   PCA_EIC_USER          the package's user (default ec2-instance-connect)
: "${PCA_IMDS_ACCESS:=/opt/parallelcluster/scripts/imds/imds-access.sh}"
: "${PCA_IPTABLES:=iptables}"
: "${PCA_SAVE_TABLES:=/usr/local/sbin/save_tables.sh}"
: "${PCA_EIC_USER:=ec2-instance-connect}"
readonly IMDS_CHAIN=PARALLELCLUSTER_IMDS

# imds_locked_down: ParallelCluster's chain rejects (Imds.Secured on this head or login node; with
# Secured false the recipe flushes the chain, which then exists but holds nothing).
imds_locked_down() {
    "$PCA_IPTABLES" -S "$IMDS_CHAIN" 2>/dev/null | grep -q -- "-j REJECT"
}

# eic_imds_allowed UID: the chain holds an ACCEPT for that owner.
eic_imds_allowed() {
    "$PCA_IPTABLES" -S "$IMDS_CHAIN" 2>/dev/null | grep -Eq -- "--uid-owner $1 .*-j ACCEPT\$"
}

# ensure_instance_connect on|off: what the document's `option instance-connect` asks of this node. Only the
# head node and login nodes have the lockdown (compute nodes: nothing to do). Idempotent: a rule already
# as wanted changes nothing, so a cycle runs no command.
ensure_instance_connect() {
    local wanted="$1" uid
    [[ "$PCA_NODE_TYPE" == HeadNode || "$PCA_NODE_TYPE" == MasterServer || "$PCA_NODE_TYPE" == LoginNode ]] || return 0
    if ! uid="$(id -u "$PCA_EIC_USER" 2>/dev/null)"; then
        if [[ "$wanted" == on && -z "${eic_missing_said:-}" ]]; then
            warn "instance-connect is on but this node has no $PCA_EIC_USER user: install the ec2-instance-connect package (RHEL and Rocky do not ship it)"
            eic_missing_said=1
        fi
        return 0
    fi
    imds_locked_down || return 0
    if [[ "$wanted" == on ]]; then
        eic_imds_allowed "$uid" && return 0
        [[ -x "$PCA_IMDS_ACCESS" ]] || { warn "no $PCA_IMDS_ACCESS: $PCA_EIC_USER cannot read the pushed key from IMDS"; apply_failed=1; return 0; }
        run "$PCA_IMDS_ACCESS" --allow "$PCA_EIC_USER" || return 0
    else
        eic_imds_allowed "$uid" || return 0
        [[ -x "$PCA_IMDS_ACCESS" ]] || return 0
        run "$PCA_IMDS_ACCESS" --unset "$PCA_EIC_USER" || return 0
    fi
    [[ ! -x "$PCA_SAVE_TABLES" ]] || run "$PCA_SAVE_TABLES" || true
}
