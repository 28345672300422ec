"""A researcher's own network: edge lists as SNAP, KONECT and spreadsheets write them, GML with
node attributes, node tables; labels remapped, attributes mapped to user state, nothing dropped
without a word."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim import network_file
from sim.config import ConfigError, NetworkConfig
from sim.configure import compose
from sim.model import SimModel, network

KARATE_SIDES = {"Mr. Hi": -0.45, "Officer": 0.45}
MAPPING = "network.ideology_values={Mr. Hi: -0.45, Officer: 0.45}"


def read(path, **options):
    kind = "gml" if str(path).endswith(".gml") else "edgelist"
    return network_file.read(NetworkConfig(kind=kind, path=str(path), **options))


@pytest.fixture
def karate(tmp_path):
    """networkx's bundled karate club (34 members, 78 ties, weighted, 'club' attribute)."""
    path = tmp_path / "karate.gml"
    nx.write_gml(nx.karate_club_graph(), path)
    return path


@pytest.fixture
def konect(tmp_path):
    """The karate club as KONECT distributes networks: '%' header lines, 1-based ids, one line
    per undirected edge."""
    graph = nx.karate_club_graph()
    path = tmp_path / "out.ucidata-zachary"
    lines = ["% sym unweighted", f"% {graph.number_of_edges()} 34 34"]
    lines += [f"{a + 1} {b + 1}" for a, b in graph.edges()]
    path.write_text("\n".join(lines) + "\n")
    return path


# ---------------------------------------------------------------- edge lists


def test_konect_file_one_based_symmetrised(konect, capsys):
    imp = read(konect, directed=False)
    graph = nx.karate_club_graph()
    assert imp.nodes == 34 and list(imp.labels) == list(range(1, 35))  # label k is user k-1
    assert imp.graph.nnz == 2 * graph.number_of_edges()
    assert (imp.graph != imp.graph.T).nnz == 0  # every tie both ways
    for a, b in graph.edges():
        assert imp.graph[a, b] == 1 and imp.graph[b, a] == 1
    one_way = read(konect)  # directed (the default) reads each line one way, and says so
    assert one_way.graph.nnz == graph.number_of_edges()
    assert any("'sym'" in note and "network.directed=false" in note for note in one_way.notes)


def test_population_size_comes_from_the_file(konect):
    cfg = compose("network=edgelist", f"network.path={konect}", "network.directed=false")
    assert cfg.population.n == 34
    model = SimModel(cfg)
    assert model.follows.users.shape == (34, 34)


def test_added_users_are_announced(konect, capsys):
    cfg = compose("network=edgelist", f"network.path={konect}", "network.directed=false", "population.n=50")
    assert "population.n = 50: the network file has 34 users; 16 users" in capsys.readouterr().err
    graph = network.build(cfg.network, 50, np.zeros(50), np.random.SeedSequence(0))
    assert graph.shape == (50, 50) and graph[34:].nnz == 0 and graph[:, 34:].nnz == 0


def test_population_smaller_than_the_file_is_refused(konect):
    with pytest.raises(
        ConfigError,
        match=r"network\.path = '.*': has 34 users; must be <= "
        r"population\.n \(20\)",
    ):
        compose("network=edgelist", f"network.path={konect}", "population.n=20")


