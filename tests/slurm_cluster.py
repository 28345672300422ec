"""A throw-away single-node Slurm cluster, with job accounting, for the tests.

From Debian's packages (``slurmctld slurmd slurmdbd slurm-client munge mariadb-server``;
.ci/run installs them) it starts, as child processes of the test run, in this order:

    munged -> mariadbd (a fresh database) -> slurmdbd -> slurmctld -> slurmd

with a slurm.conf, slurmdbd.conf, munge key, database, state, spool, sockets and logs all in
one temporary folder (nothing under /etc, /var or /run is read or written), on free ports,
and waits until ``sinfo`` shows the node idle. :meth:`SlurmCluster.stop` cancels any job
left, then ends exactly the daemons it started, by PID, in reverse order.

Client commands (``sbatch``, ``squeue``, ``sacct``, and submitit, which calls them) reach this
cluster through ``SLURM_CONF``: pass :attr:`SlurmCluster.env` to them. The pytest fixture
:func:`slurm` (module scope) starts one and stops it at the end of the test module.

Why accounting (slurmdbd + MariaDB) and not ``AccountingStorageType=accounting_storage/none``:
submitit learns a job's state from ``sacct``. Without accounting, ``sacct`` fails, submitit
warns ``Bypassing sacct error ... status may be inaccurate`` on every poll, and a job that
ends without a result (cancelled, pre-empted, killed) stays ``UNKNOWN`` to it forever: the
sweep would wait for ever. With accounting, as on any real site, both go away.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import free_port, port_open, require, started

DAEMONS = ("munged", "mariadb-install-db", "mariadbd", "slurmdbd", "slurmctld", "slurmd")
CLIENTS = ("sinfo", "sbatch", "squeue", "sacct", "scancel", "srun", "scontrol", "sacctmgr")
PACKAGES = "slurmctld slurmd slurmdbd slurm-client munge mariadb-server"
SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")


def which(name: str) -> str | None:
    """Daemons live in sbin, which is not on every PATH."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN])
    return shutil.which(name, path=path)


def missing() -> str | None:
    """Why a cluster cannot be started here (None: it can)."""
    import importlib.util

    if importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is None:
        return "hydra-submitit-launcher is not installed (pip install -e '.[cluster]')"
    absent = [n for n in DAEMONS + CLIENTS if which(n) is None]
    if absent:
        return (
            f"Slurm test cluster: {', '.join(absent)} not installed "
            f"(apt-get install --no-install-recommends {PACKAGES}; .ci/run does)"
        )
    if os.geteuid() != 0:
        return "Slurm test cluster: slurmd must run as root"
    return None


def node_hardware() -> str:
    """This machine as slurmd sees it: ``CPUs=2 Boards=1 ... RealMemory=24105``."""
    out = subprocess.run([which("slurmd"), "-C"], capture_output=True, text=True, check=True)
    first = out.stdout.splitlines()[0].split()
    return " ".join(f for f in first if not f.startswith(("NodeName=", "UpTime=")))


