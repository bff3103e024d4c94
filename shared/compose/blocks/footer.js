// Accepts: ctx.nav.footer, the storefront's contact details and social links, a list of text
// columns, ctx.theme.footer ("columns" | "simple"). Usage: the site footer on every page.
const schema = {
  name: "Footer",
  description: "Store details, footer menu, social links and the copyright line.",
  settings: [
    { id: "menu_heading", type: "text", label: "Menu heading", default: "Information" },
    {
      id: "columns", type: "list", label: "Text columns", max: 3,
      fields: [
        { id: "heading", type: "text", label: "Heading", default: "About us" },
        { id: "text", type: "textarea", label: "Text", default: "" },
        { id: "link_label", type: "text", label: "Link label", default: "" },
        { id: "link_url", type: "url", label: "Link", default: "" },
      ],
      default: [
        {
          heading: "About us",
          text: "An independent shop. Everything we sell is chosen, packed and shipped by the people who run the counter.",
          link_label: "",
          link_url: "",
        },
      ],
    },
    { id: "show_contact", type: "checkbox", label: "Show contact details", default: true },
    { id: "show_social", type: "checkbox", label: "Show social links", default: true },
    { id: "copyright", type: "text", label: "Copyright holder (defaults to the store name)", default: "" },
  ],
};

// Icons for the networks we know; any other network gets a text link.
const SOCIAL = {
  instagram: ["Instagram", '<rect x="3" y="3" width="18" height="18" rx="5"/><circle cx="12" cy="12" r="4"/><circle cx="17.5" cy="6.5" r="0.8" class="vs-icon__dot"/>'],
  facebook: ["Facebook", '<path d="M16 3.5h-2a4 4 0 0 0-4 4V21M6.5 10.5H15"/>'],
  tiktok: ["TikTok", '<path d="M14 3v11.5a3.5 3.5 0 1 1-3.5-3.5M14 3c.5 3 2.5 5 5.5 5"/>'],
  x: ["X", '<path d="M4 4l16 16M20 4L4 20"/>'],
  twitter: ["X (Twitter)", '<path d="M4 4l16 16M20 4L4 20"/>'],
  youtube: ["YouTube", '<rect x="2.5" y="5" width="19" height="14" rx="4"/><path d="M10 9l5 3-5 3z"/>'],
  pinterest: ["Pinterest", '<circle cx="12" cy="12" r="9"/><path d="M11 8.5c3-1 5 .5 5 3s-2 4-3.5 3.5M12 10l-2.5 11"/>'],
};

function addressLines(address) {
  if (!address) return [];
  if (typeof address === "string") return address.split(/\n|,\s*/).filter(Boolean);
  const region = [address.region || address.province, address.postal_code || address.zip].filter(Boolean).join(" ");
  const cityLine = [address.city, region].filter(Boolean).join(", ");
  return [address.line1 || address.address1, address.line2 || address.address2, cityLine, address.country]
    .filter(Boolean);
}

function socialLinks(ctx, h) {
  const social = (ctx.storefront && ctx.storefront.social) || {};
  const entries = Object.keys(social).filter((key) => social[key]);
  if (entries.length === 0) return "";
  return h.html`<ul class="vs-footer__social" role="list">${entries.map((key) => {
    const known = SOCIAL[key];
    const label = known ? known[0] : key.charAt(0).toUpperCase() + key.slice(1);
    const body = known
      ? h.raw(`<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${known[1]}</svg>`)
      : label;
    return h.html`<li><a class="${h.classes("vs-footer__social-link", !known && "vs-footer__social-link--text")}"
      href="${h.safeUrl(social[key])}" rel="noopener" aria-label="${ctx.storefront.name || "Store"} on ${label}">${body}</a></li>`;
  })}</ul>`;
}

function contact(ctx, h) {
  const store = ctx.storefront || {};
  const lines = addressLines(store.address);
  if (!store.email && !store.phone && lines.length === 0) return "";
  return h.html`<address class="vs-footer__contact">
    ${lines.length > 0 ? h.html`<p>${lines.map((line, i) => h.html`${i > 0 ? h.raw("<br>") : ""}${line}`)}</p>` : ""}
    ${store.phone ? h.html`<p><a href="${h.safeUrl(`tel:${String(store.phone).replace(/[^\d+]/g, "")}`)}">${store.phone}</a></p>` : ""}
    ${store.email ? h.html`<p><a href="${h.safeUrl(`mailto:${store.email}`)}">${store.email}</a></p>` : ""}
  </address>`;
}

function menu(h, links, cls) {
  return h.html`<ul class="${cls}" role="list">${links.map((link) =>
    h.html`<li><a href="${h.safeUrl(link.url)}">${link.title}</a></li>`)}</ul>`;
}

function textColumn(h, column) {
  if (!column || (!column.heading && !column.text)) return "";
  const paragraphs = String(column.text || "").split(/\n{2,}/).filter((p) => p.trim());
  return h.html`<div class="vs-footer__column">
    ${column.heading ? h.html`<h2 class="vs-footer__heading">${column.heading}</h2>` : ""}
    ${paragraphs.map((p) => h.html`<p class="vs-footer__text">${p}</p>`)}
    ${column.link_label && column.link_url
      ? h.html`<p><a class="vs-link" href="${h.safeUrl(column.link_url)}">${column.link_label}</a></p>` : ""}
  </div>`;
}

function brandColumn(ctx, h) {
  const store = ctx.storefront || {};
  const details = ctx.settings.show_contact ? contact(ctx, h) : "";
  if (!store.name && !store.tagline && !details) return "";
  return h.html`<div class="vs-footer__column vs-footer__column--brand">
        ${store.name ? h.html`<p class="vs-footer__name">${store.name}</p>` : ""}
        ${store.tagline ? h.html`<p class="vs-footer__tagline">${store.tagline}</p>` : ""}
        ${details}
      </div>`;
}

function render(ctx, h) {
  const store = ctx.storefront || {};
  const s = ctx.settings;
  const links = (ctx.nav && ctx.nav.footer) || [];
  const holder = s.copyright || store.name || "";
  const year = new Date().getFullYear();
  const legal = h.html`<p class="vs-footer__legal">&copy; ${year} ${holder}</p>`;
  const social = s.show_social ? socialLinks(ctx, h) : "";

  if (ctx.theme && ctx.theme.footer === "simple") {
    return h.html`<footer class="vs-footer vs-footer--simple">
  <div class="vs-container vs-footer__simple">
    ${links.length > 0 ? h.html`<nav aria-label="Footer">${menu(h, links, "vs-footer__inline-menu")}</nav>` : ""}
    ${social}
    ${legal}
  </div>
</footer>`;
  }

  const columns = Array.isArray(s.columns) ? s.columns.slice(0, 3) : [];
  return h.html`<footer class="vs-footer vs-footer--columns">
  <div class="vs-container">
    <div class="vs-footer__grid">
      ${brandColumn(ctx, h)}
      ${links.length > 0 ? h.html`<nav class="vs-footer__column" aria-labelledby="vs-footer-menu-${ctx.block.id}">
        <h2 class="vs-footer__heading" id="vs-footer-menu-${ctx.block.id}">${s.menu_heading || "Information"}</h2>
        ${menu(h, links, "vs-footer__menu")}
      </nav>` : ""}
      ${columns.map((column) => textColumn(h, column))}
    </div>
    <div class="vs-footer__bottom">
      ${legal}
      ${social}
    </div>
  </div>
</footer>`;
}
