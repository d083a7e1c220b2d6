"""Placeholder syntaxes as named profiles, and which profiles a file type implies.

Each profile names the placeholder families (as `agent.markup` recognises them) one ecosystem uses. A
request, a style guide (`placeholders: [mozilla]`) or an XLIFF file's type picks the active profiles; with
none picked, every family of `DEFAULT_FAMILIES` is protected and checked, a bare `$name` included (real
files use it outside Mozilla and the shell: Angular's `System default ($value)`; "costs $Millions" is rarer).
Three families are only ever opt-in, because they are common in prose: a bare `%name` ("100 %Sale"),
`[name]` / `$[name]` ("[optional]"), and `#1` ("the #1 choice"). OpenOffice's lone `%` and `#` are not
recognised at all.
"""

from __future__ import annotations

from pathlib import PurePosixPath

__all__ = [
    "DEFAULT_FAMILIES",
    "OPT_IN_FAMILIES",
    "PROFILES",
    "families_for",
    "profiles_for_file",
]

# Families of agent.markup: printf `%s %1$d %@`, python `%(name)s`, brace `{0} {name} {0:N2}`, icu
# `{n, plural, ...}`, template `{{ name }} ${name}`, entity `&amp; &#169;`, dtd `&brandShortName;`,
# percent `%name%`, positional `%1`, dollar `$name$`, shell `$(name)`, delimited `#name# @name@`, interval
# Symfony's plural ranges `]1,Inf]`.
DEFAULT_FAMILIES: frozenset[str] = frozenset(
    {
        "printf",
        "python",
        "brace",
        "icu",
        "template",
        "entity",
        "dtd",
        "percent",
        "positional",
        "dollar",
        "shell",
        "delimited",
        "interval",
        "bare-dollar",
    }
)
OPT_IN_FAMILIES: frozenset[str] = frozenset({"bare-percent", "bracket", "hash-number"})

PROFILES: dict[str, frozenset[str]] = {
    "printf": frozenset({"printf"}),
    "python": frozenset({"printf", "python", "brace"}),
    "icu": frozenset({"icu", "brace"}),
    "java": frozenset({"icu", "brace"}),  # MessageFormat `{0}`, `{0,number}`
    "dotnet": frozenset({"brace"}),  # `{0}`, `{0:N2}`
    "mozilla": frozenset(
        {
            "printf",
            "entity",
            "dtd",
            "dollar",
            "bare-dollar",
            "shell",
            "percent",
            "positional",
            "template",
            "brace",
        }
    ),
    "ios": frozenset({"printf", "entity"}),  # `%@`, `%1$@`
    "android": frozenset({"printf", "entity"}),  # `%1$d`
    "symfony": frozenset(
        {"percent", "template", "icu", "brace", "interval"}
    ),  # `%name%`, `{{ name }}`, `]1,Inf]`
    "jinja": frozenset({"template"}),  # Jinja, Angular, Handlebars `{{ name }}`
    "shell": frozenset({"template", "shell", "bare-dollar"}),  # `${var}`, `$(var)`, `$var`
    "qt": frozenset({"positional", "entity"}),  # `%1`
    "openoffice": frozenset(
        {
            "entity",
            "dtd",
            "percent",
            "positional",
            "dollar",
            "shell",
            "template",
            "delimited",
            "bare-dollar",
            "bare-percent",
            "bracket",
            "hash-number",
        }
    ),
    "html": frozenset({"entity"}),  # markup only: tags and character entities
}

# XLIFF `datatype` values and `original` file extensions that say which ecosystem wrote the file.
_BY_DATATYPE = {
    "po": ("python", "printf"),
    "x-gettext": ("python", "printf"),
    "javapropertyresourcebundle": ("java",),
    "javalistresourcebundle": ("java",),
    "resx": ("dotnet",),
    "x-resx": ("dotnet",),
    "x-android-xml": ("android",),
    "x-ios-strings": ("ios",),
    "x-dtd": ("mozilla",),
    "html": ("html",),
    "xhtml": ("html",),
}
_BY_EXTENSION = {
    ".po": ("python", "printf"),
    ".pot": ("python", "printf"),
    ".properties": ("java",),
    ".resx": ("dotnet",),
    ".strings": ("ios",),
    ".stringsdict": ("ios",),
    ".swift": ("ios",),
    ".m": ("ios",),
    ".dtd": ("mozilla",),
    ".ftl": ("mozilla",),
    ".xhp": ("openoffice",),
    ".xcu": ("openoffice",),
    ".src": ("openoffice",),
    ".html": ("html",),
    ".htm": ("html",),
    ".ts": ("jinja", "icu"),  # Angular templates
}


def families_for(profiles: tuple[str, ...] | frozenset[str] = ()) -> frozenset[str]:
    """The placeholder families the named profiles turn on; the default set for none.

    Raises ValueError naming an unknown profile and the known ones, for a 4xx a user can act on.
    """
    if not profiles:
        return DEFAULT_FAMILIES
    unknown = [p for p in profiles if p not in PROFILES]
    if unknown:
        raise ValueError(f"unknown placeholder profile(s) {', '.join(unknown)}; known: {', '.join(PROFILES)}")
    return frozenset().union(*(PROFILES[p] for p in profiles))


def profiles_for_file(original: str | None, datatype: str | None) -> tuple[str, ...]:
    """The profiles an XLIFF `<file>`'s `datatype` or `original` name implies; () when neither says.

    Symfony and Angular both write `.xlf`, so an XLIFF `original` says nothing by its extension; those
    files keep the default, which covers both.
    """
    if datatype and datatype.lower() in _BY_DATATYPE:
        return _BY_DATATYPE[datatype.lower()]
    if original:
        suffix = PurePosixPath(original.replace("\\", "/")).suffix.lower()
        if suffix in _BY_EXTENSION:
            return _BY_EXTENSION[suffix]
    return ()
