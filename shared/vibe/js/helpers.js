// The `h` helper API handed to every block's `render(ctx, h)`. Pure functions, no host callbacks.
// Evaluated after harden.js as an expression that yields a function of the currency table; the host
// calls it with the data of shared/models/iso4217.json ({code: minor-unit digits}) and gets
// `makeHelpers(env)`, which the page runner calls once per render with the storefront's locale,
// currency and URL bases.
(function (minorUnitTable) {
  "use strict";

  // ISO 4217 digits from the one table Python uses too. ICU's own digits differ for a dozen
  // currencies (IQD 0 instead of 3, RSD 0 instead of 2): formatting with them would show a price
  // 100 to 1,000 times off from the JSON-LD price and the filters, so they are never used.
  const MINOR_UNITS = Object.freeze(Object.assign(Object.create(null), minorUnitTable));

  /** The digits of `code`'s minor unit; a code the table lacks throws (a guessed scale is a wrong price). */
  function minorUnits(code) {
    if (typeof code !== "string" || !Object.hasOwn(MINOR_UNITS, code)) {
      throw new RangeError(`${String(code).slice(0, 12)} is not an ISO 4217 currency with a minor unit`);
    }
    return MINOR_UNITS[code];
  }

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

  const IMAGE_PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="10" y="14" width="44" height="36" rx="3"/><circle cx="24" cy="26" r="4"/><path d="M10 44l13-12 9 8 7-6 15 12"/></svg>';
  const ICON_PREV = '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M15 5l-7 7 7 7"/></svg>';
  const ICON_NEXT = '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9 5l7 7-7 7"/></svg>';

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
  // renders (as are the frozen helper objects, one per environment). The cache is bounded all the
  // same: a block looping over every currency would otherwise keep ~180 formatters per locale.
  const PRICE_FORMATS = 64;
  const priceFormats = new Map();
  const helperSets = new Map();

  function priceFormat(locale, code) {
    const key = `${locale}|${code}`;
    let entry = priceFormats.get(key);
    if (entry === undefined) {
      const digits = minorUnits(code);
      const fmt = new Intl.NumberFormat(locale, {
        style: "currency", currency: code, minimumFractionDigits: digits, maximumFractionDigits: digits,
      });
      entry = { fmt, scale: 10 ** digits };
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

    function moneyParts(money, code) {
      const amount = typeof money === "object" ? money.amount : money;
      return [amount, (typeof money === "object" && money.currency) || code || currency];
    }

    /** Money is integer minor units: formatPrice({amount: 1999, currency: "EUR"}) or (1999). The
     * digits are the currency table's (ISO 4217), whatever the locale's own conventions say. */
    function formatPrice(money, code) {
      if (money === null || money === undefined) return "";
      const [amount, cur] = moneyParts(money, code);
      const { fmt, scale } = priceFormat(locale, cur);
      return fmt.format(Number(amount) / scale);
    }

    /** The plain decimal in major units with the table's digits, no symbol or grouping
     * ({amount: 2400, currency: "JPY"} -> "2400", 123456 IQD -> "123.456"): what number inputs and
     * structured data take. "" for an amount that is not a whole number of minor units. */
    function formatAmount(money, code) {
      if (money === null || money === undefined) return "";
      const [amount, cur] = moneyParts(money, code);
      const digits = minorUnits(cur);
      const n = amount === "" || amount === null ? NaN : Number(amount);
      if (!Number.isSafeInteger(n)) return "";
      const whole = String(Math.abs(n)).padStart(digits + 1, "0");
      const text = digits === 0 ? whole : `${whole.slice(0, -digits)}.${whole.slice(-digits)}`;
      return n < 0 ? `-${text}` : text;
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

    // ---- Snippets: the markup several blocks share (blocks cannot import each other) ----

    const isOnSale = (p) => Boolean(p.compare_at_price && p.price &&
      Number(p.compare_at_price.amount) > Number(p.price.amount));

    function productPrice(p) {
      if (!p.price) return "";
      if (isOnSale(p)) {
        return html`<p class="vs-price vs-price--sale">
      <span class="vs-visually-hidden">Sale price</span><span class="vs-price__current">${p.price_varies ? "From " : ""}${formatPrice(p.price)}</span>
      <span class="vs-visually-hidden">Regular price</span><s class="vs-price__compare">${formatPrice(p.compare_at_price)}</s>
    </p>`;
      }
      return html`<p class="vs-price"><span class="vs-price__current">${p.price_varies ? "From " : ""}${formatPrice(p.price)}</span></p>`;
    }

    /** A product card as the built-in grids show it: image (second image on hover), badges, title, price. */
    function productCard(p, options = {}) {
      const sizes = options.sizes || "50vw";
      const first = p.featured_image || (p.images && p.images[0]) || null;
      const second = p.images && p.images.length > 1 ? p.images[1] : null;
      const badge = !p.available
        ? html`<span class="vs-badge vs-badge--muted">Sold out</span>`
        : isOnSale(p) ? html`<span class="vs-badge vs-badge--sale">Sale</span>` : "";
      return html`<li class="${classes("vs-card", !p.available && "vs-card--sold-out")}">
    <div class="${classes("vs-card__media", second && "vs-card__media--hover")}">
      ${first ? image(first, { sizes, alt: p.title, class: "vs-card__img" })
        : html`<div class="vs-placeholder">${raw(IMAGE_PLACEHOLDER)}</div>`}
      ${second ? image(second, { sizes, alt: "", class: "vs-card__img vs-card__img--second" }) : ""}
      ${badge ? html`<div class="vs-card__badges">${badge}</div>` : ""}
    </div>
    <div class="vs-card__info">
      ${options.showVendor && p.vendor ? html`<p class="vs-card__vendor">${p.vendor}</p>` : ""}
      <h3 class="vs-card__title"><a class="vs-card__link" href="${productUrl(p)}">${p.title}</a></h3>
      ${productPrice(p)}
    </div>
  </li>`;
    }

    /**
     * The page links to show: the current page and two either side, and the first and last pages when the
     * host sent them (it may send only a window); null marks a gap, including one before or after the window.
     */
    function pageWindow(urls, current, pages) {
      const keep = urls.filter((u) => {
        const n = Number(u.page);
        return n === 1 || n === pages || Math.abs(n - current) <= 2;
      });
      const out = [];
      let previous = 0;
      keep.forEach((u) => {
        if (Number(u.page) - previous > 1) out.push(null);
        out.push(u);
        previous = Number(u.page);
      });
      if (previous > 0 && previous < pages) out.push(null);
      return out;
    }

    /** Page links for ctx.route.pagination: previous, numbers with gaps, next; "" for a single page. */
    function pagination(pg) {
      if (!pg || !(Number(pg.pages) > 1)) return "";
      const current = Number(pg.page) || 1;
      const count = Number(pg.pages);
      const edge = (link, rel, label, icon) => (link
        ? html`<li><a class="vs-pagination__item" href="${safeUrl(link)}" rel="${rel}" aria-label="${label}">${raw(icon)}</a></li>`
        : html`<li><span class="vs-pagination__item vs-pagination__item--disabled" aria-hidden="true">${raw(icon)}</span></li>`);
      const urls = Array.isArray(pg.urls) ? pg.urls.filter(Boolean) : [];
      const pages = pageWindow(urls.filter((u) => u.url && Number(u.page) > 0), current, count).map((u) => (u === null
        ? html`<li><span class="vs-pagination__item vs-pagination__item--gap" aria-hidden="true">\u2026</span></li>`
        : html`<li><a class="vs-pagination__item" href="${safeUrl(u.url)}"${u.current || Number(u.page) === current
          ? raw(' aria-current="page"') : ""} aria-label="Page ${u.page}">${u.page}</a></li>`));
      return html`<nav class="vs-pagination" aria-label="Pagination">
    <ul class="vs-pagination__list" role="list">
      ${edge(pg.prev_url, "prev", "Previous page", ICON_PREV)}${pages}${edge(pg.next_url, "next", "Next page", ICON_NEXT)}
    </ul>
  </nav>`;
    }

    const productUrl = (p) => url(`/products/${encodeURIComponent(p && p.handle ? p.handle : "")}`);
    const classes = (...names) => names.filter(Boolean).join(" ");

    const helpers = {
      escapeHtml, html, raw, safeUrl, formatPrice, formatAmount, formatDate, pluralize, truncate,
      url, imageUrl, srcset, image,
      productUrl, productCard, productPrice, pagination,
      collectionUrl: (c) => url(`/collections/${encodeURIComponent(c && c.handle ? c.handle : "")}`),
      postUrl: (p) => url(`/blog/${encodeURIComponent(p && p.slug ? p.slug : "")}`),
      pageUrl: (p) => url(p && p.slug && p.slug !== "home" ? `/pages/${encodeURIComponent(p.slug)}` : "/"),
      classes,
    };
    return deepFreeze(helpers);
  }

  return Object.freeze({ makeHelpers, SafeHtml });
})
