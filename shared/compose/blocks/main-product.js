// Accepts: ctx.route = { type: "product", product, variant } (the product template's route data).
// Usage: the main block of the product template: gallery, title, price, variant choice, add to cart
// and description. Everything works without JavaScript: variants are links (or a GET form) to
// ?variant=ID, and add to cart is a plain POST to /cart/add. The section carries data-vs-live-stock (the
// product id), data-vs-selected and data-vs-variant on exact option links: the storefront's stock script
// (shared/compose/scripts/stock.js) flips "Sold out" / "Add to cart" there as stock changes.
const schema = {
  name: "Product page",
  description: "The product of the page: images, price, options, add to cart and description.",
  settings: [
    { id: "show_breadcrumbs", type: "checkbox", label: "Show breadcrumbs", default: true },
    { id: "show_vendor", type: "checkbox", label: "Show vendor", default: true },
    { id: "show_sku", type: "checkbox", label: "Show SKU", default: false },
    {
      id: "gallery_layout", type: "select", label: "Images on desktop", default: "stacked",
      options: [
        { value: "stacked", label: "Stacked, one under the other" },
        { value: "grid", label: "Grid of two columns" },
      ],
    },
    {
      id: "variant_picker", type: "select", label: "Variant choice", default: "buttons",
      options: [
        { value: "buttons", label: "Buttons for each option" },
        { value: "dropdown", label: "One drop-down list" },
      ],
    },
    { id: "show_quantity", type: "checkbox", label: "Show quantity", default: true },
    { id: "low_stock", type: "number", label: "Show \"Only N left\" at or below", default: 5, min: 0, max: 50 },
    { id: "price_note", type: "text", label: "Text under the price", default: "Shipping calculated at checkout." },
    { id: "show_description", type: "checkbox", label: "Show description", default: true },
  ],
};

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="10" y="14" width="44" height="36" rx="3"/><circle cx="24" cy="26" r="4"/><path d="M10 44l13-12 9 8 7-6 15 12"/></svg>';

function isOnSale(item) {
  return Boolean(item && item.compare_at_price && item.price
    && Number(item.compare_at_price.amount) > Number(item.price.amount));
}

function list(value) {
  return Array.isArray(value) ? value.filter(Boolean) : [];
}

/** The route's variant if it belongs to the product, else the first available, else the first. */
function selectedVariant(route, variants) {
  const wanted = route.variant && route.variant.id;
  return variants.find((v) => v.id === wanted) || variants.find((v) => v.available) || variants[0] || null;
}

/**
 * The variant's picture first. Variants carry no image of their own in the route data, so an image
 * counts as the variant's when its alt text names one of the variant's option values ("Mug in Sand").
 */
function orderedImages(p, variant) {
  const images = list(p.images).length > 0 ? list(p.images) : [p.featured_image].filter(Boolean);
  if (variant && variant.image && variant.image.hash) {
    return [variant.image, ...images.filter((img) => img.hash !== variant.image.hash)];
  }
  const values = Object.values((variant && variant.options) || {}).map((v) => String(v).toLowerCase());
  const alt = (img) => String(img.alt || "").toLowerCase();
  const match = images.find((img) => values.some((v) => v && alt(img).endsWith(` in ${v}`)))
    || images.find((img) => values.some((v) => v && ` ${alt(img)} `.includes(` ${v} `)));
  return match ? [match, ...images.filter((img) => img !== match)] : images;
}

function gallery(ctx, h, p, variant, layout) {
  const images = orderedImages(p, variant).slice(0, 12);
  if (images.length === 0) {
    return h.html`<div class="vs-main-product__empty"><div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div></div>`;
  }
  const wide = "(min-width: 990px) 58vw, (min-width: 750px) 50vw, 88vw";
  const half = "(min-width: 990px) 29vw, (min-width: 750px) 25vw, 88vw";
  return h.html`<ul class="${h.classes("vs-main-product__gallery", `vs-main-product__gallery--${layout}`)}" role="list"
    aria-label="${p.title} images">${images.map((img, i) => h.html`<li class="vs-main-product__slide">${h.image(img, {
      sizes: layout === "grid" && !(i === 0 && images.length % 2 === 1) ? half : wide,
      width: 960, eager: i === 0, alt: p.title, class: "vs-main-product__img",
    })}</li>`)}</ul>`;
}

