// Accepts: nothing (ctx.email.shipment). Usage: the carrier, tracking number and a tracking button.
const schema = {
  name: "Tracking",
  description: "The carrier, the tracking number and a button to follow the parcel.",
  settings: [{ id: "label", type: "text", label: "Button label", default: "Track your parcel" }],
};

function render(ctx, h) {
  const s = ctx.email.shipment;
  if (!s) return "";
  return h.html`<tr><td class="em-section">
  ${s.carrier || s.tracking_number ? h.html`<p class="em-text">${s.carrier ? h.html`<strong>${s.carrier}</strong> ` : ""}${s.tracking_number}</p>` : ""}
  ${s.tracking_url ? h.html`<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td class="em-button-cell"><a class="em-button" href="${h.safeUrl(s.tracking_url)}">${ctx.settings.label}</a></td></tr></table>` : ""}
</td></tr>`;
}
