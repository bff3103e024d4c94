"""Storefront configuration: one error per bad field, naming it; creating, opening and updating stores."""

from __future__ import annotations

from typing import Any

import pytest

from shared.db.repositories.stores import list_stores as catalog_stores
from shared.storefront.errors import StoreError, StoreErrorCode
from shared.storefront.service import DataDir, Store, create_store, list_stores, open_store, \
    update_storefront_settings
from shared.storefront.validation import validate_storefront

GOOD: dict[str, Any] = {
    "slug": "harbor-goods", "name": "Harbor Goods", "currency": "EUR", "locale": "fr-FR", "timezone": "Europe/Paris",
    "settings": {
        "email": "hello@harbor.example", "support_email": "help@harbor.example", "website": "https://harbor.example",
        "logo_url": "https://cdn.harbor.example/logo.png", "colors": {"accent": "#1f5fbf", "text": "#222"},
        "social": {"instagram": "https://instagram.com/harbor", "x": "http://x.com/harbor"},
    },
}


def _with(change: dict[str, Any]) -> dict[str, Any]:
    """GOOD with some fields replaced; `settings.*` keys go into the nested settings."""
    values = {**GOOD, "settings": {**GOOD["settings"], "social": dict(GOOD["settings"]["social"]),
                                   "colors": dict(GOOD["settings"]["colors"])}}
    for key, value in change.items():
        target = values
        *parents, last = key.split(".")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return values


def _errors(values: dict[str, Any], **kwargs: Any) -> list[tuple[str, str]]:
    with pytest.raises(StoreError) as caught:
        validate_storefront(values, **kwargs)
    assert caught.value.code == StoreErrorCode.INVALID
    return [(e.field, e.message) for e in caught.value.errors]


def test_good_values_pass():
    validate_storefront(GOOD)
    validate_storefront({"slug": "a", "name": "A", "currency": "JPY", "locale": "zh-Hant-TW"})


@pytest.mark.parametrize("field, value", [
    ("slug", ""), ("slug", None), ("slug", "Harbor"), ("slug", "-harbor"), ("slug", "harbor-"),
    ("slug", "har_bor"), ("slug", "har bor"), ("slug", "a" * 64), ("slug", "admin"), ("slug", "www"),
    ("slug", "checkout"), ("slug", "harbor-goods\n"), ("name", ""), ("name", "   "), ("name", "n" * 121), ("name", 42),
    ("currency", "usd"), ("currency", "XYZ"), ("currency", "US"), ("currency", 840),
    ("locale", "english"), ("locale", "en_US"), ("locale", ""), ("locale", "EN-us"), ("locale", "en-US\n"),
    ("timezone", "Mars/Olympus"), ("timezone", "../etc/passwd"), ("timezone", None),
    ("settings", "not an object"), ("settings", None), ("settings", []),
    ("settings.colors", "red"), ("settings.colors.accent", "red"), ("settings.colors.text", "#12345"),
    ("settings.colors.accent", "#1f5fbf;}</style>"), ("settings.colors.accent", "#1f5fbf\n"),
    ("settings.website", "ftp://harbor.example"), ("settings.website", "javascript:alert(1)"),
    ("settings.website", "https://exa mple.com"), ("settings.logo_url", "//cdn.example/logo.png"),
    ("settings.social", "https://instagram.com/harbor"), ("settings.social.instagram", "instagram.com/harbor"),
    ("settings.social.facebook", "https://facebook.com/x\"onmouseover=\"alert(1)"),
    ("settings.email", "not-an-email"), ("settings.email", "hello@"), ("settings.email", 5),
    ("settings.email", "hello@harbor.example\n"),
    ("settings.support_email", "a@@b.example"),
])
def test_each_bad_field_gives_exactly_one_error_naming_it(field: str, value: Any):
    errors = _errors(_with({field: value}))
    assert len(errors) == 1, errors
    assert errors[0][0] == field
    assert errors[0][1]


def test_reserved_slugs_say_so():
    assert _errors(_with({"slug": "admin"})) == [("slug", "'admin' is reserved")]


