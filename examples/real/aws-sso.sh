#!/bin/sh
# Sign in to IAM Identity Center with the AWS CLI version 2's device flow, then use the session:
# what AWS's "Configuring IAM Identity Center authentication with the AWS CLI" has a person do,
# without the person. devicebound's `aws` preset runs it with the lab playing
# oidc.us-east-1.amazonaws.com, portal.sso.us-east-1.amazonaws.com and STS through the egress
# proxy; the AWS CLI itself is not changed in any way.
#
#   sh aws-sso.sh [/path/to/aws]
#
# 1. ~/.aws/config (in $HOME, which devicebound makes a sandbox: the user's own ~/.aws is never
#    read) gets an `[sso-session lab]` (start URL, region, sso:account:access as the
#    registration scope) and a `[profile lab]` using it, as `aws configure sso` writes them.
#    A config that is already there is left as it is, so a task can bring its own.
# 2. `aws sso login --profile lab --no-browser`: RegisterClient, StartDeviceAuthorization,
#    CreateToken polls; the CLI prints the verification URL and the user code. From AWS CLI
#    2.22 on, the default is the authorization-code flow with PKCE, so `--use-device-code` is
#    added there (versions before it have no such option).
# 3. `aws sts get-caller-identity --profile lab`: the cached SSO token is exchanged for role
#    credentials at the portal (GetRoleCredentials), which sign the STS call.
set -eu

AWS=${1:-aws}
config=${AWS_CONFIG_FILE:-$HOME/.aws/config}

if [ ! -e "$config" ]; then
  mkdir -p "$(dirname "$config")"
  cat >"$config" <<'EOF'
[sso-session lab]
sso_start_url = https://devicebound-lab.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile lab]
sso_session = lab
sso_account_id = 111122223333
sso_role_name = DeviceboundLabRole
region = us-east-1
output = json
EOF
fi

# `aws-cli/2.22.0 Python/3.12.6 Linux/…`: the minor version decides --use-device-code.
version=$("$AWS" --version 2>&1 | sed -n 's|^aws-cli/\([0-9]*\)\.\([0-9]*\)\..*|\1 \2|p')
set -- sso login --profile lab --no-browser
case $version in
  '2 '*) [ "${version#2 }" -ge 22 ] && set -- "$@" --use-device-code ;;
esac

"$AWS" "$@"
"$AWS" sts get-caller-identity --profile lab
