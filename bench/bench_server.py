"""What the server benches share: the region's workbooks, a fresh data directory with one
campaign and a Region account, and `consolida serve` started on a free port.

    import bench_server
    region = bench_server.region(build)
    data, token = bench_server.fresh_data(cli, work)
    server, port = bench_server.serve([cli, "serve", "--data-dir", data, ...])
"""
import os
import shutil
import subprocess
import sys

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
    until 2099) and the account `regione`; returns the folder and the account's API token."""
    data = os.path.join(work, "data")
    shutil.rmtree(data, ignore_errors=True)
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
