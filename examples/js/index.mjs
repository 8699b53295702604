// aws-sdk-js-v3 against agentcored, two ways of pointing the client at it:
//
//   1. the AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL environment variable,
//      which every AWS SDK reads (the code is then the same as for AWS);
//   2. the client's explicit `endpoint` option.
//
//   npm install && AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL=http://127.0.0.1:4566 node index.mjs
import {
  BedrockAgentCoreControlClient,
  CreateAgentRuntimeCommand,
  DeleteAgentRuntimeCommand,
  GetAgentRuntimeCommand,
  ListAgentRuntimesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
} from "@aws-sdk/client-bedrock-agentcore-control";

const endpoint = process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL ?? "http://127.0.0.1:4566";
// Any key works in agentcored's default permissive mode; this development
// pair also passes its strict mode.
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const region = process.env.AWS_REGION ?? "us-east-1";

// 1. No endpoint in the code: the SDK takes it from the environment.
process.env.AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL = endpoint;
const fromEnv = new BedrockAgentCoreControlClient({ region, credentials });
// 2. The endpoint given explicitly.
const explicit = new BedrockAgentCoreControlClient({ region, credentials, endpoint });

const created = await explicit.send(new CreateAgentRuntimeCommand({
  agentRuntimeName: `js_example_${Date.now()}`,
  agentRuntimeArtifact: {
    containerConfiguration: { containerUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest" },
  },
  roleArn: "arn:aws:iam::123456789012:role/AgentRole",
  networkConfiguration: { networkMode: "PUBLIC" },
  tags: { example: "js" },
}));
const id = created.agentRuntimeId;
console.log(`created ${id} (${created.status}) with the explicit endpoint`);

// Wait for READY (at once under the default immediate lifecycle).
let status = created.status;
for (let i = 0; status !== "READY" && i < 120; i++) {
  await new Promise((r) => setTimeout(r, 500));
  status = (await fromEnv.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }))).status;
}
console.log(`status ${status}`);

const listed = await fromEnv.send(new ListAgentRuntimesCommand({}));
if (!listed.agentRuntimes.some((r) => r.agentRuntimeId === id)) {
  throw new Error(`${id} missing from the listing through the environment endpoint`);
}
console.log(`listed ${id} with the endpoint from the environment`);

await fromEnv.send(new TagResourceCommand({ resourceArn: created.agentRuntimeArn, tags: { stage: "demo" } }));
const { tags } = await explicit.send(new ListTagsForResourceCommand({ resourceArn: created.agentRuntimeArn }));
console.log(`tags ${JSON.stringify(tags, Object.keys(tags).sort())}`);

await explicit.send(new DeleteAgentRuntimeCommand({ agentRuntimeId: id }));
try {
  for (let i = 0; i < 120; i++) {
    await explicit.send(new GetAgentRuntimeCommand({ agentRuntimeId: id }));
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${id} still exists after delete`);
} catch (err) {
  if (!(err instanceof ResourceNotFoundException)) throw err;
  console.log(`deleted ${id}: ${err.name}`);
}
