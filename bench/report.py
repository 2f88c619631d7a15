#!/usr/bin/env python3
"""Turns the benchmarks' JSON lines into docs/performance.md (medians of the runs)."""
import json, platform, statistics, subprocess, sys, datetime

lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
runs = sys.argv[2]
vals = {}
for l in lines:
    vals.setdefault((l["bench"], l["figure"]), []).append((l["value"], l["unit"]))

def med(bench, fig):
    v = vals.get((bench, fig))
    if not v:
        return None, ""
    return statistics.median(x for x, _ in v), v[0][1]

def fmt(bench, fig, digits=1):
    v, unit = med(bench, fig)
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f} {unit}"
    return f"{v:.{digits}f} {unit}"

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"

cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
mem = sh("free -g | awk '/Mem:/{print $2}'")
raw, _ = med("intake", "raw_sqlite_insert_per_s")
rate32, _ = med("intake", "tickets_per_s_32_clients")
rate64, _ = med("intake", "tickets_per_s_64_clients")
echo, _ = med("offers", "loopback_ws_echo_per_s_64_clients")
out = []
w = out.append
w("# Performance\n")
w(f"Measured by `bash bench/run.sh` on {datetime.date.today()}: medians of {runs} runs (the 10M settlement once).")
w("Benchmarks print figures; no test asserts a time. Everything runs on 127.0.0.1 on this one machine —")
w("load generators and simulated firms share the CPU with the server.\n")
w("## Machine\n")
w(f"- CPU: {cpu}, {sh('nproc')} cores; memory {mem} GiB; disk `{sh('df -h / | tail -1 | cut -c1-40')}`")
sqlite_version = sh("sqlite3 --version | cut -d' ' -f1")
w(f"- {platform.system()} {platform.release()}; {sh('g++ --version | head -1')}; SQLite {sqlite_version}; Boost 1.81")
w(f"- limits measured in the same run: single-row SQLite insert with WAL + synchronous=FULL, one transaction each: **{fmt('intake','raw_sqlite_insert_per_s',0)}**; loopback websocket echo, 64 clients: **{fmt('offers','loopback_ws_echo_per_s_64_clients',0)}**\n")
w("## Figures\n")
w("| what | measured | target (issue) | limit in the same run |")
w("|---|---|---|---|")
def row(what, bench, fig, target="", limit="", digits=1):
    w(f"| {what} | {fmt(bench, fig, digits)} | {target} | {limit} |")
