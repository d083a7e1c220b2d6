"""Placeholder syntaxes by profile, and the comparison rules a translator's QA tool is expected to apply."""

from __future__ import annotations

import pytest

from agent.checks import CheckInput, Severity, run_checks
from agent.markup import find_markup, protect, validate
from agent.protection import mask_segment
from glossaries.placeholder_profiles import families_for, profiles_for_file


def codes(source: str, target: str, profiles: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return sorted((v.code, v.severity.value) for v in validate(source, target, profiles))


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("String %s and number %d", "String %1$s en nommer %2$d"),
        ("String %s and number %d", "Nommer %2$d and string %1$s"),
        ("Object %@ and string %s", "Object %1$@ en string %2$s"),
        ("100%% sure: %% %%", "sûr à 100%%"),
    ],
)
def test_printf_arguments_may_be_numbered_or_reordered(source: str, target: str) -> None:
    assert codes(source, target) == []


def test_a_printf_argument_the_source_lacks_is_an_error() -> None:
    assert codes("Delete %d files", "%d %d Dateien löschen") == [("placeholder-extra", "error")]


def test_a_mozilla_entity_is_a_variable_and_a_character_entity_may_be_written_out() -> None:
    assert codes("Use the &brandShortName; instance.", "Gebruik die &brandKortnaam; weergawe.") == [
        ("placeholder-extra", "error"),
        ("placeholder-missing", "error"),
    ]
    assert codes("Tom &amp; Jerry&nbsp;!", "Tom & Jerry\u00a0!") == []
    assert codes("the reliability of A&amp;B accounts", "die Zuverlässigkeit der A- und B-Buchführung") == []
    assert codes("Create In &lt;&lt;", "Etsa ka Ho &lt;lt;") == [("placeholder-altered", "warning")]


def test_text_attributes_may_be_translated_and_layout_changes_are_only_a_warning() -> None:
    assert (
        codes('Click <a title="tip" href="p.html">here</a>', 'Klik <a href="p.html" title="wenk">hier</a>')
        == []
    )
    assert codes('<img src="a.jpg" alt="picture">', '<img src="a.jpg" alt="prentjie">') == []
    assert codes('<img src="a.jpg" width="400">', '<img src="a.jpg" width="500">') == [
        ("tag-attribute-changed", "warning")
    ]
    assert codes('<a href="a.html">x</a>', '<a href="b.html">x</a>') == [
        ("tag-extra", "error"),
        ("tag-missing", "error"),
    ]


def test_a_capitalised_word_in_angle_brackets_is_text_to_translate() -> None:
    assert codes("<None>", "<Aucun>") == []
    assert "<None>" in protect("Select <None> to clear").masked
    assert codes("<B>bold</B> text", "texte") != []  # with a close tag it is markup


@pytest.mark.parametrize(
    ("source", "target", "profile"),
    [
        ("About $(^NameDA)", "Oor $(^NaamDA)", "mozilla"),
        ("Save $[file]", "Stoor $[leer]", "openoffice"),
        ("Save [file]", "Stoor [leer]", "openoffice"),
        ("Save #1", "Stoor #2", "openoffice"),
        ("Save %file", "Stoor %leer", "openoffice"),
    ],
)
def test_opt_in_syntaxes_are_checked_only_under_their_profile(source: str, target: str, profile: str) -> None:
    assert codes(source, target, (profile,)) != []
    # NSIS `$(^Name)` is in the default set; `%file` starts with printf's `%f` there
    if "(^" not in source and "%" not in source:
        assert codes(source, target) == []


def test_a_bare_dollar_variable_is_checked_without_a_profile() -> None:
    # Angular's `System default ($value)`: real files use it outside Mozilla and the shell
    assert codes("Save $file", "Stoor $leer") != []
    assert codes("Save $file", "Stoor $file") == []


