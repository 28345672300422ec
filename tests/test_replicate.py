"""The replication suite (python -m sim replicate): every declared row is computed at the CI size
and its agreement column says what the numbers say (docs/validation.md)."""

from __future__ import annotations

import math

import pytest

from sim.validation import replicate

from .conftest import run_cli


@pytest.fixture(scope="module")
def fast_results():
    return replicate.run(replicate.FAST, jobs=2)


@pytest.mark.integration  # every design at 2,000 users x 4 seeds: about a minute on 2 cores
def test_every_row_is_computed_and_its_agreement_is_honest(fast_results):
    """Each row that is not pending (or a model input) has a finite model estimate over all
    seeds and an interval; its agree/disagree is recomputed here from the printed numbers (the
    model's 95% interval against the published interval: overlap, or inside for signs and
    bounds); every disagreement carries its reason; and the rows a default was fitted to agree
    (the fit holds)."""
    assert len(fast_results) == len(replicate.ROWS)
    for res in fast_results:
        row, est = res.row, res.estimate
        if row.pending or row.input_only:  # nothing to compute: said so, never a number
            assert est is None and res.agree is None and not row.design
            assert replicate.model_text(res) in ("pending", "input")
            continue
        assert est is not None and est.n == replicate.FAST.seeds, row
        assert all(math.isfinite(x) for x in (est.mean, est.lo, est.hi)), row
        pub = row.published
        precise = row.rule == "inside" or (est.hi - est.lo) / 2 <= replicate.allowed_half_width(row)
        if row.rule == "inside":
            expected = pub.low <= est.lo and est.hi <= pub.high
        else:
            expected = not (est.hi < pub.low or est.lo > pub.high) and precise
        assert res.agree is expected, (row.study, row.figure, est)
        text = replicate.agree_text(res)
        assert text.startswith("agree" if expected else "IMPRECISE" if not precise else "DISAGREE")
        if not expected and precise:
            assert row.why_not, f"{row.study}: {row.figure} disagrees without a stated reason"
        if row.fitted:  # at the CI size a fitted row may be too noisy to judge, never off target
            assert res.agree or not precise, f"{row.study}: {row.figure} no longer matches its fit"
    table = replicate.table(fast_results, replicate.FAST)
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    assert len(lines) == len(replicate.ROWS) + 1  # the header and one line per row


@pytest.mark.integration
def test_cli_prints_the_table():
    res = run_cli("replicate", "--fast", "--seeds", "2", "--only", "markup", timeout=300)
    assert res.returncode == 0, res.stderr
    assert "| The Markup 2020 | rivals' average CPM" in res.stdout
    assert "| Aggarwal 2023 |" in res.stdout and "not run" in res.stdout


@pytest.mark.integration  # subprocesses
@pytest.mark.parametrize(
    "args, field",
    [
        (("--only", "nonsense"), "--only = 'nonsense'"),
        (("--seeds", "1"), "--seeds = 1"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args, field):
    res = run_cli("replicate", "--fast", *args)
    assert res.returncode == 2 and field in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_news_share_is_the_news_outlets_organic_items_over_all_items_shown():
    """Guess 2023b measured political news: the share of the feed that is the news outlets'
    organic items (their posts and reshares of them). 400 organic items of which 100 are news,
    at a political share of 0.08 of the items shown: news is 0.02 of what was shown; a
    scenario without the news outlets is a one-line error naming them."""
    camp = lambda name, imps, ads: {"campaign": name, "impressions": imps, "impressions_ad": ads}  # noqa: E731
    summary = {
        "political_share": 0.08,
        "campaigns": [camp("A", 1000, 800), camp("News L", 60, 0), camp("News R", 40, 0), camp("U", 100, 0)],
    }
    assert replicate.news_share(summary) == pytest.approx(0.08 * 100 / 400)
    with pytest.raises(ValueError, match="News L"):
        replicate.news_share({"political_share": 0.08, "campaigns": [camp("A", 10, 0)]})