function breadcrumbs(h, p) {
  return h.html`<nav class="vs-breadcrumbs" aria-label="Breadcrumb">
    <ol class="vs-breadcrumbs__list" role="list">
      <li class="vs-breadcrumbs__item"><a class="vs-breadcrumbs__link" href="/">Home</a></li>
      <li class="vs-breadcrumbs__item"><a class="vs-breadcrumbs__link" href="/collections/all">Products</a></li>
      <li class="vs-breadcrumbs__item"><span aria-current="page">${p.title}</span></li>
    </ol>
  </nav>`;
}

function price(h, p, variant) {
  const item = variant && variant.price ? variant : p;
  if (!item.price) return "";
  const sale = isOnSale(item);
  return h.html`<p class="${h.classes("vs-price", "vs-price--large", "vs-main-product__price", sale && "vs-price--sale")}">
    ${sale ? h.html`<span class="vs-visually-hidden">Sale price</span>` : ""}<span class="vs-price__current">${h.formatPrice(item.price)}</span>
    ${sale ? h.html`<span class="vs-visually-hidden">Regular price</span><s class="vs-price__compare">${h.formatPrice(item.compare_at_price)}</s>
      <span class="vs-badge vs-badge--sale">Sale</span>` : ""}
    ${variant && !variant.available ? h.html`<span class="vs-badge vs-badge--muted">Sold out</span>` : ""}
  </p>`;
}

function availability(ctx, h, variant) {
  if (!variant) return "";
  const stock = Number(variant.inventory);
  const threshold = Math.max(0, Number(ctx.settings.low_stock) || 0);
  let state = "in";
  let text = "In stock";
  if (!variant.available) {
    state = "out";
    text = "Sold out";
  } else if (Number.isFinite(stock) && stock > 0 && stock <= threshold) {
    state = "low";
    text = `Low stock: only ${stock} left`;
  }
  return h.html`<p class="${h.classes("vs-stock", `vs-stock--${state}`)}" data-vs-low-stock="${threshold}"><span class="vs-stock__dot" aria-hidden="true"></span>${text}</p>`;
}

/** For option `name` = `value`: the variant keeping the other selected options, else any with that value. */
function variantFor(variants, selected, name, value) {
  const wanted = { ...((selected && selected.options) || {}), [name]: value };
  const same = (v) => Object.keys(wanted).every((key) => !(v.options && key in v.options) || v.options[key] === wanted[key]);
  const exact = variants.find((v) => v.options && v.options[name] === value && same(v));
  if (exact) return { variant: exact, exact: true };
  const any = variants.filter((v) => v.options && v.options[name] === value);
  return { variant: any.find((v) => v.available) || any[0] || null, exact: false };
}

function optionButtons(ctx, h, p, variants, selected) {
  const options = list(p.options).filter((o) => o.name && list(o.values).length > 0);
  return options.map((option, index) => {
    const current = selected && selected.options ? selected.options[option.name] : "";
    const labelId = `vs-mp-${ctx.block.id}-option-${index}`;
    const values = list(option.values).map((value) => {
      const { variant, exact } = variantFor(variants, selected, option.name, value);
      const isCurrent = value === current;
      const unavailable = !variant || !exact || !variant.available;
      const cls = h.classes("vs-option__value", isCurrent && "vs-option__value--selected",
        unavailable && "vs-option__value--unavailable");
      if (!variant) return h.html`<li><span class="${cls}">${value}<span class="vs-visually-hidden"> (unavailable)</span></span></li>`;
      return h.html`<li><a class="${cls}" href="${h.url(h.productUrl(p), { variant: variant.id })}"${exact
        ? h.html` data-vs-variant="${variant.id}"` : ""}${isCurrent
        ? h.raw(' aria-current="true"') : ""}>${value}${unavailable ? h.html`<span class="vs-visually-hidden"> (sold out)</span>` : ""}</a></li>`;
    });
    return h.html`<div class="vs-option" role="group" aria-labelledby="${labelId}">
      <p class="vs-label vs-option__label" id="${labelId}">${option.name}${current ? h.html`: <span class="vs-option__current">${current}</span>` : ""}</p>
      <ul class="vs-option__values" role="list">${values}</ul>
    </div>`;
  });
}

