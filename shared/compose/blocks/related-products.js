// Accepts: a heading and a count. Usage: "You may also like" under the product on the product page.
// The host picks the products nearest to the page's product in libSQL's vector index (similar names,
// types and tags), falling back to products of the same type.
const schema = {
  name: "Related products",
  description: "Products similar to the one on the page.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "You may also like" },
    { id: "limit", type: "number", label: "Products", default: 4, min: 1, max: 12 },
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
  data: { products: { related: true, limit: "$limit" } },
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function render(ctx, h) {
  const s = ctx.settings;
  const products = ctx.products || [];
  if (products.length === 0) return "";
  const ratio = pick(s.image_ratio, ["square", "portrait", "landscape"], "portrait");
  const columns = products.length >= 4 ? "4" : String(Math.max(2, products.length));
  const sizes = `(min-width: 990px) ${Math.round(100 / Number(columns))}vw, (min-width: 750px) 33vw, 50vw`;
  return h.html`<section class="vs-product-grid vs-related">
  <div class="vs-container">
    ${s.heading ? h.html`<div class="vs-section__header"><h2 class="vs-section__title">${s.heading}</h2></div>`
      : h.html`<h2 class="vs-visually-hidden">Related products</h2>`}
    <ul class="${h.classes("vs-grid", `vs-grid--${columns}`, `vs-ratio--${ratio}`)}" role="list">
      ${products.map((p) => h.productCard(p, { sizes, showVendor: ctx.settings.show_vendor }))}
    </ul>
  </div>
</section>`;
}
