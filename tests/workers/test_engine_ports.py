"""Which successors a finished step delivers to: those its taken outputs lead to, the rest get no input."""

from __future__ import annotations

from workers.engine import taken_successors

PORTS = {"true": ["a", "j"], "false": ["b", "j"]}


def test_engine_ports_taken_output_delivers_to_its_successors_only() -> None:
    assert taken_successors(PORTS, ["a", "b", "j"], ("true",)) == (["a", "j"], ["b"])
    assert taken_successors(PORTS, ["a", "b", "j"], ("false",)) == (["b", "j"], ["a"])


def test_engine_ports_none_taken_or_no_outputs() -> None:
    assert taken_successors(PORTS, ["a", "b", "j"], ()) == ([], ["a", "b", "j"])
    assert taken_successors(None, ["a", "b"], ("true",)) == (["a", "b"], [])
    assert taken_successors(PORTS, ["a", "b", "j"], None) == (["a", "b", "j"], [])