function optionDropdown(ctx, h, p, variants, selected) {
  const id = `vs-mp-${ctx.block.id}-variant`;
  const label = list(p.options).map((o) => o.name).filter(Boolean).join(" / ") || "Options";
  return h.html`<form class="vs-main-product__variant-form" method="get" action="${h.productUrl(p)}">
    <label class="vs-label" for="${id}">${label}</label>
    <div class="vs-main-product__variant-row">
      <select class="vs-input vs-select" id="${id}" name="variant">${variants.map((v) => h.html`<option
        value="${v.id}"${v === selected ? h.raw(" selected") : ""}>${v.title || "Default"}${v.price
          ? ` \u2013 ${h.formatPrice(v.price)}` : ""}${v.available ? "" : " \u2013 Sold out"}</option>`)}</select>
      <button class="vs-button vs-button--secondary" type="submit">Update</button>
    </div>
  </form>`;
}

function variantPicker(ctx, h, p, variants, selected) {
  if (variants.length < 2) return "";
  return ctx.settings.variant_picker === "dropdown"
    ? optionDropdown(ctx, h, p, variants, selected)
    : h.html`<div class="vs-main-product__options">${optionButtons(ctx, h, p, variants, selected)}</div>`;
}

function buyForm(ctx, h, selected) {
  if (!selected) return "";
  const id = `vs-mp-${ctx.block.id}-qty`;
  const csrf = ctx.request && ctx.request.csrf_token;
  return h.html`<form class="vs-main-product__form" method="post" action="/cart/add">
    <input type="hidden" name="variant_id" value="${selected.id}">
    ${csrf ? h.html`<input type="hidden" name="csrf_token" value="${csrf}">` : ""}
    <div class="vs-main-product__buy">
      ${ctx.settings.show_quantity ? h.html`<div class="vs-main-product__qty">
        <label class="vs-label" for="${id}">Quantity</label>
        <input class="vs-input vs-input--qty" id="${id}" type="number" name="quantity" value="1" min="1" max="99"
          inputmode="numeric"${selected.available ? "" : h.raw(" disabled")}>
      </div>` : h.html`<input type="hidden" name="quantity" value="1">`}
      <button class="vs-button vs-button--full vs-main-product__submit" type="submit"${selected.available
        ? "" : h.raw(" disabled")}>${selected.available ? "Add to cart" : "Sold out"}</button>
    </div>
  </form>`;
}

function description(h, p) {
  if (p.description_html) return h.html`<div class="vs-rte vs-main-product__description">${h.raw(p.description_html)}</div>`;
  if (p.description) return h.html`<div class="vs-rte vs-main-product__description"><p>${p.description}</p></div>`;
  return "";
}

function placeholder(h) {
  return h.html`<section class="vs-main-product">
  <div class="vs-container"><div class="vs-empty"><p>The product page shows the product here: its images,
    price, options and an add-to-cart button.</p></div></div>
</section>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const route = ctx.route;
  const p = route && route.type === "product" && route.product && typeof route.product === "object" ? route.product : null;
  if (!p) return placeholder(h);
  const variants = list(p.variants);
  const selected = selectedVariant(route, variants);
  const layout = s.gallery_layout === "grid" ? "grid" : "stacked";
  return h.html`<section class="${h.classes("vs-main-product", `vs-main-product--${layout}`)}"
  data-vs-live-stock="${p.id}"${selected ? h.html` data-vs-selected="${selected.id}"` : ""}>
  <div class="vs-container">
    ${s.show_breadcrumbs ? breadcrumbs(h, p) : ""}
    <div class="vs-main-product__grid">
      <div class="vs-main-product__media">${gallery(ctx, h, p, selected, layout)}</div>
      <div class="vs-main-product__info">
        ${s.show_vendor && p.vendor ? h.html`<p class="vs-card__vendor vs-main-product__vendor">${p.vendor}</p>` : ""}
        <h1 class="vs-section__title vs-main-product__title">${p.title}</h1>
        ${price(h, p, selected)}
        ${s.price_note ? h.html`<p class="vs-main-product__note">${s.price_note}</p>` : ""}
        ${variantPicker(ctx, h, p, variants, selected)}
        <div class="vs-main-product__status">
          ${availability(ctx, h, selected)}
          ${s.show_sku && selected && selected.sku ? h.html`<p class="vs-main-product__sku">SKU: ${selected.sku}</p>` : ""}
        </div>
        ${buyForm(ctx, h, selected)}
        ${s.show_description ? description(h, p) : ""}
      </div>
    </div>
  </div>
</section>`;
}
