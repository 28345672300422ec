"""A two-node Ray cluster on this machine, for the tests.

``ray start --head`` and a second node, ``ray start --address HEAD``, each with one CPU and
run as separate processes (``--block``: each stays in the foreground, the parent of its
node's GCS/raylet/dashboard processes), on free ports, with Ray's session folders in the
test's temporary folder. A driver reaches the cluster at :attr:`RayCluster.address`, as it
would reach a real cluster's head (pytest fixture: :func:`ray_two_nodes`, module scope).
:meth:`RayCluster.stop` ends exactly these two process trees: SIGTERM to each ``ray start``
(which drains and stops its node), then SIGKILL to whatever is left in their process groups.
It never runs ``ray stop``, which would stop every Ray on the machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import free_port, port_open, require, started

# Ray puts Unix sockets in <temp>/session_<date>_<pid>/sockets/dash_MetricsHead: the whole
# path must stay under 107 bytes, so a long pytest folder falls back to a short one in /tmp.
SOCKET_TAIL = len("/session_2026-01-01_00-00-00_000000_4194304/sockets/dash_MetricsHead")


def ray_cli() -> str | None:
    exe = Path(sys.executable).with_name("ray")
    return str(exe) if exe.exists() else shutil.which("ray")


def missing() -> str | None:
    """Why a Ray cluster cannot be started here (None: it can)."""
    import importlib.util

    for module, what in (("ray", "ray"), ("hydra_plugins.hydra_ray_launcher", "hydra-ray-launcher")):
        if importlib.util.find_spec(module) is None:
            return f"{what} is not installed (pip install -e '.[cluster]')"
    if ray_cli() is None:
        return "the ray command is not installed (pip install -e '.[cluster]')"
    return None


class RayCluster:
    """Head plus one worker node, one CPU each."""

    def __init__(self, root: Path, env: dict | None = None):
        self.root = Path(root)
        self.temp = self.root / "ray"
        self._own_temp = len(str(self.temp)) + SOCKET_TAIL > 107
        if self._own_temp:
            self.temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # RAY_AUTH_MODE=disabled: no ~/.ray/auth_token and no token warning (Ray 2.60)
        self.env = {**os.environ, "RAY_AUTH_MODE": "disabled", **(env or {})}
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, timeout: float = 120) -> RayCluster:
        try:
            deadline = time.monotonic() + timeout
            self._spawn(
                "head",
                "--head",
                f"--port={self.port}",
                f"--temp-dir={self.temp}",
                "--dashboard-host=127.0.0.1",
                f"--dashboard-port={free_port()}",
                f"--ray-client-server-port={free_port()}",
            )
            self._wait("head", lambda: port_open(self.port) and len(self.nodes()) == 1, deadline)
            self._spawn("worker", f"--address={self.address}")
            self._wait("worker", lambda: len(self.nodes()) == 2, deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, *args: str) -> None:
        argv = [
            ray_cli(),
            "start",
            *args,
            "--node-ip-address=127.0.0.1",
            "--num-cpus=1",
            "--object-store-memory=200000000",
            f"--dashboard-agent-listen-port={free_port()}",
            "--min-worker-port=0",
            "--max-worker-port=0",  # random ports: no clash
            "--disable-usage-stats",
            "--block",
        ]
        log = open(self.root / f"ray-{name}.log", "ab")
        try:
            # cwd: the workers' working folder (relative paths such as the network cache)
            proc = subprocess.Popen(
                argv,
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        self.procs.append((name, proc))

    def _wait(self, name: str, ready, deadline: float) -> None:
        proc = dict(self.procs)[name]
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ray start ({name}) exited with {proc.returncode}:\n{self.log(name)}")
            try:
                if ready():
                    return
            except Exception:  # noqa: BLE001 - the dashboard is not up yet
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"ray start ({name}) not ready in time:\n{self.log(name)}")
            time.sleep(0.5)

    def log(self, name: str, lines: int = 30) -> str:
        path = self.root / f"ray-{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # ------------------------------------------------------------ state (Ray's state API)

    def nodes(self) -> list[str]:
        """Ids of the alive nodes."""
        from ray.util.state import list_nodes

        return sorted(n.node_id for n in list_nodes(address=self.address, timeout=10) if n.state == "ALIVE")

    def task_nodes(self, name: str) -> list[str]:
        """The node id each task called ``name`` ran on (finished tasks)."""
        from ray.util.state import list_tasks

        tasks = list_tasks(
            address=self.address, filters=[("name", "=", name)], detail=True, limit=10_000, timeout=10
        )
        return [t.node_id for t in tasks if t.state == "FINISHED"]

    # ------------------------------------------------------------ stop

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):  # the worker node first, then the head
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=40)  # a node drains for up to 30 s
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            try:  # anything of this node still alive: same process group as its ray start
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.procs.clear()
        if self._own_temp:
            shutil.rmtree(self.temp, ignore_errors=True)


@pytest.fixture(scope="module")
def ray_two_nodes(tmp_path_factory):
    """A started :class:`RayCluster` for the test module; stopped at its end, also when a test
    failed. Skipped if Ray is not installed, a failure under CI."""
    require(missing())
    yield from started(RayCluster(tmp_path_factory.mktemp("raycluster")))
