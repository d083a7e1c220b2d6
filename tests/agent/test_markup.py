"""Inline markup: what is protected, how it is restored, what the validator reports, how masks are repaired."""

from __future__ import annotations

import pytest

from agent.markup import find_markup, masks_in, protect, repair_masks, restore, validate
from agent.protection import mask_segment


@pytest.mark.parametrize(
    ("text", "unit", "kind", "name"),
    [
        ('a <g id="1">b</g>', '<g id="1">', "open", "g"),
        ('a <x id="2"/> b', '<x id="2"/>', "empty", "x"),
        ('<bx id="3" rid="1"/>b', '<bx id="3" rid="1"/>', "empty", "bx"),
        ('b<ex id="4" rid="1"/>', '<ex id="4" rid="1"/>', "empty", "ex"),
        ('a <ph id="1">&lt;br/&gt;</ph> b', '<ph id="1">&lt;br/&gt;</ph>', "empty", "ph"),
        ('<bpt id="1">&lt;b&gt;</bpt>x', '<bpt id="1">&lt;b&gt;</bpt>', "empty", "bpt"),
        ('x<ept id="1">&lt;/b&gt;</ept>', '<ept id="1">&lt;/b&gt;</ept>', "empty", "ept"),
        ('x<it id="1" pos="open">&lt;i&gt;</it>', '<it id="1" pos="open">&lt;i&gt;</it>', "empty", "it"),
        ('a <pc id="1">b</pc>', '<pc id="1">', "open", "pc"),
        ('a <ph id="1"/> b', '<ph id="1"/>', "empty", "ph"),
        ('<sc id="1"/>b<ec startRef="1"/>', '<sc id="1"/>', "empty", "sc"),
        ('<a href="https://x.org">b</a>', '<a href="https://x.org">', "open", "a"),
        ("a<br>b", "<br>", "open", "br"),
        ("R&amp;D", "&amp;", "placeholder", "entity"),
        ("Hello %s!", "%s", "placeholder", "printf"),
        ("%d files", "%d", "placeholder", "printf"),
        ("%1$s of %2$s", "%1$s", "placeholder", "printf"),
        ("Pi is %.2f", "%.2f", "placeholder", "printf"),
        ("100%% sure", "%%", "placeholder", "printf"),
        ("Hi %(name)s", "%(name)s", "placeholder", "python"),
        ("Hi {name}", "{name}", "placeholder", "brace"),
        ("Hi {0}", "{0}", "placeholder", "brace"),
        ("Hi {{user}}", "{{user}}", "placeholder", "template"),
        ("Hi ${user}", "${user}", "placeholder", "template"),
        (
            "{n, number, integer} items",
            "{n, number, integer}",
            "placeholder",
            "icu",
        ),  # an ICU argument: one unit
        # translate="no" (HTML, XLIFF 2 <mrk>) and class="notranslate": the element with its content
        (
            'See <span translate="no">Acme <b>Cloud</b></span>.',
            '<span translate="no">Acme <b>Cloud</b></span>',
            "empty",
            "span",
        ),
        (
            '<div translate="no">a <div>b</div> c</div> d',
            '<div translate="no">a <div>b</div> c</div>',
            "empty",
            "div",
        ),
        ('<p class="intro notranslate">Hi</p>', '<p class="intro notranslate">Hi</p>', "empty", "p"),
        (
            '<mrk id="m1" translate="no">Foo</mrk> bar',
            '<mrk id="m1" translate="no">Foo</mrk>',
            "empty",
            "mrk",
        ),
        ('<span translate="yes">Hi</span>', '<span translate="yes">', "open", "span"),
        ('<span translate="no">never closed', '<span translate="no">', "open", "span"),
    ],
)
def test_each_markup_kind_is_one_unit(text: str, unit: str, kind: str, name: str) -> None:
    found = find_markup(text)
    assert unit in [u.text for u in found]
    hit = next(u for u in found if u.text == unit)
    assert (hit.kind, hit.name, text[hit.start : hit.end]) == (kind, name, unit)
    p = protect(text)
    assert unit not in p.masked
    assert restore(p.masked, p) == text


@pytest.mark.parametrize(
    "text",
    ["50% off", "98 %-a (Hungarian)", "see http://a.b/c%3Ad", "a < b > c", "{a, b}", "5 %d", "x & y"],
)
def test_plain_text_is_not_markup(text: str) -> None:
    assert [u for u in find_markup(text) if u.name != "entity"] == []