def test_comments_header_and_error_line_numbers(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text(
        "# SNAP-style comment\n% KONECT-style comment\nfollower followee\n0 1\n\n1 2  # a note\n2 two\n"
    )
    with pytest.raises(network_file.NetworkFileError, match=r"line 7 is '2 two'; expected integer "):
        read(path)
    path.write_text("# c\nfollower followee\n0 1\n1 2\n")
    assert read(path).graph.nnz == 2
    path.write_text("0 1\n1 2 3 4\n")
    with pytest.raises(network_file.NetworkFileError, match=r"line 2 is '1 2 3 4'; expected 2 columns"):
        read(path)


@pytest.mark.parametrize("header,edges", [(None, 2), (True, 2), (False, None)])
def test_header_explicit_or_detected(tmp_path, header, edges):
    path = tmp_path / "e.txt"
    path.write_text("u v\nalice bob\nbob carol\n")
    imp = read(path, header=header)
    if header is False:  # 'u v' is then an edge: 5 users
        assert imp.nodes == 5 and imp.graph.nnz == 3
    else:
        assert imp.nodes == 3 and imp.graph.nnz == edges


def test_text_labels_sorted_and_huge_ids(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("carol alice\nalice bob\n")
    imp = read(path)
    assert list(imp.labels) == ["alice", "bob", "carol"]
    assert imp.graph[2, 0] == 1 and imp.graph[0, 1] == 1
    path.write_text("99999999999999999999 1\n1 2\n")  # beyond int64: read as text labels
    assert read(path).nodes == 3


def test_weights_refused_or_used_never_dropped(tmp_path):
    path = tmp_path / "w.txt"
    path.write_text("0 1 0.5\n1 2 0\n2 0 3\n")
    with pytest.raises(
        network_file.NetworkFileError,
        match=r"has edge weights \(line 1: '0.5'\).*"
        r"network\.weights=use",
    ):
        read(path)
    used = read(path, weights="use")  # a follow where weight > min_weight (0)
    assert used.graph.nnz == 2 and used.graph[1, 2] == 0
    assert read(path, weights="use", min_weight=1.0).graph.nnz == 1


def test_gml_with_repeated_edges_is_read(tmp_path):
    """Newman's political blogs GML repeats edges without declaring a multigraph."""
    path = tmp_path / "blogs.gml"
    path.write_text(
        'graph [\n directed 1\n node [ id 1 label "a" value 0 ]\n'
        ' node [ id 2 label "b" value 1 ]\n edge [ source 1 target 2 ]\n'
        " edge [ source 1 target 2 ]\n]\n"
    )
    imp = read(path)
    assert imp.nodes == 2 and imp.graph.nnz == 1


# ---------------------------------------------------------------- node attributes


def test_karate_club_sides_become_ideology(karate):
    """The club each member joined is the side of its ideology; the share of ties within one
    side is then the network's own (87%), not the 50% an ideology drawn independently gives."""
    cfg = compose(
        "network=gml",
        f"network.path={karate}",
        "network.weights=use",
        "network.ideology_attribute=club",
        MAPPING,
        "population.ideology_sd=0.05",
        "network.segment_attribute=club",
    )
    model = SimModel(cfg)
    graph = nx.karate_club_graph()
    club = np.array([graph.nodes[i]["club"] for i in range(34)])
    ideology = model.population.ideology[:34]
    # sd 0.05 around +-0.45: a sign flip is a 9-sigma event
    assert (np.sign(ideology) == np.where(club == "Mr. Hi", -1, 1)).all()
    assert list(model.population.segment[:34]) == [0 if c == "Mr. Hi" else 1 for c in club]
    rows, cols = model.follows.users.nonzero()
    within = np.mean(np.sign(ideology[rows]) == np.sign(ideology[cols]))
    real = np.mean([graph.nodes[a]["club"] == graph.nodes[b]["club"] for a, b in graph.edges()])
    assert within == pytest.approx(real) and real > 0.85


def test_ideology_attribute_needs_a_mapping_for_text(karate):
    with pytest.raises(
        ConfigError,
        match=r"network\.ideology_attribute = 'club': its values "
        r"\(Mr\. Hi, Officer\) are not numbers in \[-1, 1\]; "
        r"map them .*ideology_values=\{Mr\. Hi: -0\.45",
    ):
        compose(
            "network=gml", f"network.path={karate}", "network.weights=use", "network.ideology_attribute=club"
        )
    with pytest.raises(ConfigError, match=r"no entry for 'Officer'"):
        compose(
            "network=gml",
            f"network.path={karate}",
            "network.weights=use",
            "network.ideology_attribute=club",
            "network.ideology_values={Mr. Hi: -0.45}",
        )
    with pytest.raises(
        ConfigError,
        match=r"network\.ideology_attribute = 'side': no such node "
        r"attribute; the nodes have club",
    ):
        compose(
            "network=gml", f"network.path={karate}", "network.weights=use", "network.ideology_attribute=side"
        )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_node_table_maps_leaning_and_group(tmp_path, fmt):
    edges = tmp_path / "edges.txt"
    edges.write_text("ann bo\nbo cy\ncy ann\ndee ann\n")
    table = pd.DataFrame(
        {
            "user": ["ann", "bo", "cy", "dee", "eve"],  # eve: no ties
            "leaning": [-0.8, -0.2, 0.5, 0.9, 0.0],
            "region": ["north", "south", "north", "east", "south"],
        }
    )
    path = tmp_path / f"nodes.{fmt}"
    table.to_csv(path, index=False) if fmt == "csv" else table.to_parquet(path)
    cfg = compose(
        "network=edgelist",
        f"network.path={edges}",
        f"network.node_table={path}",
        "network.ideology_attribute=leaning",
        "network.segment_attribute=region",
        "population.ideology_sd=1e-6",
        "population.n=10",
    )
    assert cfg.population.n == 10
    model = SimModel(cfg)
    pop = model.population
    np.testing.assert_allclose(pop.ideology[:5], table.leaning, atol=1e-4)
    assert list(pop.segment[:5]) == [1, 2, 1, 0, 2]  # east, north, south in sorted order
    assert model.follows.users[3, 0] == 1  # dee follows ann


def test_node_table_must_cover_every_node(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text("ann bo\nbo zed\n")
    path = tmp_path / "nodes.csv"
    path.write_text("user,leaning\nann,0.1\nbo,0.2\n")
    with pytest.raises(ConfigError, match=r"network\.node_table = '.*': has no row for node 'zed'"):
        compose(
            "network=edgelist",
            f"network.path={edges}",
            f"network.node_table={path}",
            "network.ideology_attribute=leaning",
            "population.n=10",
        )
