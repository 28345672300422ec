"""The tools' ``--help``: plain text (no reST markup) and every option's default.

Each tool's parser is a :class:`Parser`; its description is the first paragraph of the tool's
docstring with the markup taken out, and every option with a default says it.
"""

from __future__ import annotations

import argparse
import re


def says_nothing(default) -> bool:
    """Defaults not worth showing: none, off, empty (0 is shown: a seed of 0 says something)."""
    return (
        default is None or default is False or default == [] or default == "" or default == argparse.SUPPRESS
    )


def plain(doc: str | None) -> str | None:
    """The first paragraph of a docstring as plain text: ``code`` and :role:`x` unmarked, and a
    leading "``python -m sim x ...``: " (the usage line argparse prints anyway) dropped."""
    if not doc:
        return doc
    text = " ".join(doc.strip().split("\n\n")[0].split())
    text = re.sub(r"^``python -m sim[^`]*``\s*:\s*", "", text)
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text).replace("``", "")
    return text[:1].upper() + text[1:]


class Formatter(argparse.HelpFormatter):
    def _get_help_string(self, action):
        help_ = action.help or ""
        if (
            says_nothing(action.default)
            or "default" in help_.lower()
            or (not action.option_strings and action.nargs not in ("?", "*"))
        ):
            return help_
        return f"{help_} (default: %(default)s)".lstrip()


class Parser(argparse.ArgumentParser):
    """An ArgumentParser with a plain-text description and the defaults shown (its
    sub-commands' parsers too: argparse makes them of the parent's class)."""

    def __init__(self, *args, description=None, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, description=plain(description), **kwargs)

    def add_argument(self, *args, **kwargs):
        if (
            not kwargs.get("help") and not says_nothing(kwargs.get("default")) and args[0].startswith("-")
        ):  # argparse shows no default of an option without help
            kwargs["help"] = "(default: %(default)s)"
        return super().add_argument(*args, **kwargs)
