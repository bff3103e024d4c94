"""PageService on a real store database: pages, ordered blocks, publishing, SEO, settings, revisions."""

from __future__ import annotations

import pytest

from shared.compose import PREVIEW, PageNotFound, render_page
from shared.compose.registry import builtin_block
from shared.db import Connection, Database
from shared.db.repositories import pages as repo
from shared.db.stamps import new_id, utc_now
from shared.models import Block
from shared.pages import service as pages
from shared.pages.errors import PageError, PageErrorCode
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor
from support import block_ids

GOOD_CODE = """const schema = { name: "Greeting", settings: [{ id: "who", type: "text", default: "world" }] };
function render(ctx, h) {
  return h.html`<p class="greeting">Hello, ${ctx.settings.who}</p>`;
}
"""
OTHER_CODE = GOOD_CODE.replace("Hello", "Goodbye")


def _page_rows(db: Database) -> list[tuple]:
    return db.read(lambda conn: conn.all("SELECT id, slug, title, status FROM pages ORDER BY slug"))


def _positions(db: Database, page_id: str) -> list[tuple[str, int]]:
    return [(b.id, b.position) for b in db.read(lambda conn: repo.list_blocks(conn, page_id))]


def _assert_contiguous(db: Database, page_id: str) -> list[str]:
    rows = db.read(lambda conn: conn.all("SELECT id, position FROM blocks WHERE page_id = ? ORDER BY position",
                                         (page_id,)))
    assert [position for _id, position in rows] == list(range(len(rows)))
    return [block_id for block_id, _position in rows]


def _home(db: Database):
    return db.read(lambda conn: repo.get_page_by_slug(conn, "home"))


def _blocks(db: Database, page_id: str, count: int) -> list[str]:
    return [pages.add_block(db, page_id=page_id, kind="rich-text", settings={"heading": f"Block {i}"}).id
            for i in range(count)]


# Pages ----------------------------------------------------------------------------------------------

def test_create_page_takes_its_slug_from_the_title(store: Store):
    page = pages.create_page(store.db, title="  About Us!  ")
    assert (page.slug, page.title, page.status, page.published_at) == ("about-us", "About Us!", "draft", None)
    assert page.path == "/pages/about-us"
    published = pages.create_page(store.db, title="FAQ", slug="help", status="published")
    assert published.published_at is not None
    assert [p.position for p in store.db.read(repo.list_pages)] == [0, 1, 2]


@pytest.mark.parametrize("slug", ["About", "-about", "about-", "about us", "a/b", "", "a" * 81, "über", "about\n"])
def test_invalid_slugs_are_refused(store: Store, slug: str):
    before = _page_rows(store.db)
    with pytest.raises(PageError) as caught:
        pages.create_page(store.db, title="About", slug=slug)
    assert (caught.value.code, caught.value.field) == (PageErrorCode.INVALID, "slug")
    page = pages.create_page(store.db, title="Valid")
    with pytest.raises(PageError) as changed:
        pages.change_slug(store.db, page_id=page.id, slug=slug)
    assert changed.value.field == "slug"
    assert store.db.read(lambda conn: repo.get_page(conn, page.id)).slug == "valid"
    assert len(_page_rows(store.db)) == len(before) + 1


def test_a_duplicate_slug_is_refused_and_nothing_is_stored(store: Store):
    about = pages.create_page(store.db, title="About")
    contact = pages.create_page(store.db, title="Contact")
    before = _page_rows(store.db)
    with pytest.raises(PageError) as created:
        pages.create_page(store.db, title="About again", slug="about")
    assert (created.value.code, created.value.field) == (PageErrorCode.DUPLICATE_SLUG, "slug")
    with pytest.raises(PageError) as changed:
        pages.change_slug(store.db, page_id=contact.id, slug="about")
    assert changed.value.code == PageErrorCode.DUPLICATE_SLUG
    with pytest.raises(PageError) as home:
        pages.change_slug(store.db, page_id=contact.id, slug="home")
    assert home.value.code == PageErrorCode.DUPLICATE_SLUG
    assert _page_rows(store.db) == before
    # Keeping one's own slug is not a duplicate.
    assert pages.change_slug(store.db, page_id=about.id, slug="about").slug == "about"


