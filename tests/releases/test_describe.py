"""A release summary in a merchant's words (the Publish view and `vibeshop publish --preview`)."""

from __future__ import annotations

from shared.releases.describe import change_lines, field_label


def test_lines_name_each_row_its_change_and_its_fields_parents_first() -> None:
    summary = {"tables": {
        "blocks": {"added": [{"key": "b1", "title": "hero: Summer sale"}], "changed": [], "removed": []},
        "pages": {"added": [], "removed": [{"key": "p2", "title": ""}],
                  "changed": [{"key": "p1", "title": "About us", "fields": ["seo_title", "title", "updated_at"]}]},
        "themes": {"added": [], "removed": [], "changed": [{"key": "t1", "title": "Harbor",
                                                             "fields": ["custom_css", "updated_at"]}]},
    }}
    assert [line.text for line in change_lines(summary)] == [
        "Theme “Harbor” changed: custom CSS",
        "Page “About us” changed: SEO title, title",
        "Page removed",
        "Block “hero: Summer sale” added",
    ]
    assert [line.key for line in change_lines(summary)] == ["t1", "p1", "p2", "b1"]
    assert change_lines({"no_changes": True, "tables": {}}) == []


def test_field_labels() -> None:
    assert [field_label(n) for n in ("seo_title", "body_html", "social_image_id", "canonical_url", "position")] == [
        "SEO title", "body", "social image", "canonical URL", "position"]
