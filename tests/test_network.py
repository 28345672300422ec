"""Follower graphs: every generator, the file loaders and the cache."""

from __future__ import annotations

import numpy as np
import pytest

from sim import network_file
from sim.config import NetworkConfig
from sim.model import network


@pytest.mark.parametrize("kind", ["homophilous_pa", "erdos_renyi", "configuration", "sbm"])
def test_generators_give_the_mean_degree_and_no_self_follows(kind):
    n, rng = 20_000, np.random.default_rng(1)
    ideology = rng.uniform(-1, 1, n)
    graph = network.generate(NetworkConfig(kind=kind, mean_degree=10), n, ideology, rng)
    assert graph.shape == (n, n)
    assert graph.diagonal().sum() == 0
    assert graph.data.max() == 1  # no repeated follows
    # mean out-degree within 5% (duplicates/self-loops dropped are ~ m/n; the rest sampling)
    assert graph.nnz / n == pytest.approx(10, rel=0.05)


@pytest.mark.parametrize(
    "kind,h,same_side",
    [
        ("sbm", 0.0, 0.0),
        ("sbm", 0.8, 0.8),  # block model: h is the within-block share
        ("homophilous_pa", 0.0, 0.5),
        ("homophilous_pa", 0.8, 0.9),  # h + (1 - h) / 2
    ],
)
def test_homophily_keeps_follows_on_ones_side(kind, h, same_side):
    n, rng = 20_000, np.random.default_rng(2)
    ideology = rng.uniform(-1, 1, n)
    g = network.generate(
        NetworkConfig(kind=kind, homophily=h, mean_degree=10, fitness_exponent=3.5), n, ideology, rng
    )
    rows, cols = g.nonzero()
    same = np.mean((ideology[rows] >= 0) == (ideology[cols] >= 0))
    # Two sources of noise: the binomial SE of a share over ~200k follows, and (for
    # homophilous_pa) the share of fitness mass on each side: weights Pareto(a = 2.5) + 1 have
    # mean 1 + 1/(a-1) and variance a / ((a-1)^2 (a-2)), so a side's share of the total mass
    # has SD sqrt(n var) / (2 n mean). Tolerance: 4 SE of the sum.
    a = 3.5 - 1.0
    mean_w, var_w = 1 + 1 / (a - 1), a / ((a - 1) ** 2 * (a - 2))
    se = np.sqrt(same_side * (1 - same_side) / len(rows)) + np.sqrt(n * var_w) / (2 * n * mean_w)
    assert same == pytest.approx(same_side, abs=4 * se)


def test_preferential_attachment_has_heavy_tailed_follower_counts():
    n, rng = 50_000, np.random.default_rng(3)
    g = network.generate(NetworkConfig(kind="homophilous_pa", mean_degree=20), n, rng.uniform(-1, 1, n), rng)
    followers = np.bincount(g.indices, minlength=n)
    assert followers.max() > 30 * followers.mean()  # a Poisson graph would be ~2x


def test_edgelist_with_header_and_commas(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("source,target\n0,1\n1,2\n2,0\n2,0\n4,0\n")
    imp = network_file.read(NetworkConfig(kind="edgelist", path=str(path)))
    g = imp.graph
    assert list(imp.labels) == [0, 1, 2, 4] and g.shape == (4, 4)
    assert g.nnz == 4 and g[0, 1] == 1 and g[2, 0] == 1 and g[3, 0] == 1  # label 4 is user 3


@pytest.mark.parametrize("text", ["0 1\n1 2\n2 0\n", "source,target\n0,1\n1,2\n2,0\n"])
def test_edgelist_with_a_byte_order_mark_keeps_its_first_line(tmp_path, text):
    """Excel and Notepad start UTF-8 files with a BOM: it is not part of the first line (read
    as text, '\ufeff0' would make that line a header and drop its edge)."""
    path = tmp_path / "e.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    imp = network.read(NetworkConfig(kind="edgelist", path=str(path)))
    assert list(imp.labels) == [0, 1, 2] and imp.graph.nnz == 3 and imp.graph[0, 1] == 1


def test_gml_loader(tmp_path):
    import networkx as nx

    path = tmp_path / "g.gml"
    nx.write_gml(nx.DiGraph([(0, 1), (1, 2)]), path)
    g = network_file.read(NetworkConfig(kind="gml", path=str(path))).graph
    assert g.nnz == 2 and g[0, 1] == 1 and g[1, 2] == 1


def test_broken_gml_is_one_line(tmp_path):
    path = tmp_path / "bad.gml"
    path.write_text("graph [ node [ id 0 ")
    with pytest.raises(network_file.NetworkFileError) as err:
        network_file.read(NetworkConfig(kind="gml", path=str(path)))
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_cached_and_fresh_networks_are_identical(tmp_path):
    n = 5000
    ideology = np.random.default_rng(0).uniform(-1, 1, n)
    seq = np.random.SeedSequence(42).spawn(2)[0]
    cfg = NetworkConfig(cache=True, cache_dir=str(tmp_path))
    first = network.build(cfg, n, ideology, seq)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    cached = network.build(cfg, n, ideology, seq)
    fresh = network.build(NetworkConfig(cache=False), n, ideology, seq)
    assert (first != cached).nnz == 0 and (first != fresh).nnz == 0
    other = network.build(NetworkConfig(cache=True, cache_dir=str(tmp_path), mean_degree=5), n, ideology, seq)
    assert other.nnz < first.nnz and len(list(tmp_path.glob("*.npz"))) == 2


def test_cache_files_follow_the_umask(tmp_path):
    """A shared cluster cache: files get the user's umask, not mkstemp's owner-only 0600."""
    import os
    import stat

    n = 2000
    ideology = np.random.default_rng(0).uniform(-1, 1, n)
    network.build(
        NetworkConfig(cache=True, cache_dir=str(tmp_path), mean_degree=5),
        n,
        ideology,
        np.random.SeedSequence(1),
    )
    umask = os.umask(0)
    os.umask(umask)
    (path,) = tmp_path.glob("*.npz")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
