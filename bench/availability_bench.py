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
import signal
import subprocess

import bench_server

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--scenario", default="all", choices=["connections", "logins", "all"])
parser.add_argument("--work", default="bench/out/availability")
parser.add_argument("--cli", help="another consolida binary to serve (e.g. an older build, for a before/after)")
parser.add_argument("serve", nargs="*")
args = parser.parse_args()

cli = args.cli or os.path.join(args.build, "consolida")
region = bench_server.region(args.build)


def run(scenario):
    data, token = bench_server.fresh_data(cli, args.work)
    print(f"== {scenario}", flush=True)
    server, port = bench_server.serve([cli, "serve", "--data-dir", data, "--port", "0", "--plugins", bench_server.PLUGINS, *args.serve])
    try:
        subprocess.run([os.path.join(args.build, "bench/availability_load"), "--port", str(port), "--token", token, "--campaign", "1",
                        "--workbooks", os.path.join(region, "comuni"), "--scenario", scenario], check=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


for scenario in (["connections", "logins"] if args.scenario == "all" else [args.scenario]):
    run(scenario)
