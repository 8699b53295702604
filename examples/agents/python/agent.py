"""An agent that follows the AgentCore Runtime HTTP protocol contract, with
the Python standard library only: it listens on $PORT (default 8080) and
answers GET /ping and POST /invocations.

    PORT=8080 python3 examples/agents/python/agent.py

Bind it to a runtime in agentcored's config file, and agentcored starts one
per session:

    agents:
      - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-agent:latest
        command: ["python3", "agent.py"]
        dir: ./examples/agents/python

The payload is JSON: {"prompt": "hi"} answers JSON
{"echo", "pid", "calls", "session", "env"}; {"stream": true} answers
text/event-stream, each event flushed as it is produced. Hooks that show the
runtime's behaviour: "env": ["NAME"] echoes environment variables,
"crash": true exits the process mid-call, "busySeconds": n makes /ping
answer HealthyBusy for n seconds, and with "stream" a "waitFor" file path
holds the second event back until that file exists (at most 10 s).
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

state = {"calls": 0, "busy_until": 0.0, "updated": time.time()}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("agent: " + (fmt % args) + "\n")

    def _json(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path != "/ping":
            self._json(404, {"message": "not found"})
            return
        with lock:
            busy = time.time() < state["busy_until"]
            updated = int(state["updated"])
        self._json(200, {"status": "HealthyBusy" if busy else "Healthy", "time_of_last_update": updated})

    def do_POST(self):
        if self.path != "/invocations":
            self._json(404, {"message": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            req = json.loads(self.rfile.read(length) or b"{}")
        except ValueError as e:
            self._json(400, {"message": "the payload is not JSON: %s" % e})
            return
        if req.get("crash"):
            sys.stderr.write("agent: crashing on request\n")
            sys.stderr.flush()
            os._exit(3)
        with lock:
            state["calls"] += 1
            calls = state["calls"]
            state["updated"] = time.time()
            if req.get("busySeconds"):
                state["busy_until"] = time.time() + float(req["busySeconds"])
        answer = {
            "echo": req.get("prompt", ""),
            "pid": os.getpid(),
            "calls": calls,
            "env": {name: os.environ.get(name, "") for name in req.get("env", [])},
            "session": self.headers.get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", ""),
        }
        if not req.get("stream"):
            self._json(200, answer)
            return
        # text/event-stream, chunked: each event is one chunk, flushed.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def send(value):
            data = ("data: %s\n\n" % json.dumps(value, separators=(",", ":"))).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        send({"part": 1, "pid": os.getpid()})
        timed_out = False
        wait_for = req.get("waitFor")
        if wait_for:
            deadline = time.time() + 10
            while not os.path.exists(wait_for):
                if time.time() > deadline:
                    timed_out = True
                    break
                time.sleep(0.02)
        send({"part": 2, "timedOut": timed_out})
        answer["part"] = 3
        send(answer)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main():
    port = int(os.environ.get("PORT", "8080"))
    host = "0.0.0.0" if os.environ.get("AGENT_LISTEN_ALL") else "127.0.0.1"
    server = ThreadingHTTPServer((host, port), Handler)
    sys.stderr.write("agent: listening on %s:%d\n" % (host, port))
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
