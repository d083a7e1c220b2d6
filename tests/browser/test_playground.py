"""The playground in Debian's Chromium (Playwright, headless) against the real server and the stub model.

Screenshots of the main states go to test-output/playground/; the first answer also to docs/playground.png
(the README's picture).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect, sync_playwright

from tests.server.conftest import LiveServer
from tests.support.playground import GLOSSARY, KEY_A, KEY_B, KEY_C
from tests.support.playground_answers import ANSWER

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "glossaries" / "examples"
SHOTS = ROOT / "test-output" / "playground"
# The MT's doubled "in" stays (a warning badge); the lost final full stop is restored.
OUTPUT = "Speichern Sie die Einstellungen in in der Cloud Console."
CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000  # the first model call of a process also imports the LLM client
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Console:
    """Console errors and uncaught exceptions of a page; `expected` lists substrings a test allows."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in self.expected)]


def open_page(
    browser: Browser, live: LiveServer, width: int = 1280, height: int = 800, key: str = KEY_A
) -> tuple[Page, Console]:
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    console = Console(page)
    page.goto(live.base_url + "/playground")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Use key").click()
    expect(page.locator("#key-status")).to_have_text("Connected.")
    return page, console


def tip_shown(term: Locator) -> bool:
    return bool(term.evaluate("el => getComputedStyle(el, '::after').display !== 'none'"))


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_a_segment_then_a_follow_up_then_a_reload(browser: Browser, live: LiveServer) -> None:
    page, console = open_page(browser, live, key=KEY_B)  # tenant B: a clean list for the README picture
    page.get_by_label("Id", exact=True).fill("ui-de")
    page.get_by_label("File").set_input_files(str(GLOSSARY))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-ok")).to_have_text(re.compile(r"^Stored ui-de \(\d+ entries\)\.$"))
    expect(page.get_by_label("Glossary", exact=True)).to_have_value("ui-de")  # picked for the next segment
    page.get_by_label("Source", exact=True).fill("Save the settings in the Cloud Console.")
    page.get_by_label("Machine translation").fill("Sichern Sie die Optionen in in der Cloud Console")
    page.get_by_label("Machine translation").press("Control+Enter")

    answer = page.locator("article.turn.agent:not(.pending)").first
    expect(answer.locator(".output")).to_have_text(OUTPUT, timeout=TIMEOUT_MS)
    expect(answer.locator(".diff del").first).to_have_text("deleted: Sichern")
    expect(answer.locator(".diff ins").first).to_have_text("inserted: Speichern")
    expect(answer.locator("[data-status]")).to_have_text("edited")
    expect(answer.locator(".badge", has_text="repeated-word")).to_be_visible()
    target_terms = answer.locator(".output mark.term")
    expect(target_terms).to_have_text(["Speichern", "Einstellungen", "Cloud Console"])
    source_term = page.locator(".source mark.term[data-term='Save']")
    assert tip_shown(source_term) is False
    source_term.hover()
    assert tip_shown(source_term) is True  # the entry shows on hover
    tip = source_term.get_attribute("data-tip") or ""
    assert tip.startswith(
        "Glossary — Save. Target: Speichern. Forbidden: Sichern. Note: Button and menu label"
    )
    assert "Do not translate" in (target_terms.nth(2).get_attribute("data-tip") or "")
    steps = answer.locator("details.steps")
    steps.locator("summary").click()
    expect(steps.locator("li").first).to_contain_text("retrieve")
    expect(steps.locator("li", has_text="finalize")).to_contain_text("ms)")
    shot(page, "01-first-answer.png")
    page.locator(".output mark.term[data-term='Cloud Console']").hover()
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "playground.png"))  # the README's picture, with a term's entry

    page.get_by_label("Message to the agent").fill("Why did you change Sichern?")
    page.get_by_label("Message to the agent").press("Control+Enter")
    agents = page.locator("article.turn.agent:not(.pending)")
    expect(agents).to_have_count(2, timeout=TIMEOUT_MS)
    expect(agents.nth(1).locator(".reply")).to_have_text(ANSWER)
    expect(agents.nth(1).locator("[data-status]")).to_have_text("edited")  # still compared with the MT
    expect(page.locator("article.turn.user .reply")).to_have_text("Why did you change Sichern?")
    shot(page, "02-follow-up.png")

    page.reload()
    expect(page.locator("article.turn.agent")).to_have_count(2)
    expect(page.locator("#conv-list button[aria-current='true']")).to_contain_text("Save the settings")
    agents.nth(1).get_by_role("button", name="Accept").click()
    expect(page.locator(".accepted")).to_have_text("✓ Accepted")
    with page.expect_download() as download:
        agents.nth(1).get_by_role("button", name="Export JSONL").click()
    row = json.loads(Path(download.value.path()).read_text())
    assert row["accepted"] is True and row["output"] == OUTPUT
    shot(page, "03-after-reload-accepted.png")
    assert console.unexpected() == []


