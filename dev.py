#!/usr/bin/env python3
"""Set up GridSales in this checkout and run it: the two quick-start commands.

    python3 dev.py demo [gridsales demo options]   # set up, build the demo, serve it
    python3 dev.py test [pytest options]           # set up (with test tools), run the tests

Setup is idempotent and quick when nothing changed: it creates `.venv/`, installs the
project (editable) with pip, and fetches the front-end assets listed in assets.lock.json
straight from the npm registry (no Node.js needed), checking each tarball's sha512.
Only the standard library is used here, since it runs before the virtualenv exists.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
VENDOR = ROOT / "gridsales" / "static" / "vendor"
CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"[gridsales setup] {message}", flush=True)


def digest(*paths: Path, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 — runs on the system python3, before .venv
        sys.exit("GridSales needs Python 3.11 or newer; this is " + sys.version.split()[0])
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / ".gridsales-installed"
    wanted = digest(ROOT / "pyproject.toml", extra=extras)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    say("installing GridSales and its dependencies with pip (first run takes a minute)")
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "install", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(wanted)


def _check_integrity(data: bytes, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"integrity check failed for a downloaded asset ({integrity})")


def fetch_assets() -> None:
    lock = ROOT / "assets.lock.json"
    stamp = VENDOR / ".assets-lock"
    wanted = digest(lock)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    for pkg in json.loads(lock.read_text())["packages"]:
        say(f"fetching {pkg['name']}@{pkg['version']} from the npm registry")
        with urllib.request.urlopen(pkg["tarball"], timeout=120) as response:
            data = response.read()
        _check_integrity(data, pkg["integrity"])
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
            for source, dest in pkg["files"].items():
                picked = [
                    n
                    for n in members
                    if n == source or (source.endswith("/") and n.startswith(source))
                ]
                if not picked:
                    raise SystemExit(f"{source} is missing from {pkg['name']}@{pkg['version']}")
                for name in picked:
                    out = VENDOR / (dest + name[len(source) :] if source.endswith("/") else dest)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(tar.extractfile(members[name]).read())
    stamp.write_text(wanted)


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it when we may (root with apt-get)."""
    if CHROMIUM.exists():
        return
    can_apt = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_apt:
        say("Chromium is missing and cannot be installed here: browser tests will be skipped")
        return
    say("installing Debian's chromium for the browser tests (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    ok = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], **quiet).returncode == 0
    if not ok:
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        ok = subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], **quiet).returncode == 0
    if not ok:
        say("apt-get could not install chromium: browser tests will be skipped")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv("test" if command in {"test", "setup"} else "")
    fetch_assets()
    os.chdir(ROOT)
    if command == "demo":
        return subprocess.call([str(BIN / "gridsales"), "demo", *rest])
    if command == "test":
        ensure_chromium()
        return subprocess.call([str(BIN / "pytest"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
