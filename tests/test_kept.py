"""What a process keeps (letterkit.kept): by a key holding all an answer is made of, bounded."""

from __future__ import annotations

from letterkit.kept import Kept


def test_an_answer_is_made_once_per_key_and_the_least_recently_asked_goes_past_the_bound():
    made = []
    kept: Kept[str, str] = Kept(size=2)

    def upper(text: str) -> str:
        made.append(text)
        return text.upper()

    assert [kept.made(text, lambda: upper(text)) for text in ("a", "b", "a", "c", "a", "b")] == list("ABACAB")
    # "a" and "b" made, "a" kept, "c" made (dropping "b", asked for less recently), "a" kept, "b" again
    assert made == ["a", "b", "c", "b"]
