"""The package's public surface is deliberate: this pins it."""

import glossaries


def test_public_api_is_pinned() -> None:
    assert sorted(glossaries.__all__) == [
        "Entry",
        "ResourceError",
        "StyleGuide",
        "Term",
        "TermMatch",
        "TermMatcher",
        "TermStatus",
        "Termbase",
        "load_style_guide",
        "load_termbase",
        "parse_style_guide",
        "parse_termbase",
    ]
    assert all(hasattr(glossaries, name) for name in glossaries.__all__)