def test_paired_tags_share_a_number_so_the_model_sees_nesting() -> None:
    p = protect('Click <g id="1">Save <b>now</b></g> to store %d settings.')
    assert p.masked == "Click ⟦1⟧Save ⟦2⟧now⟦/2⟧⟦/1⟧ to store ⟦3⟧ settings."
    assert [t.kind for t in p.tokens] == ["open", "open", "close", "close", "placeholder"]
    assert p.tokens[0].id == "1"


def test_dnt_terms_are_masked_whole_words_only() -> None:
    p = protect("Open Cloud Console, not CloudConsoles.", dnt=["Cloud Console", "CloudConsole"])
    assert p.masked == "Open ⟦1⟧, not CloudConsoles."
    assert p.tokens[0].kind == "dnt"


def test_literal_mask_brackets_survive() -> None:
    text = "weird ⟦1⟧ text ⟧⟦/2⟧"
    p = protect(text)
    assert masks_in(p.masked) == [t.token for t in p.tokens]
    assert restore(p.masked, p) == text


def test_restore_leaves_unknown_masks() -> None:
    p = protect("a %s b")
    assert restore("⟦1⟧ ⟦9⟧", p) == "%s ⟦9⟧"


SOURCE = 'Click <g id="1">Save</g> to store %d settings.'


@pytest.mark.parametrize(
    ("target", "codes"),
    [
        ('Klicken Sie auf <g id="1">Speichern</g>, um %d Einstellungen zu speichern.', []),
        ("Klicken Sie auf Speichern, um %d Einstellungen zu speichern.", ["tag-missing"]),
        ('Klicken Sie auf <g id="2">Speichern</g>, um %d Einstellungen.', ["tag-missing", "tag-extra"]),
        ('<g id="1">Klicken</g> <g id="1">Sie</g> %d', ["tag-duplicated"]),
        ('Klicken Sie <g id="1">auf Speichern', ["tag-missing", "placeholder-missing"]),
        ('<g id="1">Speichern <b></g></b> %d', ["tag-extra", "tag-misnested"]),
        ('<g id="1">Speichern</g> %s', ["placeholder-missing", "placeholder-extra"]),
        # a second `%d` is a second argument (printf numbers them `%1$d %2$d`), not a copy of the first
        ('<g id="1">Speichern</g> %d %d', ["placeholder-extra"]),
    ],
)
def test_validate_reports_markup_problems(target: str, codes: list[str]) -> None:
    assert sorted(v.code for v in validate(SOURCE, target)) == sorted(codes)


def test_validate_names_what_is_missing_and_where_the_extra_is() -> None:
    target = "Klicken Sie auf Sichern, um %s Einstellungen zu speichern."
    found = {v.code: v for v in validate(SOURCE, target)}
    assert found["tag-missing"].expected == '<g id="1">'
    assert found["placeholder-missing"].expected == "%d"
    extra = found["placeholder-extra"]
    assert extra.start is not None and target[extra.start : extra.end] == "%s"
    assert all(v.severity.value == "error" for v in found.values())


def test_misnesting_is_reported() -> None:
    found = validate("<b>a <i>b</i></b>", "<b>a <i>b</b></i>")
    assert [v.code for v in found] == ["tag-misnested"]


def test_reordering_placeholders_and_tag_containment_is_allowed() -> None:
    assert validate("%1$s of %2$s", "%2$s de %1$s") == []
    assert validate('<g id="1">a </g><g id="2">b</g>', '<g id="1">x <g id="2">y</g></g>') == []


MASKED = "Click ⟦1⟧Save⟦/1⟧ to store ⟦2⟧ settings."