def test_rename_and_change_slug(store: Store):
    page = pages.create_page(store.db, title="About")
    renamed = pages.rename_page(store.db, page_id=page.id, title="Our story")
    assert (renamed.title, renamed.slug) == ("Our story", "about")
    moved = pages.change_slug(store.db, page_id=page.id, slug="our-story")
    assert (moved.slug, moved.path) == ("our-story", "/pages/our-story")
    assert store.db.read(lambda conn: repo.get_page_by_slug(conn, "about")) is None
    with pytest.raises(PageError) as blank:
        pages.rename_page(store.db, page_id=page.id, title="   ")
    assert blank.value.field == "title"
    with pytest.raises(PageError) as missing:
        pages.rename_page(store.db, page_id="no-such-page", title="X")
    assert missing.value.code == PageErrorCode.NOT_FOUND


def test_the_home_page_is_protected(store: Store):
    home = _home(store.db)
    with pytest.raises(PageError) as deleted:
        pages.delete_page(store.db, page_id=home.id)
    assert deleted.value.code == PageErrorCode.PROTECTED
    with pytest.raises(PageError) as moved:
        pages.change_slug(store.db, page_id=home.id, slug="start")
    assert moved.value.code == PageErrorCode.PROTECTED
    assert _home(store.db) is not None


def test_delete_page_takes_its_blocks_and_revisions(store: Store):
    page = pages.create_page(store.db, title="Temporary")
    block = pages.add_block(store.db, page_id=page.id, kind="custom", code=GOOD_CODE)
    pages.delete_page(store.db, page_id=page.id)
    assert store.db.read(lambda conn: repo.get_page(conn, page.id)) is None
    assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM blocks WHERE page_id = ?", (page.id,))) == 0
    assert store.db.read(lambda conn: repo.list_revisions(conn, block.id)) == []


def test_reorder_pages_needs_every_page_once(store: Store):
    home = _home(store.db)
    about = pages.create_page(store.db, title="About")
    faq = pages.create_page(store.db, title="FAQ")
    ordered = pages.reorder_pages(store.db, page_ids=[faq.id, home.id, about.id])
    assert [(p.slug, p.position) for p in ordered] == [("faq", 0), ("home", 1), ("about", 2)]
    with pytest.raises(PageError) as partial:
        pages.reorder_pages(store.db, page_ids=[faq.id, home.id])
    assert partial.value.field == "page_ids"
    assert [p.slug for p in store.db.read(repo.list_pages)] == ["faq", "home", "about"]


# Blocks -----------------------------------------------------------------------------------------------

def test_add_block_keeps_positions_contiguous_wherever_it_goes(store: Store):
    page = pages.create_page(store.db, title="Landing")
    first, second = _blocks(store.db, page.id, 2)
    front = pages.add_block(store.db, page_id=page.id, kind="hero", position=0)
    middle = pages.add_block(store.db, page_id=page.id, kind="newsletter", position=2)
    past_end = pages.add_block(store.db, page_id=page.id, kind="faq", position=99)
    before_start = pages.add_block(store.db, page_id=page.id, kind="testimonials", position=-7)
    assert _assert_contiguous(store.db, page.id) == [before_start.id, front.id, first, middle.id, second,
                                                     past_end.id]
    assert front.position == 0 and middle.position == 2


def test_move_block_renumbers_the_page_including_moves_past_the_ends(store: Store):
    page = pages.create_page(store.db, title="Landing")
    a, b, c, d = _blocks(store.db, page.id, 4)
    assert [x.id for x in pages.move_block(store.db, block_id=a, position=2)] == [b, c, a, d]
    assert _assert_contiguous(store.db, page.id) == [b, c, a, d]
    pages.move_block(store.db, block_id=b, position=100)
    assert _assert_contiguous(store.db, page.id) == [c, a, d, b]
    pages.move_block(store.db, block_id=d, position=-3)
    assert _assert_contiguous(store.db, page.id) == [d, c, a, b]
    pages.move_block(store.db, block_id=a, position=2)            # where it already is
    assert _assert_contiguous(store.db, page.id) == [d, c, a, b]


def test_duplicate_block_puts_a_copy_right_after_the_original(store: Store):
    page = pages.create_page(store.db, title="Landing")
    a, b, c = _blocks(store.db, page.id, 3)
    pages.set_block_hidden(store.db, block_id=b, hidden=True)
    copy = pages.duplicate_block(store.db, block_id=b)
    assert _assert_contiguous(store.db, page.id) == [a, b, copy.id, c]
    original = store.db.read(lambda conn: repo.get_block(conn, b))
    assert (copy.kind, copy.settings, copy.hidden, copy.code) == (original.kind, original.settings, True, None)
    last = pages.duplicate_block(store.db, block_id=c)
    assert _assert_contiguous(store.db, page.id) == [a, b, copy.id, c, last.id]