def test_a_broken_glossary_upload_shows_the_error_inline(browser: Browser, live: LiveServer) -> None:
    page, console = open_page(browser, live)
    console.expected.append("status of 422")  # the browser logs the failed PUT itself
    page.get_by_label("Id", exact=True).fill("broken")
    page.get_by_label("File").set_input_files(
        files=[
            {
                "name": "broken.csv",
                "mimeType": "text/csv",
                "buffer": b'source,target\nSave,Speichern\n"oops,\n',
            }
        ]
    )
    page.get_by_role("button", name="Upload").click()
    error = page.locator("#upload-error")
    expect(error).to_contain_text("broken.csv:3: ")  # file, line and reason
    assert error.get_attribute("role") == "alert"
    expect(page.get_by_label("Glossary", exact=True).locator("option", has_text="broken")).to_have_count(0)
    shot(page, "04-broken-glossary.png")
    assert console.unexpected() == []


def test_narrow_window_translates_without_mt(browser: Browser, live: LiveServer) -> None:
    page, console = open_page(browser, live, width=400, height=800)
    page.get_by_label("Source", exact=True).fill("Open the folder.")
    page.get_by_role("button", name="Send").first.click()
    expect(page.locator("article.turn.agent .output")).to_have_text(
        "Openen theen folderen.", timeout=TIMEOUT_MS
    )
    expect(page.get_by_label("Message to the agent")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling
    shot(page, "05-narrow.png")
    assert console.unexpected() == []


def upload_resources_of_three_pairs(live: LiveServer) -> str:
    """Tenant C's glossaries (/v1 by id, /v2 by name) and style guides for en-de, en-es and en-fr; returns
    the id DeepL's API gave the Spanish glossary."""
    with live.client(KEY_C) as c:
        for rid, target, data in [
            ("acme-de", "de", GLOSSARY.read_bytes()),
            ("acme-es", "es", b"en,es\nSave,Guardar\n"),
        ]:
            params = {"filename": "terms.csv", "source_lang": "en", "target_lang": target}
            assert c.put(f"/v1/glossaries/{rid}", params=params, content=data).status_code == 200
        ids = {}
        for name, target, entries in [("Spanish UI terms", "ES", "Save\tGuardar\nfile\tarchivo\n"),
                                      ("German marketing terms", "DE", "offer\tAngebot\n")]:  # fmt: skip
            form = {
                "name": name,
                "source_lang": "EN",
                "target_lang": target,
                "entries_format": "tsv",
                "entries": entries,
            }
            r = c.post("/v2/glossaries", data=form)
            assert r.status_code == 201, r.text
            ids[name] = r.json()["glossary_id"]
        for rid, data in [("acme-ui-de", (EXAMPLES / "en-de" / "style.yaml").read_bytes()),
                          ("acme-ui-fr", (EXAMPLES / "en-fr" / "style.yaml").read_bytes()),
                          ("house", b"name: House style\nformality: formal\n")]:  # fmt: skip
            r = c.put(f"/v1/styleguides/{rid}", params={"filename": "style.yaml"}, content=data)
            assert r.status_code == 200, r.text
    return ids["Spanish UI terms"]


def test_only_the_glossaries_and_style_guides_of_the_chosen_pair_are_offered_by_name(
    browser: Browser, live: LiveServer
) -> None:
    spanish = upload_resources_of_three_pairs(live)
    page, console = open_page(browser, live, key=KEY_C)
    glossary, style = page.get_by_label("Glossary", exact=True), page.get_by_label("Style guide", exact=True)
    target = page.get_by_label("Target language")
    expect(target).to_have_value("de")
    expect(glossary.locator("option")).to_have_text(
        ["(none)", re.compile(r"^acme-de \(\d+ entries\)$"), "German marketing terms (1 entry)"]
    )
    expect(style.locator("option")).to_have_text(["(none)", "ACME UI style guide, German", "House style"])

    target.fill("es")
    expect(glossary.locator("option")).to_have_text(
        ["(none)", "acme-es (1 entry)", "Spanish UI terms (2 entries)"]
    )
    expect(style.locator("option")).to_have_text(["(none)", "House style"])  # it names no language: any pair

    target.fill("fr-CA")
    expect(glossary.locator("option")).to_have_text(["(none)"])
    expect(style.locator("option")).to_have_text(["(none)", "ACME UI style guide, French", "House style"])

    target.fill("es")
    glossary.select_option(label="Spanish UI terms (2 entries)")
    expect(glossary).to_have_value(spanish)  # the name is shown, the id is sent
    page.get_by_label("Source", exact=True).fill("Save the file.")
    page.get_by_label("Machine translation").fill("Guarde el archivo.")
    page.get_by_role("button", name="Send").first.click()
    expect(page.locator("article.turn.user .options")).to_have_text(
        "en → es · minimal mode · glossary Spanish UI terms"
    )
    expect(page.locator("article.turn.agent:not(.pending)")).to_have_count(1, timeout=TIMEOUT_MS)
    shot(page, "06-resources-of-the-pair.png")
    assert console.unexpected() == []


def test_an_accepted_version_teaches_the_chosen_memory_and_the_next_segment_uses_it(
    browser: Browser, live: LiveServer
) -> None:
    memory_id = "ui-memory-" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:6])
    with live.client() as api:
        r = api.post(
            "/v1/memories",
            json={"id": memory_id, "name": "UI memory", "source_lang": "en", "target_lang": "de"},
        )
        assert r.status_code == 201, r.text
    page, console = open_page(browser, live)
    source = f"Close the {memory_id} window."
    page.get_by_label("Memory", exact=True).select_option(memory_id)
    page.get_by_label("Source", exact=True).fill(source)
    page.get_by_label("Machine translation").fill("Schließen Sie das Fenster.")
    page.get_by_label("Machine translation").press("Control+Enter")
    answer = page.locator("article.turn.agent:not(.pending)").first
    expect(answer.locator("[data-status]")).to_have_text("unchanged", timeout=TIMEOUT_MS)
    answer.get_by_role("button", name="Accept").click()
    expect(page.locator("#working")).to_have_text("Accepted; the memory learned it.")
    expect(page.get_by_label("Memory", exact=True).locator("option:checked")).to_have_text(
        "UI memory (1 entry)"
    )

    page.get_by_role("button", name="New segment").click()
    page.get_by_label("Memory", exact=True).select_option(memory_id)
    page.get_by_label("Source", exact=True).fill(source)  # the same sentence again: a 100% match
    page.get_by_label("Machine translation").fill("Fenster schließen.")
    page.get_by_label("Machine translation").press("Control+Enter")
    second = page.locator("article.turn.agent:not(.pending)").first
    expect(second.locator("[data-status]")).to_have_text("tm_exact", timeout=TIMEOUT_MS)
    expect(second.locator(".output")).to_have_text("Schließen Sie das Fenster.")
    assert console.unexpected() == []
