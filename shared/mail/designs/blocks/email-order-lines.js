// Accepts: nothing (the order or the shipment comes from ctx.email). Usage: what was bought, shipped or
// refunded, with the totals.
const schema = {
  name: "Order lines",
  description: "The items with their prices, and the order's totals.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Order summary" },
    { id: "show_totals", type: "checkbox", label: "Show the totals", default: true },
  ],
};

function row(h, label, value, cls) {
  return h.html`<tr><td class="${cls || "em-total-label"}">${label}</td><td class="${cls || "em-total-value"}" align="right">${value}</td></tr>`;
}

function render(ctx, h) {
  const e = ctx.email;
  const order = e.order;
  if (!order) return "";
  const part = (e.shipment && e.shipment.lines) || (e.refund && e.refund.lines && e.refund.lines.length && e.refund.lines);
  const lines = part || order.lines;
  const thumbs = lines.some((l) => l.image_url);
  const items = lines.map((l) => h.html`<tr>
    ${thumbs ? h.html`<td class="em-line em-thumb-cell" width="60">${l.image_url ? h.html`<img class="em-thumb" src="${h.safeUrl(l.image_url)}" width="48" height="48" alt="">` : ""}</td>` : ""}
    <td class="em-line"><strong>${l.title}</strong>${l.variant ? h.html`<br><span class="em-muted">${l.variant}</span>` : ""}<br><span class="em-muted">× ${l.quantity}</span></td>
    <td class="em-line" align="right">${h.formatPrice(l.line_total)}</td></tr>`);
  const totals = ctx.settings.show_totals && !part ? [
    row(h, "Subtotal", h.formatPrice(order.subtotal)),
    order.discounts.map((d) => row(h, `Discount (${d.label})`, `−${h.formatPrice(d.amount)}`)),
    order.shipping ? row(h, order.shipping_label || "Shipping", h.formatPrice(order.shipping)) : "",
    order.taxes_included ? "" : row(h, "Taxes", h.formatPrice(order.tax)),
    row(h, "Total", h.formatPrice(order.total), "em-grand"),
    order.taxes_included ? row(h, `Including ${h.formatPrice(order.tax)} in taxes`, "", "em-muted") : "",
  ] : [];
  return h.html`<tr><td class="em-section">
  ${ctx.settings.heading ? h.html`<h2 class="em-h2">${ctx.settings.heading}</h2>` : ""}
  <table role="presentation" class="em-table" width="100%" cellpadding="0" cellspacing="0" border="0">${items}</table>
  ${totals.length ? h.html`<table role="presentation" class="em-table em-totals" width="100%" cellpadding="0" cellspacing="0" border="0">${totals}</table>` : ""}
</td></tr>`;
}
