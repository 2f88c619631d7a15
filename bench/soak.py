#!/usr/bin/env python3
"""Memory soak (issue 19): the real server for MINUTES minutes at RATE tickets/s with FIRMS
partner clients (`vnh simulate --url`), sampling once a minute the server's RSS, open files,
open connections (/metrics) and the p50/p99 of a probe (20 ticket lists and 20 /healthz, from
a client of its own). Prints a table, a `soak:` summary line and the figures as JSON lines for bench/report.py.
Usage: bench/soak.py VNH_BINARY [MINUTES=30] [RATE=50] [FIRMS=126]"""
import json, os, subprocess, sys, tempfile, threading, time, urllib.request

vnh = sys.argv[1]
minutes = int(sys.argv[2]) if len(sys.argv) > 2 else 30
rate = int(sys.argv[3]) if len(sys.argv) > 3 else 50
firms = int(sys.argv[4]) if len(sys.argv) > 4 else 126
work = tempfile.mkdtemp(prefix="vnh-soak-")
db = os.path.join(work, "soak.db")
pw = "soak-Pass-2026"
subprocess.run([vnh, "user", "add", "admin", "--role", "admin", "--password-stdin", "--db", db],
               input=pw + "\n", text=True, check=True, capture_output=True)
subprocess.run([vnh, "user", "add", "probe", "--role", "supervisor", "--password-stdin", "--db", db],
               input=pw + "\n", text=True, check=True, capture_output=True)
server = subprocess.Popen([vnh, "serve", "--db", db, "--listen", "127.0.0.1:0", "--log-level", "warn"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
url = None
for line in server.stdout:
    if "listening on" in line:
        url = line.split("listening on ")[1].strip().rstrip("/")
        break
assert url, "server did not start"
threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()  # drain its log
sim = subprocess.Popen([vnh, "simulate", "--url", url, "--password-stdin", "--rate", str(rate),
                        "--duration", str(minutes * 60), "--firms", str(firms), "--drain", "30",
                        "--json", os.path.join(work, "sim.json")],
                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
sim.stdin.write(pw + "\n")
sim.stdin.close()

def call(path, token=None, body=None):
    req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as r:
        data = r.read()
    return (time.perf_counter() - t0) * 1000, data

def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

token = json.loads(call("/api/v1/login", body={"username": "probe", "password": pw})[1])["token"]
rows = []
start = time.time()
for minute in range(1, minutes + 1):
    while time.time() < start + minute * 60:
        time.sleep(1)  # the sampling period of the soak, not a wait for the server
    lat = []
    for _ in range(20):
        lat.append(call("/api/v1/tickets?limit=20", token)[0])
        lat.append(call("/healthz")[0])
    lat.sort()
    metrics = call("/metrics")[1].decode()
    conns = next((float(l.split()[1]) for l in metrics.splitlines() if l.startswith("vnh_connections_open ")), 0)
    tickets = sum(float(l.split()[1]) for l in metrics.splitlines() if l.startswith("vnh_tickets{"))
    row = dict(minute=minute, rss_mib=rss_kib(server.pid) / 1024, fds=len(os.listdir(f"/proc/{server.pid}/fd")),
               connections=int(conns), tickets=int(tickets), p50_ms=lat[len(lat) // 2], p99_ms=lat[int(len(lat) * 0.99) - 1])
    rows.append(row)
    print("{minute:>3} min  rss {rss_mib:7.1f} MiB  fds {fds:4}  conns {connections:4}  tickets {tickets:7}  "
          "probe p50 {p50_ms:6.1f} ms  p99 {p99_ms:6.1f} ms".format(**row), flush=True)
sim.wait()
server.terminate()
server.wait()
warm = rows[len(rows) // 3:] if len(rows) >= 3 else rows  # after the first third: warmed up
lo, hi = min(r["rss_mib"] for r in warm), max(r["rss_mib"] for r in warm)
def figure(name, value, unit):
    print(json.dumps({"bench": "soak", "figure": name, "value": value, "unit": unit}))
figure("minutes", minutes, "min")
figure("tickets", rows[-1]["tickets"], "")
figure("rss_first_mib", rows[0]["rss_mib"], "MiB")
figure("rss_warm_min_mib", lo, "MiB")
figure("rss_warm_max_mib", hi, "MiB")
figure("rss_warm_spread_pct", (hi - lo) / lo * 100, "%")
figure("fds_max", max(r["fds"] for r in rows), "")
figure("probe_p99_max_ms", max(r["p99_ms"] for r in rows), "ms")
figure("probe_p50_median_ms", sorted(r["p50_ms"] for r in rows)[len(rows) // 2], "ms")
print(f"soak: minutes={minutes} rate={rate} firms={firms} tickets={rows[-1]['tickets']} "
      f"rss_first_mib={rows[0]['rss_mib']:.1f} rss_warm_min_mib={lo:.1f} rss_warm_max_mib={hi:.1f} "
      f"rss_warm_spread_pct={(hi - lo) / lo * 100:.1f} fds_max={max(r['fds'] for r in rows)} "
      f"p99_max_ms={max(r['p99_ms'] for r in rows):.1f}")
