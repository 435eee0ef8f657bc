#!/usr/bin/python3
"""Sign in with MSAL Python's device code flow, then call Microsoft Graph /me.

The shortest program the MSAL Python documentation describes ("Device code flow" sample):
a PublicClientApplication for the work-and-school accounts authority, initiate_device_flow,
the prompt on stderr, acquire_token_by_device_flow, then one API call with the access token.
devicebound's `msal-python` preset runs it against its lab (login.microsoftonline.com and
graph.microsoft.com through the egress proxy, the run CA in REQUESTS_CA_BUNDLE).

Run it with Debian's /usr/bin/python3 (python3-msal, python3-requests).
"""
import os
import sys

import msal
import requests

SCOPES = ["User.Read"]


def main():
    client_id = os.environ.get("DEVICEBOUND_CLIENT_ID")
    if not client_id:
        print("DEVICEBOUND_CLIENT_ID is not set", file=sys.stderr)
        return 2
    app = msal.PublicClientApplication(
        client_id, authority="https://login.microsoftonline.com/organizations"
    )
    flow = app.initiate_device_flow(scopes=SCOPES)
    if "user_code" not in flow:
        print("could not start the device flow: %s" % flow.get("error_description", flow.get("error")),
              file=sys.stderr)
        return 1
    print(flow["message"], file=sys.stderr, flush=True)
    result = app.acquire_token_by_device_flow(flow)  # blocks until a final answer or expiry
    if "error" in result:
        print("sign-in failed: %s" % result.get("error"), file=sys.stderr)
        return 1
    me = requests.get(
        "https://graph.microsoft.com/v1.0/me",
        headers={"Authorization": "Bearer " + result["access_token"]},
        timeout=30,
    )
    if me.status_code != 200:
        print("Graph answered HTTP %d" % me.status_code, file=sys.stderr)
        return 1
    print("signed in as %s" % me.json().get("userPrincipalName"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
