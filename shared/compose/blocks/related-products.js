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

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="10" y="14" width="44" height="36" rx="3"/><circle cx="24" cy="26" r="4"/><path d="M10 44l13-12 9 8 7-6 15 12"/></svg>';

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

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

function render(ctx, h) {
  const s = ctx.settings;
  const products = ctx.products || [];
  if (products.length === 0) return "";
  const ratio = pick(s.image_ratio, ["square", "portrait", "landscape"], "portrait");
  const columns = products.length >= 4 ? "4" : String(Math.max(2, products.length));
  const sizes = `(min-width: 990px) ${Math.round(100 / Number(columns))}vw, (min-width: 750px) 33vw, 50vw`;
  return h.html`<section class="vs-product-grid vs-related">
  <div class="vs-container">
    ${s.heading ? h.html`<div class="vs-section__header"><h2 class="vs-section__title">${s.heading}</h2></div>` : ""}
    <ul class="${h.classes("vs-grid", `vs-grid--${columns}`, `vs-ratio--${ratio}`)}" role="list">
      ${products.map((p) => card(ctx, h, p, sizes))}
    </ul>
  </div>
</section>`;
}
