#!/usr/bin/env bash
# The AWS CLI against agentcored: create, read, tag, list and delete an agent
# runtime.
#
#   ./examples/cli_example.sh                 # server on http://127.0.0.1:4566
#   AGENTCORED_ENDPOINT=http://host:4566 ./examples/cli_example.sh
set -euo pipefail

# The CLI (like every AWS SDK) reads the service's endpoint from this
# variable, so no --endpoint-url is needed on each command.
export AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL="${AGENTCORED_ENDPOINT:-http://127.0.0.1:4566}"
# Any key works in the default permissive mode; this development pair
# (account 123456789012) also passes strict mode.
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER=""

acc() { aws bedrock-agentcore-control "$@"; }

name="cli_example_$(date +%s)"
read -r id arn < <(acc create-agent-runtime \
  --agent-runtime-name "$name" \
  --role-arn arn:aws:iam::123456789012:role/AgentRole \
  --agent-runtime-artifact '{"containerConfiguration":{"containerUri":"123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"}}' \
  --network-configuration '{"networkMode":"PUBLIC"}' \
  --tags example=cli \
  --query '[agentRuntimeId, agentRuntimeArn]' --output text)
echo "created $id"

# READY at once under the default immediate lifecycle; poll for the timed one.
for _ in $(seq 1 120); do
  status=$(acc get-agent-runtime --agent-runtime-id "$id" --query status --output text)
  [ "$status" = READY ] && break
  sleep 0.5
done
echo "status $status"

acc tag-resource --resource-arn "$arn" --tags stage=demo
echo "tags $(acc list-tags-for-resource --resource-arn "$arn" --query 'tags.[example, stage]' --output text)"
echo "listed $(acc list-agent-runtimes --query "agentRuntimes[?agentRuntimeId=='$id'].agentRuntimeName" --output text)"

acc delete-agent-runtime --agent-runtime-id "$id" >/dev/null
for _ in $(seq 1 120); do
  if ! err=$(acc get-agent-runtime --agent-runtime-id "$id" 2>&1 >/dev/null); then
    case "$err" in
      *ResourceNotFoundException*) echo "deleted $id"; exit 0 ;;
      *) echo "$err" >&2; exit 1 ;;
    esac
  fi
  sleep 0.5
done
echo "$id still exists after delete" >&2
exit 1
