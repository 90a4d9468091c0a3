"""The server's folding against the table of cases the browser's folding is also tested against
(`tests/e2e/test_search_fold_browser.py`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vanthu.search.fold import fold, folded_tokens

CASES = json.loads((Path(__file__).parent / "fold_cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize(("text", "folded"), CASES)
def test_server_folding_matches_the_shared_table(text, folded):
    assert fold(text) == folded
    assert folded_tokens(text) == folded_tokens(folded)