def test_duplicating_a_custom_block_starts_the_copy_s_own_history(store: Store):
    page = pages.create_page(store.db, title="Landing")
    block = pages.add_block(store.db, page_id=page.id, kind="custom", code=GOOD_CODE)
    copy = pages.duplicate_block(store.db, block_id=block.id)
    assert copy.code == GOOD_CODE
    assert [r.code for r in pages.list_revisions(store.db, block_id=copy.id)] == [GOOD_CODE]


def test_a_full_page_refuses_another_block_by_adding_or_duplicating(store: Store):
    page = pages.create_page(store.db, title="Long")
    now = utc_now()

    def fill(conn: Connection) -> None:
        for position in range(pages.MAX_BLOCKS_PER_PAGE):
            repo.insert_block(conn, Block(new_id(), page.id, "rich-text", None, {}, position,
                                          created_at=now, updated_at=now))

    store.db.write(fill)
    first = _assert_contiguous(store.db, page.id)[0]
    for attempt in (lambda: pages.add_block(store.db, page_id=page.id, kind="hero"),
                    lambda: pages.duplicate_block(store.db, block_id=first)):
        with pytest.raises(PageError) as caught:
            attempt()
        assert (caught.value.code, caught.value.field) == (PageErrorCode.INVALID, "page_id")
    assert len(_assert_contiguous(store.db, page.id)) == pages.MAX_BLOCKS_PER_PAGE


def test_remove_block_renumbers_the_rest(store: Store):
    page = pages.create_page(store.db, title="Landing")
    a, b, c, d = _blocks(store.db, page.id, 4)
    pages.remove_block(store.db, block_id=b)
    assert _assert_contiguous(store.db, page.id) == [a, c, d]
    pages.remove_block(store.db, block_id=a)
    pages.remove_block(store.db, block_id=d)
    assert _assert_contiguous(store.db, page.id) == [c]
    with pytest.raises(PageError) as gone:
        pages.remove_block(store.db, block_id=b)
    assert (gone.value.code, gone.value.field) == (PageErrorCode.NOT_FOUND, "block_id")


def test_unknown_kinds_and_custom_blocks_without_code_are_refused(store: Store):
    home = _home(store.db)
    with pytest.raises(PageError) as kind:
        pages.add_block(store.db, page_id=home.id, kind="carousel-3000")
    assert kind.value.field == "kind"
    with pytest.raises(PageError) as code:
        pages.add_block(store.db, page_id=home.id, kind="custom")
    assert code.value.field == "code"
    with pytest.raises(PageError) as page:
        pages.add_block(store.db, page_id="no-such-page", kind="hero")
    assert page.value.code == PageErrorCode.NOT_FOUND
    assert _positions(store.db, home.id) == []


def test_hidden_blocks_are_kept_but_not_rendered(store: Store, executor: StoreExecutor):
    home = _home(store.db)
    shown = pages.add_block(store.db, page_id=home.id, kind="rich-text", settings={"heading": "Shown heading"})
    hidden = pages.add_block(store.db, page_id=home.id, kind="rich-text", settings={"heading": "Hidden heading"})
    assert pages.set_block_hidden(store.db, block_id=hidden.id, hidden=True).hidden is True

    html = render_page(store.db, executor=executor, slug="home").html
    assert block_ids(html) == ["header", shown.id, "footer"]
    assert "Shown heading" in html and "Hidden heading" not in html
    assert hidden.id in [block_id for block_id, _ in _positions(store.db, home.id)]

    pages.set_block_hidden(store.db, block_id=hidden.id, hidden=False)
    html = render_page(store.db, executor=executor, slug="home").html
    assert block_ids(html) == ["header", shown.id, hidden.id, "footer"]


# Draft and published ------------------------------------------------------------------------------------

def test_drafts_are_not_rendered_for_shoppers(store: Store, executor: StoreExecutor):
    page = pages.create_page(store.db, title="Sale", slug="sale")
    pages.add_block(store.db, page_id=page.id, kind="rich-text", settings={"heading": "Secret sale"})
    with pytest.raises(PageNotFound):
        render_page(store.db, executor=executor, slug="sale")
    draft = render_page(store.db, executor=executor, slug="sale", drafts=True, mode=PREVIEW)
    assert "Secret sale" in draft.html

    published = pages.set_page_status(store.db, page_id=page.id, status="published")
    assert published.published_at is not None
    assert "Secret sale" in render_page(store.db, executor=executor, slug="sale").html

    again = pages.set_page_status(store.db, page_id=page.id, status="draft")
    assert again.published_at == published.published_at      # the first publication date is kept
    with pytest.raises(PageNotFound):
        render_page(store.db, executor=executor, slug="sale")
    with pytest.raises(PageError) as bad:
        pages.set_page_status(store.db, page_id=page.id, status="live")
    assert bad.value.field == "status"
    with pytest.raises(PageNotFound):
        render_page(store.db, executor=executor, slug="no-such-page", drafts=True)


