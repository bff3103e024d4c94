"""Posts: create, edit (rich-text body sanitised with nh3), schedule or publish, delete and restore.

Every function that writes runs in one `db.write` transaction: it does all it says or nothing, and
raises PostError (with a code and the field at fault) for bad input. Timestamps are ISO 8601 UTC text
with microseconds, so the storefront's `published_at <= now` comparison of text is a comparison of
times.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import nh3

from shared import slugs
from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.repositories import posts as repo
from shared.db.stamps import new_id, utc_now
from shared.models import Post
from shared.pages.service import PAGE_SLUG_RE
from shared.posts.errors import PostError, PostErrorCode

STATES = ("draft", "scheduled", "published")
MAX_TITLE = 200
MAX_AUTHOR = 120
MAX_EXCERPT = 1_000
MAX_BODY = 100_000          # characters of HTML, before and after sanitising
MAX_SEO_TITLE = 200         # hard caps; the editor recommends 60 and 155
MAX_SEO_DESCRIPTION = 500

# What a post body may contain: the formatting the studio's editor offers, nothing else.
BODY_TAGS = frozenset({"h2", "h3", "h4", "p", "ul", "ol", "li", "a", "img", "blockquote", "strong", "em", "br"})
BODY_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
_LINK_SCHEMES = {"http", "https", "mailto"}
# Images come from the store's own media (/media/<hash>-<width>.webp) or an https URL; never data:,
# http: (mixed content) or a protocol-relative //host address.
_IMAGE_SRC = re.compile(r"^(?:/media/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9]+)?|https://[^\s<>\"'\\]+)\Z")
_BARE_IMG = re.compile(r'<img(?: alt="[^"]*")?>')
_UNSET: Any = object()


def sanitize_body(html: str) -> str:
    """A post body made safe to serve: only BODY_TAGS with href/src/alt, links http(s)/mailto or
    relative (with rel=noopener), images from /media/ or https; scripts and styles dropped whole."""
    html = nh3.clean(html, tags=set(BODY_TAGS), attributes={k: set(v) for k, v in BODY_ATTRIBUTES.items()},
                     url_schemes=set(_LINK_SCHEMES), attribute_filter=_keep_attribute,
                     clean_content_tags={"script", "style"}, link_rel="noopener noreferrer")
    # An image whose src was refused is left as a bare <img>: drop it. nh3 writes attributes in
    # double quotes with '"' escaped, so this pattern cannot match across a value.
    return _BARE_IMG.sub("", html).strip()


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _IMAGE_SRC.match(value) else None
    return value


def slugify(title: str) -> str:
    """A post slug from a title: 'Autumn, at last!' -> 'autumn-at-last' ('post' when nothing is left)."""
    return slugs.slugify(title, fallback="post")


def _invalid(field: str, message: str) -> PostError:
    return PostError(PostErrorCode.INVALID, message, field=field)


def _text(field: str, label: str, value: Any, limit: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise _invalid(field, f"{label} must be text")
    if len(value) > limit:
        raise PostError(PostErrorCode.TOO_LARGE, f"{label} can be at most {limit} characters", field=field)
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise _invalid(field, f"{label} contains control characters")
    return value.strip()


def check_title(title: Any) -> str:
    """A post title, trimmed; raises PostError for an empty, over-long or multi-line one."""
    title = _text("title", "The title", title, MAX_TITLE)
    if not title:
        raise _invalid("title", "A post needs a title")
    return title


def check_slug(slug: Any) -> str:
    """A post slug; raises PostError unless it is 1-80 lowercase letters, digits and hyphens."""
    if not isinstance(slug, str) or not PAGE_SLUG_RE.match(slug):
        raise _invalid("slug", "A post address may use lowercase letters, digits and hyphens "
                               "(1-80 characters, not starting or ending with a hyphen)")
    return slug


def check_body(body_html: Any) -> str:
    """The body, sanitised; raises PostError when it is not text or too large."""
    if not isinstance(body_html, str):
        raise _invalid("body_html", "The body must be text")
    if len(body_html) > MAX_BODY:
        raise PostError(PostErrorCode.TOO_LARGE, f"The body can be at most {MAX_BODY:,} characters of HTML",
                        field="body_html")
    clean = sanitize_body(body_html)
    if len(clean) > MAX_BODY:   # escaping can lengthen it
        raise PostError(PostErrorCode.TOO_LARGE, f"The body can be at most {MAX_BODY:,} characters of HTML",
                        field="body_html")
    return clean


def _check_image_id(image_id: Any) -> str | None:
    if image_id is not None and (not isinstance(image_id, str) or len(image_id) > 64):
        raise _invalid("image_id", "The image must be a media id")
    return image_id


def _post(conn: Connection, post_id: Any) -> Post:
    post = repo.get_post(conn, post_id) if isinstance(post_id, str) else None
    if post is None:
        raise PostError(PostErrorCode.NOT_FOUND, f"No post with id {post_id}", field="post_id")
    return post


def _free_slug(conn: Connection, base: str, *, except_id: str | None = None) -> str:
    """`base`, or base-2, base-3... the first one no post (other than `except_id`) uses."""
    slug, n = base, 1
    while repo.slug_taken(conn, slug, except_id=except_id):
        n += 1
        suffix = f"-{n}"
        slug = base[:80 - len(suffix)].rstrip("-") + suffix
    return slug


def free_slug(db: Database, title: str, *, post_id: str | None = None) -> str:
    """The slug a post titled `title` would get: from the title, made unique with -2, -3... (the post
    `post_id` itself does not count as taking it)."""
    base = slugify(title) if isinstance(title, str) else "post"
    return db.read(lambda conn: _free_slug(conn, base, except_id=post_id))


def _check_slug_free(conn: Connection, slug: str, *, except_id: str | None) -> None:
    if repo.slug_taken(conn, slug, except_id=except_id):
        raise PostError(PostErrorCode.DUPLICATE_SLUG, f"Another post already uses the address '{slug}'",
                        field="slug")


def create_post(db: Database, title: str, *, slug: str | None = None) -> Post:
    """Create a draft post. Without a slug one is made from the title (made unique with -2, -3...);
    a given slug must be free. Raises PostError."""
    title = check_title(title)
    wanted = check_slug(slug) if slug is not None else None

    def write(conn: Connection) -> Post:
        if wanted is not None:
            _check_slug_free(conn, wanted, except_id=None)
        now = utc_now()
        post = Post(new_id(), wanted or _free_slug(conn, slugify(title)), title, created_at=now, updated_at=now)
        content.insert_post(conn, post)
        return post

    return db.write(write)


def _changes(*, title: Any, slug: Any, excerpt: Any, body_html: Any, author: Any, image_id: Any,
             seo_title: Any, seo_description: Any) -> dict[str, Any]:
    """The given fields, checked and cleaned (raises PostError naming the first bad one)."""
    checks = {
        "title": check_title,
        "slug": check_slug,
        "excerpt": lambda v: _text("excerpt", "The excerpt", v, MAX_EXCERPT, multiline=True),
        "body_html": check_body,
        "author": lambda v: _text("author", "The author", v, MAX_AUTHOR),
        "image_id": _check_image_id,
        "seo_title": lambda v: _text("seo_title", "The SEO title", v, MAX_SEO_TITLE),
        "seo_description": lambda v: _text("seo_description", "The SEO description", v, MAX_SEO_DESCRIPTION,
                                           multiline=True),
    }
    given = {"title": title, "slug": slug, "excerpt": excerpt, "body_html": body_html, "author": author,
             "image_id": image_id, "seo_title": seo_title, "seo_description": seo_description}
    return {name: checks[name](value) for name, value in given.items() if value is not _UNSET}


def update_post(db: Database, post_id: str, *, title: Any = _UNSET, slug: Any = _UNSET, excerpt: Any = _UNSET,
                body_html: Any = _UNSET, author: Any = _UNSET, image_id: Any = _UNSET, seo_title: Any = _UNSET,
                seo_description: Any = _UNSET) -> Post:
    """Change the given fields of a post (the body is sanitised, `image_id=None` removes the image);
    only fields that differ are written, and updated_at moves only then. Returns the stored post.
    Raises PostError (NOT_FOUND, INVALID, TOO_LARGE, DUPLICATE_SLUG) and then stores nothing."""
    changes = _changes(title=title, slug=slug, excerpt=excerpt, body_html=body_html, author=author,
                       image_id=image_id, seo_title=seo_title, seo_description=seo_description)

    def write(conn: Connection) -> Post:
        post = _post(conn, post_id)
        fields = {name: value for name, value in changes.items() if getattr(post, name) != value}
        if "slug" in fields:
            _check_slug_free(conn, fields["slug"], except_id=post.id)
        if fields.get("image_id") is not None and not repo.media_exists(conn, fields["image_id"]):
            raise _invalid("image_id", "No such image in the store's media")
        if not fields:
            return post
        repo.update_post(conn, post.id, **fields, updated_at=utc_now())
        return _post(conn, post.id)

    return db.write(write)


def parse_publish_at(value: Any) -> str:
    """An ISO 8601 date and time with a time zone, as UTC text with microseconds; raises PostError."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 64:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _invalid("publish_at", "The publish date must be an ISO 8601 date and time, "
                                         "e.g. 2030-05-01T09:00:00+00:00") from None
    else:
        raise _invalid("publish_at", "The publish date must be an ISO 8601 date and time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _invalid("publish_at", "The publish date needs a time zone (e.g. +02:00 or Z)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def set_post_state(db: Database, post_id: str, *, status: str, publish_at: Any = None,
                   now: str | None = None) -> Post:
    """Make a post a draft, schedule it, or publish it.

    'scheduled' needs `publish_at` (ISO 8601 with a time zone) later than `now`: shoppers see the post
    from then on. 'published' shows it at once: published_at becomes now unless it already holds a
    past time (re-publishing keeps the original date). 'draft' hides it and keeps its date.
    Raises PostError."""
    if status not in STATES:
        raise _invalid("status", "The state must be draft, scheduled or published")
    if status != "scheduled" and publish_at is not None:
        raise _invalid("publish_at", "Only a scheduled post takes a publish date")
    now = now or utc_now()
    when = parse_publish_at(publish_at) if status == "scheduled" else None
    if status == "scheduled" and (when is None or when <= now):
        raise _invalid("publish_at", "A scheduled post needs a publish date in the future")

    def write(conn: Connection) -> Post:
        post = _post(conn, post_id)
        published_at = post.published_at
        if status == "scheduled":
            published_at = when
        elif status == "published" and (not published_at or published_at > now):
            published_at = now
        if (post.status, post.published_at) == (status, published_at):
            return post
        repo.update_post(conn, post.id, status=status, published_at=published_at, updated_at=utc_now())
        return _post(conn, post.id)

    return db.write(write)


def get_post(db: Database, post_id: str) -> Post:
    """A post by id; raises PostError(NOT_FOUND)."""
    return db.read(lambda conn: _post(conn, post_id))


def list_posts(db: Database) -> list[Post]:
    """Every post, newest first, whatever its state."""
    return db.read(content.list_posts)


def delete_post(db: Database, post_id: str) -> Post:
    """Delete a post; returns it as it was, for `restore_post` (undo). Raises PostError(NOT_FOUND)."""
    def write(conn: Connection) -> Post:
        post = _post(conn, post_id)
        repo.delete_post(conn, post.id)
        return post

    return db.write(write)


def restore_post(db: Database, snapshot: Post) -> Post:
    """Put a post back exactly as `snapshot` (same id, fields, state and dates): brings a deleted post
    back, or rewinds an existing one (undo). An image deleted since is dropped. Raises PostError for
    a slug another post took meanwhile, or a snapshot that is not a valid post."""
    if not isinstance(snapshot, Post) or snapshot.status not in STATES:
        raise _invalid("post", "Not a post snapshot")
    check_title(snapshot.title)
    check_slug(snapshot.slug)

    def write(conn: Connection) -> Post:
        _check_slug_free(conn, snapshot.slug, except_id=snapshot.id)
        post = snapshot
        if post.image_id is not None and not repo.media_exists(conn, post.image_id):
            post = replace(post, image_id=None)
        if repo.get_post(conn, post.id) is None:
            content.insert_post(conn, post)
        else:
            repo.update_post(conn, post.id, slug=post.slug, title=post.title, excerpt=post.excerpt,
                             body_html=post.body_html, author=post.author, status=post.status,
                             published_at=post.published_at, image_id=post.image_id, seo_title=post.seo_title,
                             seo_description=post.seo_description, updated_at=utc_now())
        return _post(conn, post.id)

    return db.write(write)
