"""The shipped stylesheet: nothing in it could end the style element it is inlined in."""

from shared.compose.theme import base_css


def test_the_base_stylesheet_has_no_markup_characters() -> None:
    css = base_css()
    assert "<" not in css, "a '<' (even in a comment) could end the inlined <style> element"
    assert css.count("{") == css.count("}")
