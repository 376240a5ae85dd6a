"""What the server benches share: the region's workbooks, a fresh data directory with one
campaign and a Region account, and `consolida serve` started on a free port.

    import bench_server
    region = bench_server.region(build)
    data, token = bench_server.fresh_data(cli, work)
    server, port = bench_server.serve([cli, "serve", "--data-dir", data, ...])
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, "plugins")


def region(build):
    """The folder of make_region's workbooks (made once, then kept under bench/out)."""
    folder = os.path.join(ROOT, "bench/out/regione")
    if not os.path.exists(os.path.join(folder, "manifest.csv")):
        subprocess.run([os.path.join(build, "make_region"), folder], check=True)
    return folder


def fresh_data(cli, work):
    """A new data directory under `work` with the campaign (id 1, spesa-sociale-comune 2023, open
    until 2099) and the account `regione`; returns the folder and the account's API token.

    Earlier runs' directories are kept, not deleted: ext4 without a journal (this VM's disk) skips
    inodes freed in the last 60 to 360 s when it allocates one, so the 10,000 files of the last run
    deleted just before this one made every upload's file creation scan past them (a third of the
    server's CPU, 285 against 429 uploads/s in the same conditions). A real data directory only
    grows. Remove bench/out/*/data-* by hand, some minutes before a measured run."""
    earlier = [d for d in os.listdir(work) if d.startswith("data")] if os.path.isdir(work) else []
    if earlier:
        size = sum(os.path.getsize(os.path.join(d, f)) for e in earlier for d, _, files in os.walk(os.path.join(work, e)) for f in files)
        print(f"{len(earlier)} earlier data directories kept under {work} ({size / 2**20:.0f} MB): see bench_server.fresh_data", flush=True)
    data = os.path.join(work, time.strftime("data-%Y%m%d-%H%M%S-") + str(os.getpid()))
    os.makedirs(data)

    def admin(*words, password=None):
        return subprocess.run([cli, "admin", "--data-dir", data, *words], input=password, capture_output=True, text=True,
                              check=True).stdout.strip()

    admin("campagna", "aggiungi", "--nome", "Spesa sociale 2023 (bench)", "--modulo", "spesa-sociale-comune", "--anno", "2023",
          "--apertura", "2024-01-01 00:00", "--scadenza", "2099-12-31 23:59")
    admin("utente", "aggiungi", "regione", "--ruolo", "regione", password="password-del-bench\n")
    return data, admin("token", "regione").split()[-1]


def serve(command):
    """Starts the server (`command` ends in the serve options, --port 0 among them); returns the
    process and the port it reported, or exits with the line it printed instead."""
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if "http://" not in line:
        server.kill()
        sys.exit("consolida serve did not start: " + line)
    print(line.strip(), flush=True)
    return server, int(line.split("http://")[1].split("/")[0].split(":")[1])
