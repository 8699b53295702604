#!/usr/bin/env python3
"""boto3 against agentcored: create, read, tag, list and delete an agent runtime.

    python3 examples/boto3_example.py                      # server on http://127.0.0.1:4566
    AGENTCORED_ENDPOINT=http://host:4566 python3 examples/boto3_example.py

boto3 also reads AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL, so code that
builds its client without endpoint_url works unchanged when that is set.
"""
import os
import time

import boto3

ENDPOINT = os.environ.get("AGENTCORED_ENDPOINT", "http://127.0.0.1:4566")

client = boto3.client(
    "bedrock-agentcore-control",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    # Any key works in the default permissive mode; this development pair
    # (account 123456789012) also passes strict mode.
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)

created = client.create_agent_runtime(
    agentRuntimeName="boto3_example_%d" % int(time.time()),
    agentRuntimeArtifact={"containerConfiguration": {"containerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"}},
    roleArn="arn:aws:iam::123456789012:role/AgentRole",
    networkConfiguration={"networkMode": "PUBLIC"},
    tags={"example": "boto3"},
)
runtime_id = created["agentRuntimeId"]
print("created %s (%s)" % (runtime_id, created["status"]))

# READY at once under the default immediate lifecycle; poll for the timed one.
status = created["status"]
for _ in range(120):
    status = client.get_agent_runtime(agentRuntimeId=runtime_id)["status"]
    if status == "READY":
        break
    time.sleep(0.5)
print("status %s" % status)

client.tag_resource(resourceArn=created["agentRuntimeArn"], tags={"stage": "demo"})
tags = client.list_tags_for_resource(resourceArn=created["agentRuntimeArn"])["tags"]
print("tags %s" % ", ".join("%s=%s" % kv for kv in sorted(tags.items())))

endpoints = client.list_agent_runtime_endpoints(agentRuntimeId=runtime_id)["runtimeEndpoints"]
print("endpoints %s" % ", ".join(e["name"] for e in endpoints))

names = [r["agentRuntimeName"] for r in client.list_agent_runtimes()["agentRuntimes"]]
assert created["agentRuntimeArn"].endswith(runtime_id) and len(names) >= 1

client.delete_agent_runtime(agentRuntimeId=runtime_id)
for _ in range(120):
    try:
        client.get_agent_runtime(agentRuntimeId=runtime_id)
    except client.exceptions.ResourceNotFoundException:
        print("deleted %s" % runtime_id)
        break
    time.sleep(0.5)
else:
    raise SystemExit("%s still exists after delete" % runtime_id)
