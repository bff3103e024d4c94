// Accepts: nothing (ctx.email.products: [{title, url, image_url, price}] the message carries). Usage: a
// newsletter's featured products, two per row.
const schema = {
  name: "Products",
  description: "Products with their picture and price, two per row.",
  settings: [{ id: "heading", type: "text", label: "Heading", default: "Featured" }],
};

function render(ctx, h) {
  const items = ctx.email.products || [];
  if (!items.length) return "";
  const rows = [];
  for (let i = 0; i < items.length; i += 2) {
    rows.push(h.html`<tr>${items.slice(i, i + 2).map((p) => h.html`<td class="em-product" width="50%" valign="top">
      <a class="em-plain" href="${h.safeUrl(p.url)}">${p.image_url ? h.html`<img class="em-product-img" src="${h.safeUrl(p.image_url)}" width="260" alt=""><br>` : ""}
      <strong>${p.title}</strong></a>${p.price ? h.html`<br><span class="em-muted">${h.formatPrice(p.price)}</span>` : ""}</td>`)}</tr>`);
  }
  return h.html`<tr><td class="em-section">${ctx.settings.heading ? h.html`<h2 class="em-h2">${ctx.settings.heading}</h2>` : ""}
  <table role="presentation" class="em-table" width="100%" cellpadding="0" cellspacing="0" border="0">${rows}</table></td></tr>`;
}
