// Accepts: one product (a handle) and which details to show. Usage: spotlight a bestseller or a new
// release on the home page, with an add-to-cart form (a plain POST to /cart/add, no JavaScript).
const schema = {
  name: "Featured product",
  description: "One product with its images, price, description and an add-to-cart button.",
  settings: [
    { id: "product", type: "product", label: "Product" },
    { id: "eyebrow", type: "text", label: "Small text above the title", default: "" },
    { id: "show_vendor", type: "checkbox", label: "Show vendor", default: true },
    { id: "show_description", type: "checkbox", label: "Show description", default: true },
    { id: "description_length", type: "number", label: "Description length (characters)", default: 280, min: 60, max: 2000 },
    {
      id: "image_position", type: "select", label: "Image position on desktop", default: "left",
      options: [
        { value: "left", label: "Image first" },
        { value: "right", label: "Image second" },
      ],
    },
  ],
  data: { products: { handles: "$product", limit: 1 } },
};

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="10" y="14" width="44" height="36" rx="3"/><circle cx="24" cy="26" r="4"/><path d="M10 44l13-12 9 8 7-6 15 12"/></svg>';

function isOnSale(item) {
  return Boolean(item.compare_at_price && item.price && Number(item.compare_at_price.amount) > Number(item.price.amount));
}

function price(h, p) {
  if (!p.price) return "";
  return h.html`<p class="${h.classes("vs-price", "vs-price--large", isOnSale(p) && "vs-price--sale")}">
    ${isOnSale(p) ? h.html`<span class="vs-visually-hidden">Sale price</span>` : ""}<span class="vs-price__current">${p.price_varies ? "From " : ""}${h.formatPrice(p.price)}</span>
    ${isOnSale(p) ? h.html`<span class="vs-visually-hidden">Regular price</span><s class="vs-price__compare">${h.formatPrice(p.compare_at_price)}</s>
      <span class="vs-badge vs-badge--sale">Sale</span>` : ""}
    ${!p.available ? h.html`<span class="vs-badge vs-badge--muted">Sold out</span>` : ""}
  </p>`;
}

function gallery(h, p) {
  const images = (p.images && p.images.length > 0 ? p.images : [p.featured_image]).filter(Boolean).slice(0, 6);
  if (images.length === 0) {
    return h.html`<div class="vs-featured-product__empty"><div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div></div>`;
  }
  return h.html`<ul class="vs-featured-product__gallery" role="list">${images.map((img, i) => h.html`<li
    class="vs-featured-product__slide">${h.image(img, {
      sizes: "(min-width: 750px) 50vw, 90vw", width: 960, eager: i === 0, alt: i === 0 ? p.title : "",
      class: "vs-featured-product__img",
    })}</li>`)}</ul>`;
}

function buyForm(ctx, h, p) {
  const variants = (p.variants || []).filter(Boolean);
  const first = variants.find((v) => v.available) || variants[0];
  if (!first) return "";
  const id = `vs-fp-${ctx.block.id}`;
  const picker = variants.length > 1
    ? h.html`<div class="vs-field">
        <label class="vs-label" for="${id}-variant">${(p.options || []).map((o) => o.name).join(" / ") || "Option"}</label>
        <select class="vs-input vs-select" id="${id}-variant" name="id">${variants.map((v) => h.html`<option
          value="${v.id}"${v === first ? h.raw(" selected") : ""}${v.available ? "" : h.raw(" disabled")}>${v.title}${v.available ? "" : " (sold out)"}</option>`)}</select>
      </div>`
    : h.html`<input type="hidden" name="id" value="${first.id}">`;
  return h.html`<form class="vs-featured-product__form" action="/cart/add" method="post">
    ${picker}
    <div class="vs-field vs-field--inline">
      <label class="vs-label" for="${id}-qty">Quantity</label>
      <input class="vs-input vs-input--qty" id="${id}-qty" type="number" name="quantity" value="1" min="1" max="99" inputmode="numeric">
    </div>
    <button class="vs-button vs-button--full" type="submit"${p.available ? "" : h.raw(" disabled")}>${p.available ? "Add to cart" : "Sold out"}</button>
  </form>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const p = (ctx.products || [])[0];
  const position = s.image_position === "right" ? "right" : "left";
  if (!p) {
    return h.html`<section class="vs-featured-product">
  <div class="vs-container"><div class="vs-empty"><p>Choose a product to feature it here.</p></div></div>
</section>`;
  }
  const description = String(p.description || "").replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  const length = Math.min(2000, Math.max(60, Number(s.description_length) || 280));
  return h.html`<section class="${h.classes("vs-featured-product", `vs-featured-product--${position}`)}">
  <div class="vs-container vs-featured-product__grid">
    <div class="vs-featured-product__media">${gallery(h, p)}</div>
    <div class="vs-featured-product__info">
      ${s.eyebrow ? h.html`<p class="vs-eyebrow">${s.eyebrow}</p>` : ""}
      ${s.show_vendor && p.vendor ? h.html`<p class="vs-card__vendor">${p.vendor}</p>` : ""}
      <h2 class="vs-featured-product__title">${p.title}</h2>
      ${price(h, p)}
      ${s.show_description && description ? h.html`<p class="vs-featured-product__description">${h.truncate(description, length)}</p>` : ""}
      ${buyForm(ctx, h, p)}
      <p><a class="vs-link" href="${h.productUrl(p)}">View full details</a></p>
    </div>
  </div>
</section>`;
}