ratio32 = f"{rate32/raw:.2f}× raw" if raw and rate32 else ""
ratio64 = f"{rate64/raw:.2f}× raw" if raw and rate64 else ""
row("durable ticket creations over HTTP, 32 clients", "intake", "tickets_per_s_32_clients", "≥ 3× raw (#3)", ratio32)
row("… p50 / p99 latency, 32 clients", "intake", "p50_ms_32_clients", "", "")
w(f"| | p99 {fmt('intake','p99_ms_32_clients')} | p99 < 20 ms (#3) | |")
row("durable ticket creations over HTTP, 64 clients", "intake", "tickets_per_s_64_clients", "≥ 3× raw (#3)", ratio64)
w(f"| … p50 / p99, 64 clients | {fmt('intake','p50_ms_64_clients')} / {fmt('intake','p99_ms_64_clients')} | p99 < 20 ms (#3) | |")
rate64r, _ = med("intake", "tickets_per_s_64_clients_random")
ratio64r = f"{rate64r/raw:.2f}× raw" if raw and rate64r else ""
row("… the same, elders and Idempotency-Keys at random (as a district's calls and the console's UUIDs)", "intake", "tickets_per_s_64_clients_random", "", ratio64r)
w(f"| … p50 / p99; writer CPU / WAL pages per ticket | {fmt('intake','p50_ms_64_clients_random')} / {fmt('intake','p99_ms_64_clients_random')}; {fmt('intake','writer_cpu_us_per_ticket_random')} / {fmt('intake','wal_pages_per_ticket_random')} | | |")
row("jobs per group commit under load", "intake", "writer_jobs_per_batch", "", "")
w(f"| writer time per ticket: statements / share of the commit (µs) | {fmt('intake','writer_work_us_per_ticket')} / {fmt('intake','writer_commit_us_per_ticket')} | | the single writer thread's budget |")
w(f"| fsync time per ticket, on the completer (µs) | {fmt('intake','wal_sync_us_per_ticket')} | | pipelined: overlaps the writer's next batch |")
w(f"| writer CPU per ticket (µs) / WAL pages written per ticket | {fmt('intake','writer_cpu_us_per_ticket')} / {fmt('intake','wal_pages_per_ticket')} | | CPU: the writer's, and the two cores the load shares |")
w(f"| checkpoint passes per intake run: checkpoint thread / the writer's own at the hard limit | {fmt('intake','checkpoints_background',0)} / {fmt('intake','checkpoints_inline',0)} | | a pass per 4,000 waiting frames, per commit just below the hard limit (store/checkpointer.hpp) |")
w(f"| dispatch decision p50 / p99, 126 firms | {fmt('dispatch','decision_p50_us_126_firms',2)} / {fmt('dispatch','decision_p99_us_126_firms',2)} | p99 < 50 µs (#4) | |")
w(f"| dispatch decision p50 / p99, 10,000 firms | {fmt('dispatch','decision_p50_us_10000_firms')} / {fmt('dispatch','decision_p99_us_10000_firms')} | p99 < 1 ms (#4) | |")
w(f"| ticket created → offer frame at the firm, p50 / p99, 126 firms connected (50 tickets/s) | {fmt('offers','create_to_offer_p50_ms_126_firms',2)} / {fmt('offers','create_to_offer_p99_ms_126_firms',2)} | p99 < 10 ms (#4) | one bare WAL+FULL commit: p50 {fmt('intake','raw_commit_p50_ms',2)} / p99 {fmt('intake','raw_commit_p99_ms',2)} |")
w(f"| … 1,000 firms connected | {fmt('offers','create_to_offer_p50_ms_1000_firms',2)} / {fmt('offers','create_to_offer_p99_ms_1000_firms',2)} | p99 < 10 ms (#4) | |")
w(f"| tickets/s in a burst with firms answering (accept commands included), 126 / 1,000 firms | {fmt('offers','burst_tickets_per_s_126_firms')} / {fmt('offers','burst_tickets_per_s_1000_firms')} | | echo {fmt('offers','loopback_ws_echo_per_s_64_clients',0)} |")
w(f"| sustained offers/s over the whole run, 126 / 1,000 firms | {fmt('offers','offers_per_s_126_firms')} / {fmt('offers','offers_per_s_1000_firms')} | | echo {fmt('offers','loopback_ws_echo_per_s_64_clients',0)} |")
for n in ("100k", "1M", "10M"):
    w(f"| settlement of {n} ticket-month: time / peak RSS | {fmt('settlement','seconds_'+n,2)} / {fmt('settlement','peak_rss_mib_'+n,0)} | 10M: < 30 s, < 2 GiB (#5) | {fmt('settlement','tickets_per_s_'+n,0)} |")
w(f"| demo district generation (110,000 elders, 126 firms, 60 days ≈ 178,000 tickets) | {fmt('footprint','demo_generation_s')} | seconds, not minutes | |")
w(f"| start-up on a 110,000-elder database | {fmt('footprint','startup_s_110k_elders',2)} | | |")
w(f"| server RSS idle / with 1,000 partner firms connected | {fmt('footprint','rss_mib_idle',0)} / {fmt('footprint','rss_mib_1000_firms',0)} | | |")
w("")
w("## The hotline floor (issue 18)\n")
w("`bench/console_bench.mjs`: operator consoles in Debian's Chromium, all on this machine with the server; per call the PBX posts")
w("the incoming call (until its ringing card is drawn on every console), then answers it for one operator (until that desk has")
w("drawn the caller's elder card). The 20 Chromium renderers share the two cores with the server, so the 20-console figures are")
w("mostly the browsers waiting for a core; one console shows the platform's own part.\n")
w("| what | 1 console | 20 consoles | target (issue) |")
w("|---|---|---|---|")
for what, fig, target in (("PBX answer → elder card drawn on the desk, p50", "answer_to_card_p50_ms", ""),
                          ("… p99", "answer_to_card_p99_ms", "p99 < 100 ms (#18)"),
                          ("PBX incoming → ringing card on every console, p50", "ring_all_consoles_p50_ms", ""),
                          ("… p99", "ring_all_consoles_p99_ms", ""),
                          ("the PBX's answer request itself, p50 / p99", None, "")):
    if fig:
        w(f"| {what} | {fmt('console', fig + '_1', 0)} | {fmt('console', fig + '_20', 0)} | {target} |")
    else:
        w(f"| {what} | {fmt('console','answer_http_p50_ms_1',0)} / {fmt('console','answer_http_p99_ms_1',0)} | {fmt('console','answer_http_p50_ms_20',0)} / {fmt('console','answer_http_p99_ms_20',0)} | |")
