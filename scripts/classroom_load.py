"""A class on one laptop: N headless browser tabs (default 30) step the classroom app at 300
users, each like a student (open the page, 2 s after the previous student; a click on Step,
look at the new day for 1-3 s, click again), on a
server that this script starts on 127.0.0.1 (a free port) and stops.

    PYTHONPATH=. python scripts/classroom_load.py [--tabs 30] [--steps 10] [--cull-wait 150]

It prints click-to-redraw times (from the click, on the page's clock, to the frame where the
day counter, both networks and every chart show the new day: what a student waits for),
their median and 95th percentile over all tabs, and the server's resident memory: idle, with
the tabs open, after they close, and after the app's cull time for tabs that vanish without
closing (half the tabs close normally, half are dropped, as a crashed laptop would). Bounded:
every wait has a timeout and the whole run stops after --limit seconds. Needs playwright and
Debian's chromium (as the browser tests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.classroom.browser import ALL_DRAWN, CHROMIUM, CHROMIUM_ARGS, LOCAL, serve_app  # noqa: E402
from sim.classroom.wsclient import Tab  # noqa: E402

CLICK = (
    "document.addEventListener('click', e => { if (e.target.closest('.sim-step')) "
    "window.__clicked = performance.now(); }, true)"
)


LOG = Path("/tmp/classroom_load_server.log")


def live_sessions() -> str:
    """The server's last count of live sessions (SIM_APP_DEBUG prints it)."""
    counts = [line.split("; ")[1] for line in LOG.read_text().splitlines() if line.startswith("session ")]
    return counts[-1] if counts else "?"


def cpu_s(pids) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def chromium_pids() -> list[int]:
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and (p / "cmdline").exists() and b"chromium" in (p / "cmdline").read_bytes()[:200]
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def student(browser, url: str, steps: int, rng: random.Random, times: list, pages: list, arrive: float):
    await asyncio.sleep(arrive)  # a class opens the page over a minute, not in one instant
    context = await browser.new_context(viewport={"width": 1024, "height": 768})

    async def route(r):  # localhost only, as in the tests
        await (r.continue_() if LOCAL.match(r.request.url) else r.abort())

    await context.route("**/*", route)
    page = await context.new_page()
    pages.append((context, page))
    await page.goto(url, timeout=180_000)
    await page.wait_for_function(ALL_DRAWN, arg=0, timeout=120_000, polling="raf")
    await page.evaluate(CLICK)
    for day in range(1, steps + 1):
        await asyncio.sleep(rng.uniform(1.0, 3.0))  # a student looks, then clicks
        await page.locator(".sim-step:not([disabled])").click(timeout=60_000)
        drawn = await (
            await page.wait_for_function(ALL_DRAWN, arg=day, timeout=120_000, polling="raf")
        ).json_value()
        times.append(drawn - await page.evaluate("window.__clicked"))


async def ws_open(url: str, tabs: list, arrive: float):
    await asyncio.sleep(arrive)  # a class opens the page over a minute, not in one instant
    tab = Tab(url)
    await tab.open()
    tabs.append(tab)


async def ws_student(tab: Tab, steps: int, rng: random.Random, times: list):
    """A student without a browser (sim.classroom.wsclient): the server's work only."""
    for day in range(1, steps + 1):
        await asyncio.sleep(rng.uniform(1.0, 3.0))  # a student looks, then clicks
        clicked = await tab.click("sim-step")
        times.append(1000 * (await tab.drawn(day, timeout=120) - clicked))


async def run_ws(args, url: str, pid: int, mem: dict) -> dict:
    """The tabs open (one every --arrive seconds), then all step: the server's CPU time is
    measured apart for the page loads and for the clicks."""
    times: list[float] = []
    tabs: list = []
    cpu0 = cpu_s([pid])
    await asyncio.gather(*(ws_open(url, tabs, i * args.arrive) for i in range(args.tabs)))
    load_cpu = cpu_s([pid]) - cpu0
    mem["open"] = (rss_mb(pid), live_sessions())
    t0, cpu0, me0, got0 = time.monotonic(), cpu_s([pid]), cpu_s([os.getpid()]), sum(t.received for t in tabs)
    await asyncio.gather(*(ws_student(t, args.steps, random.Random(i), times) for i, t in enumerate(tabs)))
    out = dict(
        times=times,
        wall=time.monotonic() - t0,
        server_cpu=cpu_s([pid]) - cpu0,
        load_cpu=load_cpu,
        client_cpu=cpu_s([os.getpid()]) - me0,
        load=os.getloadavg()[1],
        received=sum(t.received for t in tabs) - got0,
    )
    mem["open, after the steps"] = (rss_mb(pid), live_sessions())
    half = len(tabs) // 2
    for tab in tabs[:half]:  # closed tabs: the page's goodbye
        await tab.close()
    await asyncio.sleep(10)
    mem["half closed +10 s"] = (rss_mb(pid), live_sessions())
    for tab in tabs[half:]:  # the other half vanish: the websocket just drops
        await tab.drop()
    return out


