// Accepts: a heading and formatted text. Usage: the message's title and first paragraph. "{number}" in
// the heading is replaced by the order number, "{store}" by the store's name.
const schema = {
  name: "Heading and text",
  description: "A heading and a paragraph of formatted text.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Thank you" },
    { id: "text", type: "richtext", label: "Text", default: "" },
  ],
};

function fill(text, email) {
  return String(text || "")
    .replaceAll("{number}", email.order ? email.order.number : "")
    .replaceAll("{store}", email.brand.store_name);
}

function render(ctx, h) {
  const s = ctx.settings;
  return h.html`<tr><td class="em-section">
  ${s.heading ? h.html`<h1 class="em-h1">${fill(s.heading, ctx.email)}</h1>` : ""}
  ${ctx.email.order ? h.html`<p class="em-muted">Order ${ctx.email.order.number}</p>` : ""}
  ${s.text ? h.html`<div class="em-text">${h.raw(s.text)}</div>` : ""}
</td></tr>`;
}
