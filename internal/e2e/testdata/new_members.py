"""Round-trips through boto3 every member botocore 1.43.67 added to an input
shape a Create* (or, when no Create* reaches it, an Update*) operation
reaches: one request per (member, operation) sets the member, and the
matching Get* answer must return it.

Usage: python3 new_members.py ENDPOINT_URL

Run with AWS_DATA_PATH=<repo>/models (boto3 then loads the repository's
model, 1.43.67) while the installed botocore is 1.43.11: the added members
are the new model's structure members the installed botocore's model does
not have. Each case prints one line:

    RESULT {"case": "Shape.member via Operation", "ok": true|false, "detail": "..."}

and a last line "DONE n". Exit status 0 unless the script itself breaks.
"""

import copy
import datetime
import gzip
import json
import os
import sys
import time

try:
    import re._parser as sre_parse  # Python 3.11+
    import re._constants as sre_constants
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

import re

import boto3
import botocore
from botocore.config import Config

SERVICE = "bedrock-agentcore-control"
OLD_VERSION = "1.43.11"

# ---------------------------------------------------------------- values

# Shapes whose pattern alone does not make a value the server can use.
SHAPE_VALUES = {
    "SecretSourceType": "EXTERNAL",
    "SecretIdType": "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-secret-AbCdEf",
    "SecretJsonKeyType": "key",
    "Statement": None,  # set below: a Cedar policy the policy engine accepts
}

