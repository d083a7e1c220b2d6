import pytest

from agent.cognates import cognate


@pytest.mark.parametrize(
    ("source", "target", "alike"),
    [
        ("province", "провинции", True),
        ("situation", "ситуацией", True),  # -tion and -ция respelled alike
        ("therapy", "терапии", True),  # th -> t
        ("immunity", "иммунитет", True),  # doubled letters single
        ("situation", "Situation", True),  # the same script
        ("microdroplets", "микрокаплям", False),  # only `micro` shared: a prefix, not the word
        ("problem", "профилактика", False),
        ("the", "это", False),  # short words prove nothing
    ],
)
def test_words_spelled_alike_across_scripts(source: str, target: str, alike: bool) -> None:
    assert cognate(source, target) is alike
