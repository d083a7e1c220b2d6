"""Match scores as a linguist reads them in a CAT tool: 100 only for the same text and tags."""

from __future__ import annotations

from memory.fuzzy import masked, plain, score


def test_the_same_text_and_tags_is_100_and_whitespace_runs_do_not_count() -> None:
    assert score("Click <b>Save</b> now.", "Click  <b>Save</b> now. ") == 100.0


def test_another_tag_is_just_under_100_never_an_exact_match() -> None:
    assert score("Click <b>Save</b> now.", "Click <i>Save</i> now.") == 99.0
    assert score("Press %s to go on.", "Press %d to go on.") == 99.0


def test_a_changed_word_costs_its_share_of_the_characters() -> None:
    one_word = score("Open the file menu.", "Open the edit menu.")
    assert 75 < one_word < 85
    assert score("Open the file menu.", "Close every window now.") < 50


def test_tags_are_one_character_each_and_the_index_sees_only_words() -> None:
    text = 'Click <g id="1">Save</g> and %1$s.'
    assert masked(text).count("\ue000") == 3
    assert plain(text) == "click save and ."