# Members of a generated structure the server needs beyond the model's
# required ones (checks the model cannot state), by structure shape.
STRUCTURE_EXTRAS = {
    "CustomJWTAuthorizerConfiguration": lambda: {"discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                                                 "allowedAudience": ["aud"]},
}

# Members whose value names another resource, made on demand:
# (structure shape, member) -> function of the client.
MEMBER_VALUES = {
    ("CapacityProviderConfiguration", "capacityProviderArn"): lambda: create(CLIENT, "CreateCapacityProvider")["capacityProviderArn"],
}

# Input members the generator leaves out, with the reason.
NOT_SENT = {
    ("HarnessManagedMemoryConfiguration", "arn"): "read-only on Get, ignored on Create/Update input (aws-sdk-go-v2 doc)",
}

# Where a Get* answer holds what a Create* input path set, when the member
# names differ: operation -> function of the input path.
OUTPUT_PATHS = {
    # memoryStrategies[0].semanticMemoryStrategy.x -> strategies[0].x
    "CreateMemory": lambda path: ("strategies",) + path[2:] if path[0] == "memoryStrategies" else path,
}

CLIENT = None  # the boto3 client, set by main


def regex_string(pattern, n):
    """A string the regex matches, each unbounded repetition taken n times."""
    return _gen(sre_parse.parse(pattern), n)


def _class_char(items):
    negate = False
    chars = []
    for op, av in items:
        if op == sre_constants.NEGATE:
            negate = True
        elif op == sre_constants.LITERAL:
            chars.append(chr(av))
        elif op == sre_constants.RANGE:
            lo, hi = av
            for want in ("az", "AZ", "09"):
                a, b = max(lo, ord(want[0])), min(hi, ord(want[1]))
                if a <= b:
                    chars.append(chr(a))
                    break
            else:
                chars.append(chr(lo))
        elif op == sre_constants.CATEGORY:
            chars.append({sre_constants.CATEGORY_DIGIT: "0", sre_constants.CATEGORY_SPACE: " "}.get(av, "a"))
    if negate:
        for c in "aA0":
            if c not in chars:
                return c
        return "z"
    for c in chars:
        if c.isalnum():
            return c
    return chars[0]


def _gen(parsed, n):
    out = []
    for op, av in parsed:
        if op == sre_constants.LITERAL:
            out.append(chr(av))
        elif op == sre_constants.NOT_LITERAL:
            out.append("a" if chr(av) != "a" else "b")
        elif op == sre_constants.ANY:
            out.append("a")
        elif op == sre_constants.IN:
            out.append(_class_char(av))
        elif op == sre_constants.CATEGORY:
            out.append(_class_char([(op, av)]))
        elif op == sre_constants.BRANCH:
            out.append(_gen(av[1][0], n))
        elif op == sre_constants.SUBPATTERN:
            out.append(_gen(av[-1], n))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            lo, hi, sub = av
            k = max(lo, n)
            if hi != sre_constants.MAXREPEAT:
                k = min(k, hi)
            out.append(_gen(sub, n) * k)
        # AT (anchors) and the rest add nothing.
    return "".join(out)


def gen_string(shape):
    if shape.name in SHAPE_VALUES:
        return SHAPE_VALUES[shape.name]
    if shape.enum:
        return shape.enum[0]
    lo = shape.metadata.get("min", 0)
    hi = shape.metadata.get("max", 1 << 20)
    pattern = shape.metadata.get("pattern")
    if not pattern:
        return "a" * max(lo, 1) if max(lo, 1) <= hi else "a" * hi
    full = re.compile("^(?:" + pattern + ")$")
    for n in (1, 0, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256, 512, 1024):
        v = regex_string(pattern, n)
        if lo <= len(v) <= hi and full.match(v):
            return v
    raise ValueError("no string for shape %s pattern %r" % (shape.name, pattern))


def gen_value(shape, full=False, depth=0):
    """A value the shape accepts: required members only, or with full every
    member (to a small depth); unions take their first member; lists and
    maps one element (or their minimum)."""
    t = shape.type_name
    if shape.name in SHAPE_VALUES:
        return SHAPE_VALUES[shape.name]
    if t == "string":
        return gen_string(shape)
    if t in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if t in ("float", "double"):
        return float(shape.metadata.get("min", 1))
    if t == "boolean":
        return True
    if t == "timestamp":
        return datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    if t == "blob":
        return b"x"
    if t == "list":
        return [gen_value(shape.member, full, depth + 1) for _ in range(max(1, shape.metadata.get("min", 0)))]
    if t == "map":
        return {gen_string(shape.key): gen_value(shape.value, full, depth + 1)}
    if t == "structure":
        if shape.is_document_type:
            return {"k": "v"}
        out = {}
        for name, fn in MEMBER_VALUES.items():
            if name[0] == shape.name:
                out[name[1]] = fn()
        if shape.is_tagged_union:
            name, m = next(iter(shape.members.items()))
            out[name] = gen_value(m, full, depth + 1)
            return out
        for name, m in shape.members.items():
            if (shape.name, name) in NOT_SENT:
                continue
            if name not in out and (name in shape.required_members or (full and depth < 3)):
                out[name] = gen_value(m, full, depth + 1)
        if shape.name in STRUCTURE_EXTRAS:
            for k, v in STRUCTURE_EXTRAS[shape.name]().items():
                out.setdefault(k, v)
        return out
    raise ValueError("no value for shape %s type %s" % (shape.name, t))


# ---------------------------------------------------------- operations

ROLE = "arn:aws:iam::123456789012:role/agentcore"
CONTAINER = {"containerConfiguration": {"containerUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"}}
CEDAR = 'forbid(principal, action == AgentCore::Action::"RefundTool___process_refund", resource) unless { context.input.approved };'
SHAPE_VALUES["Statement"] = CEDAR


def unique(prefix):
    unique.n += 1
    return "%s%d" % (prefix, unique.n)


unique.n = 0

# Operation -> its prerequisites (made by calling other operations) and a
# minimal request the server accepts. Each entry is a function of the
# client answering the request parameters.
BASE = {
    "CreateAgentRuntime": lambda c: {"agentRuntimeName": unique("nm_rt"), "agentRuntimeArtifact": copy.deepcopy(CONTAINER),
                                     "roleArn": ROLE, "networkConfiguration": {"networkMode": "PUBLIC"}},
    "CreateApiKeyCredentialProvider": lambda c: {"name": unique("nm-apikey"), "apiKey": "secret-key"},
    "CreateBrowser": lambda c: {"name": unique("nm_browser"), "networkConfiguration": {"networkMode": "PUBLIC"}},
    "CreateCodeInterpreter": lambda c: {"name": unique("nm_ci"), "networkConfiguration": {"networkMode": "SANDBOX"}},
    "CreateConfigurationBundle": lambda c: {"bundleName": unique("nm_bundle"), "components": {"component": {"configuration": {"k": "v"}}}},
    "CreateEvaluator": lambda c: {"evaluatorName": unique("nm_eval"), "level": "TRACE",
                                  "evaluatorConfig": {"codeBased": {"lambdaConfig": {"lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:judge"}}}},
    "CreateGateway": lambda c: {"name": unique("nm-gw"), "roleArn": ROLE, "protocolType": "MCP", "authorizerType": "AWS_IAM"},
    "CreateGatewayTarget": lambda c: {"gatewayIdentifier": create(c, "CreateGateway")["gatewayId"], "name": unique("nm-target"),
                                      "targetConfiguration": {"mcp": {"mcpServer": {"endpoint": "https://mcp.example.com/mcp"}}}},
    "CreateCapacityProvider": lambda c: {"name": unique("nm_cp"),
                                         "permissionsConfiguration": {"capacityProviderOperatorRoleArn": ROLE},
                                         "computeConfiguration": {"ec2Configuration": {
                                             "launchTemplateSource": {"launchParameters": {
                                                 "operatingSystem": "LINUX_X86_64",
                                                 "instanceRequirements": {"allowedInstanceTypes": ["m5.large"]}}},
                                             "vpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"],
                                                                  "securityGroups": ["sg-0123456789abcdef0"]}}}},
    "CreateHarness": lambda c: {"harnessName": unique("nm_harness"), "executionRoleArn": ROLE},
    "CreateMemory": lambda c: {"name": unique("nm_mem"), "eventExpiryDuration": 30},
    "CreateOauth2CredentialProvider": lambda c: {"name": unique("nm-oauth"), "credentialProviderVendor": "GoogleOauth2",
                                                 "oauth2ProviderConfigInput": {"googleOauth2ProviderConfig": {"clientId": "client", "clientSecret": "secret"}}},
    "CreateOnlineEvaluationConfig": lambda c: {"onlineEvaluationConfigName": unique("nm_oec"),
                                               "rule": {"samplingConfig": {"samplingPercentage": 10.0}},
                                               "dataSourceConfig": {"cloudWatchLogs": {"logGroupNames": ["/aws/agent"], "serviceNames": ["agent.svc"]}},
                                               "evaluators": [{"evaluatorId": "Builtin.Helpfulness"}],
                                               "evaluationExecutionRoleArn": ROLE, "enableOnCreate": False},
    "CreatePaymentCredentialProvider": lambda c: {"name": unique("nm-pay"), "credentialProviderVendor": "CoinbaseCDP",
                                                  "providerConfigurationInput": {"coinbaseCdpConfiguration": {
                                                      "apiKeyId": "key-id", "apiKeySecret": "c2VjcmV0", "walletSecret": "d2FsbGV0"}}},
    "CreatePaymentManager": lambda c: {"name": unique("nmpm"), "authorizerType": "AWS_IAM", "roleArn": ROLE},
    "CreatePolicy": lambda c: {"policyEngineId": create(c, "CreatePolicyEngine")["policyEngineId"], "name": unique("nm_policy"),
                               "definition": {"cedar": {"statement": CEDAR}}},
    "CreatePolicyEngine": lambda c: {"name": unique("nm_engine")},
    "CreateRegistry": lambda c: {"name": unique("nm-registry")},
}

