"""A light client for the served classroom app: one tab's session without a browser.

It speaks the protocol Solara's page speaks over its websocket (Jupyter messages: open the
kernel, run the page, then widget ``comm`` messages), keeps each widget's state as the server
sends it, clicks a button by sending the click event the page would send, and knows the new
day is drawn when every picture, the day counter and the Step button say so (what
``browser.ALL_DRAWN`` checks in the page). It draws nothing, so 30 of them cost the machine
little beyond the server: the load test (``scripts/classroom_load.py --client ws``) measures the
server, not 30 Chromiums competing with it for two cores.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
import uuid

DAY = re.compile(r'data-day="(\d+)"')
COUNTER = re.compile(r"^Day (\d+) of ")


def _message(msg_type: str, content: dict, session: str) -> str:
    return json.dumps(
        {
            "buffers": [],
            "channel": "shell",
            "content": content,
            "header": {
                "date": "",
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "session": session,
                "username": "",
                "version": "5.2",
            },
            "metadata": {},
            "parent_header": {},
        }
    )


class Tab:
    """One student's page: ``await Tab(url).open()``, ``await tab.click("sim-step")``,
    ``await tab.drawn(day)``, ``await tab.close()`` (a tab closed: the page's goodbye) or
    ``await tab.drop()`` (a tab that vanished: the websocket just goes)."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.kernel = str(uuid.uuid4())
        self.client = str(uuid.uuid4())
        self.state: dict[str, dict] = {}  # live widgets: comm id -> their state
        self.days: dict[str, int] = {}  # live pictures (HTML with data-day) -> the day they show
        self.day_shown = -1  # the day counter's day
        self.received = 0  # bytes
        self.changed = asyncio.Event()
        self.ws = None
        self.reader = None

    async def open(self, timeout: float = 120) -> None:
        import websockets

        with urllib.request.urlopen(self.url + "/", timeout=timeout) as r:  # the page: a cookie
            cookie = r.headers["set-cookie"].split(";")[0]
        ws_url = self.url.replace("http", "ws", 1) + (
            f"/jupyter/api/kernels/{self.kernel}/channels?session_id={self.client}"
        )
        self.ws = await websockets.connect(ws_url, additional_headers={"Cookie": cookie}, max_size=None)
        self.reader = asyncio.create_task(self._read())
        comm = uuid.uuid4().hex
        await self.ws.send(_message("kernel_info_request", {}, self.client))
        await self.ws.send(
            _message("comm_open", {"comm_id": comm, "target_name": "solara.control", "data": {}}, self.client)
        )
        run = {"path": "/", "dark": False, "themes": {"light": {}, "dark": {}}, "appName": None}
        await self.ws.send(
            _message("comm_msg", {"comm_id": comm, "data": {"method": "run", "args": run}}, self.client)
        )
        await self.drawn(0, timeout)

    async def _read(self) -> None:
        async for raw in self.ws:
            self.received += len(raw)
            if not isinstance(raw, str):
                continue  # binary buffers: none of the widgets we read has any
            msg = json.loads(raw)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "comm_open":
                self._update(content["comm_id"], content["data"].get("state", {}))
            elif kind == "comm_msg" and content["data"].get("method") in ("update", "echo_update"):
                self._update(content["comm_id"], content["data"].get("state", {}))
            elif kind == "comm_close":
                self.state.pop(content["comm_id"], None)
                self.days.pop(content["comm_id"], None)
            self.changed.set()

    def _update(self, comm: str, state: dict) -> None:
        self.state.setdefault(comm, {}).update(state)
        html = state.get("unsafe_innerHTML")
        if html is not None and COUNTER.match(html):
            self.day_shown = int(COUNTER.match(html)[1])
        elif html is not None:
            m = DAY.search(html)
            if m:
                self.days[comm] = int(m[1])
            else:
                self.days.pop(comm, None)
        for child in state.get("children") or ():
            m = COUNTER.match(child) if isinstance(child, str) else None
            if m:
                self.day_shown = int(m[1])

    def button(self, cls: str) -> tuple[str, dict] | None:
        for comm, s in self.state.items():
            if s.get("_model_name") == "BtnModel" and cls in (s.get("class_") or "").split():
                return comm, s
        return None

    def is_drawn(self, day: int) -> bool:
        step = self.button("sim-step")
        return (
            len(self.days) >= 5
            and all(d == day for d in self.days.values())
            and self.day_shown == day
            and step is not None
            and not step[1].get("disabled")
            and self.button("sim-reset") is not None
        )

    async def drawn(self, day: int, timeout: float = 120) -> float:
        """Wait until the page would show ``day`` everywhere; the monotonic time then."""
        async with asyncio.timeout(timeout):
            while not self.is_drawn(day):
                self.changed.clear()
                if self.reader.done():
                    raise RuntimeError(f"the server closed the websocket: {self.reader.exception()}")
                await self.changed.wait()
        return time.monotonic()

    async def click(self, cls: str) -> float:
        """Click the button with class ``cls`` as the page does; the monotonic time of sending."""
        comm, _ = self.button(cls)
        content = {"comm_id": comm, "data": {"method": "custom", "content": {"event": "click", "data": {}}}}
        t = time.monotonic()
        await self.ws.send(_message("comm_msg", content, self.client))
        return t

    async def close(self) -> None:
        """A closed tab: the page's pagehide beacon, then the websocket goes."""
        req = urllib.request.Request(
            f"{self.url}/_solara/api/close/{self.kernel}?session_id={self.client}", data=b"", method="POST"
        )
        await asyncio.to_thread(urllib.request.urlopen, req, timeout=30)
        await self.drop()

    async def drop(self) -> None:
        """A tab that vanished (a laptop lid shut): the websocket just goes."""
        await self.ws.close()
        self.reader.cancel()
