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

const ICONS = {
  search: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/></svg>',
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function list(value) {
  return Array.isArray(value) ? value.filter(Boolean) : [];
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
    // Cards are h3: this h2 (for screen readers) keeps the outline from skipping a level after the h1.
    body = h.html`<h2 class="vs-visually-hidden">Results</h2>
      <ul class="${h.classes("vs-grid", `vs-grid--${columns}`, `vs-ratio--${ratio}`)}" role="list">
        ${products.map((p) => h.productCard(p, { sizes, showVendor: ctx.settings.show_vendor }))}
      </ul>
      ${h.pagination(route.pagination)}`;
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
