// Accepts: nothing (ctx.email.cancel or ctx.email.refund). Usage: why an order was cancelled and what
// happens to the money, or how much was refunded.
const schema = { name: "Cancellation or refund", description: "The reason and the money given back.", settings: [] };

function render(ctx, h) {
  const { cancel, refund } = ctx.email;
  if (refund) {
    return h.html`<tr><td class="em-section em-box"><p class="em-text"><strong>${h.formatPrice(refund.amount)}</strong> ${refund.counter ? "was given back at the counter." : "is on its way back to your original payment method."}</p>
  ${refund.reason ? h.html`<p class="em-muted">${refund.reason}</p>` : ""}</td></tr>`;
  }
  if (cancel) {
    const money = cancel.refund ? h.html`<p class="em-text">A refund of <strong>${h.formatPrice(cancel.refund)}</strong> is on its way.</p>`
      : cancel.released ? h.html`<p class="em-text">The hold on your card has been released; you were not charged.</p>` : "";
    return h.html`<tr><td class="em-section em-box">${cancel.reason ? h.html`<p class="em-text">${cancel.reason}</p>` : ""}${money}</td></tr>`;
  }
  return "";
}