def test_the_checks_take_the_profiles_of_the_input() -> None:
    found = run_checks(CheckInput("Save $file", "Speichern $Datei", "en", "de", placeholders=("mozilla",)))
    assert any(v.code == "placeholder-missing" and v.severity is Severity.ERROR for v in found)


def test_symfony_and_jinja_placeholders_are_protected_whole() -> None:
    masked = protect("Créer %entity_name% pour {{ name }}").masked
    assert "entity_name" not in masked and "name" not in masked


def test_a_profile_never_narrows_what_is_protected() -> None:
    # a gettext file checks printf and Python syntaxes, but `{{ name }}` is still kept from the model
    assert "{{" not in protect("Hello {{ name }}", profiles=("printf",)).masked
    assert [u.text for u in find_markup("Hello {{ name }} %s", ("printf",))] == ["%s"]


def test_an_unknown_profile_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="klingon"):
        families_for(("klingon",))


@pytest.mark.parametrize(
    ("original", "datatype", "profiles"),
    [
        ("messages.po", None, ("python", "printf")),
        ("res/values/strings.xml", "x-android-xml", ("android",)),
        ("Localizable.strings", None, ("ios",)),
        ("browser/chrome/browser.dtd", None, ("mozilla",)),
        ("app/Resources.resx", None, ("dotnet",)),
        ("translations/messages.fr.xlf", None, ()),
        (None, None, ()),
    ],
)
def test_the_file_type_picks_the_profiles(
    original: str | None, datatype: str | None, profiles: tuple[str, ...]
) -> None:
    assert profiles_for_file(original, datatype) == profiles


@pytest.mark.parametrize(
    ("source", "mt", "fixed"),
    [
        ("Hello {{ name }}!", "Bonjour {{ nom }} !", "Bonjour {{ name }} !"),
        ("Créer %entity_name%", "Créer %nom_entite%", "Créer %entity_name%"),
        ("Welcome, &brandShortName;.", "Willkommen, &Markenname;.", "Willkommen, &brandShortName;."),
    ],
)
def test_an_altered_placeholder_goes_back_where_the_mt_had_it(source: str, mt: str, fixed: str) -> None:
    masks, masked_mt = mask_segment(source, mt)
    assert masked_mt is not None
    assert masks.unmask_placed(masked_mt) == (fixed, ())  # anchored: nothing guessed


def test_two_altered_placeholders_of_one_family_are_not_paired_by_guess() -> None:
    masks, masked_mt = mask_segment("Use {{ a }} and {{ b }} now", "Nutze jetzt {{ x }} und {{ y }} bitte")
    assert masked_mt is not None
    assert masks.unmask_placed(masked_mt)[1]  # both put back by position, and said so


def test_a_translated_icu_message_is_the_same_placeholder() -> None:
    source = "{count, plural, one {# file} other {# files}} deleted"
    mt = "{count, plural, one {# fichier} few {# fichiers} other {# fichiers}} supprimés"
    assert codes(source, mt) == []
    assert codes(source, "{total, plural, one {# fichier} other {# fichiers}} supprimés") != []


def test_a_repair_keeps_the_translations_icu_message_not_the_sources() -> None:
    source = "Deleted <b>{count, plural, one {# file} other {# files}}</b> now"
    masks, masked_mt = mask_segment(source, "{count, plural, one {# fichier} other {# fichiers}} supprimés")
    assert masked_mt is not None
    fixed = masks.unmask(masked_mt)
    assert "fichiers" in fixed and "files" not in fixed and "<b>" in fixed


def test_a_named_placeholder_may_repeat_in_plural_forms() -> None:
    source = "One item|%count% items"
    target = "%count% элемент|%count% элемента|%count% элементов"
    assert codes(source, target) == [
        ("placeholder-duplicated", "warning"),
        ("placeholder-duplicated", "warning"),
    ]
    masks, masked_mt = mask_segment(source, target)
    assert masked_mt is not None and masks.unmask(masked_mt) == target
