"""Bodies compressed once and kept in every encoding a browser may ask for (brotli, gzip, none).

A cached page or stylesheet is compressed when it is made (once per content version, in the render
thread), never per request; a request only picks the representation its Accept-Encoding allows. Each
representation has its own strong ETag, so a validator names exact bytes, and carries
`Vary: Accept-Encoding` so a shared cache keeps them apart.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import brotli

IDENTITY, GZIP, BROTLI = "identity", "gzip", "br"
# Below this a compressed body saves less than its headers cost (and a 404 page is not kept).
MIN_COMPRESS = 512


@dataclass(frozen=True)
class Representation:
    """One encoding of a body, with its headers made once."""

    body: bytes
    etag: str
    headers: Mapping[str, str]      # for the full answer
    validators: Mapping[str, str]   # for a 304 (no Content-Type, no Content-Encoding)


@dataclass(frozen=True)
class Encoded:
    """A body in each encoding it was made in (identity always)."""

    variants: Mapping[str, Representation]

    @property
    def size(self) -> int:
        """Bytes held, every encoding counted."""
        return sum(len(r.body) for r in self.variants.values())

    def pick(self, accept_encoding: str) -> Representation:
        """The representation for a request's Accept-Encoding: the client's most preferred encoding
        made here (brotli before gzip when it likes both alike), else the plain body."""
        for coding in preferred_encodings(accept_encoding[:300]):
            variant = self.variants.get(coding)
            if variant is not None:
                return variant
        return self.variants[IDENTITY]


def encode_body(body: bytes, *, content_type: str, cache_control: str, compress: bool = True,
                brotli_quality: int = 11, headers: Mapping[str, str] | None = None) -> Encoded:
    """`body` as it is, and (when `compress`) gzipped and brotli-compressed, each with its ETag and
    headers (plus `headers`, the same on every answer). Compression is deterministic (no gzip
    timestamp): every worker makes the same bytes."""
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    compress = compress and len(body) >= MIN_COMPRESS
    vary = {"Vary": "Accept-Encoding"} if compress else {}
    bodies = {IDENTITY: body}
    if compress:
        bodies[GZIP] = gzip.compress(body, compresslevel=9, mtime=0)
        bodies[BROTLI] = brotli.compress(body, quality=brotli_quality)
    variants = {}
    for coding, data in bodies.items():
        etag = f'"{digest}"' if coding == IDENTITY else f'"{digest}-{coding}"'
        validators = {"ETag": etag, "Cache-Control": cache_control, **vary}
        full = {**validators, "Content-Type": content_type, **(headers or {})}
        if coding != IDENTITY:
            full["Content-Encoding"] = coding
        variants[coding] = Representation(data, etag, full, validators)
    return Encoded(variants)


@functools.lru_cache(maxsize=512)
def preferred_encodings(accept_encoding: str) -> tuple[str, ...]:
    """The compressed encodings an Accept-Encoding value allows, most preferred first (RFC 9110
    12.5.3: q-values, `*`, `x-gzip`; q=0 refuses). Cached: browsers send a handful of spellings."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(",")[:20]:
        coding, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                weight = _qvalue(value.strip())
        if coding:
            weights.setdefault("gzip" if coding.lower() == "x-gzip" else coding.lower(), weight)
    anything = weights.get("*", 0.0)
    ranked = [(weights.get(coding, anything), coding) for coding in (BROTLI, GZIP)]
    return tuple(coding for weight, coding in sorted(ranked, key=lambda pair: -pair[0]) if weight > 0)


def _qvalue(text: str) -> float:
    """A q-value (0 to 1, up to three decimals); anything else counts as 0 (refused)."""
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if 0.0 <= value <= 1.0 else 0.0