@pytest.mark.parametrize(
    ("output", "repaired"),
    [
        ("Klicken Sie auf ⟦1⟧Speichern⟦/1⟧, um ⟦2⟧ Einstellungen.", None),
        (
            "Klicken Sie auf ⟦1⟧Speichern, um ⟦2⟧ Einstellungen.",
            "Klicken Sie auf ⟦1⟧Speichern⟦/1⟧, um ⟦2⟧ Einstellungen.",
        ),
        (
            "Klicken Sie auf Speichern⟦/1⟧, um ⟦2⟧ Einstellungen.",
            "Klicken Sie auf ⟦1⟧Speichern⟦/1⟧, um ⟦2⟧ Einstellungen.",
        ),
        (
            "Klicken ⟦1⟧Sie⟦/1⟧ auf, um ⟦2⟧ ⟦7⟧ Einstellungen.",
            "Klicken ⟦1⟧Sie⟦/1⟧ auf, um ⟦2⟧ Einstellungen.",
        ),
        ("⟦1⟧A⟦/1⟧ ⟦2⟧ b ⟦2⟧ c", "⟦1⟧A⟦/1⟧ ⟦2⟧ b c"),
    ],
)
def test_repair_masks_drops_invented_and_restores_dropped(output: str, repaired: str | None) -> None:
    fixed = repair_masks(MASKED, output)
    assert fixed == (repaired or output)
    assert sorted(masks_in(fixed)) == sorted(masks_in(MASKED))


def test_repair_masks_always_yields_the_source_masks_once() -> None:
    for output in ["", "nothing kept", "⟦2⟧", "⟦/1⟧ x ⟦1⟧", "⟦3⟧⟦3⟧ y"]:
        assert sorted(masks_in(repair_masks(MASKED, output))) == sorted(masks_in(MASKED))


@pytest.mark.parametrize(
    ("source", "unit"),
    [
        ("Créer %entity_name%", "%entity_name%"),  # Symfony / OpenOffice
        ("Open $file$ now", "$file$"),  # Mozilla
        ("Run $(make) first", "$(make)"),  # shell / Make
        ("Hello #name#", "#name#"),
        ("Hello @user@", "@user@"),
        ("%1 of %2 files", "%1"),  # Qt / Windows positional
    ],
)
def test_variable_syntaxes_of_other_ecosystems_are_protected_and_checked(source: str, unit: str) -> None:
    assert unit in [u.text for u in find_markup(source)]
    assert unit not in protect(source).masked  # the model never sees it as text
    assert {v.code for v in validate(source, source.replace(unit, ""))} == {"placeholder-missing"}


@pytest.mark.parametrize(
    "text", ["Save 20% now", "50%1 more", "C# and F#", "mail a@b.c", "%d%s", "$5 or $10"]
)
def test_text_that_only_looks_like_a_variable_is_left_alone(text: str) -> None:
    assert [u.name for u in find_markup(text)] in ([], ["printf", "printf"])


def test_a_tag_around_one_word_goes_around_the_word_sharing_its_stem() -> None:
    masks, masked_mt = mask_segment(
        "Sustainable growth: natural <g>resources</g>", "Croissance durable: ressources naturelles"
    )
    assert masked_mt is not None
    # word order changed; position would have said "naturelles", the shared stem says "ressources"
    assert masks.unmask_placed(masked_mt) == ("Croissance durable: <g>ressources</g> naturelles", ())


def test_a_placeholder_the_source_puts_in_brackets_goes_back_into_the_empty_brackets_it_left() -> None:
    masks, masked_mt = mask_segment(
        "System default ($value) for {count} files", "Pour {count} fichiers : défaut () "
    )
    assert masked_mt is not None
    assert masks.unmask_placed(masked_mt) == ("Pour {count} fichiers : défaut ($value) ", ())


def test_escapes_only_the_mt_has_are_text_and_stay() -> None:
    masks, masked_mt = mask_segment("<b>Tom</b> and Jerry", "<b>Tom</b> &amp; Jerry")
    assert masked_mt is not None
    assert masks.unmask(masked_mt) == "<b>Tom</b> &amp; Jerry"


def test_closing_tags_glued_at_the_source_end_stay_before_a_full_stop_the_translation_adds() -> None:
    source = '<g id="1">The 2018 Report <g id="3">https://ec.europa.eu/r.pdf</g></g>'
    masks, masked_mt = mask_segment(source, "Bericht 2018: https://ec.europa.eu/r.pdf.")
    assert masked_mt is not None
    assert masks.unmask_placed(masked_mt) == (
        '<g id="1">Bericht 2018: <g id="3">https://ec.europa.eu/r.pdf</g></g>.',
        (),
    )


