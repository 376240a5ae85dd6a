#!/usr/bin/python3
"""Upload server under hostile load (issue #13): `consolida serve` on loopback with default limits.

    /usr/bin/python3 bench/availability_bench.py BUILD_DIR [--scenario connections|logins|all] [-- SERVE_OPTIONS...]

For each scenario, a fresh data directory (a campaign for spesa-sociale-comune, a Region account
and its API token), `consolida serve` on a free port, then build/bench/availability_load (see its
header): idle and slow connections from 127.0.0.3 against a normal client on 127.0.0.2, or a burst
of 200 wrong logins from 127.0.0.3 against uploads from 127.0.0.2. Options after `--` go to serve.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--scenario", default="all", choices=["connections", "logins", "all"])
parser.add_argument("--work", default="bench/out/availability")
parser.add_argument("--cli", help="another consolida binary to serve (e.g. an older build, for a before/after)")
parser.add_argument("serve", nargs="*")
args = parser.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cli = args.cli or os.path.join(args.build, "consolida")
region = os.path.join(root, "bench/out/regione")
if not os.path.exists(os.path.join(region, "manifest.csv")):
    subprocess.run([os.path.join(args.build, "make_region"), region], check=True)


def run(scenario):
    data = os.path.join(args.work, "data")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)

    def admin(*words, password=None):
        result = subprocess.run([cli, "admin", "--data-dir", data, *words], input=password, capture_output=True, text=True, check=True)
        return result.stdout.strip()

    admin("campagna", "aggiungi", "--nome", "Spesa sociale 2023 (bench)", "--modulo", "spesa-sociale-comune", "--anno", "2023",
          "--apertura", "2024-01-01 00:00", "--scadenza", "2099-12-31 23:59")
    admin("utente", "aggiungi", "regione", "--ruolo", "regione", password="password-del-bench\n")
    token = admin("token", "regione").split()[-1]
    server = subprocess.Popen([cli, "serve", "--data-dir", data, "--port", "0", "--plugins", os.path.join(root, "plugins"), *args.serve],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if "http://" not in line:
            sys.exit("consolida serve did not start: " + line)
        port = line.split("http://")[1].split("/")[0].split(":")[1]
        print(f"== {scenario}: consolida serve {' '.join(args.serve)} on port {port}", flush=True)
        subprocess.run([os.path.join(args.build, "bench/availability_load"), "--port", port, "--token", token, "--campaign", "1",
                        "--workbooks", os.path.join(region, "comuni"), "--scenario", scenario], check=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


for scenario in (["connections", "logins"] if args.scenario == "all" else [args.scenario]):
    run(scenario)
