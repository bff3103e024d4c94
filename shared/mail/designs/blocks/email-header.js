// Accepts: nothing (the store's logo or name come from ctx.email.brand). Usage: the top of every e-mail.
const schema = {
  name: "E-mail header",
  description: "The store's logo, or its name when it has none.",
  settings: [
    { id: "alignment", type: "select", label: "Alignment", default: "left",
      options: [{ value: "left", label: "Left" }, { value: "center", label: "Center" }] },
  ],
};

function render(ctx, h) {
  const b = ctx.email.brand;
  const align = ctx.settings.alignment === "center" ? "center" : "left";
  const mark = b.logo_url
    ? h.html`<img class="em-logo" src="${h.safeUrl(b.logo_url)}" width="${b.logo_width}" alt="${b.store_name}">`
    : h.html`<span class="em-store">${b.store_name}</span>`;
  const linked = b.store_url ? h.html`<a class="em-plain" href="${h.safeUrl(b.store_url)}">${mark}</a>` : mark;
  return h.html`<tr><td class="em-header" align="${align}">${linked}</td></tr>`;
}
