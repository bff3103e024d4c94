// Accepts: nothing. Usage: where the order goes (the shipping address) or where to collect it (the
// pickup location and its instructions, and what is left to pay at the counter).
const schema = {
  name: "Delivery details",
  description: "The shipping address or the pickup location.",
  settings: [],
};

function render(ctx, h) {
  const e = ctx.email;
  const order = e.order;
  if (!order) return "";
  if (order.pickup) {
    return h.html`<tr><td class="em-section"><h2 class="em-h2">Pickup at ${order.pickup.name}</h2>
  <p class="em-text">${order.pickup.address.map((line, i) => (i ? h.html`<br>${line}` : line))}</p>
  ${order.pickup.instructions ? h.html`<p class="em-muted">${order.pickup.instructions}</p>` : ""}
  ${e.pickup_unpaid ? h.html`<p class="em-text"><strong>To pay at the counter: ${h.formatPrice(order.total)}</strong></p>` : ""}
</td></tr>`;
  }
  if (!order.shipping_address.length) return "";
  return h.html`<tr><td class="em-section"><h2 class="em-h2">Shipping to</h2>
  <p class="em-text">${order.shipping_address.map((line, i) => (i ? h.html`<br>${line}` : line))}</p>
  ${order.shipping_label ? h.html`<p class="em-muted">${order.shipping_label}</p>` : ""}
</td></tr>`;
}
