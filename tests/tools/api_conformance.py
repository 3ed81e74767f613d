"""The API against its own description: schemathesis, every check, once with a device
token of each role, against the real local server.

    python3 tests/tools/api_conformance.py target/debug/sotay-local

Starts the server on a free loopback port over a fresh data file (and an empty app
folder: only the API is tested), enrols the province administrator from the join link
the server prints, has it issue codes for the other roles and enrols one device of
each, and one more that syncs a cell and is revoked, then runs `schemathesis run` with
each token (`tests/tools/schemathesis.toml` holds what the description cannot say; the
ids of the devices enrolled are added to it, for the operations on a device).
`POST /api/v1/me/successor` is left out: it revokes its caller, which would end the run
(`functions/tests/api/succession.rs` tests it). Run by `cargo xtask test`; exits non-zero when
schemathesis finds anything. SOTAY_SCHEMATHESIS_EXAMPLES (default 50) bounds the cases
per operation, SOTAY_SCHEMATHESIS_SEED (default 1) makes a run repeatable.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

CONFIG = Path(__file__).with_name("schemathesis.toml")

# (role, scope, label): a device of each role, in the demo tree. The administrator runs
# last: it may revoke or void the others' devices while it is tested.
DEVICES = [
    ("volunteer", "ntmk-to-11", "Trưởng ban Tổ 11"),
    ("inspector", "tp-bac-kan", "Đoàn kiểm tra"),
    ("ward_officer", "p-nguyen-thi-minh-khai", "Cán bộ phường"),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base, method, path, token=None, body=None):
    """One JSON call; fails on any status but 200."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()}") from e


def start_server(binary, folder):
    """The server and its address, once it serves; and the administrator's join code."""
    dist = folder / "dist"
    dist.mkdir()
    addr = f"127.0.0.1:{free_port()}"
    # Behind a proxy as a province runs it: each role's run comes from a client address of
    # its own (`X-Forwarded-For`), so the wrong tokens schemathesis sends count against
    # per-client limits run by run, not all together.
    args = [binary, "--addr", addr, "--data", str(folder / "api.redb"), "--dist", str(dist), "--behind-proxy", "1",
            "--demo", "1"]
    server = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    timer = threading.Timer(30, server.kill)
    timer.start()
    seen = ""
    for line in server.stdout:
        seen += line
        if "đang chạy" in line:
            break
    timer.cancel()
    code = re.search(r"#join=([A-Z0-9-]+)", seen)
    if server.poll() is not None or not code:
        raise SystemExit(f"the server did not start:\n{seen}")
    # Keep reading what it prints, so it never blocks on a full pipe.
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server, f"http://{addr}", code.group(1)


def enrol_devices(base, admin_code):
    """A token of each role (the administrator's, and one device's of each other role),
    and the ids of the devices: those, and a volunteer's that synced a cell and was revoked."""
    admin = call(base, "POST", "/api/v1/join", body={"code": admin_code, "label": "Quản trị thử nghiệm"})
    tokens, ids = [], []
    for role, unit, label in DEVICES + [("volunteer", "ntmk-to-11", "Máy cũ")]:
        issued = call(base, "POST", "/api/v1/codes", admin["token"], {"role": role, "unit": unit})
        device = call(base, "POST", "/api/v1/join", body={"code": issued["code"], "label": label})
        tokens.append((role, device["token"]))
        ids.append(device["device"])
    (_, old_token), old = tokens.pop(), ids[-1]
    cell = {"area": "ntmk-to-11", "indicator": "dat_hien", "month": "2025-11", "inc": 120, "dec": 0}
    call(base, "POST", "/api/v1/sync", old_token, {"protocol": 2, "device": old, "counters": [cell]})
    call(base, "POST", f"/api/v1/devices/{old}/revoke", admin["token"], {})
    return tokens + [("province_admin", admin["token"])], ids


def write_config(folder, devices):
    """`schemathesis.toml` with the enrolled devices as a dictionary of device ids."""
    config = Path(folder) / "schemathesis.toml"
    config.write_text(
        CONFIG.read_text()
        + f"\n[dictionaries.devices]\nvalues = {json.dumps(devices)}\n"
        + '\n[[operations]]\ninclude-path = "/api/v1/devices/{id}/cells"\n'
        + 'parameters = { "path.id" = { dictionary = "devices", probability = 0.5 } }\n'
    )
    return config


def run_schemathesis(base, role, token, examples, seed, folder, config, client):
    print(f"api_conformance: schemathesis as {role}", flush=True)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
        "run", f"{base}/api/openapi.json",
        "--checks", "all",
        "--header", f"Authorization: Bearer {token}",
        "--header", f"X-Forwarded-For: 192.0.2.{client}",
        "--max-examples", str(examples),
        "--seed", str(seed),
        "--workers", "1",
        "--no-color",
    ]
    # In the temporary folder: what schemathesis and hypothesis keep stays out of the tree.
    return subprocess.run(command, check=False, cwd=folder).returncode


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 tests/tools/api_conformance.py path/to/sotay-local")
    examples = int(os.environ.get("SOTAY_SCHEMATHESIS_EXAMPLES", "50"))
    seed = int(os.environ.get("SOTAY_SCHEMATHESIS_SEED", "1"))
    with tempfile.TemporaryDirectory(prefix="sotay-api-") as folder:
        server, base, admin_code = start_server(sys.argv[1], Path(folder))
        try:
            tokens, devices = enrol_devices(base, admin_code)
            config = write_config(folder, devices)
            failed = [
                role
                for client, (role, token) in enumerate(tokens, start=1)
                if run_schemathesis(base, role, token, examples, seed, folder, config, client)
            ]
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    if failed:
        raise SystemExit(f"api_conformance: schemathesis found failures as {', '.join(failed)}")
    print(f"api_conformance: no failures with any of the {len(tokens)} roles")


if __name__ == "__main__":
    main()
