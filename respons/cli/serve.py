"""`respons serve`: the what-if page in the browser. Starts `streamlit run` on the page script
(respons/web/app.py) in a subprocess, listening on this machine only (127.0.0.1) unless
`--address` says otherwise, with usage statistics off and nothing fetched from the internet
(Streamlit serves its own static files); prints the URL; Ctrl-C stops it (exit 0)."""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from respons.cli.args import int_between, positive_int
from respons.errors import UserError

DEFAULT_PORT = 8501
LOCALHOST = "127.0.0.1"
STOP_TIMEOUT_S = 10.0


def add_parser(sub: Any) -> None:
    """Register the `serve` command."""
    p = sub.add_parser("serve", help="a what-if page in the browser (Streamlit, on localhost)",
                       description="A what-if page in the browser: change operators, nurse "
                       "backup, growth, volume, talk time and the goal, and see the verdict, the "
                       "KPIs and their paired difference to the baseline. Listens on this "
                       "machine only (127.0.0.1) by default, fetches nothing from the internet; "
                       "prints its URL; Ctrl-C stops it.")
    p.add_argument("--config", type=Path, help="the baseline config of the page (default: "
                   "embedded 2020 baseline, configs/vaernes-2020.yaml)")
    p.add_argument("--port", type=int_between(1, 65535), default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--address", default=LOCALHOST,
                   help=f"address to listen on (default {LOCALHOST}: this machine only; "
                   "0.0.0.0 opens the page to the whole network, without a password)")
    p.add_argument("--lang", choices=("en", "nb"),
                   help="language of the page: en or nb (default: the config's `lang`, else "
                   "the LANG environment variable)")
    p.add_argument("--jobs", type=positive_int, default=1,
                   help="replications on N local processes (same results as serial)")
    p.set_defaults(func=cmd_serve)


def streamlit_command(app: Path, script_args: list[str], address: str, port: int) -> list[str]:
    """`python -m streamlit run APP` with the page's server settings, then `--` and the
    script's own arguments."""
    return [sys.executable, "-m", "streamlit", "run", str(app),
            "--server.address", address, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--global.developmentMode", "false", "--server.fileWatcherType", "none",
            "--server.runOnSave", "false", "--client.showErrorDetails", "none",
            "--client.toolbarMode", "minimal", "--server.maxUploadSize", "1",
            "--runner.magicEnabled", "false", "--", *script_args]


def url_of(address: str, port: int) -> str:
    host = "localhost" if address in ("0.0.0.0", "::") else address
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def check_port(address: str, port: int) -> None:
    """Refuse a port that is taken (before Streamlit starts)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((address, port))
        except OSError as e:
            raise UserError(f"--port {port} on {address}: cannot listen there ({e.strerror}); "
                            "choose another --port.") from None


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == "localhost"


def cmd_serve(args: argparse.Namespace) -> int:
    from respons.cli.common import lang_of
    from respons.config.loading import load_config
    from respons.web.settings import Settings

    if importlib.util.find_spec("streamlit") is None:
        raise UserError("serve needs Streamlit: pip install streamlit (or pip install -e .).")
    cfg = load_config(args.config)  # a bad config stops here, exit 2
    settings = Settings(args.config, lang_of(args, cfg), args.jobs)
    check_port(args.address, args.port)
    app = Path(__file__).resolve().parents[1] / "web" / "app.py"
    cmd = streamlit_command(app, settings.argv(), args.address, args.port)
    print(f"respons what-if page ({cfg.scenario}): {url_of(args.address, args.port)}")
    if not _loopback(args.address):
        print(f"warning: listening on {args.address}: anyone who can reach this machine can "
              "open the page.", file=sys.stderr)
    print("Ctrl-C stops it.", flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    stopping: list[bool] = []

    def on_term(_signum: int, _frame: Any) -> None:  # a `kill` stops the page too
        stopping.append(True)
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # Ctrl-C reached Streamlit too (same process group)
        stop(proc)
        print("stopped", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopping:
        return 0
    if code != 0:
        print(f"error: the page server stopped with exit code {code}", file=sys.stderr)
        return 1
    return 0


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Let Streamlit finish on its own, then terminate, then kill."""
    for action in (None, proc.terminate, proc.kill):
        if action is not None:
            action()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait any longer
            continue
