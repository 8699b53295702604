# agentcored's Python driver for code interpreter sessions (embedded in the
# binary, internal/dataplane/codeinterp_exec.go). One process per session
# keeps the session's variables between executeCode calls, like a notebook
# kernel. Requests arrive on fd 3, answers leave on fd 4, one JSON object a
# line each:
#   request  {"code": str, "cpu": seconds or 0, "clear": bool, "maxOutput": bytes}
#   answer   {"stdout", "stderr", "exitCode", "truncated", "limit"}
# The code's stdout and stderr (file descriptors 1 and 2, so subprocesses
# are captured too) go to temporary files for the call.
import ast
import json
import math
import os
import resource
import signal
import sys
import tempfile
import traceback


class CPULimitExceeded(BaseException):
    """Raised by SIGXCPU: the call used up its CPU seconds."""


def on_xcpu(signum, frame):
    raise CPULimitExceeded()


def fresh_namespace():
    return {"__name__": "__main__", "__builtins__": __builtins__}


def cpu_used():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(code, ns):
    # Like a notebook cell: a final expression's value is printed.
    tree = ast.parse(code, "<code>", "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<code>", "exec"), ns)
    if last is not None:
        value = eval(compile(last, "<code>", "eval"), ns)
        if value is not None:
            print(repr(value))


def read_capped(f, limit):
    f.seek(0)
    data = f.read(limit + 1)
    truncated = len(data) > limit
    return data[:limit].decode("utf-8", "replace"), truncated


def handle(req, ns):
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    exit_code, limit = 0, None
    cpu = int(req.get("cpu") or 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    try:
        if cpu > 0:
            want = math.ceil(cpu_used()) + cpu
            if hard != resource.RLIM_INFINITY:
                want = min(want, hard)
            resource.setrlimit(resource.RLIMIT_CPU, (want, hard))
        run(req.get("code", ""), ns)
    except CPULimitExceeded:
        exit_code, limit = 152, "cpu"
        sys.stderr.write("CPU time limit exceeded (%d s)\n" % cpu)
    except SystemExit as e:
        if isinstance(e.code, int):
            exit_code = e.code
        elif e.code is not None:
            sys.stderr.write(str(e.code) + "\n")
            exit_code = 1
    except BaseException:
        exit_code = 1
        kind, value, tb = sys.exc_info()
        # Leave out this driver's own frames.
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        sys.stderr.write("".join(traceback.format_exception(kind, value, tb)))
    finally:
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        except (ValueError, OSError):
            pass
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
    limit_bytes = int(req.get("maxOutput") or 1 << 20)
    stdout, t1 = read_capped(out, limit_bytes)
    stderr, t2 = read_capped(err, limit_bytes)
    out.close()
    err.close()
    return {"stdout": stdout, "stderr": stderr, "exitCode": exit_code, "truncated": t1 or t2, "limit": limit}


def main():
    signal.signal(signal.SIGXCPU, on_xcpu)
    requests = os.fdopen(3, "r", encoding="utf-8")
    answers = os.fdopen(4, "w", encoding="utf-8")
    ns = fresh_namespace()
    for line in requests:
        req = json.loads(line)
        if req.get("clear"):
            ns = fresh_namespace()
        answer = handle(req, ns)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