# SEO -------------------------------------------------------------------------------------------------

def test_seo_fields_are_stored_and_rendered(store: Store, executor: StoreExecutor):
    home = _home(store.db)
    page = pages.update_seo(store.db, page_id=home.id, seo_title="North Goods – wool & wood",
                            seo_description="Knitwear and woodwork", canonical_url="https://north.example/",
                            noindex=True)
    assert (page.seo_title, page.seo_description, page.canonical_url, page.noindex) == \
        ("North Goods – wool & wood", "Knitwear and woodwork", "https://north.example/", True)
    html = render_page(store.db, executor=executor, slug="home").html
    assert "<title>North Goods – wool &amp; wood</title>" in html
    assert '<link rel="canonical" href="https://north.example/">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<meta name="description" content="Knitwear and woodwork.">' in html


@pytest.mark.parametrize("field, value", [
    ("canonical_url", "javascript:alert(1)"), ("canonical_url", "/relative"), ("canonical_url", "ftp://x.example"),
    ("canonical_url", 'https://x.example/"><script>'), ("seo_title", "t" * 201), ("seo_description", "d" * 501),
    ("social_image_id", "no-such-media"),
])
def test_bad_seo_fields_are_refused(store: Store, field: str, value: str):
    home = _home(store.db)
    pages.update_seo(store.db, page_id=home.id, seo_title="Kept", canonical_url="https://north.example/")
    with pytest.raises(PageError) as caught:
        pages.update_seo(store.db, page_id=home.id, **{field: value})
    assert (caught.value.code, caught.value.field) == (PageErrorCode.INVALID, field)
    kept = _home(store.db)
    assert (kept.seo_title, kept.canonical_url) == ("Kept", "https://north.example/")


# Settings --------------------------------------------------------------------------------------------

def test_settings_are_checked_against_the_block_schema(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="hero", settings={"heading": "Hi", "overlay": 40})
    assert block.settings == {"heading": "Hi", "overlay": 40}

    cases = [({"headline": "Hi"}, "settings.headline"), ({"overlay": "dark"}, "settings.overlay"),
             ({"overlay": 95}, "settings.overlay"), ({"height": "huge"}, "settings.height"),
             ({"heading": ["not", "text"]}, "settings.heading"), ({"button_link": "javascript:alert(1)"},
                                                                   "settings.button_link"),
             ({"button_link": "/about\n"}, "settings.button_link")]
    for settings, field in cases:
        with pytest.raises(PageError) as caught:
            pages.update_block_settings(store.db, block_id=block.id, settings=settings)
        assert (caught.value.code, caught.value.field) == (PageErrorCode.INVALID, field), settings
        assert field.split(".", 1)[1] in str(caught.value)
        with pytest.raises(PageError):
            pages.add_block(store.db, page_id=home.id, kind="hero", settings=settings)
    assert store.db.read(lambda conn: repo.get_block(conn, block.id)).settings == {"heading": "Hi", "overlay": 40}
    assert len(_positions(store.db, home.id)) == 1

    faq = pages.add_block(store.db, page_id=home.id, kind="faq", settings={"items": [{"question": "Why?"}]})
    with pytest.raises(PageError) as nested:
        pages.update_block_settings(store.db, block_id=faq.id, settings={"items": [{"question": 7}]})
    assert nested.value.field == "settings.items[0].question"
    with pytest.raises(PageError) as item:
        pages.update_block_settings(store.db, block_id=faq.id, settings={"items": [{"question": "Ok"}, "text"]})
    assert item.value.field == "settings.items[1]"

    updated = pages.update_block_settings(store.db, block_id=block.id, settings={"heading": "Hello", "overlay": 0})
    assert updated.settings == {"heading": "Hello", "overlay": 0}


def test_a_custom_block_s_settings_follow_its_own_schema(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=GOOD_CODE, settings={"who": "Oslo"})
    with pytest.raises(PageError) as caught:
        pages.update_block_settings(store.db, block_id=block.id, settings={"whom": "Oslo"})
    assert caught.value.field == "settings.whom"


# Code and revisions -------------------------------------------------------------------------------------