class SlurmCluster:
    """One node (this machine's CPUs and memory), one partition, accounting on."""

    cluster = "simtest"
    partition = "sim"
    node = "simnode"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.conf = self.root / "etc" / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        self.procs: list[tuple[str, subprocess.Popen]] = []  # started, in order
        self.hardware = ""

    # ------------------------------------------------------------ start

    def start(self, timeout: float = 90) -> SlurmCluster:
        try:
            self._start(time.monotonic() + timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, deadline: float) -> None:
        r = self.root
        for d in ("etc", "munge", "db", "state", "spool", "log"):
            (r / d).mkdir(parents=True, exist_ok=True)
        ports = {k: free_port() for k in ("mysql", "dbd", "ctld", "slurmd")}
        self.ports = ports
        sock = r / "munge" / "munge.socket"

        key = r / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        # --force: munged wants every folder above its socket world-executable, which pytest's
        # private tmp folders (0700) are not; only this test's processes use the socket.
        self._spawn(
            "munged",
            [
                "munged",
                "--foreground",
                "--force",
                f"--socket={sock}",
                f"--key-file={key}",
                f"--pid-file={r / 'munge' / 'munged.pid'}",
                f"--log-file={r / 'log' / 'munged.log'}",
                f"--seed-file={r / 'munge' / 'munged.seed'}",
            ],
        )
        self._wait("munged", sock.exists, deadline)

        db = r / "db"
        install = subprocess.run(
            [
                which("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={db / 'data'}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if install.returncode:
            raise RuntimeError(f"mariadb-install-db failed:\n{install.stdout}{install.stderr}")
        # slurmdbd logs an error below these (the pool is reserved, ~120 MB resident)
        self._spawn(
            "mariadbd",
            [
                "mariadbd",
                "--no-defaults",
                f"--datadir={db / 'data'}",
                f"--socket={db / 'mysqld.sock'}",
                f"--port={ports['mysql']}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                "--user=root",
                f"--pid-file={db / 'mysqld.pid'}",
                f"--log-error={r / 'log' / 'mariadb.log'}",
                "--innodb-buffer-pool-size=512M",
                "--innodb-lock-wait-timeout=900",
            ],
        )
        self._wait("mariadbd", lambda: port_open(ports["mysql"]), deadline)

        self.hardware = node_hardware()
        self._write_confs(sock)
        self._spawn("slurmdbd", ["slurmdbd", "-D"])
        self._wait(
            "slurmdbd",
            lambda: self.run("sacctmgr", "-n", "list", "cluster", check=False).returncode == 0,
            deadline,
        )
        self._spawn("slurmctld", ["slurmctld", "-D"])
        self._wait("slurmctld", lambda: "UP" in self.run("scontrol", "ping", check=False).stdout, deadline)
        self._spawn("slurmd", ["slurmd", "-D", "-N", self.node])
        self._wait("slurmd", lambda: self.node_state() == "idle", deadline)

    def _write_confs(self, sock: Path) -> None:
        r, p = self.root, self.ports
        host = socket.gethostname().split(".")[0]
        dbd = self.conf.parent / "slurmdbd.conf"
        # slurmdbd reads slurmdbd.conf next to $SLURM_CONF and wants it private
        fd = os.open(dbd, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"""\
AuthType=auth/munge
AuthInfo=socket={sock}
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort={p["dbd"]}
SlurmUser=root
PidFile={r / "state" / "slurmdbd.pid"}
LogFile={r / "log" / "slurmdbd.log"}
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={p["mysql"]}
StorageUser=root
StorageLoc=slurm_acct_db
""")
        self.conf.write_text(f"""\
# written by tests/slurm_cluster.py: one node, one partition, accounting through slurmdbd
ClusterName={self.cluster}
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort={p["ctld"]}
SlurmdPort={p["slurmd"]}
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={r / "state"}
SlurmdSpoolDir={r / "spool"}
SlurmctldPidFile={r / "state" / "slurmctld.pid"}
SlurmdPidFile={r / "state" / "slurmd.pid"}
SlurmctldLogFile={r / "log" / "slurmctld.log"}
SlurmdLogFile={r / "log" / "slurmd.log"}
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
ReturnToService=2
# SIGTERM to SIGKILL on cancel: Slurm's minimum (sites: 30 s; submitit ignores SIGTERM)
KillWait=5
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort={p["dbd"]}
# the munge socket for the connection to slurmdbd (AuthInfo does not cover it)
AccountingStoragePass={sock}
NodeName={self.node} NodeHostname={host} NodeAddr=127.0.0.1 {self.hardware} State=UNKNOWN
PartitionName={self.partition} Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.root / "log" / f"{name}.out", "ab")
        try:
            proc = subprocess.Popen(
                [which(argv[0]), *argv[1:]],
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
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.logs(name)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} not ready in time:\n{self.logs(name)}")
            time.sleep(0.1)

    # ------------------------------------------------------------ use

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        """A Slurm client command against this cluster (``sinfo``, ``scancel``...)."""
        return subprocess.run(
            [which(argv[0]), *argv[1:]], env=self.env, capture_output=True, text=True, timeout=60, check=check
        )

    def node_state(self) -> str:
        res = self.run("sinfo", "-h", "-N", "-n", self.node, "-o", "%T", check=False)
        return res.stdout.strip() if res.returncode == 0 else ""

    def jobs(self) -> list[str]:
        """Ids of the jobs (and array tasks) in the queue."""
        return self.run("squeue", "-h", "-r", "-o", "%i").stdout.split()

    def logs(self, name: str, lines: int = 30) -> str:
        out = []
        for path in sorted((self.root / "log").glob(f"{name}*")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    # ------------------------------------------------------------ stop

    def stop(self) -> None:
        """Cancel what is still queued, then end exactly the daemons started here."""
        names = dict(self.procs)
        if "slurmctld" in names and names["slurmctld"].poll() is None:
            try:
                self.run("scancel", f"--user={os.getuid()}", check=False)
                deadline = time.monotonic() + 20
                while self.jobs() and time.monotonic() < deadline:
                    time.sleep(0.2)
            except (subprocess.SubprocessError, OSError):
                pass
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """A started :class:`SlurmCluster` for the test module; stopped (by PID) at its end, also
    when a test failed. Skipped if it cannot start here, a failure under CI."""
    require(missing())
    yield from started(SlurmCluster(tmp_path_factory.mktemp("slurm")))
