"""Shared helpers for the end-to-end checks: they drive the real `pingyi` binary in a fresh folder."""
import os
import resource
import socket
import subprocess
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pingyi_bin():
    path = os.environ.get("PINGYI_BIN") or os.path.join(ROOT, ".build", "debug", "pingyi")
    if not os.path.exists(path):
        pytest.fail(f"pingyi binary not found at {path}; run `swift build` first")
    return path


def run_pingyi(args, cwd, env=None, timeout=120):
    """A `pingyi` command in `cwd`, with only the PINGYI_ settings given here."""
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
    run_env.update(env or {})
    return subprocess.run([pingyi_bin(), *args], cwd=cwd, env=run_env, capture_output=True, text=True, timeout=timeout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`pingyi serve` started in its own empty folder, stopped at the end."""

    def __init__(self, folder, env=None, hostname=None, nofile=None, port=None, ca=None):
        self.folder = folder
        self.port = port or free_port()
        # ca: the PEM file of the CA that signed the server's certificate (PINGYI_TLS_CERT in env): speak HTTPS.
        self.verify = ca or True
        self.url = f"{'https' if ca else 'http'}://127.0.0.1:{self.port}"
        self.log_path = os.path.join(folder, "server.log")
        run_env = {k: v for k, v in os.environ.items() if not k.startswith("PINGYI_")}
        run_env.update(env or {})
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [pingyi_bin(), "serve", "--port", str(self.port)] + (["--hostname", hostname] if hostname else []),
            cwd=folder, env=run_env, stdout=self.log, stderr=subprocess.STDOUT,
            # nofile: (soft, hard) open-file limits the server starts under, as a system's ulimit would set them.
            preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile)) if nofile else None)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"pingyi serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1, verify=self.verify).status_code == 200 and "running at" in self.output():
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise AssertionError("pingyi serve did not answer within 60 s:\n" + self.output())

    def output(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8") as f:
            return f.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def server(tmp_path):
    s = Server(str(tmp_path))
    yield s
    s.stop()


def first_admin_token(server):
    """Logs in as the first admin with the password `pingyi serve` printed."""
    import re
    password = re.search(r"first admin: admin\s+密码 / password: (\S+)", server.output()).group(1)
    return requests.post(server.url + "/api/v1/session", json={"username": "admin", "password": password}, timeout=10).json()["token"]


def api_call(server, token, method, path, body=None):
    """JSON over HTTP as an account; fails the test on any answer but 2xx."""
    r = requests.request(method, server.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code < 300, f"{method} {path} on {server.url}: {r.status_code} {r.text}"
    return r.json() if r.text else None


def ballot_for(server, code, grade):
    """A complete ballot in the voting page's compact form: every column of every reportee marked with one grade."""
    spec = requests.post(server.url + "/api/v1/vote/check", json={"code": code}, timeout=10).json()
    return {r["id"]: {f["id"]: str(grade) * len(f["columns"]) for f in spec["forms"]} for r in spec["reportees"]}


def fresh_postgres_database():
    """(url of a new empty database, a function that drops it), or None when no PostgreSQL is configured (an error
    under CI)."""
    url = os.environ.get("PINGYI_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            raise AssertionError("PINGYI_TEST_POSTGRES_URL must be set under CI")
        return None
    import uuid
    name = "e2e_" + uuid.uuid4().hex[:10]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return url.rsplit("/", 1)[0] + "/" + name, lambda: subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=False)