w("")
ht, _ = med("history", "history_tickets")
w(f"`bench/history_bench.mjs` on the seven-year demo district (`vnh demo --history-days 2555`: {ht:,.0f} tickets) — the operator's" if ht else "`bench/history_bench.mjs` on the seven-year demo district (`vnh demo --history-days 2555`; not run: see bench/run.sh) — the operator's")
w("queries through the server over loopback, one at a time, arguments drawn at random from the data:\n")
w("| query | p50 | p99 | target (issue) |")
w("|---|---|---|---|")
for what, fig in (("ticket by number (`?q=`)", "ticket_by_number"), ("the ticket page (`/tickets/{no}`, timeline and call)", "ticket_page"),
                  ("tickets by phone (every elder at the number)", "tickets_by_phone"), ("tickets by elder", "tickets_by_elder"),
                  ("tickets by state and firm", "tickets_by_state_firm"), ("a firm's tickets, ten pages deep by the cursor", "tickets_firm_pages"),
                  ("tickets by item on one day", "tickets_by_item_day"), ("the unassigned queue", "tickets_unassigned"),
                  ("the call log, a page of 50", "call_log"), ("missed calls", "missed_calls")):
    w(f"| {what} | {fmt('history', fig + '_p50_ms', 2)} | {fmt('history', fig + '_p99_ms', 2)} | p99 < 50 ms (#18) |")
w("")
stats_figs = [f for (b, f) in vals if b == "stats"]
w("`bench/stats_bench.mjs` on the same district — the command screen (issue 22): each statistics endpoint and queue page,")
w("one at a time; warm = after one request, cold = a fresh server after the OS page cache was dropped:\n" if stats_figs else "(not run: see bench/run.sh)\n")
if stats_figs:
    w("| request | warm p50 | warm p99 | cold (worst of the rounds) | target (issue) |")
    w("|---|---|---|---|---|")
    kinds = []
    for f in stats_figs:
        k = f.split(": ")[0]
        if k not in kinds and not f.startswith("server RSS"):
            kinds.append(k)
    for k in kinds:
        cold = next((f for f in stats_figs if f.startswith(k + ": cold")), None)
        target = "p99 < 200 ms" if k.startswith("stats") else "p99 < 50 ms"
        w(f"| {k} | {fmt('stats', k + ': warm p50', 1)} | {fmt('stats', k + ': warm p99', 1)} | {fmt('stats', cold, 1) if cold else '—'} | {target} (#22) |")
    w(f"\nServer RSS after the warm runs: {fmt('stats', 'server RSS after the warm runs', 0)}.")
w("")
map_figs = [f for (b, f) in vals if b == "map"]
w("`bench/map_bench` on the same district — the live map's fan-out (issue 22): 5,000 workers report their position")
w("(partner `StaffLocation`) every 30 s through their firms' websockets to the real server; 20 supervisors' consoles")
w("on the live channel; every position timed from the firm's send to each console's receipt of the batch holding it")
w("(the server sends each console at most one batch a second):\n" if map_figs else "(not run: see bench/run.sh)\n")
if map_figs:
    w("| what | figure | target (issue) |")
    w("|---|---|---|")
    w(f"| positions sent (per second) | {fmt('map', 'positions_sent', 0)} ({fmt('map', 'positions_per_s', 0)}), {fmt('map', 'firms_connected', 0)} firms | 5,000 workers / 30 s |")
    w(f"| delivered to every console | {fmt('map', 'delivered_share', 1)} of {fmt('map', 'deliveries', 0)} | all |")
    w(f"| end to end p50 / p99 / max | {fmt('map', 'e2e_p50_ms', 0)} / {fmt('map', 'e2e_p99_ms', 0)} / {fmt('map', 'e2e_max_ms', 0)} | p99 < 2 s (#22) |")
    w(f"| batches per second per console (most) | {fmt('map', 'batches_per_s_per_console_max', 2)} | ≤ 1 (§15) |")
    w(f"| server CPU: share of one core / of the machine | {fmt('map', 'server_cpu_share_of_one_core', 1)} / {fmt('map', 'server_cpu_share_of_machine', 1)} | |")
    w(f"| server RSS at the end / peak | {fmt('map', 'server_rss_mib', 0)} / {fmt('map', 'server_peak_rss_mib', 0)} | |")