def test_an_icu_message_with_cases_leaves_their_words_to_translate() -> None:
    text = "You have {count, plural, one {# item} other {<b>#</b> items}}."
    masked = protect(text).masked
    assert masked == "You have ⟦1⟧⟦2⟧# item⟦/2⟧⟦3⟧⟦4⟧#⟦/4⟧ items⟦/3⟧⟦/1⟧."
    # a translation keeps the argument, its type and the markup of the cases; its cases are its own
    russian = "У вас {count, plural, one {# элемент} few {<b>#</b> элемента} other {<b>#</b> элементов}}."
    assert validate(text, russian) == []
    assert [v.code for v in validate(text, russian.replace("plural", "pluriel"))] == [
        "placeholder-missing",
        "placeholder-extra",
    ]


def test_a_translation_with_other_icu_cases_keeps_them_when_a_tag_is_put_back() -> None:
    source = "<g>Files:</g> {n, plural, one {# file} other {# files}}"
    mt = "Файлы: {n, plural, one {# файл} few {# файла} other {# файлов}}"
    masks, masked_mt = mask_segment(source, mt)
    assert masked_mt is not None
    out, _ = masks.unmask_placed(masked_mt)
    assert out.endswith("{n, plural, one {# файл} few {# файла} other {# файлов}}")
    assert out.startswith("<g>")


# EasyAdmin's paginator (tests/fixtures/keybased/easyadmin, MIT): the same escaped tag three times.
B, _B = "&lt;strong&gt;", "&lt;/strong&gt;"
PAGINATOR = f"{B}%start%{_B} - {B}%end%{_B} of {B}%results%{_B}"
RESULTS = f"{{0}} No results|{{1}} {B}1{_B} result|]1,Inf] {B}%count%{_B} results"


def test_a_lost_copy_of_a_repeated_tag_is_the_one_that_went_missing() -> None:
    """The MT lost the first `&lt;strong&gt;`: the pairs around `%end%` and `%results%` keep their own
    numbers, so the lost opener goes back before `%start%`, not after the text."""
    mt = PAGINATOR.replace("&lt;strong&gt;", "", 1).replace(" of ", " von ")
    masks, masked = mask_segment(PAGINATOR, mt)
    assert masked is not None
    assert masks.unmask_placed(masked)[0] == PAGINATOR.replace(" of ", " von ")


def test_a_translated_interval_keyword_is_mended_in_place() -> None:
    reference = f"{{0}} Keine Ergebnisse|{{1}} {B}1{_B} Ergebnis|]1,Inf] {B}%count%{_B} Ergebnisse"
    masks, masked = mask_segment(RESULTS, reference.replace("]1,Inf]", "]1,Unendlich]"))
    assert masked is not None
    assert masks.unmask_placed(masked) == (reference, ())


def test_a_damaged_copy_of_a_repeated_named_placeholder_is_mended() -> None:
    """Liberapay's German writes `{1}` twice where the source has it once: a model's `{ 1}` for one of
    them is found (the count alone is satisfied) and mended, not left beside the intact one."""
    source = "Your pledge to give {0} every week to {1} will be turned into action now that they have joined."
    damaged = "Ihr Versprechen, jede Woche {0} an { 1} zu spenden, wird umgesetzt, da {1} beigetreten ist."
    findings = validate(source, damaged)
    assert [(v.code, v.expected) for v in findings] == [("placeholder-altered", "{1}")]
    masks, masked = mask_segment(source, damaged)
    assert masked is not None
    assert masks.unmask_placed(masked)[0] == damaged.replace("{ 1}", "{1}")


def test_a_lost_interval_opens_its_own_plural_form() -> None:
    """Every placeholder of a Symfony pipe plural lost: each interval goes back at the start of its form."""
    masks, masked = mask_segment(RESULTS, "Keine Ergebnisse| 1 Ergebnis| Ergebnisse")
    assert masked is not None
    output, guessed = masks.unmask_placed(masked)
    assert [form.split()[0] for form in output.split("|")] == ["{0}", "{1}", "]1,Inf]"]
    assert guessed  # the tags inside the forms are still guesses, and said to be


