#!/usr/bin/python3
"""Upload server under load (issue #5): `consolida serve` on loopback, 32 clients of the JSON API.

    /usr/bin/python3 bench/upload_bench.py BUILD_DIR [--uploads N] [--clients N] [--size-kb K]

Sets up a fresh data directory (one campaign for spesa-sociale-comune, a Region account and its API
token, through `consolida admin`), starts `consolida serve` on a free port, runs build/upload_load
(distinct ~30 KB workbooks of the region's comuni, see its header) and stops the server. upload_load
prints the rate, the latency percentiles, the server's memory every 1,000 answers and the rate at
which the same bodies validate in memory, so that the HTTP and storage overhead shows as a ratio.
"""
import argparse
import os
import signal
import subprocess

import bench_server

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--uploads", type=int, default=10000)
parser.add_argument("--clients", type=int, default=32)
parser.add_argument("--size-kb", type=int, default=30)
parser.add_argument("--work", default="bench/out/upload")
# The server's peak memory, as /usr/bin/time -v reports it on exit.
parser.add_argument("--time", action="store_true")
parser.add_argument("--cli", help="another consolida binary to serve (an older build, for a before/after: no serve options added)")
parser.add_argument("--serve-option", action="append", default=[], help="one more option for consolida serve")
args = parser.parse_args()

cli = args.cli or os.path.join(args.build, "consolida")
region = bench_server.region(args.build)
data, token = bench_server.fresh_data(cli, args.work)

# All clients come from 127.0.0.1, as behind a reverse proxy: the per-address limit is the proxy's job there.
serve = [cli, "serve", "--data-dir", data, "--port", "0", "--plugins", bench_server.PLUGINS,
         *([] if args.cli else ["--connections-per-address", "0"]), *[word for option in args.serve_option for word in option.split()]]
if args.time:
    serve = ["/usr/bin/time", "-v", "-o", os.path.join(args.work, "time.txt"), *serve]
server, port = bench_server.serve(serve)
try:
    load = [os.path.join(args.build, "bench/upload_load"), "--url", f"http://127.0.0.1:{port}", "--token", token, "--campaign", "1",
            "--workbooks", os.path.join(region, "comuni"), "--uploads", str(args.uploads), "--clients", str(args.clients),
            "--size-kb", str(args.size_kb), "--pid", str(server.pid), "--plugins", bench_server.PLUGINS]
    subprocess.run(load, check=True)
finally:
    # The server itself, not /usr/bin/time around it.
    if args.time:
        for child in open(f"/proc/{server.pid}/task/{server.pid}/children").read().split():
            os.kill(int(child), signal.SIGTERM)
    else:
        server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
if args.time:
    for line in open(os.path.join(args.work, "time.txt")):
        if "Maximum resident set size" in line:
            print(f"server peak memory: {int(line.split(':')[1]) / 1024:.0f} MB")
stored = sum(len(files) for _, _, files in os.walk(os.path.join(data, "files")))
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(data) for f in files)
print(f"data directory: {stored} stored files, {size / 2**20:.0f} MB in all")
