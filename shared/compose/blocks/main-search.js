// Accepts: ctx.route = { type: "search", query, products, total, pagination } (the search template's
// route data). Usage: the main block of the search template: a search form (GET /search?q=), the
// number of results, the matching products as cards and page links.
const schema = {
  name: "Search results",
  description: "A search form and the products that match, with page links.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Search" },
    {
      id: "products_per_row", type: "select", label: "Products per row on desktop", default: "4",
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

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="10" y="14" width="44" height="36" rx="3"/><circle cx="24" cy="26" r="4"/><path d="M10 44l13-12 9 8 7-6 15 12"/></svg>';
const ICONS = {
  search: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/></svg>',
  prev: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M15 5l-7 7 7 7"/></svg>',
  next: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9 5l7 7-7 7"/></svg>',
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function list(value) {
  return Array.isArray(value) ? value.filter(Boolean) : [];
}

// ---------- Product cards: the same markup as product-grid.js (blocks cannot import each other) ----------

function isOnSale(p) {
  return Boolean(p.compare_at_price && p.price && Number(p.compare_at_price.amount) > Number(p.price.amount));
}

function price(h, p) {
  if (!p.price) return "";
  if (isOnSale(p)) {
    return h.html`<p class="vs-price vs-price--sale">
      <span class="vs-visually-hidden">Sale price</span><span class="vs-price__current">${p.price_varies ? "From " : ""}${h.formatPrice(p.price)}</span>
      <span class="vs-visually-hidden">Regular price</span><s class="vs-price__compare">${h.formatPrice(p.compare_at_price)}</s>
    </p>`;
  }
  return h.html`<p class="vs-price"><span class="vs-price__current">${p.price_varies ? "From " : ""}${h.formatPrice(p.price)}</span></p>`;
}

function card(ctx, h, p, sizes) {
  const image = p.featured_image || (p.images && p.images[0]) || null;
  const second = p.images && p.images.length > 1 ? p.images[1] : null;
  const badge = !p.available
    ? h.html`<span class="vs-badge vs-badge--muted">Sold out</span>`
    : isOnSale(p) ? h.html`<span class="vs-badge vs-badge--sale">Sale</span>` : "";
  return h.html`<li class="${h.classes("vs-card", !p.available && "vs-card--sold-out")}">
    <div class="${h.classes("vs-card__media", second && "vs-card__media--hover")}">
      ${image ? h.image(image, { sizes, alt: p.title, class: "vs-card__img" })
        : h.html`<div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div>`}
      ${second ? h.image(second, { sizes, alt: "", class: "vs-card__img vs-card__img--second" }) : ""}
      ${badge ? h.html`<div class="vs-card__badges">${badge}</div>` : ""}
    </div>
    <div class="vs-card__info">
      ${ctx.settings.show_vendor && p.vendor ? h.html`<p class="vs-card__vendor">${p.vendor}</p>` : ""}
      <h3 class="vs-card__title"><a class="vs-card__link" href="${h.productUrl(p)}">${p.title}</a></h3>
      ${price(h, p)}
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

function pagination(h, pg) {
  if (!pg || !(Number(pg.pages) > 1)) return "";
  const current = Number(pg.page) || 1;
  const count = Number(pg.pages);
  const edge = (url, rel, label, icon) => (url
    ? h.html`<li><a class="vs-pagination__item" href="${h.safeUrl(url)}" rel="${rel}" aria-label="${label}">${h.raw(icon)}</a></li>`
    : h.html`<li><span class="vs-pagination__item vs-pagination__item--disabled" aria-hidden="true">${h.raw(icon)}</span></li>`);
  const pages = pageWindow(list(pg.urls).filter((u) => u.url && Number(u.page) > 0), current, count).map((u) => (u === null
    ? h.html`<li><span class="vs-pagination__item vs-pagination__item--gap" aria-hidden="true">\u2026</span></li>`
    : h.html`<li><a class="vs-pagination__item" href="${h.safeUrl(u.url)}"${u.current || Number(u.page) === current
      ? h.raw(' aria-current="page"') : ""} aria-label="Page ${u.page}">${u.page}</a></li>`));
  return h.html`<nav class="vs-pagination" aria-label="Pagination">
    <ul class="vs-pagination__list" role="list">
      ${edge(pg.prev_url, "prev", "Previous page", ICONS.prev)}${pages}${edge(pg.next_url, "next", "Next page", ICONS.next)}
    </ul>
  </nav>`;
}

// ---------- The page ----------

function searchForm(ctx, h, query) {
  const id = `vs-ms-${ctx.block.id}-q`;
  return h.html`<form class="vs-search-form vs-main-search__form" action="/search" method="get" role="search">
    <label class="vs-visually-hidden" for="${id}">Search the store</label>
    <div class="vs-main-search__field">${h.raw(ICONS.search)}<input class="vs-input" id="${id}" type="search" name="q"
      value="${query}" placeholder="Search products" autocomplete="off"></div>
    <button class="vs-button" type="submit">Search</button>
  </form>`;
}

function noResults(h, query) {
  return h.html`<div class="vs-empty vs-main-search__empty">
    <p class="vs-main-search__empty-title">No results for \u201c${query}\u201d</p>
    <ul class="vs-main-search__tips" role="list">
      <li>Check the spelling, or try a shorter word.</li>
      <li>Search for a kind of product, like \u201cmug\u201d or \u201ctee\u201d.</li>
      <li>Or <a class="vs-link" href="/collections/all">browse all products</a>.</li>
    </ul>
  </div>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const route = ctx.route && ctx.route.type === "search" ? ctx.route : {};
  const fromRequest = ctx.request && ctx.request.query && typeof ctx.request.query.q === "string" ? ctx.request.query.q : "";
  const query = String(typeof route.query === "string" ? route.query : fromRequest).trim();
  const products = list(route.products);
  const total = Number.isFinite(Number(route.total)) && route.total !== null ? Number(route.total) : products.length;
  const columns = pick(String(s.products_per_row), ["2", "3", "4"], "4");
  const ratio = pick(s.image_ratio, ["square", "portrait", "landscape"], "portrait");
  const sizes = `(min-width: 990px) ${Math.round(100 / Number(columns))}vw, (min-width: 750px) 33vw, 50vw`;
  let body = "";
  if (products.length > 0) {
    body = h.html`<ul class="${h.classes("vs-grid", `vs-grid--${columns}`, `vs-ratio--${ratio}`)}" role="list">
        ${products.map((p) => card(ctx, h, p, sizes))}
      </ul>
      ${pagination(h, route.pagination)}`;
  } else if (query) {
    body = noResults(h, query);
  }
  return h.html`<section class="vs-main-search">
  <div class="vs-container">
    <header class="vs-main-search__header">
      ${s.heading ? h.html`<h1 class="vs-section__title vs-main-search__title">${s.heading}</h1>` : ""}
      ${searchForm(ctx, h, query)}
      ${query ? h.html`<p class="vs-main-search__summary" role="status">${h.pluralize(total, "result", "results")}
        for \u201c${query}\u201d</p>` : h.html`<p class="vs-main-search__summary">Find products by name or type.</p>`}
    </header>
    ${body}
  </div>
</section>`;
}
