#!/bin/sh
# Sign in with oidc-agent's device flow, then use the account: oidc-agent's own lifecycle
# (https://indigo-dc.gitbook.io/oidc-agent/), made non-interactive for a machine without a
# browser. devicebound's `oidc-agent` preset runs it against the lab's own issuer with TLS; it
# works by hand as well:
#
#   OIDC_ISSUER=https://op.example OIDC_CLIENT_ID=my-client OIDC_CA_FILE=/path/ca.pem \
#     sh oidc-agent-device.sh [/path/to/oidc-gen]
#
# 1. A private oidc-agent daemon for this run only (its socket in $TMPDIR); a trap stops it on
#    every exit, so no process outlives the run.
# 2. The first time: oidc-gen --flow=device with a pre-registered public client, the CA bundle,
#    the account file's password from the environment, and no prompt at all. oidc-agent (the
#    daemon, not oidc-gen) makes every request, through HTTPS_PROXY. oidc-gen stores the
#    account (refresh token included) encrypted in the oidc-agent folder.
#    Later times (the account file exists): oidc-add loads that account, as its documentation
#    says to; the agent then gets access tokens with the stored refresh token.
# 3. One use of the account: oidc-token asks the agent for an access token and the wrapper hands
#    it to curl on a pipe as a header file, so the token is in neither the output nor any argv
#    (oidc-token prints it on stdout by design; that is its interface, meant for $(...) or a
#    pipe). curl calls the lab's protected resource, which records the token's use.
#
# The account file's password is what a person would type: OIDC_ENCRYPTION_PW when set, else
# a random one kept (mode 600) in $TMPDIR for the later runs of the same sandbox.
set -eu

OIDC_GEN=${1:-oidc-gen}
: "${OIDC_ISSUER:=${DEVICEBOUND_ISSUER:?set OIDC_ISSUER or DEVICEBOUND_ISSUER}}"
: "${OIDC_CLIENT_ID:=${DEVICEBOUND_CLIENT_ID:?set OIDC_CLIENT_ID or DEVICEBOUND_CLIENT_ID}}"
: "${OIDC_RESOURCE:=${DEVICEBOUND_RESOURCE:-}}"
# oidc-gen's own default scope (src/defines/settings.h): the agent needs a refresh token.
: "${OIDC_SCOPE:=openid profile offline_access}"
ACCOUNT=${OIDC_ACCOUNT:-devicebound}

# The agent and oidc-token are installed beside oidc-gen.
case "$OIDC_GEN" in
  */*) bin=$(dirname "$OIDC_GEN")/ ;;
  *) bin= ;;
esac

# --pw-env reads OIDC_ENCRYPTION_PW: the password is never on a command line.
if [ -z "${OIDC_ENCRYPTION_PW:-}" ]; then
  pwfile=${TMPDIR:-/tmp}/oidc-agent-device.pw
  if [ ! -s "$pwfile" ]; then
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$pwfile")
  fi
  OIDC_ENCRYPTION_PW=$(cat "$pwfile")
fi
export OIDC_ENCRYPTION_PW

OIDCD_PID=
stop_agent() {
  if [ -n "$OIDCD_PID" ]; then
    "${bin}oidc-agent" --kill >/dev/null 2>&1 || kill "$OIDCD_PID" 2>/dev/null || true
    OIDCD_PID=
  fi
}
trap 'status=$?; stop_agent; exit $status' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints `OIDC_SOCK=…; export OIDC_SOCK; OIDCD_PID=…; export OIDCD_PID;` (and, without
# --quiet, an echo of the pid). --no-autoload: nothing is read from a previous session
# unless this script asks for it.
eval "$("${bin}oidc-agent" --quiet --no-autoload)"
# The launcher prints the socket's path and exits before the daemon listens on it (oidc-agent
# 4.2.6, src/oidc-agent/oidcp/oidcp.c: printEnvs after daemonize(), ipc_bindAndListen only after
# startOidcd): a client started at once can find no socket, or one not listening yet. Wait until
# the agent answers (`oidc-add --loaded` connects to it), 5 s at most.
i=0
until "${bin}oidc-add" --loaded >/dev/null 2>&1 || [ "$i" -ge 100 ]; do
  sleep 0.05
  i=$((i + 1))
done

cert=
if [ -n "${OIDC_CA_FILE:-}" ]; then cert="--cert-path=$OIDC_CA_FILE"; fi

if "${bin}oidc-add" --list 2>/dev/null | grep -qx "$ACCOUNT"; then
  "${bin}oidc-add" --pw-env "$ACCOUNT" >&2
else
  # shellcheck disable=SC2086 # $cert is one word or none
  "$OIDC_GEN" "$ACCOUNT" \
    --issuer="$OIDC_ISSUER" \
    --flow=device \
    --client-id="$OIDC_CLIENT_ID" \
    --client-secret="${OIDC_CLIENT_SECRET:-}" \
    --scope="$OIDC_SCOPE" \
    $cert \
    --pw-env \
    --prompt=none \
    --confirm-default \
    --no-url-call
fi

if [ -n "$OIDC_RESOURCE" ]; then
  "${bin}oidc-token" "$ACCOUNT" | sed 's/^/Authorization: Bearer /' |
    curl --silent --show-error --fail --header @- --output /dev/null "$OIDC_RESOURCE/whoami"
  echo "oidc-agent: account '$ACCOUNT' works at $OIDC_RESOURCE" >&2
fi
