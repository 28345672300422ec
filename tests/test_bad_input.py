"""Bad input, as a new user would type it: every case stops with a non-zero exit code and one
line that names the key (or path), the value and what is allowed; no traceback; no file left
anywhere; and a file that was in the target folder before is untouched.

Each case runs ``python -m sim`` in its own empty folder (the working directory, so that a
stray ``results/`` would show) whose run folder ``run/`` already holds ``important.log``. To keep
~90 cases quick, each runs in a child forked from a process that has imported ``sim`` once (what
``python -m sim`` does after start-up: ``sim.__main__.main`` with the arguments, its own
stdout, stderr, working directory and exit code); where there is no fork, a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sim.runs.memory import available_bytes

from .conftest import ROOT

pytestmark = pytest.mark.integration  # ~80 subprocesses: deselect with -m 'not integration'

KEEP = "important.log"
TEXT = "a user's own file: must survive any bad input\n"


@dataclass
class Case:
    id: str
    args: list[str]  # "{tmp}" stands for the case's folder
    expect: list[str]  # fragments of the one error line (key or path, value, what is allowed)
    files: dict = field(default_factory=dict)  # name -> text or bytes, written before the run
    code: int = 2
    run_dir: bool = True  # pass hydra.run.dir={tmp}/run (holding KEEP)
    skip: str = ""


def edges(text):
    return {"edges.txt": text}


EL = ["network=edgelist", "network.path={tmp}/edges.txt"]
GML = ["network=gml", "network.path={tmp}/g.gml"]
KARATE = (
    'graph [\n node [ id 0 club "a" ]\n node [ id 1 club "b" ]\n node [ id 2 club "a" ]\n'
    " edge [ source 0 target 1 ]\n edge [ source 1 target 2 ]\n]\n"
)
TEN = "".join(f"{i} {(i + 1) % 12}\n" for i in range(12))  # 12 users in a ring
C0 = "scenario.campaigns.0"
PLUGIN = ["ranking=mine", "hydra.searchpath=[file://{tmp}/conf]"]
RANKER = (
    "from dataclasses import dataclass\n\nfrom sim.model.feed.rankers import Ranker\n\n\n"
    "@dataclass\nclass Mine(Ranker):\n    def score(self, batch, rng):\n"
    "        raise ValueError('bad score')\n"
)


def plugin(module: str) -> dict:
    """A user's module ``myplug`` (in the working folder, which ``python -m`` puts on the path)
    and a config folder whose ranker ``mine`` names its class."""
    return {"myplug.py": module, "conf/ranking/mine.yaml": "_target_: myplug.Mine\n"}


def fake_run(folder: str, *overrides: str) -> dict:
    """A run folder that ran ``overrides`` (and failed: enough for collect to list it)."""
    return {
        f"{folder}/.hydra/overrides.yaml": "".join(f"- {o}\n" for o in overrides),
        f"{folder}/FAILED.json": '{"error": "x"}',
    }


def fake_sweep(folder: str, jobs: list[str]) -> dict:
    """A sweep folder as Progress records it (sweep.json), one run folder per job."""
    import json

    files = {f"{folder}/sweep.json": json.dumps({"total": len(jobs), "jobs": jobs})}
    for i, job in enumerate(jobs):
        files.update(fake_run(f"{folder}/{i}", *job.split()))
    return files


FINITE = "must be a finite number in"
MEMORY = 50_000_000 * (150 + 45 * 20.1)  # the estimate at the maximum population

CASES = [
    # ---- the policy mechanisms' fields and levers (issue 12), by name, value and range
    Case("segment-signal", ["population.segment_signal=2"], ["population.segment_signal = 2", "[0.0, 1.0]"]),
    Case("bid-ceiling", [f"{C0}.bid_ceiling=0.5"], [f"{C0}.bid_ceiling = 0.5", "[1.0, 100.0]"]),
    Case(
        "platform-help",
        [f"{C0}.platform_help=staff"],
        [f"{C0}.platform_help = 'staff'", "embedded, self_service, none"],
    ),
    Case("cta-share", [f"{C0}.cta_share=2"], [f"{C0}.cta_share = 2", "[0.0, 1.0]"]),
    Case(
        "amplifiers-per-1k",
        [f"{C0}.amplifiers.per_1000_users=-1"],
        [f"{C0}.amplifiers.per_1000_users = -1", "[0.0,"],
    ),
    Case(
        "amplifier-pay",
        [f"{C0}.amplifiers.pay_per_1000_followers=-2"],
        [f"{C0}.amplifiers.pay_per_1000_followers = -2", "[0.0,"],
    ),
    Case(
        "disclosure", [f"{C0}.amplifiers.disclosure=1.5"], [f"{C0}.amplifiers.disclosure = 1.5", "[0.0, 1.0]"]
    ),
    Case(
        "volunteers",
        [f"{C0}.volunteers.per_1000_users=-1"],
        [f"{C0}.volunteers.per_1000_users = -1", "[0.0,"],
    ),
    Case("label-recall", ["policy.labels.recall=-0.1"], ["policy.labels.recall = -0.1", "[0.0, 1.0]"]),
    Case("review-recall", ["policy.ad_review.recall=1.2"], ["policy.ad_review.recall = 1.2", "[0.0, 1.0]"]),
    Case(
        "watchdog-coverage", ["policy.watchdogs.coverage=2"], ["policy.watchdogs.coverage = 2", "[0.0, 1.0]"]
    ),
    Case("watchdog-lag", ["policy.watchdogs.lag=-1"], ["policy.watchdogs.lag = -1", "[0, 100000]"]),
    Case(
        "takedown-days",
        ["policy.watchdogs.takedown_days=-3"],
        ["policy.watchdogs.takedown_days = -3", "[0.0, 100000.0]"],
    ),
    Case(
        "platform-reach",
        ["platforms=ecosystem_2019", "platforms.0.reach=1.5"],
        ["platforms.0.reach = 1.5", "(0.0, 1.0]"],
    ),
    Case(
        "platform-reach-zero",
        ["platforms=ecosystem_2019", "platforms.1.reach=0"],
        ["platforms.1.reach = 0", "(0.0, 1.0]"],
    ),
    Case(
        "platform-overlap",
        ["platforms=ecosystem_2019", "platforms.2.overlap=1"],
        ["platforms.2.overlap = 1", "[0.0, 1.0)"],
    ),
    Case(
        "platform-ad-weight",
        ["platforms=ecosystem_2019", "platforms.0.ad_weight=-1"],
        ["platforms.0.ad_weight = -1", "[0.0,"],
    ),
    Case(
        "watchdog-visibility", ["policy.watchdogs.visibility=0"], ["policy.watchdogs.visibility = 0", "(0.0,"]
    ),
    Case(
        "credibility",
        ["policy.watchdogs.credibility_cost=1.5"],
        ["policy.watchdogs.credibility_cost = 1.5", "[0.0, 1.0]"],
    ),
    Case(
        "compliance",
        ["policy.poster_disclosure.compliance=3"],
        ["policy.poster_disclosure.compliance = 3", "[0.0, 1.0]"],
    ),
    Case(
        "variants",
        ["policy.platform_help.variants_embedded=0"],
        ["policy.platform_help.variants_embedded = 0", "[1, 100000]"],
    ),
    Case(
        "creative-sd",
        ["policy.platform_help.creative_sd=5"],
        ["policy.platform_help.creative_sd = 5", "[0.0, 2.0]"],
    ),
    # ---- the feed-ranking fields and levers (issue 11)
    Case("political-engagement", ["feed.political_engagement=0"], ["feed.political_engagement = 0", "(0.0,"]),
    Case(
        "chronological-share",
        ["policy.chronological_option.share=1.5"],
        ["policy.chronological_option.share = 1.5", "[0.0, 1.0]"],
    ),
    Case(
        "demote-factor",
        ["policy.demote_political.factor=-1"],
        ["policy.demote_political.factor = -1", "[0.0, 1.0]"],
    ),
    Case("unknown-ranker", ["ranking=newest"], ["ranking", "newest", "chronological"]),
    Case("unknown-platform", ["platform=myspace"], ["platform", "myspace", "twitter"]),
    # ---- wrong types (Hydra's composition errors, in one line)
    Case("int-text", ["population.n=abc"], ["population.n = abc", "must be an integer in [10, 50000000]"]),
    Case("int-float", ["population.n=1.5"], ["population.n = 1.5", "must be an integer"]),
    Case("null", ["steps=null"], ["steps = null", "must be an integer in [1, 100000]"]),
    Case("bool", ["behavior.affinity=maybe"], ["behavior.affinity = maybe", "must be true or false"]),
    Case("bool-cache", ["network.cache=perhaps"], ["network.cache = perhaps", "true or false"]),
    Case(
        "float-text",
        ["market.commercial_cpm=cheap"],
        ["market.commercial_cpm = cheap", FINITE + " (0.0, 1e9]"],
    ),
    Case("budget-text", [f"{C0}.budget=lots"], [f"{C0}.budget = lots", FINITE + " [0.0, 1e9]"]),
    Case("list-for-float", ["population.ideology_sd=[1,2]"], ["population.ideology_sd = [1,2]", FINITE]),
    Case(
        "ranker-type",
        ["ranking.social_proof_weight=abc"],
        ["ranking.social_proof_weight = abc", FINITE + " [0.0, 1e9]"],
    ),
    Case(
        "lever-type",
        ["policy.frequency_cap.per_day=often"],
        ["policy.frequency_cap.per_day = often", "must be an integer in [0, 1000]"],
    ),
    # ---- unknown keys
    Case("key-typo", ["population.nn=5"], ["population.nn = 5", "unknown key", "population.n?"]),
    Case("key-new", ["+foo=1"], ["foo = 1", "unknown key", "seed, steps, population"]),
    Case(
        "lever-key",
        ["policy.frequency_cap.per_dya=3"],
        ["policy.frequency_cap.per_dya = 3", "did you mean policy.frequency_cap.per_day?"],
    ),
    Case("ranker-key", ["ranking.decay=0.5"], ["ranking.decay = 0.5", "unknown key", "recency_decay"]),
    Case("feed-key", ["feed.sizee=3"], ["feed.sizee = 3", "did you mean feed.size?"]),
    Case("network-key", ["network.pathh=x"], ["network.pathh = x", "did you mean network.path?"]),
    Case("campaign-key", [f"{C0}.budgett=3"], [f"{C0}.budgett = 3", f"did you mean {C0}.budget?"]),
    Case(
        "campaign-index",
        ["scenario.campaigns.9.budget=3"],
        ["scenario.campaigns.9.budget = 3", "no entry 9", "9 entries, 0-8"],
    ),
    # ---- unknown options
    Case("policy", ["policy=nope"], ["policy = 'nope'", "one of ban, cap,", "none, transparency"]),
    Case("scenario", ["scenario=nope"], ["scenario = 'nope'", "one of", "two_party"]),
    Case("network", ["network=nope"], ["network = 'nope'", "one of", "edgelist", "gml"]),
    Case("ranking", ["ranking=nope"], ["ranking = 'nope'", "one of", "chronological, engagement"]),
    Case("experiment", ["+experiment=nope"], ["experiment = 'nope'", "policy_comparison"]),
    Case("launcher", ["hydra/launcher=nope"], ["hydra/launcher = 'nope'", "one of basic"]),
    # ---- syntax
    Case("unclosed", ["population.n=[1"], ["'population.n=[1'", "not a valid override"]),
    Case("no-key", ["=5"], ["'=5'", "not a valid override", "key=value"]),
    Case("no-value", ["population"], ["'population'", "key=value"]),
    Case("sweep-without-m", ["policy=none,ban"], ["policy = none,ban", "add -m", "policy=[none,ban]"]),
    # ---- non-finite and absurd numbers
    Case("budget-inf", [f"{C0}.budget=inf"], [f"{C0}.budget = inf", FINITE + " [0.0, 1e9]"]),
    Case("budget-nan", [f"{C0}.budget=nan"], [f"{C0}.budget = nan", FINITE]),
    Case("budget-neg-inf", [f"{C0}.budget=-inf"], [f"{C0}.budget = -inf", FINITE]),
    Case("budget-1e300", [f"{C0}.budget=1e300"], [f"{C0}.budget = 1e+300", FINITE + " [0.0, 1e9]"]),
    Case("bid-1e300", [f"{C0}.bid=1e300"], [f"{C0}.bid = 1e+300", FINITE]),
    Case(
        "activity-inf", ["population.activity_a=inf"], ["population.activity_a = inf", FINITE + " (0.0, 1e9]"]
    ),
    Case("activity-1e300", ["population.activity_a=1e300"], ["population.activity_a = 1e+300", FINITE]),
    Case("followers-inf", [f"{C0}.sockpuppets.followers=inf"], [f"{C0}.sockpuppets.followers = inf", FINITE]),
    Case(
        "followers-above-n",
        [f"{C0}.sockpuppets.count=5", f"{C0}.sockpuppets.followers=1e8"],
        [f"{C0}.sockpuppets.followers = 100000000.0", "must be <= population.n (10000)"],
    ),
    Case(
        "contents-too-many",
        [
            f"{C0}.sockpuppets.count=100000",
            f"{C0}.sockpuppets.posts_per_day=100",
            f"{C0}.sockpuppets.followers=0",
        ],
        [f"{C0}.sockpuppets.posts_per_day = 100", "300,018,540 contents", "at most 268,435,456"],
    ),
    Case(
        "amplifiers-above-n",
        [f"{C0}.amplifiers.per_1000_users=2000"],
        [f"{C0}.amplifiers.per_1000_users = 2000", "[0.0, 1000.0]"],
    ),
    Case(
        "sockpuppet-followers-above-n",
        [f"{C0}.sockpuppets.count=1", f"{C0}.sockpuppets.followers=20000"],
        [f"{C0}.sockpuppets.followers = 20000", "must be <= population.n (10000)"],
    ),
    Case("cpm-nan", ["market.commercial_cpm=nan"], ["market.commercial_cpm = nan", FINITE]),
    Case("affinity-inf", ["behavior.affinity_scale=inf"], ["behavior.affinity_scale = inf", FINITE]),
    Case(
        "substitution-2",
        ["allocation.substitution=2"],
        ["allocation.substitution = 2.0", FINITE + " [0.0, 1.0]"],
    ),
    Case(
        "cap-scope",
        ["policy.spend_cap.scope=weekly"],
        ["policy.spend_cap.scope = 'weekly'", "one of total, ads"],
    ),
    Case(
        "blackout-neg", ["policy.blackout.days=-1"], ["policy.blackout.days = -1", "integer in [0, 100000]"]
    ),
    Case(
        "advertiser-review-recall",
        ["policy.advertiser_review.recall=1.5"],
        ["policy.advertiser_review.recall = 1.5", FINITE + " [0.0, 1.0]"],
    ),
    Case(
        "spend-cap-inf",
        ["policy.spend_cap.per_1000_users=inf"],
        ["policy.spend_cap.per_1000_users = inf", FINITE],
    ),
    Case("decay-zero", ["ranking.recency_decay=0"], ["ranking.recency_decay = 0.0", FINITE + " (0.0, 1.0]"]),
    Case("decay-nan", ["ranking.recency_decay=nan"], ["ranking.recency_decay = nan", "(0.0, 1.0]"]),
    Case("degree-inf", ["network.mean_degree=inf"], ["network.mean_degree = inf", FINITE]),
    Case(
        "degree-above-n", ["network.mean_degree=20000"], ["network.mean_degree = 20000.0", "< population.n"]
    ),
    Case("sd-zero", ["population.ideology_sd=0"], ["population.ideology_sd = 0.0", "(0.0, 1e9]"]),
    Case("prob", ["behavior.follow_prob=1.5"], ["behavior.follow_prob = 1.5", FINITE + " [0.0, 1.0]"]),
    Case(
        "position",
        ["scenario.campaigns.1.position=2"],
        ["scenario.campaigns.1.position = 2.0", "[-1.0, 1.0]"],
    ),
    Case("n-small", ["population.n=5"], ["population.n = 5", "must be an integer in [10, 50000000]"]),
    Case(
        "n-memory",  # without the ordinary users' posts, which exceed the content limit first
        [
            "population.n=50000000",
            "scenario.campaigns.5.volunteers.per_1000_users=0",
            "scenario.campaigns.6.volunteers.per_1000_users=0",
        ],
        ["population.n = 50000000", "needs about", "available"],
        skip="" if (available_bytes() or 0) < MEMORY else "this machine has the memory",
    ),
    Case("steps-huge", ["steps=1000000"], ["steps = 1000000", "[1, 100000]"]),
    Case("seed-negative", ["seed=-1"], ["seed = -1", "[0, 9223372036854775807]"]),
    Case("segments-zero", ["population.segments=0"], ["population.segments = 0", "[1, 1000]"]),
    Case(
        "band-reversed", [f"{C0}.ideology_band=[0.5,-0.5]"], [f"{C0}.ideology_band = [0.5, -0.5]", "lo <= hi"]
    ),
    Case("segment-ids", [f"{C0}.target_segments=[99]"], [f"{C0}.target_segments = [99]", "[0, 7]"]),
    Case("pacing-zero", ["market.pacing_gain=0"], ["market.pacing_gain = 0.0", "(0.0, 1.0]"]),
    # ---- broken and hostile network files
    Case(
        "path-missing",
        ["network=edgelist", "network.path=/no/such/file.txt"],
        ["network.path = '/no/such/file.txt'", "must be an existing edgelist file"],
    ),
    Case("path-unset", ["network=edgelist"], ["network.path = ''", "existing edgelist file"]),
    Case(
        "path-folder",
        ["network=edgelist", "network.path={tmp}"],
        ["network.path = ", "existing edgelist file"],
    ),
    Case(
        "path-device",
        ["network=edgelist", "network.path=/dev/zero"],
        ["network.path = '/dev/zero'", "existing"],
    ),
    Case("binary", EL, ["network.path = ", "binary file"], files={"edges.txt": b"\x00\x01\x02" * 100}),
    Case("not-utf8", EL, ["network.path = ", "not UTF-8"], files={"edges.txt": b"0 1\n1 \xff\xfe\n"}),
    Case("empty", EL, ["network.path = ", "has no edges"], files=edges("")),
    Case("only-comments", EL, ["network.path = ", "has no edges"], files=edges("# a\n% b\n\n")),
    Case(
        "bad-line",
        EL,
        ["line 5 is '1 two'", "expected integer user ids"],
        files=edges("# SNAP\n% KONECT\nsource target\n0 1\n1 two\n"),
    ),
    Case("short-line", EL, ["line 3 is '7'", "expected 2 columns"], files=edges("0 1\n1 2\n7\n")),
    Case(
        "weights",
        EL,
        ["has edge weights (line 1: '0.5')", "network.weights=use"],
        files=edges("0 1 0.5\n1 2 1\n"),
    ),
    Case(
        "bad-weight",
        EL + ["network.weights=use"],
        ["line 2 is '1 2 heavy'", "not a number"],
        files=edges("0 1 0.5\n1 2 heavy\n"),
    ),
    Case(
        "four-columns", EL, ["line 1 has 4 columns", "2 ('follower followee') or 3"], files=edges("0 1 2 3\n")
    ),
    Case(
        "n-below-nodes",
        EL + ["population.n=10"],
        ["has 12 users", "must be <= population.n (10)"],
        files=edges(TEN),
    ),
    Case("too-few-nodes", EL, ["has 3 users", "at least 10"], files=edges("a b\nb c\n")),
    Case(
        "gml-broken",
        GML,
        ["network.path = ", "not a readable GML file"],
        files={"g.gml": "graph [ node [ id 0 "},
    ),
    Case(
        "gml-missing",
        ["network=gml", "network.path=/no/g.gml"],
        ["network.path = '/no/g.gml'", "existing gml"],
    ),
    Case(
        "table-missing",
        EL + ["network.node_table=/no/t.csv"],
        ["network.node_table = '/no/t.csv'", "existing"],
        files=edges(TEN),
    ),
    Case(
        "table-broken",
        EL + ["network.node_table={tmp}/t.parquet", "network.ideology_attribute=x"],
        ["network.node_table = ", "cannot be read"],
        files={**edges(TEN), "t.parquet": b"PAR1garbage"},
    ),
    Case(
        "attribute-unknown",
        GML + ["network.ideology_attribute=side", "population.n=10"],
        ["network.ideology_attribute = 'side'", "no such node attribute", "club"],
        files={"g.gml": KARATE},
    ),
    Case(
        "attribute-text",
        GML + ["network.ideology_attribute=club", "population.n=10"],
        ["network.ideology_attribute = 'club'", "not numbers in [-1, 1]", "network.ideology_values="],
        files={"g.gml": KARATE},
    ),
    Case(
        "attribute-unmapped",
        GML + ["network.ideology_attribute=club", "network.ideology_values={a: -0.5}", "population.n=10"],
        ["no entry for 'b'"],
        files={"g.gml": KARATE},
    ),
    Case(
        "segments-too-many",
        GML + ["network.segment_attribute=club", "population.segments=1", "population.n=10"],
        ["network.segment_attribute = 'club'", "has 2 values", "population.segments (1)"],
        files={"g.gml": KARATE},
    ),
    Case(
        "path-without-kind",
        ["network.path={tmp}/edges.txt"],
        ["network.path = ", "only to a network file (network=edgelist or gml), not homophilous_pa"],
        files=edges(TEN),
    ),
    Case(
        "attribute-generated",
        ["network.ideology_attribute=club"],
        ["network.ideology_attribute = 'club'", "only to a network file"],
    ),
    # ---- folders
    Case(
        "run-dir-unwritable",
        ["hydra.run.dir=/sys/sim_run"],
        ["hydra.run.dir = '/sys/sim_run'", "cannot write"],
        run_dir=False,
    ),
    Case("run-dir-is-file", ["hydra.run.dir={tmp}/run/" + KEEP], ["is a file, not a folder"], run_dir=False),
    Case(
        "run-dir-under-file",
        ["hydra.run.dir={tmp}/run/" + KEEP + "/x"],
        ["cannot write there"],
        run_dir=False,
    ),
    Case(
        "run-dir-other-run",
        ["population.n=2000", "hydra.run.dir={tmp}/run"],
        ["hydra.run.dir = ", "holds another run's outputs (.hydra, summary.json)"],
        files={"run/.hydra/overrides.yaml": "- population.n=3000\n", "run/summary.json": "{}"},
    ),
    Case(
        "cache-unwritable",
        ["population.n=1000", "network.cache_dir=/sys/cache"],
        ["network.cache_dir = '/sys/cache'", "cannot write", "network.cache=false"],
    ),
    Case(
        "cache-is-file",
        ["population.n=1000", "network.cache_dir={tmp}/run/" + KEEP],
        ["network.cache_dir = ", "cannot write"],
    ),
    # ---- sweeps: every value checked before any run
    Case(
        "sweep-option",
        ["-m", "policy=none,nope", "hydra.sweep.dir={tmp}/run"],
        ["policy = 'nope'", "one of ban"],
        run_dir=False,
    ),
    Case(
        "sweep-type",
        ["-m", "population.n=1000,abc", "hydra.sweep.dir={tmp}/run"],
        ["population.n = abc", "integer"],
        run_dir=False,
    ),
    Case(
        "sweep-unwritable",
        ["-m", "seed=0,1", "hydra.sweep.dir=/sys/sweep"],
        ["hydra.sweep.dir = '/sys/sweep'", "cannot write"],
        run_dir=False,
    ),
    Case(
        "sweep-other",
        ["-m", "seed=0,1", "population.n=1000", "hydra.sweep.dir={tmp}/run"],
        ["hydra.sweep.dir = ", "holds a different sweep (its job 0 ran seed=5"],
        run_dir=False,
        files={"run/0/.hydra/overrides.yaml": "- seed=5\n- population.n=1000\n"},
    ),
    Case("collect-missing", ["collect", "{tmp}/nothing"], ["nothing", "does not exist"], run_dir=False),
    # ---- issue 20: empty output folders, the search path, non-ASCII values
    Case(
        "run-dir-empty",
        ["population.n=1000", "steps=2", "hydra.run.dir="],
        ["hydra.run.dir = ''", "must name a folder"],
        run_dir=False,
    ),
    Case(
        "sweep-dir-empty",
        ["-m", "seed=0,1", "population.n=1000", "steps=2", "hydra.sweep.dir="],
        ["hydra.sweep.dir = ''", "must name a folder"],
        run_dir=False,
    ),
    Case(
        "searchpath-missing",
        ["ranking=mine", "hydra.searchpath=[file://{tmp}/conf]"],
        ["hydra.searchpath = 'file://", "/conf'", "no such folder"],
    ),
    Case(
        "non-ascii-path",
        ["network=edgelist", "network.path={tmp}/données.txt"],
        ["network.path=", "non-ASCII", "quote the value: network.path='"],
        files={"données.txt": TEN},
    ),
    # ---- plug-ins of one's own (a ranker in a module beside the config), named in the error
    Case(
        "plugin-syntax",
        PLUGIN,
        ["ranking._target_ = 'myplug.Mine'", "cannot be imported", "SyntaxError"],
        files=plugin("def broken(:\n"),
    ),
    Case(
        "plugin-import-raises",
        PLUGIN,
        ["ranking._target_ = 'myplug.Mine'", "cannot be imported", "RuntimeError: no licence"],
        files=plugin("raise RuntimeError('no licence')\n"),
    ),
    Case(
        "plugin-raises-running",
        PLUGIN + ["population.n=1000", "steps=3", "network.cache=false"],
        ["ranking._target_ = 'myplug.Mine'", "raised while running", "ValueError: bad score"],
        files=plugin(RANKER),
    ),
    # ---- collect: no runs, two sweeps, a run of another sweep, an unwritable output
    Case(
        "collect-empty",
        ["collect", "{tmp}/run"],
        ["run'", "holds no runs", "nothing collected"],
        run_dir=False,
    ),
    Case(
        "collect-two-sweeps",
        ["collect", "{tmp}/both"],
        ["both'", "mixes the runs of 2 sweeps"],
        run_dir=False,
        files={**fake_sweep("both/a", ["seed=0"]), **fake_sweep("both/b", ["seed=1"])},
    ),
    Case(
        "collect-foreign-run",
        ["collect", "{tmp}/sw"],
        ["sw'", "1 is a run of another sweep", "'seed=5'"],
        run_dir=False,
        files={**fake_sweep("sw", ["seed=0"]), **fake_run("sw/1", "seed=5")},
    ),
    Case(
        "collect-unwritable",
        ["collect", "{tmp}/sw"],
        ["cannot write", "sw/collected/"],
        run_dir=False,
        files={**fake_sweep("sw", ["seed=0"]), "sw/collected": "a file"},
    ),
    # ---- every tool: its output folder under a file, bad arguments
    Case(
        "ensemble-unwritable",
        ["ensemble", "sample", "{tmp}/run/important.log/e"],
        ["cannot write", "important.log/e"],
        run_dir=False,
    ),
    Case(
        "sensitivity-unwritable",
        ["sensitivity", "sample", "{tmp}/run/important.log/s"],
        ["cannot write", "important.log/s"],
        run_dir=False,
    ),
    Case(
        "docs-unwritable",
        ["docs", "--out", "{tmp}/run/important.log/outputs.md"],
        ["cannot write", "important.log/outputs.md", "Not a directory"],
        run_dir=False,
    ),
    Case(
        "report-unwritable",
        ["report", "{sweep}", "--out", "{tmp}/run/important.log/figs"],
        ["cannot write", "important.log/figs/"],
        run_dir=False,
    ),
    Case(
        "replicate-override",
        ["replicate", "--fast", "population.nn=3"],
        ["population.nn = 3", "unknown key"],
        run_dir=False,
    ),
    Case("replicate-jobs", ["replicate", "--fast", "--jobs", "0"], ["--jobs = 0", ">= 1"], run_dir=False),
    Case(
        "replicate-seeds",
        ["replicate", "--fast", "--seeds", "0"],
        ["--seeds = 0", ">= 2 seeds"],
        run_dir=False,
    ),
    Case(
        "ensemble-seeds",
        ["ensemble", "sample", "{tmp}/e", "--seeds", "0"],
        ["--seeds = 0", ">= 1"],
        run_dir=False,
    ),
    Case(
        "ensemble-regimes",
        ["ensemble", "sample", "{tmp}/e", "--regimes", "none,bogus"],
        ["--regimes = 'none,bogus'", "'bogus' is not a policy", "ban, cap"],
        run_dir=False,
    ),
    Case(
        "ensemble-jobs", ["ensemble", "run", "{tmp}/e", "--jobs", "0"], ["--jobs = 0", ">= 1"], run_dir=False
    ),
    Case(
        "morris-n",
        ["sensitivity", "sample", "{tmp}/s", "--method", "morris", "--n", "0"],
        ["--n = 0", ">= 2 trajectories"],
        run_dir=False,
    ),
    Case(
        "param-outside-field",
        ["ensemble", "sample", "{tmp}/e", "--param", "behavior.follow_prob=0.5:2"],
        ["--param behavior.follow_prob=0.5:2.0", "outside the field's own range", "[0.0, 1.0]"],
        run_dir=False,
    ),
    Case(
        "param-int-outside-field",
        ["sensitivity", "sample", "{tmp}/s", "--param", "population.segments=0:4:int"],
        ["--param population.segments=0:4", "must be an integer in [1, 1000]"],
        run_dir=False,
    ),
]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(root.rglob("*"))
    }


def _command(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``python -m sim ARGS`` in ``cwd``: forked from this process (sim already imported)."""
    if not hasattr(os, "fork"):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [sys.executable, "-m", "sim", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    import sim.__main__

    out, err = cwd.parent / f"{cwd.name}.out", cwd.parent / f"{cwd.name}.err"
    pid = os.fork()
    if pid == 0:  # the child: becomes "python -m sim ARGS"
        code = 1
        try:
            with open(out, "w") as o, open(err, "w") as e:
                os.dup2(o.fileno(), 1)
                os.dup2(e.fileno(), 2)
                sys.stdout, sys.stderr = os.fdopen(1, "w"), os.fdopen(2, "w")
                os.chdir(cwd)
                sys.path.insert(0, str(cwd))  # as python -m does: a user's modules there import
                sys.argv = [str(ROOT / "sim" / "__main__.py"), *args]
                try:
                    sim.__main__.main()
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                    if isinstance(exc.code, str):
                        print(exc.code, file=sys.stderr)
                except BaseException:  # noqa: BLE001 - shown to the test as python would
                    import traceback

                    traceback.print_exc()
                sys.stdout.flush()
                sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return subprocess.CompletedProcess(
        args, os.waitstatus_to_exitcode(status), out.read_text(), err.read_text()
    )


def _run(case: Case, tmp: Path, sweep: Path | None = None):
    tmp.mkdir(parents=True)
    (tmp / "run").mkdir()
    (tmp / "run" / KEEP).write_text(TEXT)
    for name, content in case.files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    before = _tree(tmp)
    args = [a.replace("{tmp}", str(tmp)).replace("{sweep}", str(sweep)) for a in case.args]
    if case.run_dir:
        args.append(f"hydra.run.dir={tmp}/run")
    return _command(args, tmp), before, _tree(tmp)


class _Results(dict):
    """Each case's result, run when a test first asks for it (``-k`` runs only those)."""

    def __init__(self, factory):
        super().__init__()
        self.factory, self.root, self.sweep = factory, factory.mktemp("bad"), None

    def __missing__(self, key):
        case = next(c for c in CASES if c.id == key)
        if "{sweep}" in " ".join(case.args) and self.sweep is None:
            self.sweep = _collected_sweep(self.factory.mktemp("sweep"))
        self[key] = _run(case, self.root / key, self.sweep)
        return self[key]


def _collected_sweep(tmp: Path) -> Path:
    """A tiny collected sweep (two regimes, two seeds): the input of the report cases."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp / "sweep"
    for cmd in (
        [
            "-m",
            "policy=none,ban",
            "seed=0,1",
            "population.n=500",
            "steps=3",
            "output.figure=false",
            "output.quiet=true",
            "network.cache=false",
            f"hydra.sweep.dir={out}",
        ],
        ["collect", str(out)],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "sim", *cmd], cwd=tmp, env=env, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr
    return out / "collected" / "runs.parquet"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return _Results(tmp_path_factory)


def test_there_are_enough_cases():
    assert len(CASES) >= 60 and len({c.id for c in CASES}) == len(CASES)


# Forking a process whose libraries started threads (OpenBLAS, Arrow) is what multiprocessing's
# default start method on Linux does; Python 3.12 warns about it, the children here use none.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_one_line_and_leaves_nothing(case, results):
    if case.skip:
        pytest.skip(case.skip)
    proc, before, after = results[case.id]
    assert proc.returncode == case.code, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for fragment in case.expect:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    assert after == before  # nothing added, nothing removed, the user's file as it was


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_full_disk_is_one_line_and_cleans_up(tmp_path):
    """A run folder on a 64 kB file system: the outputs do not fit (the figure alone is ~60 kB)."""
    run = tmp_path / "run"
    run.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(run)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        (run / KEEP).write_text(TEXT)
        before = _tree(tmp_path)
        proc = _command(
            ["population.n=1000", "steps=5", f"network.cache_dir={tmp_path}/cache", f"hydra.run.dir={run}"],
            tmp_path,
        )
        after = _tree(tmp_path)
    finally:
        subprocess.run(["umount", str(run)], check=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith(f"error: cannot write '{run}/")
    assert proc.stderr.strip().endswith("No space left on device")
    assert {k: v for k, v in after.items() if not k.startswith("cache")} == before
