// Accepts: ctx.cart = { count, items: [{ key, line, variant_id, quantity, title, variant_title, sku, url,
// price, compare_at_price, line_price (Money or null when the item vanished), image, available,
// max_quantity, notices: [{ kind, message }] }], subtotal, ready_for_checkout, error } (the shopper's
// cart, read per request: the cart page is never cached). Usage: the main block of the cart template:
// lines with quantity fields and remove buttons, notices, the subtotal and a checkout button.
// Everything works without JavaScript: one form posts to /cart/update (quantities, checkout), each
// remove button posts to /cart/change with quantity 0.
const schema = {
  name: "Cart",
  description: "The shopper's cart: items, quantities, notices, subtotal and the checkout button.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Your cart" },
    { id: "empty_text", type: "text", label: "Text when empty", default: "Your cart is empty." },
    { id: "continue_url", type: "url", label: "Continue shopping link", default: "/collections/all" },
    { id: "note", type: "text", label: "Note under the subtotal", default: "Taxes and shipping are calculated at checkout." },
    { id: "show_images", type: "checkbox", label: "Show product images", default: true },
  ],
};

function list(value) {
  return Array.isArray(value) ? value.filter(Boolean) : [];
}

function notices(h, item) {
  const all = list(item.notices);
  if (!all.length) return "";
  return h.html`<ul class="vs-cart__notices">${all.map((n) => h.html`<li class="vs-cart__notice vs-cart__notice--${n.kind}">${n.message}</li>`)}</ul>`;
}

function thumb(h, s, item) {
  if (!s.show_images) return "";
  const inner = item.image
    ? h.image(item.image, { sizes: "96px", width: 192, alt: "", class: "vs-cart__img" })
    : h.html`<span class="vs-cart__img vs-cart__img--none"></span>`;
  return item.url ? h.html`<a class="vs-cart__media" href="${h.safeUrl(item.url)}" tabindex="-1" aria-hidden="true">${inner}</a>`
    : h.html`<span class="vs-cart__media">${inner}</span>`;
}

function row(ctx, h, item) {
  const id = `vs-cart-${ctx.block.id}-q${item.line}`;
  const title = item.url ? h.html`<a class="vs-cart__title" href="${h.safeUrl(item.url)}">${item.title}</a>`
    : h.html`<span class="vs-cart__title">${item.title}</span>`;
  const gone = !item.price;
  return h.html`<li class="vs-cart__line${gone ? " vs-cart__line--gone" : ""}" data-line="${item.line}" data-key="${item.key}">
    ${thumb(h, ctx.settings, item)}
    <div class="vs-cart__info">
      ${title}
      ${item.variant_title ? h.html`<p class="vs-cart__variant">${item.variant_title}</p>` : ""}
      ${item.price ? h.html`<p class="vs-cart__unit">${h.formatPrice(item.price)}${item.compare_at_price
        ? h.html` <s class="vs-cart__compare">${h.formatPrice(item.compare_at_price)}</s>` : ""}</p>` : ""}
      ${notices(h, item)}
    </div>
    <div class="vs-cart__qty">
      <label class="vs-visually-hidden" for="${id}">Quantity of ${item.title}</label>
      <input class="vs-input vs-input--qty" id="${id}" type="number" name="updates[${item.key}]" value="${item.quantity}"
        min="0" max="${item.max_quantity || 999}" inputmode="numeric"${gone ? h.raw(" disabled") : ""}>
      <button class="vs-cart__remove" type="submit" form="vs-cart-${ctx.block.id}-rm${item.line}"
        aria-label="Remove ${item.title}">Remove</button>
    </div>
    <p class="vs-cart__total">${item.line_price ? h.formatPrice(item.line_price) : "\u2014"}</p>
  </li>`;
}

function removeForm(ctx, h, item) {
  return h.html`<form id="vs-cart-${ctx.block.id}-rm${item.line}" method="post" action="/cart/change" hidden>
    <input type="hidden" name="key" value="${item.key}"><input type="hidden" name="quantity" value="0"></form>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const cart = ctx.cart || {};
  const items = list(cart.items);
  const heading = h.html`<h1 class="vs-section__title vs-cart__heading">${s.heading || "Your cart"}</h1>`;
  const error = cart.error ? h.html`<p class="vs-cart__error" role="alert">${cart.error}</p>` : "";
  if (!items.length) {
    return h.html`<section class="vs-main-cart vs-main-cart--empty">
  <div class="vs-container vs-container--narrow">${heading}${error}
    <p class="vs-cart__empty">${s.empty_text || "Your cart is empty."}</p>
    <div class="vs-button-row"><a class="vs-button" href="${h.safeUrl(s.continue_url || "/collections/all")}">Continue shopping</a></div>
  </div>
</section>`;
  }
  const formId = `vs-cart-${ctx.block.id}-form`;
  return h.html`<section class="vs-main-cart">
  <div class="vs-container">
    <div class="vs-cart__head">${heading}<a class="vs-cart__continue" href="${h.safeUrl(s.continue_url || "/collections/all")}">Continue shopping</a></div>
    ${error}
    <form class="vs-cart" id="${formId}" method="post" action="/cart/update">
      <div class="vs-cart__labels" aria-hidden="true"><span>Product</span><span>Quantity</span><span>Total</span></div>
      <ul class="vs-cart__lines">${items.map((item) => row(ctx, h, item))}</ul>
      <div class="vs-cart__footer">
        <button class="vs-button vs-button--secondary vs-cart__update" type="submit">Update cart</button>
        <div class="vs-cart__summary">
          <p class="vs-cart__subtotal"><span>Subtotal</span> <strong>${h.formatPrice(cart.subtotal)}</strong></p>
          ${s.note ? h.html`<p class="vs-cart__note">${s.note}</p>` : ""}
          <button class="vs-button vs-button--full vs-cart__checkout" type="submit" name="checkout" value="1"${cart.ready_for_checkout
            ? "" : h.raw(" disabled")}>Check out</button>
          ${cart.ready_for_checkout ? "" : h.html`<p class="vs-cart__note">Remove or change the items marked above to check out.</p>`}
        </div>
      </div>
    </form>
    ${items.map((item) => removeForm(ctx, h, item))}
  </div>
</section>`;
}
