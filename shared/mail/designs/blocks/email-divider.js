// Accepts: nothing. Usage: a thin line between two parts of a message.
const schema = { name: "Divider", description: "A thin line.", settings: [] };

function render(ctx, h) {
  return h.html`<tr><td class="em-section"><hr class="em-hr"></td></tr>`;
}
