// Accepts: ctx.route = { type: "collection", collection, products, filters, sort, sort_options,
// pagination } (the collection template's route data). Usage: the main block of the collection
// template: title, filters and sort (a plain GET form, in a disclosure on small screens), the products
// as cards and the page links. Works without JavaScript.
const schema = {
  name: "Collection page",
  description: "The collection of the page: filters, sorting, product cards and pagination.",
  settings: [
    { id: "show_description", type: "checkbox", label: "Show the collection description", default: true },
    { id: "show_filters", type: "checkbox", label: "Show filters", default: true },
    {
      id: "products_per_row", type: "select", label: "Products per row on desktop", default: "3",
      options: [
        { value: "2", label: "2" },
        { value: "3", label: "3" },
        { value: "4", label: "4" },
      ],
    },
    {
      id: "image_ratio", type: "select", label: "Image shape", default: "portrait",
      options: [
        { value: "square", label: "Square" },
        { value: "portrait", label: "Portrait" },
        { value: "landscape", label: "Landscape" },
      ],
    },
    { id: "show_vendor", type: "checkbox", label: "Show vendor", default: false },
  ],
};

const ICONS = {
  filter: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 7h10M18 7h2M4 17h4M12 17h8"/><circle cx="16" cy="7" r="2"/><circle cx="10" cy="17" r="2"/></svg>',
  close: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M7 7l10 10M17 7L7 17"/></svg>',
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function list(value) {
  return Array.isArray(value) ? value.filter(Boolean) : [];
}

// ---------- Pagination ----------

// ---------- Filters ----------

/** The currency's symbol (the locale's, from Intl) and its amounts in major units with the digits of
 * the one currency table (h.formatAmount): the inputs, the chips and the server's parsing agree. */
function currencyInfo(ctx, h, code) {
  let symbol = code;
  try {
    const fmt = new Intl.NumberFormat((ctx.storefront && ctx.storefront.locale) || "en-US", { style: "currency", currency: code });
    const part = fmt.formatToParts(0).find((x) => x.type === "currency");
    symbol = part ? part.value : code;
  } catch (err) {
    symbol = "";
  }
  const major = (amount) => (amount === null || amount === undefined || amount === "" ? ""
    : h.formatAmount({ amount, currency: code }));
  const price = (amount) => h.formatPrice({ amount, currency: code });
  return { code, symbol, major, price, step: h.formatAmount({ amount: 1, currency: code }) };
}

/** Every active filter as [query name, value, label], in the order the form writes them. */
function activeFilters(f, money) {
  const out = [];
  const price = f.price || {};
  if (money.major(price.from)) out.push(["price_min", money.major(price.from), `From ${money.price(price.from)}`]);
  if (money.major(price.to)) out.push(["price_max", money.major(price.to), `Up to ${money.price(price.to)}`]);
  list(f.options).forEach((o) => list(o.values).filter((v) => v.active)
    .forEach((v) => out.push([`option.${o.name}`, v.value, `${o.name}: ${v.value}`])));
  list(f.tags).filter((t) => t.active).forEach((t) => out.push(["tag", t.value, t.value]));
  if (f.availability && f.availability.in_stock_only) out.push(["available", "1", "In stock only"]);
  return out;
}

function withQuery(base, pairs) {
  const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
  return query ? `${base}?${query}` : base;
}

function checkbox(h, name, value, label, count, checked) {
  const counted = typeof count === "number" && Number.isFinite(count);
  const empty = !checked && counted && count === 0;
  return h.html`<li><label class="${h.classes("vs-facets__check", empty && "vs-facets__check--empty")}">
    <input type="checkbox" name="${name}" value="${value}"${checked ? h.raw(" checked") : ""}${empty ? h.raw(" disabled") : ""}>
    <span>${label}</span>${counted ? h.html`<span class="vs-facets__count">(${count})</span>` : ""}
  </label></li>`;
}

/** A list of checkboxes; a long one scrolls inside its group instead of stretching the sidebar. */
function listClass(h, values) {
  return h.classes("vs-facets__list", values.length > 10 && "vs-facets__list--long");
}

function group(h, title, body, open) {
  return h.html`<details class="vs-facets__group"${open ? h.raw(" open") : ""}>
    <summary class="vs-facets__summary">${title}</summary>
    <div class="vs-facets__body">${body}</div>
  </details>`;
}

function priceGroup(h, id, f, money, openAll) {
  const p = f.price || {};
  const highest = money.major(p.max);
  const input = (name, label, value, placeholder) => h.html`<div class="vs-facets__price-field">
    <label class="vs-label" for="${id}-${name}">${label}</label>
    <div class="vs-facets__money"><span class="vs-facets__currency" aria-hidden="true">${money.symbol}</span><input
      class="vs-input" id="${id}-${name}" type="number" name="${name}" min="0"${highest ? h.html` max="${Math.ceil(Number(highest))}"` : ""}
      step="${money.step}" inputmode="decimal" placeholder="${placeholder}" value="${value}"></div>
  </div>`;
  const body = h.html`<div class="vs-facets__price">
      ${input("price_min", "From", money.major(p.from), money.major(p.min) || "0")}
      ${input("price_max", "To", money.major(p.to), highest)}
    </div>
    ${Number(p.max) > 0 ? h.html`<p class="vs-facets__hint">The highest price is ${h.formatPrice({ amount: p.max, currency: p.currency })}.</p>` : ""}`;
  return group(h, "Price", body, openAll || money.major(p.from) || money.major(p.to));
}

function filterForm(ctx, h, route, base, variant) {
  const f = route.filters || {};
  const money = currencyInfo(ctx, h, (f.price && f.price.currency) || (ctx.storefront && ctx.storefront.currency) || "USD");
  const id = `vs-mc-${ctx.block.id}-${variant}`;
  const openAll = variant === "desktop";
  const sorts = list(route.sort_options).filter((o) => o.value);
  const groups = [];
  groups.push(group(h, "Availability", h.html`<ul class="vs-facets__list" role="list">${checkbox(h, "available", "1",
    "In stock only", null, Boolean(f.availability && f.availability.in_stock_only))}</ul>`,
  openAll || (f.availability && f.availability.in_stock_only)));
  if (f.price && Number(f.price.max) > 0) groups.push(priceGroup(h, id, f, money, openAll));
  list(f.options).filter((o) => o.name && list(o.values).length > 0).forEach((o) => {
    const values = list(o.values);
    groups.push(group(h, o.name, h.html`<ul class="${listClass(h, values)}" role="list">${values.map((v) => checkbox(h,
      `option.${o.name}`, v.value, v.value, v.count, v.active))}</ul>`, openAll || values.some((v) => v.active)));
  });
  // Tags are a long, secondary list: folded on desktop too unless there are few or one is chosen.
  const tags = list(f.tags).filter((t) => t.value);
  if (tags.length > 0) {
    groups.push(group(h, "Tags", h.html`<ul class="${listClass(h, tags)}" role="list">${tags.map((t) => checkbox(h,
      "tag", t.value, t.value, t.count, t.active))}</ul>`, (openAll && tags.length <= 8) || tags.some((t) => t.active)));
  }
  return h.html`<form class="vs-facets__form" method="get" action="${base}">
    ${sorts.length > 0 ? h.html`<div class="vs-facets__sort">
      <label class="vs-label" for="${id}-sort">Sort by</label>
      <select class="vs-input vs-select" id="${id}-sort" name="sort">${sorts.map((o) => h.html`<option
        value="${o.value}"${o.value === route.sort ? h.raw(" selected") : ""}>${o.label || o.value}</option>`)}</select>
    </div>` : ""}
    ${groups}
    <div class="vs-facets__actions">
      <button class="vs-button" type="submit">Apply</button>
      <a class="vs-link" href="${base}">Clear all</a>
    </div>
  </form>`;
}

function chips(h, base, active, sortPair) {
  if (active.length === 0) return "";
  const pairs = active.map(([k, v]) => [k, v]);
  return h.html`<ul class="vs-facets__chips" role="list" aria-label="Active filters">${active.map((item, i) => h.html`<li><a
    class="vs-facets__chip" href="${withQuery(base, [...pairs.slice(0, i), ...pairs.slice(i + 1), ...sortPair])}">${item[2]}${h.raw(ICONS.close)}<span
    class="vs-visually-hidden"> (remove filter)</span></a></li>`)}
    <li><a class="vs-link vs-facets__clear" href="${withQuery(base, sortPair)}">Clear all</a></li></ul>`;
}

/** Sorting alone (when filters are hidden): a small GET form with its own button. */
function sortForm(ctx, h, route, base) {
  const sorts = list(route.sort_options).filter((o) => o.value);
  if (sorts.length === 0) return "";
  const id = `vs-mc-${ctx.block.id}-sort-only`;
  return h.html`<form class="vs-main-collection__sort" method="get" action="${base}">
    <label class="vs-label" for="${id}">Sort by</label>
    <select class="vs-input vs-select" id="${id}" name="sort">${sorts.map((o) => h.html`<option
      value="${o.value}"${o.value === route.sort ? h.raw(" selected") : ""}>${o.label || o.value}</option>`)}</select>
    <button class="vs-button vs-button--secondary" type="submit">Sort</button>
  </form>`;
}

// ---------- The page ----------

function results(ctx, h, route, base, active, sortPair) {
  const s = ctx.settings;
  const products = list(route.products);
  const columns = pick(String(s.products_per_row), ["2", "3", "4"], "3");
  const ratio = pick(s.image_ratio, ["square", "portrait", "landscape"], "portrait");
  const share = Math.round((s.show_filters ? 78 : 100) / Number(columns));
  const sizes = `(min-width: 990px) ${share}vw, (min-width: 750px) 33vw, 50vw`;
  if (products.length > 0) {
    // Cards are h3: this h2 (for screen readers) keeps the outline from skipping a level after the h1.
    return h.html`<h2 class="vs-visually-hidden">Products</h2>
    <ul class="${h.classes("vs-grid", `vs-grid--${columns}`, `vs-ratio--${ratio}`)}" role="list">
      ${products.map((p) => h.productCard(p, { sizes, showVendor: ctx.settings.show_vendor }))}
    </ul>
    ${h.pagination(route.pagination)}`;
  }
  return active.length > 0
    ? h.html`<div class="vs-empty vs-main-collection__empty"><p class="vs-main-collection__empty-title">No products match these filters</p>
        <p>Try removing a filter, or <a class="vs-link" href="${withQuery(base, sortPair)}">clear all filters</a>.</p></div>`
    : h.html`<div class="vs-empty vs-main-collection__empty"><p class="vs-main-collection__empty-title">This collection is empty for now</p>
        <p><a class="vs-link" href="/collections/all">Browse all products</a></p></div>`;
}

function placeholder(h) {
  return h.html`<section class="vs-main-collection">
  <div class="vs-container"><div class="vs-empty"><p>The collection page shows the collection's products here,
    with filters, sorting and page links.</p></div></div>
</section>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const route = ctx.route;
  if (!route || route.type !== "collection") return placeholder(h);
  const c = route.collection && typeof route.collection === "object" ? route.collection : {};
  const base = typeof c.url === "string" && c.url.startsWith("/") ? h.safeUrl(c.url) : h.collectionUrl(c.handle ? c : { handle: "all" });
  const f = route.filters || {};
  const money = currencyInfo(ctx, h, (f.price && f.price.currency) || (ctx.storefront && ctx.storefront.currency) || "USD");
  const active = s.show_filters ? activeFilters(f, money) : [];
  const sortPair = ctx.request && ctx.request.query && ctx.request.query.sort && route.sort ? [["sort", route.sort]] : [];
  const total = route.pagination && Number.isFinite(Number(route.pagination.total)) && route.pagination.total !== null
    ? Number(route.pagination.total) : list(route.products).length;
  const filters = s.show_filters && route.filters;
  return h.html`<section class="${h.classes("vs-main-collection", filters && "vs-main-collection--filters")}">
  <div class="vs-container">
    <header class="vs-section__header vs-main-collection__header">
      <h1 class="vs-section__title">${c.title || "Products"}</h1>
      ${s.show_description && c.description ? h.html`<p class="vs-section__text">${c.description}</p>` : ""}
    </header>
    <div class="vs-main-collection__layout">
      ${filters ? h.html`<aside class="vs-facets vs-facets--desktop" aria-label="Filters">${filterForm(ctx, h, route, base, "desktop")}</aside>` : ""}
      <div class="vs-main-collection__results">
        ${filters ? h.html`<details class="vs-facets vs-facets--mobile">
          <summary class="vs-facets__toggle">${h.raw(ICONS.filter)}<span>Filter and sort</span>${active.length > 0
            ? h.html`<span class="vs-facets__badge">${active.length}</span>` : ""}</summary>
          ${filterForm(ctx, h, route, base, "mobile")}
        </details>` : ""}
        <div class="vs-main-collection__toolbar">
          <p class="vs-main-collection__count" role="status">${h.pluralize(total, "product", "products")}</p>
          ${!filters ? sortForm(ctx, h, route, base) : ""}
        </div>
        ${chips(h, base, active, sortPair)}
        ${results(ctx, h, route, base, active, sortPair)}
      </div>
    </div>
  </div>
</section>`;
}
