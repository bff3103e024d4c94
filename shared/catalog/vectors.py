"""Product vectors made locally (no network model at run time): feature hashing of the product's
words and title trigrams into 256 dimensions, L2-normalised, so cosine distance in libSQL's vector
index finds products with similar names, types and tags."""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct

from shared.catalog.views import plain_text
from shared.db import Connection, Database
from shared.db.repositories import vectors

DIMENSIONS = 256   # must match F32_BLOB(256) in migration 0005
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an and the of for with in on to from by our your is are it this that".split())


def _features(title: str, product_type: str, vendor: str, tags: list[str], description: str) -> dict[str, float]:
    weights: dict[str, float] = {}

    def add(feature: str, weight: float) -> None:
        weights[feature] = weights.get(feature, 0.0) + weight

    for word in _WORD.findall(title.lower()):
        if word not in _STOP and not word.isdigit():
            add(f"w:{word}", 3.0)
            for i in range(len(word) - 2):
                add(f"t:{word[i:i + 3]}", 0.25)
    for word in _WORD.findall(product_type.lower()):
        add(f"w:{word}", 3.0)
        add(f"type:{word}", 4.0)
    for tag in tags:
        add(f"tag:{tag.lower()}", 1.5)
    for word in _WORD.findall(plain_text(description).lower())[:200]:
        if word not in _STOP and len(word) > 2:
            add(f"w:{word}", 0.3)
    if vendor:
        add(f"vendor:{vendor.lower()}", 0.3)
    return weights


def embed(title: str, product_type: str, vendor: str, tags: list[str], description: str) -> bytes:
    """The product's vector as float32 bytes (what libSQL's F32_BLOB stores)."""
    vector = [0.0] * DIMENSIONS
    for feature, weight in _features(title, product_type, vendor, tags, description).items():
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        index = int.from_bytes(digest[:4], "little") % DIMENSIONS
        sign = 1.0 if digest[4] & 1 else -1.0
        vector[index] += sign * weight
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return struct.pack(f"<{DIMENSIONS}f", *(v / norm for v in vector))


def refresh_vector(conn: Connection, product_id: str, words: tuple[str, str, str, str, str], current: str | None
                   ) -> bool:
    """Save the product's vector when its words (title, type, vendor, tags as JSON text, description)
    changed since the vector whose source hash is `current`; whether it did."""
    title, ptype, vendor, tags, description = words
    source = hashlib.sha256("\0".join(words).encode()).hexdigest()[:32]
    if source == current:
        return False
    vectors.save_vector(conn, product_id=product_id, source_hash=source,
                        embedding=embed(title, ptype, vendor, json.loads(tags), description))
    return True


def index_products(db: Database, *, batch: int = 200_000) -> int:
    """Compute the vectors of products that have none or whose words changed; returns how many."""
    def write(conn: Connection) -> int:
        return sum(refresh_vector(conn, pid, (title, ptype, vendor, tags, description), current)
                   for pid, title, ptype, vendor, tags, description, current in vectors.product_texts(conn, limit=batch))

    return db.write(write)