@pytest.mark.parametrize(
    ("source", "mt", "expected"),
    [
        # A pair inside a word a translation keeps goes inside the same word, wherever it stands.
        (
            "Cut CO<g>2</g> emissions by 2030.",
            "Bis 2030 die CO2-Emissionen senken.",
            "Bis 2030 die CO<g>2</g>-Emissionen senken.",
        ),
        # Pairs around punctuation alone: the same marks, counted in order.
        (
            'Armenia<g id="2">, </g>Azerbaijan<g id="3">, </g>Belarus and Ukraine.',
            "Armenien, Aserbaidschan, Belarus und Ukraine.",
            'Armenien<g id="2">,</g> Aserbaidschan<g id="3">,</g> Belarus und Ukraine.',
        ),
        # A pair around a URL goes around the same URL, not around its first words.
        (
            'See the Commission website: <g id="2">https://ec.europa.eu/energy/en/topics</g>. ',
            "Siehe die Website der Kommission: https://ec.europa.eu/energy/en/topics. ",
            'Siehe die Website der Kommission: <g id="2">https://ec.europa.eu/energy/en/topics</g>. ',
        ),
    ],
)
def test_a_pair_goes_where_its_own_text_is_in_the_output(source: str, mt: str, expected: str) -> None:
    masks, masked_mt = mask_segment(source, mt)
    assert masked_mt is not None
    assert masks.unmask_placed(masked_mt) == (expected, ())


def test_a_comma_pair_is_a_guess_when_the_translation_has_other_commas() -> None:
    masks, masked_mt = mask_segment("Red<g>, </g>green and blue", "Rot, Grün, und Blau")
    assert masked_mt is not None
    _, guessed = masks.unmask_placed(masked_mt)
    assert guessed  # two commas for one: no order to count by


def test_a_renamed_placeholder_is_the_lost_one_nearest_and_most_like_it() -> None:
    source = "{username} is a member of {n} team:"
    masks, masked_mt = mask_segment(source, "{utilisateur} ist Mitglied in einem Team:")
    assert masked_mt is not None
    output, guessed = masks.unmask_placed(masked_mt)
    assert output.startswith("{username} ist") and "{utilisateur}" not in output
    assert guessed == ("{n}",)  # the other lost one is still a guess, so the segment is reviewed
    # Place and likeness disagree: no renaming is assumed, the invented one stays for the checks to flag.
    masks, masked_mt = mask_segment(source, "Mitglied in einem Team ist {utilisateur}:")
    assert masked_mt is not None
    assert "{utilisateur}" in masks.unmask_placed(masked_mt)[0]


def test_a_nested_icu_message_the_translation_lost_comes_back_whole_and_flagged() -> None:
    source = (
        '{VAR_PLURAL, plural, =1 {one minute ago} other {<x id="1"/> minutes ago by '
        "{VAR_SELECT, select, male {male} female {female} other {other} }} }"
    )
    mt = '{VAR_PLURAL, plural, =1 {il y a une minute} other {il y a <x id="1"/> minutes par } }'
    masks, masked_mt = mask_segment(source, mt)
    assert masked_mt is not None
    output, guessed = masks.unmask_placed(masked_mt)
    # Whole, with its cases (a head alone would be no ICU at all), in the case it was lost from.
    assert output.endswith("minutes par {VAR_SELECT, select, male {male} female {female} other {other} }} }")
    assert guessed == ("{VAR_SELECT, select,",)  # its words are English: a linguist must see it


@pytest.mark.parametrize(
    ("mt", "lang", "placed", "sure"),
    [
        # `en particulier` renders "particularly": the cognate is only part of the phrase the tag should enclose,
        # so the tag goes back at a guessed place, and the segment says so.
        ("C’est en particulier le cas.", "fr", None, False),
        ("C’est particulièrement le cas.", "fr", 'C’est <g id="1">particulièrement</g> le cas.', True),
        # German makes no adverb by its form: the cognate stays an anchor.
        ("Das ist partikulär der Fall.", "de", 'Das ist <g id="1">partikulär</g> der Fall.', True),
    ],
)
def test_an_adverbs_cognate_that_is_no_adverb_is_no_sure_place(
    mt: str, lang: str, placed: str, sure: bool
) -> None:
    masks, masked_mt = mask_segment('This is <g id="1">particularly</g> the case.', mt, target_lang=lang)
    assert masked_mt is not None
    output, guessed = masks.unmask_placed(masked_mt)
    assert output == placed or (placed is None and output.count('<g id="1">') == output.count("</g>") == 1)
    assert (not guessed) is sure