async def main(args) -> None:
    server: list = []
    os.environ["SIM_APP_DEBUG"] = "1"  # the server prints its live sessions
    with serve_app(server=server, log_path=LOG) as url:
        pid = server[0].pid
        await asyncio.sleep(3)
        mem = {"idle": (rss_mb(pid), live_sessions())}
        if args.client == "ws":
            r = await run_ws(args, url, pid, mem)
        else:
            r = await run_browsers(args, url, pid, mem)
        await asyncio.sleep(10)
        mem["all gone +10 s"] = (rss_mb(pid), live_sessions())
        if args.cull_wait:
            await asyncio.sleep(args.cull_wait)
            mem[f"all gone +{10 + args.cull_wait:.0f} s (after the cull)"] = (rss_mb(pid), live_sessions())
    times, wall = r["times"], r["wall"]
    q = statistics.quantiles(times, n=20, method="inclusive")
    print(
        f"{args.tabs} {'light clients' if args.client == 'ws' else 'Chromium tabs'} x {args.steps} "
        f"steps at 300 users, {wall:.0f} s: click-to-redraw median {statistics.median(times):.0f} ms, "
        f"95th percentile {q[18]:.0f} ms, max {max(times):.0f} ms ({len(times)} clicks)"
    )
    clicks = len(times)
    print(
        f"CPU over those {wall:.0f} s on {os.cpu_count()} cores: server {r['server_cpu']:.1f} s "
        + (
            f"({1000 * r['server_cpu'] / clicks:.0f} ms a click; before them, {args.tabs} page loads "
            f"{r['load_cpu']:.1f} s), light clients {r['client_cpu']:.1f} s, "
            f"{r['received'] / clicks / 1000:.0f} kB sent to a tab a click"
            if args.client == "ws"
            else f"({1000 * r['server_cpu'] / clicks:.0f} ms a click, page loads included), "
            f"Chromium (every chromium process on the machine) {r['browser_cpu']:.0f} s"
        )
        + f"; machine load average (5 min) {r['load']:.1f}"
    )
    for k, (v, live) in mem.items():
        print(f"server memory (RSS) {k}: {v:.0f} MB, sessions {live}")


async def run_browsers(args, url: str, pid: int, mem: dict) -> dict:
    from playwright.async_api import async_playwright

    times: list[float] = []
    pages: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        t0, server_cpu0 = time.monotonic(), cpu_s([pid])
        rngs = [random.Random(i) for i in range(args.tabs)]
        await asyncio.gather(
            *(
                student(browser, url, args.steps, rngs[i], times, pages, i * args.arrive)
                for i in range(args.tabs)
            )
        )
        out = dict(
            times=times,
            wall=time.monotonic() - t0,
            server_cpu=cpu_s([pid]) - server_cpu0,
            browser_cpu=cpu_s(chromium_pids()),
            load=os.getloadavg()[1],
        )  # chromium: from launch
        mem["open"] = (rss_mb(pid), live_sessions())
        half = len(pages) // 2
        for context, page in pages[:half]:  # closed tabs: the page says goodbye (its
            await page.goto("about:blank")  # pagehide beacon, sent while the page still lives)
            await context.close()
        await asyncio.sleep(10)
        mem["half closed +10 s"] = (rss_mb(pid), live_sessions())
        await browser.close()  # the other half vanish: no goodbye, the websocket just drops
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--client",
        choices=("ws", "browser"),
        default="ws",
        help="ws: light clients that speak the page's websocket protocol and draw "
        "nothing (the server is measured); browser: headless Chromium tabs",
    )
    parser.add_argument("--tabs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--arrive", type=float, default=2.0, help="seconds between students' arrivals")
    parser.add_argument("--cull-wait", type=float, default=150, help="seconds (the app culls after 120)")
    parser.add_argument("--limit", type=float, default=900, help="stop the whole run after this")
    args = parser.parse_args()
    asyncio.run(asyncio.wait_for(main(args), args.limit))
