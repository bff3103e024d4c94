// Accepts: a heading, hand-picked collections (or none for all of them), a count and a column count.
// Usage: "Shop by category" on the home page, or a page listing every collection.
const schema = {
  name: "Collection list",
  description: "The store's collections as image cards.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Shop by collection" },
    { id: "collections", type: "collections", label: "Collections (empty: all)", default: [] },
    { id: "limit", type: "number", label: "Most collections to show", default: 6, min: 1, max: 24 },
    {
      id: "columns", type: "select", label: "Columns on desktop", default: "3",
      options: [
        { value: "2", label: "2" },
        { value: "3", label: "3" },
        { value: "4", label: "4" },
      ],
    },
    { id: "show_count", type: "checkbox", label: "Show product counts", default: true },
  ],
  data: { collections: { handles: "$collections", limit: "$limit" } },
};

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="14" y="18" width="36" height="30" rx="3"/><path d="M20 18v-4h24v4M14 28h36"/></svg>';

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function card(ctx, h, c, sizes) {
  const count = Number(c.products_count);
  return h.html`<li class="vs-collection-card">
    <div class="vs-collection-card__media">
      ${c.image ? h.image(c.image, { sizes, alt: c.title, class: "vs-collection-card__img" })
        : h.html`<div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div>`}
    </div>
    <div class="vs-collection-card__info">
      <h3 class="vs-collection-card__title"><a class="vs-card__link" href="${c.url ? h.safeUrl(c.url) : h.collectionUrl(c)}">${c.title}<span
        class="vs-collection-card__arrow" aria-hidden="true">&rarr;</span></a></h3>
      ${ctx.settings.show_count && Number.isFinite(count)
        ? h.html`<p class="vs-collection-card__count">${h.pluralize(count, "product", "products")}</p>` : ""}
    </div>
  </li>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const columns = pick(String(s.columns), ["2", "3", "4"], "3");
  const sizes = `(min-width: 990px) ${Math.round(100 / Number(columns))}vw, (min-width: 750px) 50vw, 100vw`;
  // The limit is applied here too: the host may send more than asked for (e.g. hand-picked ones).
  const limit = Math.max(1, Number(s.limit) || 6);
  const collections = (ctx.collections || []).slice(0, limit);
  return h.html`<section class="vs-collection-list">
  <div class="vs-container">
    ${s.heading ? h.html`<div class="vs-section__header"><h2 class="vs-section__title">${s.heading}</h2></div>`
      : h.html`<h2 class="vs-visually-hidden">Collections</h2>`}
    ${collections.length > 0
      ? h.html`<ul class="${h.classes("vs-grid", "vs-grid--collections", `vs-grid--${columns}`)}" role="list">
          ${collections.map((c) => card(ctx, h, c, sizes))}
        </ul>`
      : h.html`<div class="vs-empty"><p>Collections will appear here once they are published.</p></div>`}
  </div>
</section>`;
}
