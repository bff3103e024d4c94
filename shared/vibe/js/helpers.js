// The `h` helper API handed to every block's `render(ctx, h)`. Pure functions, no host callbacks.
// Evaluated after harden.js as an expression: it yields `makeHelpers(env)`, which the page runner
// calls once per render with the storefront's locale, currency and URL bases.
(function () {
  "use strict";

  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };
  const ESCAPE_RE = /[&<>"'`]/g;
  const NEEDS_ESCAPE = /[&<>"'`]/;

  /**
   * Freeze an object and everything hanging off it. Object.freeze is shallow: the helpers and SafeHtml
   * are shared by every render in the context, so a block setting `h.html.x`,
   * `h.escapeHtml.prototype.x` or `Object.getPrototypeOf(h.raw("")).toString.x` would otherwise
   * leave state for the next render (another shopper's).
   */
  function deepFreeze(root) {
    const stack = [root];
    const seen = new Set();
    while (stack.length > 0) {
      const value = stack.pop();
      if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
      if (seen.has(value)) continue;
      seen.add(value);
      Object.freeze(value);
      stack.push(Object.getPrototypeOf(value));
      for (const key of Reflect.ownKeys(value)) {
        const desc = Object.getOwnPropertyDescriptor(value, key);
        if ("value" in desc) stack.push(desc.value);
        if (desc.get) stack.push(desc.get);
        if (desc.set) stack.push(desc.set);
      }
    }
    return root;
  }

  /** Markup that is already safe: produced by h.html or h.raw, never escaped again. */
  class SafeHtml {
    #value;
    constructor(value) { this.#value = String(value); Object.freeze(this); }
    toString() { return this.#value; }
    get length() { return this.#value.length; }
  }
  deepFreeze(SafeHtml);

  function escapeHtml(value) {
    if (value === null || value === undefined) return "";
    const text = String(value);
    return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_RE, (ch) => ESCAPES[ch]) : text;
  }

  function toHtml(value) {
    if (value instanceof SafeHtml) return String(value);
    if (Array.isArray(value)) return value.map(toHtml).join("");
    if (value === null || value === undefined || value === false) return "";
    return escapeHtml(value);
  }

  /** Tagged template: interpolations are escaped unless they are SafeHtml; arrays are joined. */
  function html(strings, ...values) {
    let out = strings[0];
    for (let i = 0; i < values.length; i += 1) out += toHtml(values[i]) + strings[i + 1];
    return new SafeHtml(out);
  }

  function raw(value) { return new SafeHtml(value === null || value === undefined ? "" : value); }

  const SAFE_URL = /^(?:https?:|mailto:|tel:|\/(?!\/)|#|\?|\.{0,2}\/|[a-z0-9][a-z0-9._~-]*(?:[/?#]|$))/i;

  /** A URL that is safe in an href/src: javascript:, data: and other schemes become "#". */
  function safeUrl(value) {
    const text = String(value === null || value === undefined ? "" : value).trim();
    return SAFE_URL.test(text) ? text : "#";
  }

  function truncate(value, length = 100, ellipsis = "\u2026") {
    const text = String(value === null || value === undefined ? "" : value);
    const chars = Array.from(text);
    if (chars.length <= length) return text;
    const cut = chars.slice(0, Math.max(0, length - Array.from(ellipsis).length)).join("");
    const atWord = cut.replace(/\s+\S*$/, "");
    return (atWord.length > cut.length * 0.6 ? atWord : cut).trimEnd() + ellipsis;
  }

  // Intl formatters are costly to build; they hold no block-visible state, so they are kept across
  // renders (as are the frozen helper objects, one per environment). The currency comes from block
  // data and Intl accepts any three letters, so the cache is bounded: a block looping over "AAA" to
  // "ZZZ" would otherwise grow the context's heap render after render.
  const PRICE_FORMATS = 64;
  const priceFormats = new Map();
  const helperSets = new Map();

  function priceFormat(locale, code) {
    const key = `${locale}|${code}`;
    let entry = priceFormats.get(key);
    if (entry === undefined) {
      const fmt = new Intl.NumberFormat(locale, { style: "currency", currency: code });
      entry = { fmt, scale: 10 ** fmt.resolvedOptions().maximumFractionDigits };
      if (priceFormats.size >= PRICE_FORMATS) priceFormats.delete(priceFormats.keys().next().value);
      priceFormats.set(key, entry);
    }
    return entry;
  }

  function makeHelpers(env) {
    const key = JSON.stringify([env.locale, env.currency, env.mediaBase, env.timeZone]);
    let helpers = helperSets.get(key);
    if (helpers === undefined) {
      helpers = buildHelpers(env);
      if (helperSets.size < 64) helperSets.set(key, helpers);
    }
    return helpers;
  }

  function buildHelpers(env) {
    const locale = env.locale || "en-US";
    const currency = env.currency || "USD";
    const mediaBase = (env.mediaBase || "").replace(/\/$/, "");

    /** Money is integer minor units: formatPrice({amount: 1999, currency: "EUR"}) or (1999). */
    function formatPrice(money, code) {
      if (money === null || money === undefined) return "";
      const amount = typeof money === "object" ? money.amount : money;
      const cur = (typeof money === "object" && money.currency) || code || currency;
      const { fmt, scale } = priceFormat(locale, cur);
      return fmt.format(Number(amount) / scale);
    }

    function formatDate(value, style = "medium") {
      if (!value) return "";
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) return "";
      const options = style === "iso" ? null : { dateStyle: style, timeZone: env.timeZone || "UTC" };
      return options ? new Intl.DateTimeFormat(locale, options).format(date) : date.toISOString().slice(0, 10);
    }

    function pluralize(count, singular, plural) {
      const word = Number(count) === 1 ? singular : (plural || `${singular}s`);
      return `${new Intl.NumberFormat(locale).format(Number(count))} ${word}`;
    }

    function url(path, query) {
      let out = String(path || "/");
      if (!out.startsWith("/")) out = `/${out}`;
      if (query && typeof query === "object") {
        const parts = Object.keys(query)
          .filter((key) => query[key] !== undefined && query[key] !== null && query[key] !== "")
          .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(query[key]))}`);
        if (parts.length > 0) out += `?${parts.join("&")}`;
      }
      return out;
    }

    function imageUrl(image, width) {
      if (!image) return "";
      if (typeof image === "string") return safeUrl(image);
      const widths = image.widths || [];
      const best = widths.find((w) => w >= (width || 0)) || widths[widths.length - 1];
      if (!image.hash || !best) return safeUrl(image.src || "");
      return `${mediaBase}/media/${image.hash}-${best}.${image.format || "webp"}`;
    }

    function srcset(image) {
      if (!image || !image.hash || !image.widths) return "";
      return image.widths.map((w) => `${imageUrl(image, w)} ${w}w`).join(", ");
    }

    /** A complete, lazy-loading, responsive <img> element. */
    function image(img, options = {}) {
      if (!img) return new SafeHtml("");
      const sizes = options.sizes || "100vw";
      const cls = options.class ? ` class="${escapeHtml(options.class)}"` : "";
      const loading = options.eager ? "eager" : "lazy";
      const dims = img.width && img.height ? ` width="${Number(img.width)}" height="${Number(img.height)}"` : "";
      return new SafeHtml(
        `<img src="${escapeHtml(imageUrl(img, options.width || 640))}" srcset="${escapeHtml(srcset(img))}"` +
        ` sizes="${escapeHtml(sizes)}" alt="${escapeHtml(img.alt || options.alt || "")}"` +
        ` loading="${loading}" decoding="async"${dims}${cls}>`,
      );
    }

    const helpers = {
      escapeHtml, html, raw, safeUrl, formatPrice, formatDate, pluralize, truncate,
      url, imageUrl, srcset, image,
      productUrl: (p) => url(`/products/${encodeURIComponent(p && p.handle ? p.handle : "")}`),
      collectionUrl: (c) => url(`/collections/${encodeURIComponent(c && c.handle ? c.handle : "")}`),
      postUrl: (p) => url(`/blog/${encodeURIComponent(p && p.slug ? p.slug : "")}`),
      pageUrl: (p) => url(p && p.slug && p.slug !== "home" ? `/pages/${encodeURIComponent(p.slug)}` : "/"),
      classes: (...names) => names.filter(Boolean).join(" "),
    };
    return deepFreeze(helpers);
  }

  return Object.freeze({ makeHelpers, SafeHtml });
})()