w("")
w("## Memory that stops growing (issue 19)\n")
w("`bench/soak.py`: the real server, `vnh simulate --url` at 50 tickets/s with 126 partner firms over real websockets")
w("(10% of them dropping their links now and then), sampled once a minute: the server's RSS, open files, and a probe of 20")
w("ticket lists and 20 `/healthz` from a client of its own. Readers' page caches are bounded (16 MiB each, the writer's")
w("64 MiB), so RSS levels off once the caches are warm.\n")
w("| what | figure | target (issue) |")
w("|---|---|---|")
w(f"| run: minutes / tickets created | {fmt('soak','minutes',0)} / {fmt('soak','tickets',0)} | 30 min at 50/s (#19) |")
w(f"| RSS after the first minute | {fmt('soak','rss_first_mib')} | |")
w(f"| RSS after warm-up (from the first third on): min / max / spread | {fmt('soak','rss_warm_min_mib')} / {fmt('soak','rss_warm_max_mib')} / {fmt('soak','rss_warm_spread_pct')} | flat within 10% (#19) |")
w(f"| open files, at most | {fmt('soak','fds_max',0)} | |")
w(f"| probe p50 (median minute) / worst minute's p99 | {fmt('soak','probe_p50_median_ms',2)} / {fmt('soak','probe_p99_max_ms',2)} | |")
w("")
w("## Meals (issue 20)\n")
w("The lunch rush: `vnh simulate --in-process --rate 2 --duration 1800 --firms 20 --elders 44000 --counters 65 --meals-rate 7.2`")
w("— 65 canteens' counters (each a `canteen` user), ~200 card holders each, a card checked (`GET /api/v1/meals/check`)")
w("then recorded (`POST /api/v1/meals`, Idempotency-Key) at 7.2 meals/s for 30 minutes beside 2 tickets/s and 20 firms;")
w("latency counts from each meal's due time. The settlement bench settles a month of 65 canteens × 200 lunches a day")
w("(403,000 meals) with the tickets, and alone.\n")
w("| what | figure | target (issue) |")
w("|---|---|---|")
w(f"| meals recorded / subsidised / refused / failed | {fmt('lunch','meals',0)} / {fmt('lunch','subsidised',0)} / {fmt('lunch','refused',0)} / {fmt('lunch','failed',0)} | 13,000 in 30 min (#20) |")
w(f"| check p50 / p99 | {fmt('lunch','check_p50_ms',2)} / {fmt('lunch','check_p99_ms',2)} | |")
w(f"| record p50 / p99 | {fmt('lunch','record_p50_ms',2)} / {fmt('lunch','record_p99_ms',2)} | |")
w(f"| check → recorded p50 / p99 | {fmt('lunch','check_to_recorded_p50_ms',2)} / {fmt('lunch','check_to_recorded_p99_ms',2)} | p99 < 50 ms (#20) |")
w(f"| a month's meals settled alone (403,000) | {fmt('settlement','meals_seconds_1M',2)} | |")
w(f"| the meals' share of the month's settlement, 100k / 1M / 10M tickets | {fmt('settlement','meals_share_pct_100k',0)} / {fmt('settlement','meals_share_pct_1M',0)} / {fmt('settlement','meals_share_pct_10M',0)} | |")
w("")
w("## Entitlements and care (issue 21)\n")
w("`bench/entitlements_bench 20000` on 110,000 elders and 126 firms: 20,000 recurring orders (a weekly bath on Mondays, a")
w("clean on Mondays, Wednesdays and Fridays, a daily blood-pressure check) through the job 250 to a transaction, as the")
w("server runs it; then the eligibility watch for a month and the day's marks.\n")
w("| what | figure | target (issue) |")
w("|---|---|---|")
w(f"| first run (today and two days ahead): tickets / time | {fmt('entitlements','first_run_tickets',0)} / {fmt('entitlements','first_run_seconds',2)} s | |")
w(f"| the same day again: tickets / time | {fmt('entitlements','same_day_rerun_tickets',0)} / {fmt('entitlements','same_day_rerun_seconds',2)} s | nothing twice (#21) |")
w(f"| a day's run after it: tickets / time | {fmt('entitlements','daily_run_tickets',0)} / {fmt('entitlements','daily_run_seconds',2)} s | time per daily run (#21) |")
w(f"| eligibility watch for a month: elders listed / time | {fmt('entitlements','eligibility_elders',0)} / {fmt('entitlements','eligibility_month_seconds',2)} s | |")
w(f"| the day's marks: elders / time | {fmt('entitlements','daily_marks',0)} / {fmt('entitlements','daily_marks_seconds',2)} s | |")
w("")
import os
w(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md"), encoding="utf-8").read())
sim = open(sys.argv[3], encoding="utf-8").read().strip() if len(sys.argv) > 3 else ""
if sim:
    w("\n## The simulate run\n")
    w("`vnh simulate --in-process --rate 15 --duration 600 --burst 120 --firms 126`, as printed:\n")
    w("```\n" + sim + "\n```")
print("\n".join(out))