# A union member chosen on the path that another member must agree with:
# (operation, union member) -> members to set at the top of the request.
UNION_COMPANIONS = {
    ("CreateOauth2CredentialProvider", "atlassianOauth2ProviderConfig"): {"credentialProviderVendor": "AtlassianOauth2"},
    ("CreateOauth2CredentialProvider", "customOauth2ProviderConfig"): {"credentialProviderVendor": "CustomOauth2"},
    ("CreateOauth2CredentialProvider", "githubOauth2ProviderConfig"): {"credentialProviderVendor": "GithubOauth2"},
    ("CreateOauth2CredentialProvider", "includedOauth2ProviderConfig"): {"credentialProviderVendor": "OktaOauth2"},
    ("CreateOauth2CredentialProvider", "linkedinOauth2ProviderConfig"): {"credentialProviderVendor": "LinkedinOauth2"},
    ("CreateOauth2CredentialProvider", "microsoftOauth2ProviderConfig"): {"credentialProviderVendor": "MicrosoftOauth2"},
    ("CreateOauth2CredentialProvider", "salesforceOauth2ProviderConfig"): {"credentialProviderVendor": "SalesforceOauth2"},
    ("CreateOauth2CredentialProvider", "slackOauth2ProviderConfig"): {"credentialProviderVendor": "SlackOauth2"},
    ("CreatePaymentCredentialProvider", "stripePrivyConfiguration"): {"credentialProviderVendor": "StripePrivy"},
    ("CreateAgentRuntime", "customJWTAuthorizer"): {},
    ("CreateGateway", "customJWTAuthorizer"): {"authorizerType": "CUSTOM_JWT"},
    ("CreatePaymentManager", "customJWTAuthorizer"): {"authorizerType": "CUSTOM_JWT"},
    ("CreateRegistry", "customJWTAuthorizer"): {"authorizerType": "CUSTOM_JWT"},
}


