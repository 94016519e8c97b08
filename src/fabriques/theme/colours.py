"""Colour checks for the neutral theme (pure functions: settings import them)."""

import re

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2 contrast ratio of the colour against white (1 to 21)."""
    return 1.05 / (_luminance(hex_colour) + 0.05)


def darker(hex_colour: str, factor: float = 0.8) -> str:
    return "#" + "".join(f"{int(int(hex_colour[i:i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def primary_colour_check(value: str) -> str:
    """The colour if it is #rrggbb and readable on white (≥ 4.5:1, WCAG AA for text); else a French error."""
    if not _HEX.match(value or ""):
        raise ValueError(f"FABRIQUES_THEME_PRIMARY : couleur « {value} » attendue au format #rrggbb.")
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValueError(f"FABRIQUES_THEME_PRIMARY : {value} n’a qu’un contraste de {ratio:.2f}:1 avec le blanc ; "
                         "il faut au moins 4,5:1 pour que textes et boutons restent lisibles (RGAA).")
    return value.lower()
