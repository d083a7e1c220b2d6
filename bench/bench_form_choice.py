"""How well the model chooses a term's form where the words around cannot tell it (`die Frage`: `der` or `den
Antrag`?): the span repair's form choice, asked with the real prompt, each case with the forms in both orders.

    .venv/bin/python bench/bench_form_choice.py [--port 8791]

Starts its own embedded llama.cpp server (or reuses one on the port) and prints, per case and in all, how often
the model names the right form. The cases are hand-made German and Russian sentences whose correct form a
grammar book settles (subject or object).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent import prompting
from agent.llm import LLMGateway, load_gateway_config
from runtime.embedded import EmbeddedServer
from server.settings import prepare_libraries

# (target language, source, target with {} where the term goes, term, forms, the right one)
CASES = [
    (
        "de",
        "The request for flexibility for structural reforms refers to a pension reform.",
        "Bei den Strukturreformen, mit denen {} auf Flexibilität begründet wird, handelt es sich um eine Rentenreform.",
        "Antrag",
        ("der Antrag", "den Antrag"),
        "der Antrag",
    ),
    (
        "de",
        "These changes do not only concern the energy, building and transport sectors.",
        "Diese Veränderungen betreffen nicht nur den Energie-, {}- und den Verkehrssektor.",
        "Bau",
        ("der Bau", "den Bau"),
        "den Bau",
    ),
    (
        "de",
        "The contract applies from today.",
        "Ab heute gilt {}.",
        "Vertrag",
        ("der Vertrag", "den Vertrag"),
        "der Vertrag",
    ),
    (
        "de",
        "We signed the contract yesterday.",
        "Gestern unterschrieben wir {}.",
        "Vertrag",
        ("der Vertrag", "den Vertrag"),
        "den Vertrag",
    ),
    (
        "ru",
        "We cannot exclude the possibility that pangolin is one of the intermediate animal hosts.",
        "Нельзя исключать возможности, что {} стал одним из промежуточных животных-носителей.",
        "панголин",
        ("панголин", "панголина"),
        "панголин",
    ),
    (
        "ru",
        "Doctors found pneumonia.",
        "Врачи обнаружили {}.",
        "пневмония",
        ("пневмония", "пневмонию"),
        "пневмонию",
    ),
    ("ru", "Pneumonia is dangerous.", "{} опасна.", "пневмония", ("Пневмония", "Пневмонию"), "Пневмония"),
    (
        "ru",
        "The causative agent of the pandemic was not identified.",
        "Тот факт, что {} пандемии не был определен.",
        "возбудитель",
        ("возбудитель", "возбудителя"),
        "возбудитель",
    ),
]


async def main(port: int) -> None:
    prepare_libraries()
    config = load_gateway_config(None, embedded={"port": port}, timeout=600, max_concurrency=None)
    gateway = LLMGateway(config)
    right = total = 0
    async with EmbeddedServer(config.embedded):
        for lang, source, target, term, forms, correct in CASES:
            for order in (forms, forms[::-1]):
                messages = prompting.choose_form_messages(
                    prompting.system_message("en", lang, None),
                    source=source,
                    term=term,
                    versions=[target.format(f) for f in order],
                    options=order,
                )
                reply = await gateway.complete_json(
                    messages, prompting.choose_form_schema(order), max_tokens=40
                )
                named = (reply.data or {}).get("form")
                right += named == correct
                total += 1
                verdict = "right" if named == correct else "WRONG"
                print(f"{lang} {term:12} shown {' / '.join(order):28} -> {named!s:14} {verdict}")
    print(f"right form named: {right} of {total} ({right / total:.0%}; a coin toss: 50%)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    asyncio.run(main(args.port))