# Members the server's own rules (beyond the model) need beside the member
# under test, in the structure that holds it: shape -> members to set, and
# (shape, member) -> members to set when that member is the one tested.
NODE_COMPANIONS = {
    # a client secret (in clear or by reference) authenticates a client id
    "CustomOauth2ProviderConfigInput": {"clientId": "client"},
    # a Stripe/Privy provider needs both of its secrets, in some form
    "StripePrivyConfigurationInput": {"appSecret": "app-secret", "authorizationPrivateKey": "private-key"},
}
MEMBER_COMPANIONS = {
    ("CustomOauth2ProviderConfigInput", "privateKeyJwtConfig"): {"clientAuthenticationMethod": "PRIVATE_KEY_JWT"},
}


def create(c, op, params=None):
    """Calls a Create* operation with its base request (or params)."""
    if params is None:
        params = BASE[op](c)
    return call(c, op, params)


def call(c, op, params):
    method = getattr(c, botocore.xform_name(op))
    for attempt in range(40):
        try:
            return method(**params)
        except c.exceptions.ConflictException:
            # A resource still being created or updated.
            if attempt == 39:
                raise
            time.sleep(0.1)


def find_id(answer, request, name):
    """The value of a required identifying member of a Get*/Update* input,
    from the Create* answer or request."""
    candidates = [name]
    if name.endswith("Identifier"):
        candidates.append(name[: -len("Identifier")] + "Id")
    # The answer may wrap the resource: {"harness": {"harnessId": ...}} or
    # {"memory": {"id": ...}}.
    nested = [v for k, v in answer.items() if isinstance(v, dict) and k != "ResponseMetadata"]
    for src in [answer, request] + nested:
        for cand in candidates:
            if cand in src and isinstance(src[cand], str):
                return src[cand]
    for src in nested:
        if isinstance(src.get("id"), str):
            return src["id"]
    # Only an ARN: the id is its last path segment.
    for src in [answer] + nested:
        for k, v in src.items():
            if k.endswith("Arn") and isinstance(v, str) and "/" in v:
                return v.rsplit("/", 1)[1]
    raise KeyError("no value for %s in the answer %s" % (name, sorted(answer)))


def ids_for(model, op, answer, request):
    shape = model.operation_model(op).input_shape
    out = {}
    for name in shape.required_members:
        loc = shape.members[name].serialization.get("location")
        if loc in ("uri", "querystring") or name in ("name",):
            out[name] = find_id(answer, request, name)
    return out


# ------------------------------------------------------------ the path


def set_path(model, op, request, shape, path, value):
    """Sets value at path (member names) in request, making every level on
    the way model-valid: a missing structure gets its required members, a
    union drops its other member."""
    def choose(shape, node, name):
        # In a union, name is the one member; its companions go on top.
        if shape.is_tagged_union:
            for other in list(node):
                if other != name:
                    del node[other]
            request.update(UNION_COMPANIONS.get((op, name), {}))

    node = request
    for name in path[:-1]:
        m = shape.members[name]
        choose(shape, node, name)
        if m.type_name == "list":
            if name not in node or not node[name]:
                node[name] = [gen_value(m.member)]
            node, shape = node[name][0], m.member
        else:
            if name not in node:
                node[name] = gen_value(m)
            node, shape = node[name], m
    choose(shape, node, path[-1])
    node[path[-1]] = value
    return node


