#!/usr/bin/python3
"""Peak memory of `consolida serve` under parallel large uploads (issue #13).

    /usr/bin/python3 bench/memory_bench.py BUILD_DIR [--clients 48] [--size-mb 15] [--cli BINARY] [--serve "OPTIONS"]

A comune's workbook from make_region with its Istruzioni sheet (sheet1) replaced by instruction
text of --size-mb compressed, every upload distinct (a zip comment), all sent at once by
--clients threads to the JSON API; `consolida serve` runs under /usr/bin/time -v, whose maximum
resident set size is printed.
"""
import argparse
import http.client
import io
import os
import random
import signal
import threading
import time
import zipfile

import bench_server

parser = argparse.ArgumentParser()
parser.add_argument("build")
parser.add_argument("--clients", type=int, default=48)
parser.add_argument("--size-mb", type=float, default=15)
parser.add_argument("--cli")
parser.add_argument("--work", default="bench/out/memory")
parser.add_argument("--serve", default="", help="options for consolida serve, as one string")
args = parser.parse_args()

cli = args.cli or os.path.join(args.build, "consolida")
region = bench_server.region(args.build)
comuni = sorted(f for f in os.listdir(os.path.join(region, "comuni")) if f.endswith(".xlsx"))
source = os.path.join(region, "comuni", comuni[0])
ente = comuni[0][:6]

# Random words compress like prose; grow the sheet until its deflated size reaches the target.
words = ("compilare la colonna importi in euro senza separatore delle migliaia il totale deve corrispondere alla somma "
         "righe area minori famiglia disabili anziani servizio fondo nazionale politiche sociali quota comune").split()
rng = random.Random(13)
rows, r = [], 0
target = int(args.size_mb * 2**20)
while True:
    for _ in range(2000):
        r += 1
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        rows.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{sentence}.</t></is></c></row>')
    if r % 40000 == 0 and len(zipfile.zlib.compress("".join(rows).encode(), 6)) >= target:
        break
sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
         '2006/main"><sheetData>' + "".join(rows) + "</sheetData></worksheet>")
out = io.BytesIO()
with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        zout.writestr(item.filename, sheet if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item.filename))
base = out.getvalue()
print(f"workbook: {len(base) / 2**20:.1f} MB ({r} rows of instructions), {args.clients} uploads at once", flush=True)


def distinct(i):
    comment = f"invio {i}".encode()
    return base[:-2] + len(comment).to_bytes(2, "little") + comment


data, token = bench_server.fresh_data(cli, args.work)
timing = os.path.join(args.work, "time.txt")
server, port = bench_server.serve(["/usr/bin/time", "-v", "-o", timing, cli, "serve", "--data-dir", data, "--port", "0", "--plugins",
                                   bench_server.PLUGINS, *args.serve.split()])
try:
    bodies = [distinct(i) for i in range(args.clients)]
    statuses, lock = {}, threading.Lock()

    def upload(body):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("POST", "/api/v1/campagne/1/invii", body, {"Authorization": "Bearer " + token, "X-Ente": ente,
                                                                       "X-Nome-File": "grande.xlsx", "Content-Type": "application/octet-stream"})
        status = connection.getresponse().status
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    start = time.monotonic()
    threads = [threading.Thread(target=upload, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"answers: {statuses} in {time.monotonic() - start:.1f} s")
finally:
    for child in open(f"/proc/{server.pid}/task/{server.pid}/children").read().split():
        os.kill(int(child), signal.SIGTERM)
    server.wait(timeout=60)
for line in open(timing):
    if "Maximum resident set size" in line:
        print(f"server peak memory: {int(line.split(':')[1]) / 1024:.0f} MB")
