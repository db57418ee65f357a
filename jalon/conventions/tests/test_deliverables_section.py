"""The ``deliverables:`` section: the shipped conventions load it, a broken one names each line."""

from __future__ import annotations

from pathlib import Path

import pytest

from jalon.conventions.errors import ConventionError
from jalon.conventions.loader import load, loads

ROOT = Path(__file__).resolve().parents[3] / "conventions"


@pytest.mark.parametrize(("name", "indicator"), [("aquareel-tma.yaml", "A9"), ("cd13-callipso.yaml", "R01"),
                                                 ("lade-tmes.yaml", "B3")])
def test_the_shipped_conventions_compute_their_deliverable_indicators(name: str, indicator: str) -> None:
    terms = load(ROOT / name).deliverables
    assert terms is not None
    assert indicator in {m.indicator for m in terms.measures}
    assert all(t.validation_seconds > 0 for t in terms.types)


def test_each_mistake_is_located() -> None:
    text = (ROOT / "lade-tmes.yaml").read_text(encoding="utf-8")
    broken = (text.replace("{id: paq, type: PAQ,", "{id: paq, type: PAQX,")
              .replace("validators: [buyer_manager], validation: 10d, tacit: true}\n    - {id: rapport-mensuel",
                       "validators: [chef], validation: 10d, tacit: true}\n    - {id: rapport-mensuel", 1)
              .replace("{indicator: B3, measure: rejections}", "{indicator: C1, measure: rejections}"))
    with pytest.raises(ConventionError) as caught:
        loads(broken, "lade.yaml")
    said = "\n".join(caught.value.errors)
    assert "deliverables.register[0].type: 'PAQX' is not declared" in said
    assert "deliverables.types[0].validators: 'chef' is not declared" in said
    assert "deliverables.measures[0].indicator: C1 is a clock_share indicator" in said
    assert said.count("lade.yaml:") == 3