def test_several_bad_fields_give_several_errors_in_one_exception():
    values = _with({"slug": "Bad Slug", "currency": "euro", "locale": "french", "settings.email": "nope",
                    "settings.colors.accent": "blue", "settings.social.x": "x.com/harbor"})
    with pytest.raises(StoreError) as caught:
        validate_storefront(values)
    fields = [e.field for e in caught.value.errors]
    assert sorted(fields) == sorted(["slug", "currency", "locale", "settings.email", "settings.colors.accent",
                                     "settings.social.x"])
    for field in fields:
        assert field in str(caught.value)


def test_partial_validation_checks_only_the_fields_given():
    validate_storefront({"name": "New name"}, partial=True)
    assert _errors({"currency": "euro"}, partial=True) == [
        ("currency", "must be an ISO 4217 code such as USD or EUR")]


def test_create_store_writes_the_store_and_its_database(data_dir: DataDir):
    store = create_store(data_dir, slug="harbor-goods", name="  Harbor Goods ", currency="EUR", locale="fr-FR",
                         timezone="Europe/Paris", settings=GOOD["settings"])
    try:
        front = store.storefront()
        assert (front.slug, front.name, front.currency, front.locale, front.timezone) == \
            ("harbor-goods", "Harbor Goods", "EUR", "fr-FR", "Europe/Paris")
        assert front.settings == GOOD["settings"]
        assert [r.slug for r in list_stores(data_dir)] == ["harbor-goods"]
    finally:
        store.close()


def test_create_store_refuses_bad_values_and_creates_nothing(data_dir: DataDir):
    with pytest.raises(StoreError) as caught:
        create_store(data_dir, slug="Bad!", name="", currency="usd")
    assert {e.field for e in caught.value.errors} == {"slug", "name", "currency"}
    assert list_stores(data_dir) == []
    assert not (data_dir.root / "stores").exists()


def test_create_store_refuses_a_duplicate_slug_and_leaves_nothing_behind(store: Store, data_dir: DataDir):
    with pytest.raises(StoreError) as caught:
        create_store(data_dir, slug="north-goods", name="Another North")
    assert caught.value.code == StoreErrorCode.DUPLICATE
    assert [e.field for e in caught.value.errors] == ["slug"]
    catalog = data_dir.catalog()
    try:
        assert [(r.slug, r.name) for r in catalog.read(catalog_stores)] == [("north-goods", "North Goods")]
    finally:
        catalog.close()
    # No orphan database for the refused store.
    assert sorted(p.name for p in (data_dir.root / "stores").iterdir()
                  if p.suffix == ".db") == [f"{store.record.id}.db"]
    assert store.storefront().name == "North Goods"


def test_open_store_without_a_slug_needs_exactly_one_store(data_dir: DataDir):
    with pytest.raises(StoreError) as none:
        open_store(data_dir)
    assert none.value.code == StoreErrorCode.NOT_FOUND
    assert "No store" in str(none.value)

    create_store(data_dir, slug="alpha", name="Alpha").close()
    only = open_store(data_dir)
    assert only.record.slug == "alpha"
    only.close()

    create_store(data_dir, slug="bravo", name="Bravo").close()
    with pytest.raises(StoreError) as several:
        open_store(data_dir)
    assert several.value.code == StoreErrorCode.NOT_FOUND
    assert "alpha" in str(several.value) and "bravo" in str(several.value)

    with pytest.raises(StoreError) as unknown:
        open_store(data_dir, "charlie")
    assert "charlie" in str(unknown.value) and "alpha, bravo" in str(unknown.value)
    opened = open_store(data_dir, "bravo")
    assert opened.storefront().name == "Bravo"
    opened.close()


def test_update_storefront_settings_validates_and_changes_nothing_on_error(store: Store):
    with pytest.raises(StoreError) as caught:
        update_storefront_settings(store, changes={"currency": "euro", "settings": {"colors": {"accent": "red"}}})
    assert [e.field for e in caught.value.errors] == ["currency", "settings.colors.accent"]
    assert store.storefront().currency == "USD"

    with pytest.raises(StoreError) as slug:
        update_storefront_settings(store, changes={"slug": "renamed"})
    assert [e.field for e in slug.value.errors] == ["slug"]

    updated = update_storefront_settings(store, changes={"name": "North Goods Co.", "timezone": "Europe/Oslo",
                                                         "settings": {"colors": {"accent": "#123456"}}})
    assert store.storefront() == updated
    assert (updated.name, updated.timezone, updated.settings) == \
        ("North Goods Co.", "Europe/Oslo", {"colors": {"accent": "#123456"}})
