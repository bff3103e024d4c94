// Accepts: a heading, a collection (or none for the newest products), a count and a column count.
// Usage: "Featured products" on the home page, "New arrivals" on a landing page.
const schema = {
  name: "Product grid",
  description: "Products from a collection in a responsive grid of cards.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Featured products" },
    { id: "text", type: "textarea", label: "Text under the heading", default: "" },
    { id: "collection", type: "collection", label: "Collection (empty: newest products)" },
    { id: "products", type: "products", label: "Hand-picked products (instead of a collection)", default: [] },
    { id: "limit", type: "number", label: "Products", default: 8, min: 1, max: 24 },
    {
      id: "columns", type: "select", label: "Columns on desktop", default: "4",
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
    { id: "show_view_all", type: "checkbox", label: "Show a \"View all\" button", default: true },
  ],
  data: { products: { collection: "$collection", handles: "$products", limit: "$limit" } },
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function render(ctx, h) {
  const s = ctx.settings;
  const columns = pick(String(s.columns), ["2", "3", "4"], "4");
  const ratio = pick(s.image_ratio, ["square", "portrait", "landscape"], "portrait");
  const sizes = `(min-width: 990px) ${Math.round(100 / Number(columns))}vw, (min-width: 750px) 33vw, 50vw`;
  const products = ctx.products || [];
  const viewAll = s.show_view_all && s.collection && !(s.products && s.products.length) && products.length > 0
    ? h.html`<div class="vs-section__footer"><a class="vs-button vs-button--secondary"
        href="${h.collectionUrl({ handle: s.collection })}">View all</a></div>` : "";
  const body = products.length > 0
    ? h.html`<ul class="${h.classes("vs-grid", `vs-grid--${columns}`, `vs-ratio--${ratio}`)}" role="list">
        ${products.map((p) => h.productCard(p, { sizes, showVendor: ctx.settings.show_vendor }))}
      </ul>`
    : h.html`<div class="vs-empty"><p>New products are on their way. Check back soon.</p></div>`;
  return h.html`<section class="vs-product-grid">
  <div class="vs-container">
    ${s.heading || s.text ? h.html`<div class="vs-section__header">
      ${s.heading ? h.html`<h2 class="vs-section__title">${s.heading}</h2>` : ""}
      ${s.text ? h.html`<p class="vs-section__text">${s.text}</p>` : ""}
    </div>` : ""}
    ${s.heading ? "" : h.html`<h2 class="vs-visually-hidden">Products</h2>`}
    ${body}
    ${viewAll}
  </div>
</section>`;
}
