// Accepts: formatted text. Usage: any paragraph of a message. Left empty, it shows the message's own
// body (a newsletter campaign's text, ctx.email.body_html).
const schema = {
  name: "Text",
  description: "Formatted text.",
  settings: [{ id: "text", type: "richtext", label: "Text", default: "<p>Write something here.</p>" }],
};

function render(ctx, h) {
  const body = ctx.settings.text || ctx.email.body_html || "";
  return body ? h.html`<tr><td class="em-section"><div class="em-text">${h.raw(body)}</div></td></tr>` : "";
}