def secret_companions(shape, node, member):
    """A secret reference (xConfig, a SecretReference) or its source
    (xSource) comes with the other one, source EXTERNAL, and without the
    inline secret x."""
    for suffix in ("Config", "Source"):
        if member.endswith(suffix):
            base = member[: -len(suffix)]
            if base + "Config" in shape.members and base + "Source" in shape.members:
                node[base + "Config"] = gen_value(shape.members[base + "Config"])
                node[base + "Source"] = "EXTERNAL"
                node.pop(base, None)
                # The API key's inline member is apiKey, its reference apiKeySecretConfig.
                if base.endswith("Secret") and base not in shape.members:
                    node.pop(base[: -len("Secret")], None)
                return base
    return None


def get_path(answer, path):
    """The value at path in a Get* answer: the same member names, where
    an xInput container answers as xOutput. None when absent."""
    node = answer
    # The answer may wrap the resource: {"harness": {...}}.
    if path and path[0] not in answer:
        for k, v in answer.items():
            if isinstance(v, dict) and path[0] in v:
                node = v
    for name in path:
        if isinstance(node, list):
            node = node[0] if node else None
            if node is None:
                return None
        if not isinstance(node, dict):
            return None
        if name in node:
            node = node[name]
        elif name.endswith("Input") and name[: -len("Input")] + "Output" in node:
            node = node[name[: -len("Input")] + "Output"]
        else:
            return None
    return node


def contains(got, sent):
    """Whether got holds everything sent (the answer may add members)."""
    if isinstance(sent, dict):
        return isinstance(got, dict) and all(k in got and contains(got[k], v) for k, v in sent.items())
    if isinstance(sent, list):
        return isinstance(got, list) and len(got) == len(sent) and all(contains(g, s) for g, s in zip(got, sent))
    if isinstance(sent, float) or isinstance(got, float):
        return isinstance(got, (int, float)) and float(got) == float(sent)
    return got == sent


def show(v):
    return json.dumps(v, default=str, sort_keys=True)[:400]


def paths_to_added(model, added):
    """(shape, member) -> [(operation, path)] for every Create*/Update*
    operation whose input reaches the shape (shortest path per operation)."""
    out = {}
    for op in sorted(model.operation_names):
        if not (op.startswith("Create") or op.startswith("Update")):
            continue
        root = model.operation_model(op).input_shape
        if root is None:
            continue
        queue, seen = [(root, ())], {root.name}
        while queue:
            shape, path = queue.pop(0)
            if shape.type_name == "list":
                children = [(None, shape.member)]
            elif shape.type_name == "map":
                children = [(None, shape.value)]
            elif shape.type_name == "structure" and not shape.is_document_type:
                children = list(shape.members.items())
            else:
                children = []
            for name, child in children:
                p = path + ((name,) if name else ())
                if name and (shape.name, name) in added:
                    out.setdefault((shape.name, name), []).append((op, p))
                if child.name not in seen:
                    seen.add(child.name)
                    queue.append((child, p))
    return out