def test_every_saved_code_change_is_a_revision_newest_first(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=GOOD_CODE)
    second = pages.save_block_code(store.db, block_id=block.id, code=OTHER_CODE, author="Ann", message="Bye")
    third_code = OTHER_CODE.replace("Goodbye", "Farewell")
    third = pages.save_block_code(store.db, block_id=block.id, code=third_code)
    revisions = pages.list_revisions(store.db, block_id=block.id)
    assert [r.code for r in revisions] == [third_code, OTHER_CODE, GOOD_CODE]
    assert [r.id for r in revisions[:2]] == [third.id, second.id]
    assert (revisions[1].author, revisions[1].message) == ("Ann", "Bye")
    assert store.db.read(lambda conn: repo.get_block(conn, block.id)).code == third_code


def test_unchanged_code_makes_no_revision(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=GOOD_CODE)
    assert pages.save_block_code(store.db, block_id=block.id, code=GOOD_CODE) is None
    assert len(pages.list_revisions(store.db, block_id=block.id)) == 1


def test_invalid_code_is_refused_with_line_and_column_and_nothing_is_stored(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=GOOD_CODE)
    for bad, line, column in [("function render(ctx, h) {\n  return h.html`<p>`;\n  }}\n", 3, 4),
                              ("function render(ctx, h) {\n  return eval('1');\n}\n", 2, 10)]:
        with pytest.raises(PageError) as caught:
            pages.save_block_code(store.db, block_id=block.id, code=bad)
        error = caught.value
        assert (error.code, error.field) == (PageErrorCode.INVALID_CODE, "code")
        assert (error.diagnostics[0].line, error.diagnostics[0].column) == (line, column)
        assert f"line {line}, column {column}" in str(error)
    with pytest.raises(PageError) as added:
        pages.add_block(store.db, page_id=home.id, kind="custom", code="const x = 1;\n")
    assert added.value.code == PageErrorCode.INVALID_CODE
    assert store.db.read(lambda conn: repo.get_block(conn, block.id)).code == GOOD_CODE
    assert len(pages.list_revisions(store.db, block_id=block.id)) == 1
    assert len(_positions(store.db, home.id)) == 1


def test_diff_against_current_and_restore_as_a_new_revision(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=GOOD_CODE)
    first = pages.list_revisions(store.db, block_id=block.id)[0]
    pages.save_block_code(store.db, block_id=block.id, code=OTHER_CODE)

    diff = pages.diff_revision(store.db, revision_id=first.id).splitlines()
    assert diff[0].startswith("--- revision ") and diff[1] == "+++ current"
    assert "-  return h.html`<p class=\"greeting\">Hello, ${ctx.settings.who}</p>`;" in diff
    assert "+  return h.html`<p class=\"greeting\">Goodbye, ${ctx.settings.who}</p>`;" in diff
    current = pages.list_revisions(store.db, block_id=block.id)[0]
    assert pages.diff_revision(store.db, revision_id=current.id) == ""

    restored = pages.restore_revision(store.db, revision_id=first.id, author="Ann")
    assert restored is not None and restored.code == GOOD_CODE and restored.id != first.id
    revisions = pages.list_revisions(store.db, block_id=block.id)
    assert [r.code for r in revisions] == [GOOD_CODE, OTHER_CODE, GOOD_CODE]
    assert "Restored" in revisions[0].message
    assert store.db.read(lambda conn: repo.get_block(conn, block.id)).code == GOOD_CODE
    with pytest.raises(PageError) as missing:
        pages.diff_revision(store.db, revision_id="no-such-revision")
    assert missing.value.code == PageErrorCode.NOT_FOUND


def test_a_diff_of_code_without_a_final_newline_keeps_one_line_per_change(store: Store):
    home = _home(store.db)
    one = 'function render(ctx, h) { return h.html`<p>one</p>`; }'
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=one)
    first = pages.list_revisions(store.db, block_id=block.id)[0]
    pages.save_block_code(store.db, block_id=block.id, code=one.replace("one", "two"))
    lines = pages.diff_revision(store.db, revision_id=first.id).splitlines()
    assert lines[-2:] == ["-" + one, "+" + one.replace("one", "two")]


def test_forking_a_built_in_keeps_the_original_as_the_first_revision(store: Store):
    home = _home(store.db)
    block = pages.add_block(store.db, page_id=home.id, kind="rich-text")
    source = builtin_block("rich-text").source
    forked = source.replace("vs-rich-text__heading", "vs-rich-text__heading my-heading")
    pages.save_block_code(store.db, block_id=block.id, code=forked)
    revisions = pages.list_revisions(store.db, block_id=block.id)
    assert [r.code for r in revisions] == [forked, source]
    restored = pages.restore_revision(store.db, revision_id=revisions[1].id)
    assert restored.code == source
    assert len(pages.list_revisions(store.db, block_id=block.id)) == 3
