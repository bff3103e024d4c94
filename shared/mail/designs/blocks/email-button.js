// Accepts: a label and an optional link. Usage: the message's main action; without a link it goes to the
// message's own address (the order's page, the cart to restore, the shop).
const schema = {
  name: "Button",
  description: "A button to the order, the cart or the shop.",
  settings: [
    { id: "label", type: "text", label: "Label", default: "View your order" },
    { id: "link", type: "url", label: "Link (empty: the message's own)", default: "" },
  ],
};

function render(ctx, h) {
  const href = ctx.settings.link || ctx.email.action_url;
  const label = ctx.settings.label || ctx.email.action_label;
  if (!href || !label) return "";
  return h.html`<tr><td class="em-section"><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>
  <td class="em-button-cell"><a class="em-button" href="${h.safeUrl(href)}">${label}</a></td>
</tr></table></td></tr>`;
}
