#!/usr/bin/env python3
# An independent reader of what the s3 sink wrote: lists every object of a bucket under a prefix
# with boto3 (path-style, the given endpoint and keys), downloads it and decodes the compression
# by the key's extension with tools that are not ours (Python's gzip, the zstd command). Prints
# one JSON line per object:
#   {"key": ..., "size": <stored bytes>, "content_type": ..., "body": <decoded text>}
# Snappy-framed objects (.sz) are written to OUT_DIR/<n>.sz ("raw_path") for the caller to
# decode: Debian's python3-snappy cannot check their CRCs on Python 3.11.
# Parquet objects are written to OUT_DIR/<n>.parquet and their path is given as "parquet_path".
# Usage: read_objects.py ENDPOINT BUCKET PREFIX ACCESS_KEY SECRET_KEY OUT_DIR
import gzip, json, os, subprocess, sys

import boto3
from botocore.config import Config

endpoint, bucket, prefix, access, secret, out_dir = sys.argv[1:7]
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access,
                  aws_secret_access_key=secret, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))
paginator = s3.get_paginator("list_objects_v2")
n = 0
for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
    for obj in page.get("Contents", []):
        key = obj["Key"]
        got = s3.get_object(Bucket=bucket, Key=key)
        data = got["Body"].read()
        line = {"key": key, "size": len(data), "content_type": got.get("ContentType", "")}
        if key.endswith(".parquet") or key.endswith(".sz"):
            path = os.path.join(out_dir, "%d%s" % (n, os.path.splitext(key)[1]))
            with open(path, "wb") as f:
                f.write(data)
            line["parquet_path" if key.endswith(".parquet") else "raw_path"] = path
        else:
            if key.endswith(".gz"):
                data = gzip.decompress(data)
            elif key.endswith(".zst"):
                data = subprocess.run(["zstd", "-dc"], input=data, check=True,
                                      stdout=subprocess.PIPE).stdout
            line["body"] = data.decode("utf-8")
        print(json.dumps(line))
        n += 1