def run_case(c, model, op, path, member_shape):
    """Creates (or creates then updates) with the member at path, then
    reads it back. Answers (ok, detail)."""
    create_op = op if op.startswith("Create") else "Create" + op[len("Update"):]
    get_op = "Get" + op[len("Create"):] if op.startswith("Create") else "Get" + op[len("Update"):]
    if op.startswith("Create"):
        request = BASE[op](c)
    else:
        created_req = BASE[create_op](c)
        created = create(c, create_op, created_req)
        request = ids_for(model, op, created, created_req)
        in_shape = model.operation_model(op).input_shape
        for name in in_shape.required_members:
            if name not in request and name in created_req:
                request[name] = copy.deepcopy(created_req[name])
    in_shape = model.operation_model(op).input_shape
    # Top-level members are set on the request itself.
    value = gen_value(member_shape, full=True)
    parent = set_path(model, op, request, in_shape, path, value)
    parent_shape = in_shape
    for name in path[:-1]:
        parent_shape = parent_shape.members[name]
        if parent_shape.type_name == "list":
            parent_shape = parent_shape.member
    for k, v in NODE_COMPANIONS.get(parent_shape.name, {}).items():
        parent.setdefault(k, v)
    parent.update(MEMBER_COMPANIONS.get((parent_shape.name, path[-1]), {}))
    secret = secret_companions(parent_shape, parent, path[-1])
    sent = copy.deepcopy(parent[path[-1]])
    try:
        answer = call(c, op, request)
    except botocore.exceptions.ClientError as e:
        return False, "%s failed: %s; request %s" % (op, e, show(request))
    except botocore.exceptions.ParamValidationError as e:
        return False, "boto3 refused the request: %s; request %s" % (e, show(request))
    if op.startswith("Create"):
        get_params = ids_for(model, get_op, answer, request)
    else:
        get_params = ids_for(model, get_op, created, created_req)
    got_answer = call(c, get_op, get_params)
    got_answer.pop("ResponseMetadata", None)
    out_path = OUTPUT_PATHS.get(op, lambda p: p)(path)
    if secret is None:
        got = get_path(got_answer, out_path)
        if contains(got, sent):
            return True, "%s returned %s" % (get_op, show(got))
        return False, "%s returned %s at %s, sent %s" % (get_op, show(got), ".".join(out_path), show(sent))
    # A secret: the answer holds the reference, never the secret. The
    # source comes back as xSource, the reference as xArn.secretArn and
    # xJsonKey, in the mapped parent or at the top of the answer.
    ref = parent[secret + "Config"]
    want = {secret + "Source": "EXTERNAL", secret + "Arn": {"secretArn": ref["secretId"]}, secret + "JsonKey": ref["jsonKey"]}
    if path[-1].endswith("Source"):
        want = {secret + "Source": "EXTERNAL"}
    else:
        del want[secret + "Source"]
    mapped = get_path(got_answer, out_path[:-1]) if len(out_path) > 1 else got_answer
    for where in (mapped, got_answer):
        if isinstance(where, dict) and contains(where, want):
            return True, "%s returned %s" % (get_op, show({k: where.get(k) for k in want}))
    found = {k: (mapped or {}).get(k, got_answer.get(k)) for k in want}
    return False, "%s returned %s, want %s" % (get_op, show(found), show(want))


def main():
    endpoint = sys.argv[1]
    if botocore.__version__ != OLD_VERSION:
        print("SKIP installed botocore is %s, the added members are counted from %s" % (botocore.__version__, OLD_VERSION))
        return
    old_path = os.path.join(os.path.dirname(botocore.__file__), "data", SERVICE, "2023-06-05", "service-2.json.gz")
    with gzip.open(old_path) as f:
        old_shapes = json.load(f)["shapes"]
    c = boto3.client(SERVICE, region_name="us-east-1", endpoint_url=endpoint,
                     aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                     config=Config(retries={"max_attempts": 1}))
    global CLIENT
    CLIENT = c
    model = c.meta.service_model
    if "CreateDataset" not in model.operation_names:
        print("SKIP boto3 does not load the repository's model (AWS_DATA_PATH)")
        return
    added = set()
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.type_name == "structure" and name in old_shapes:
            for member in shape.members:
                if member not in old_shapes[name].get("members", {}):
                    added.add((name, member))
    reach = paths_to_added(model, added)
    n = 0
    for key in sorted(reach):
        cases = [(op, p) for op, p in reach[key] if op.startswith("Create")] or reach[key]
        for op, path in cases:
            n += 1
            case = "%s.%s via %s" % (key[0], key[1], op)
            member_shape = model.shape_for(key[0]).members[key[1]]
            try:
                ok, detail = run_case(c, model, op, path, member_shape)
            except Exception as e:  # a failure of the case, reported as such
                ok, detail = False, "%s: %s" % (type(e).__name__, e)
            print("RESULT " + json.dumps({"case": case, "ok": ok, "detail": detail}), flush=True)
    print("DONE %d" % n)


if __name__ == "__main__":
    main()
