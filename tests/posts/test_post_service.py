"""The posts service on real store databases: validation, sanitising, scheduling, delete and restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.db.repositories import content
from shared.posts import service as posts
from shared.posts.errors import PostError, PostErrorCode
from shared.storefront.routes import article_route, blog_route
from shared.storefront.service import Store


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _rows(store: Store) -> list[tuple]:
    """Every post row as stored, to show that a refusal changed nothing."""
    return store.db.read(lambda conn: conn.all("SELECT * FROM posts ORDER BY id"))


def _refused(store: Store, code: PostErrorCode, field: str, call, *args, **kwargs) -> PostError:
    before = _rows(store)
    with pytest.raises(PostError) as caught:
        call(store.db, *args, **kwargs)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert _rows(store) == before
    return caught.value


# --- create and edit ---------------------------------------------------------------------------

def test_create_makes_a_draft_with_a_unique_slug_from_the_title(store: Store) -> None:
    first = posts.create_post(store.db, "  Autumn, at last! ")
    second = posts.create_post(store.db, "Autumn at last")
    third = posts.create_post(store.db, title="Crème brûlée")
    assert (first.title, first.slug, first.status, first.published_at) == ("Autumn, at last!", "autumn-at-last",
                                                                         "draft", None)
    assert second.slug == "autumn-at-last-2"
    assert third.slug == "creme-brulee"
    assert posts.create_post(store.db, "!!!").slug == "post"   # newest: listed first
    assert [p.id for p in posts.list_posts(store.db)][1:] == [third.id, second.id, first.id]
    assert posts.get_post(store.db, first.id) == first


def test_create_refuses_bad_titles_and_slugs(store: Store) -> None:
    posts.create_post(store.db, "Taken", slug="taken")
    _refused(store, PostErrorCode.INVALID, "title", posts.create_post, "   ")
    _refused(store, PostErrorCode.INVALID, "title", posts.create_post, None)
    _refused(store, PostErrorCode.TOO_LARGE, "title", posts.create_post, "x" * 201)
    _refused(store, PostErrorCode.INVALID, "title", posts.create_post, "two\nlines")
    _refused(store, PostErrorCode.INVALID, "slug", posts.create_post, "Fine", slug="Not OK")
    _refused(store, PostErrorCode.INVALID, "slug", posts.create_post, "Fine", slug="-edge-")
    _refused(store, PostErrorCode.INVALID, "slug", posts.create_post, "Fine", slug="../etc")
    _refused(store, PostErrorCode.DUPLICATE_SLUG, "slug", posts.create_post, "Fine", slug="taken")


def test_update_changes_only_the_given_fields(store: Store) -> None:
    post = posts.create_post(store.db, "Notes")
    updated = posts.update_post(store.db, post.id, excerpt=" A short one.\nTwo lines. ", author="Maya",
                                seo_title="Notes from the shop", seo_description="What we made this week.")
    assert (updated.title, updated.slug) == ("Notes", "notes")
    assert (updated.excerpt, updated.author) == ("A short one.\nTwo lines.", "Maya")
    assert (updated.seo_title, updated.seo_description) == ("Notes from the shop", "What we made this week.")
    assert updated.updated_at >= post.updated_at
    # Nothing differs: nothing is written, updated_at stays.
    assert posts.update_post(store.db, post.id, author="Maya") == updated
    renamed = posts.update_post(store.db, post.id, title="Field notes", slug="field-notes")
    assert (renamed.title, renamed.slug) == ("Field notes", "field-notes")


def test_update_refuses_bad_fields_and_stores_nothing(store: Store) -> None:
    post = posts.create_post(store.db, "Notes")
    other = posts.create_post(store.db, "Other")
    _refused(store, PostErrorCode.DUPLICATE_SLUG, "slug", posts.update_post, post.id, slug=other.slug)
    _refused(store, PostErrorCode.NOT_FOUND, "post_id", posts.update_post, "no-such-id", title="x")
    _refused(store, PostErrorCode.TOO_LARGE, "excerpt", posts.update_post, post.id, excerpt="e" * 1001)
    _refused(store, PostErrorCode.TOO_LARGE, "seo_title", posts.update_post, post.id, seo_title="t" * 201)
    _refused(store, PostErrorCode.TOO_LARGE, "seo_description", posts.update_post, post.id,
             seo_description="d" * 501)
    _refused(store, PostErrorCode.INVALID, "author", posts.update_post, post.id, author=["Maya"])
    _refused(store, PostErrorCode.INVALID, "author", posts.update_post, post.id, author="Ma\x00ya")
    _refused(store, PostErrorCode.INVALID, "image_id", posts.update_post, post.id, image_id="no-such-media")
    _refused(store, PostErrorCode.INVALID, "image_id", posts.update_post, post.id, image_id=42)
    _refused(store, PostErrorCode.TOO_LARGE, "body_html", posts.update_post, post.id,
             body_html="<p>" + "a" * posts.MAX_BODY + "</p>")
    _refused(store, PostErrorCode.INVALID, "body_html", posts.update_post, post.id, body_html=b"<p>bytes</p>")
    # A bad field refuses the whole call: the good one next to it is not stored either.
    _refused(store, PostErrorCode.INVALID, "title", posts.update_post, post.id, excerpt="fine", title="")


def test_update_sets_and_clears_the_image(demo_store: Store) -> None:
    media = demo_store.db.read(content.list_media)
    post = posts.create_post(demo_store.db, "With a picture")
    assert posts.update_post(demo_store.db, post.id, image_id=media[0].id).image_id == media[0].id
    assert posts.update_post(demo_store.db, post.id, image_id=None).image_id is None


# --- sanitising ------------------------------------------------------------------------------------

def test_the_body_keeps_the_editor_formatting(store: Store) -> None:
    body = ('<h2>Heading</h2><h3>Sub</h3><h4>Small</h4><p>Some <strong>bold</strong> and <em>italic</em>'
            '<br>text with <a href="https://example.com/x">a link</a> and <a href="/blog/other">another</a>.</p>'
            '<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>Quoted</p></blockquote>'
            '<p><img src="/media/abc123-640.webp" alt="A mug"><img src="https://cdn.example.com/a.png" alt=""></p>')
    post = posts.update_post(store.db, posts.create_post(store.db, "Rich").id, body_html=body)
    for kept in ("<h2>Heading</h2>", "<h3>Sub</h3>", "<h4>Small</h4>", "<strong>bold</strong>", "<em>italic</em>",
                 "<br>", '<a href="https://example.com/x" rel="noopener noreferrer">a link</a>',
                 '<a href="/blog/other" rel="noopener noreferrer">', "<ul><li>one</li></ul>", "<ol><li>two</li></ol>",
                 "<blockquote><p>Quoted</p></blockquote>", '<img src="/media/abc123-640.webp" alt="A mug">',
                 '<img src="https://cdn.example.com/a.png" alt="">'):
        assert kept in post.body_html


@pytest.mark.parametrize("hostile, gone", [
    ('<p>hi</p><script>alert(1)</script>', ["<script", "alert"]),
    ('<p onclick="alert(1)">hi</p>', ["onclick", "alert"]),
    ('<img src="/media/a-1.webp" onerror="alert(1)">', ["onerror", "alert"]),
    ('<img src=x onerror=alert(1)>', ["<img", "onerror"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript", "alert"]),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', ["javascript", "alert"]),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', ["data:", "alert"]),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', ["data:", "<img"]),
    ('<img src="http://insecure.example/a.png">', ["http://", "<img"]),
    ('<img src="//evil.example/a.png">', ["evil", "<img"]),
    ('<img src="/media/../../etc/passwd">', ["..", "<img"]),
    ('<style>body{display:none}</style><p>x</p>', ["<style", "display"]),
    ('<iframe src="https://evil.example"></iframe><p>x</p>', ["iframe", "evil"]),
    ('<p style="background:url(javascript:alert(1))">x</p>', ["style", "javascript"]),
    ('<svg><script>alert(1)</script></svg>', ["svg", "alert"]),
    ('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ["onerror", "<style"]),
    ('<form action="https://evil.example"><input name="card"></form>', ["form", "input"]),
    ('<p id="x" class="y">x</p>', ["id=", "class="]),
])
def test_hostile_html_is_neutralised(store: Store, hostile: str, gone: list[str]) -> None:
    post = posts.update_post(store.db, posts.create_post(store.db, "Hostile").id, body_html=hostile)
    for needle in gone:
        assert needle.lower() not in post.body_html.lower()


# --- states and scheduling -----------------------------------------------------------------------

def test_publish_sets_the_date_once(store: Store) -> None:
    post = posts.create_post(store.db, "Now")
    published = posts.set_post_state(store.db, post.id, status="published")
    assert published.status == "published" and published.published_at
    drafted = posts.set_post_state(store.db, post.id, status="draft")
    assert (drafted.status, drafted.published_at) == ("draft", published.published_at)
    again = posts.set_post_state(store.db, post.id, status="published")
    assert again.published_at == published.published_at


def test_a_scheduled_post_appears_once_its_time_has_come(store: Store) -> None:
    post = posts.create_post(store.db, "Spring catalogue")
    posts.update_post(store.db, post.id, body_html="<p>Soon</p>")
    now = datetime.now(UTC)
    when = now + timedelta(days=2)
    # An offset other than UTC is converted: the stored text compares as a time.
    scheduled = posts.set_post_state(store.db, post.id, status="scheduled",
                                     publish_at=when.astimezone(UTC).replace(tzinfo=None).isoformat() + "+00:00")
    assert scheduled.status == "scheduled"
    assert scheduled.published_at == _iso(when)

    def visible(at: datetime) -> list[str]:
        return store.db.read(lambda conn: [p["slug"] for p in blog_route(conn, params={}, path="/blog",
                                                                           now=_iso(at))["posts"]])

    def article(at: datetime):
        return store.db.read(lambda conn: article_route(conn, slug=post.slug, now=_iso(at)))

    assert post.slug not in visible(now)
    assert article(now) is None
    assert post.slug not in visible(when - timedelta(seconds=1))
    assert post.slug in visible(when)
    assert post.slug in visible(when + timedelta(days=1))
    assert article(when + timedelta(minutes=1))["post"]["body_html"] == "<p>Soon</p>"


def test_publish_at_in_another_zone_is_stored_in_utc(store: Store) -> None:
    post = posts.create_post(store.db, "Zones")
    scheduled = posts.set_post_state(store.db, post.id, status="scheduled", publish_at="2099-05-01T09:00:00+02:00")
    assert scheduled.published_at == "2099-05-01T07:00:00.000000+00:00"
    z = posts.set_post_state(store.db, post.id, status="scheduled", publish_at="2099-05-01T09:00:00Z")
    assert z.published_at == "2099-05-01T09:00:00.000000+00:00"


def test_publishing_a_scheduled_post_shows_it_now(store: Store) -> None:
    post = posts.create_post(store.db, "Early")
    posts.set_post_state(store.db, post.id, status="scheduled", publish_at="2099-01-01T00:00:00+00:00")
    now = _iso(datetime.now(UTC))
    published = posts.set_post_state(store.db, post.id, status="published", now=now)
    assert published.published_at == now
    assert store.db.read(lambda conn: article_route(conn, slug=post.slug, now=_iso(datetime.now(UTC)))) is not None


@pytest.mark.parametrize("kwargs, field", [
    ({"status": "scheduled"}, "publish_at"),
    ({"status": "scheduled", "publish_at": "2000-01-01T00:00:00+00:00"}, "publish_at"),
    ({"status": "scheduled", "publish_at": "2099-01-01T00:00:00"}, "publish_at"),
    ({"status": "scheduled", "publish_at": "next tuesday"}, "publish_at"),
    ({"status": "scheduled", "publish_at": "2099-13-40T99:00:00+00:00"}, "publish_at"),
    ({"status": "scheduled", "publish_at": "2" * 10_000}, "publish_at"),
    ({"status": "scheduled", "publish_at": 4102444800}, "publish_at"),
    ({"status": "published", "publish_at": "2099-01-01T00:00:00+00:00"}, "publish_at"),
    ({"status": "live"}, "status"),
    ({"status": None}, "status"),
])
def test_bad_states_are_refused(store: Store, kwargs: dict, field: str) -> None:
    post = posts.create_post(store.db, "States")
    _refused(store, PostErrorCode.INVALID, field, posts.set_post_state, post.id, **kwargs)


def test_the_past_is_measured_against_now(store: Store) -> None:
    post = posts.create_post(store.db, "Now matters")
    later = "2030-01-01T00:00:00.000000+00:00"
    _refused(store, PostErrorCode.INVALID, "publish_at", posts.set_post_state, post.id, status="scheduled",
             publish_at="2029-12-31T23:00:00+00:00", now=later)
    assert posts.set_post_state(store.db, post.id, status="scheduled", publish_at="2030-01-01T00:00:01+00:00",
                                now=later).status == "scheduled"


# --- delete and restore --------------------------------------------------------------------------

def test_delete_and_restore_bring_the_same_post_back(demo_store: Store) -> None:
    post = demo_store.db.read(content.list_posts)[0]
    assert post.image_id is not None
    deleted = posts.delete_post(demo_store.db, post.id)
    assert deleted == post
    with pytest.raises(PostError) as missing:
        posts.get_post(demo_store.db, post.id)
    assert missing.value.code == PostErrorCode.NOT_FOUND
    restored = posts.restore_post(demo_store.db, deleted)
    assert restored == post
    _refused(demo_store, PostErrorCode.NOT_FOUND, "post_id", posts.delete_post, "no-such-id")


def test_restore_rewinds_an_existing_post(store: Store) -> None:
    post = posts.create_post(store.db, "Rewind")
    before = posts.update_post(store.db, post.id, body_html="<p>one</p>")
    posts.update_post(store.db, post.id, body_html="<p>two</p>", title="Changed")
    posts.set_post_state(store.db, post.id, status="scheduled", publish_at="2099-01-01T00:00:00+00:00")
    back = posts.restore_post(store.db, before)
    assert (back.title, back.body_html, back.status, back.published_at) == ("Rewind", "<p>one</p>", "draft", None)


def test_restore_refuses_a_slug_taken_meanwhile(store: Store) -> None:
    post = posts.create_post(store.db, "Mine")
    snapshot = posts.delete_post(store.db, post.id)
    posts.create_post(store.db, "Mine")      # takes 'mine'
    _refused(store, PostErrorCode.DUPLICATE_SLUG, "slug", posts.restore_post, snapshot)


def test_free_slug_skips_taken_ones_but_not_the_post_itself(store: Store) -> None:
    post = posts.create_post(store.db, "Field notes")
    assert posts.free_slug(store.db, "Field notes") == "field-notes-2"
    assert posts.free_slug(store.db, "Field notes", post_id=post.id) == "field-notes"
    assert posts.free_slug(store.db, "Other notes", post_id=post.id) == "other-notes"
