// Accepts: a short text. Usage: the bottom of every e-mail: contact address, the shop's link and, in
// marketing messages the document adds the unsubscribe link below every block, so it cannot be removed.
const schema = {
  name: "E-mail footer",
  description: "How to reach the store, and the unsubscribe link of marketing messages.",
  settings: [{ id: "text", type: "text", label: "Text", default: "Questions? Reply to this e-mail." }],
};

function render(ctx, h) {
  const e = ctx.email;
  const b = e.brand;
  return h.html`<tr><td class="em-footer">
  ${ctx.settings.text ? h.html`<p>${ctx.settings.text}</p>` : ""}
  ${b.support_email ? h.html`<p><a class="em-link" href="mailto:${b.support_email}">${b.support_email}</a></p>` : ""}
  <p>${b.store_url ? h.html`<a class="em-link" href="${h.safeUrl(b.store_url)}">${b.store_name}</a>` : b.store_name}</p>
</td></tr>`;
}
