"""Theme service: presets, validated settings, custom CSS; the rendered page follows each change."""

from __future__ import annotations

import pytest

from shared.compose import render_page
from shared.themes.errors import ThemeError
from shared.themes.service import active_theme, set_custom_css, switch_preset, update_theme_settings
from shared.vibe.executor import StoreExecutor


@pytest.fixture()
def executor():
    ex = StoreExecutor("theme-tests")
    yield ex
    ex.close()


def test_switch_preset_changes_the_page_and_keeps_sections(demo_store, executor) -> None:
    before = active_theme(demo_store.db)
    assert before.preset == "harbor" and "sections" in before.settings
    switch_preset(demo_store.db, preset="noir")
    theme = active_theme(demo_store.db)
    assert theme.preset == "noir" and theme.name == "Noir"
    assert theme.settings["sections"] == before.settings["sections"]
    html = render_page(demo_store.db, executor=executor, slug="home").html
    assert 'class="vs-body vs-theme--noir"' in html


def test_unknown_preset_is_refused(demo_store) -> None:
    with pytest.raises(ThemeError) as err:
        switch_preset(demo_store.db, preset="nope")
    assert err.value.errors[0][0] == "preset"
    assert active_theme(demo_store.db).preset == "harbor"


def test_settings_are_merged_and_reach_the_css(demo_store, executor) -> None:
    update_theme_settings(demo_store.db, changes={"colors": {"accent": "#aa3300"}, "spacing": {"radius": 2}})
    theme = active_theme(demo_store.db)
    assert theme.settings["colors"]["accent"] == "#aa3300"
    assert "sections" in theme.settings
    css = render_page(demo_store.db, executor=executor, slug="home").stylesheet.body.decode()
    assert "--vs-color-accent: #aa3300;" in css
    assert "--vs-radius: 2px;" in css


def test_every_bad_field_is_named_and_nothing_is_stored(demo_store) -> None:
    before = active_theme(demo_store.db)
    with pytest.raises(ThemeError) as err:
        update_theme_settings(demo_store.db, changes={
            "colors": {"accent": "red;}</style><script>", "text": "#12"},
            "typography": {"body_font": "Comic Sans"},
            "layout": {"header": "middle"},
            "sparkles": {},
        })
    fields = sorted(field for field, _message in err.value.errors)
    assert fields == ["colors.accent", "colors.text", "layout.header", "sparkles", "typography.body_font"]
    assert active_theme(demo_store.db) == before


def test_custom_css_is_stored_and_sanitised_on_the_page(demo_store, executor) -> None:
    set_custom_css(demo_store.db, css=".vs-hero { letter-spacing: 1px }</style><script>alert(1)</script>")
    css = render_page(demo_store.db, executor=executor, slug="home").stylesheet.body.decode()
    assert ".vs-hero { letter-spacing: 1px }" in css
    assert "<script>alert(1)</script>" not in css and "<" not in css


def test_oversized_custom_css_is_refused(demo_store) -> None:
    with pytest.raises(ThemeError):
        set_custom_css(demo_store.db, css="a{}" * 30_000)
    assert active_theme(demo_store.db).custom_css == ""
