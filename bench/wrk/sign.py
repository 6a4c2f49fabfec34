#!/usr/bin/env python3
"""Signs one KMS request with SigV4 (botocore) and sends it or writes it as a wrk Lua script.

  sign.py send  ENDPOINT CREDENTIALS TARGET BODY   sends it, prints the status and answer
  sign.py wrk   ENDPOINT CREDENTIALS TARGET BODY   prints a wrk script replaying it

CREDENTIALS is the credentials file "./hsm-kms dev" writes. The server accepts a replayed
request while its signature is fresh (5 minutes), so sign right before each wrk run.
"""
import configparser
import sys
import urllib.request
from urllib.parse import urlparse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed(endpoint, credentials_file, target, body):
    ini = configparser.ConfigParser()
    ini.read(credentials_file)
    section = ini[ini.sections()[0]]
    req = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body.encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "TrentService." + target,
            "Host": urlparse(endpoint).netloc,
        },
    )
    SigV4Auth(
        Credentials(section["aws_access_key_id"], section["aws_secret_access_key"]),
        "kms",
        section.get("region", "us-east-1"),
    ).add_auth(req)
    return req


def lua(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    mode, endpoint, credentials_file, target, body = sys.argv[1:6]
    req = signed(endpoint, credentials_file, target, body)
    if mode == "send":
        r = urllib.request.Request(endpoint + "/", data=body.encode(), method="POST")
        for k, v in req.headers.items():
            r.add_header(k, v)
        try:
            with urllib.request.urlopen(r, timeout=10) as answer:
                print(answer.status, answer.read().decode())
        except urllib.error.HTTPError as e:
            print(e.code, e.read().decode())
            sys.exit(1)
        return
    print('wrk.method = "POST"')
    print("wrk.body = " + lua(body))
    for k, v in req.headers.items():
        if k.lower() != "host":
            print("wrk.headers[" + lua(k) + "] = " + lua(v))


if __name__ == "__main__":
    main()
