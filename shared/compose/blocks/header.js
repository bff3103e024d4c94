// Accepts: the storefront's name and logo, ctx.nav.main, ctx.cart.count, ctx.theme.header ("left" |
// "center"). Usage: the site header on every page. The mobile menu and the search panel are
// <details> elements, so both work without JavaScript. The account link is the same for every
// shopper (/account signs in or shows the account), so shared pages stay cacheable.
const schema = {
  name: "Header",
  description: "Logo, main menu, search, account and cart. The layout follows the theme's header setting.",
  settings: [
    { id: "show_search", type: "checkbox", label: "Show search", default: true },
    { id: "logo_width", type: "range", label: "Logo width (px)", default: 140, min: 60, max: 320, step: 10 },
    { id: "sticky", type: "checkbox", label: "Keep the header visible when scrolling", default: false },
  ],
};

const ICONS = {
  menu: '<svg class="vs-icon vs-icon--menu" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 6h18M3 12h18M3 18h18"/></svg>',
  close: '<svg class="vs-icon vs-icon--close" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>',
  search: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/></svg>',
  account: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/></svg>',
  cart: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 4h2l2.4 11.2a1 1 0 0 0 1 .8h9.2a1 1 0 0 0 1-.8L20 8H6.2"/><circle cx="9.5" cy="20" r="1.3"/><circle cx="17" cy="20" r="1.3"/></svg>',
};

function isCurrent(link, path) {
  const url = String(link.url || "");
  if (!url.startsWith("/")) return false;
  return url === "/" ? path === "/" : path === url || path.startsWith(url.replace(/\/$/, "") + "/");
}

function navList(ctx, h, links, cls) {
  const path = (ctx.request && ctx.request.path) || "/";
  return h.html`<ul class="${cls}" role="list">${links.map((link) => h.html`<li><a class="vs-header__link"
    href="${h.safeUrl(link.url)}"${isCurrent(link, path) ? h.raw(' aria-current="page"') : ""}>${link.title}</a></li>`)}</ul>`;
}

function brand(ctx, h) {
  const store = ctx.storefront || {};
  const name = store.name || "Store";
  const width = Math.min(320, Math.max(60, Number(ctx.settings.logo_width) || 140));
  const inner = store.logo && typeof store.logo === "object"
    ? h.html`<span class="vs-header__logo" style="--vs-logo-width: ${width}px">${h.image(store.logo,
      { sizes: `${width * 2}px`, eager: true, alt: name, width: width * 2 })}</span>`
    : h.html`<span class="vs-header__name">${name}</span>`;
  return h.html`<a class="vs-header__brand" href="/" aria-label="${name}, home">${inner}</a>`;
}

function searchPanel(ctx, h) {
  const query = (ctx.request && ctx.request.query && ctx.request.query.q) || "";
  return h.html`<details class="vs-header__search">
    <summary class="vs-header__icon" aria-label="Search">${h.raw(ICONS.search)}</summary>
    <div class="vs-header__panel">
      <form class="vs-search-form" action="/search" method="get" role="search">
        <label class="vs-visually-hidden" for="vs-search-${ctx.block.id}">Search the store</label>
        <input class="vs-input" id="vs-search-${ctx.block.id}" type="search" name="q" value="${query}"
          placeholder="Search products" autocomplete="off">
        <button class="vs-button" type="submit">Search</button>
      </form>
    </div>
  </details>`;
}

function accountLink(ctx, h) {
  return h.html`<a class="vs-header__icon vs-header__account" href="/account" aria-label="Account"
    title="Account and sign in">${h.raw(ICONS.account)}</a>`;
}

function cartLink(ctx, h) {
  const count = Math.max(0, Number((ctx.cart && ctx.cart.count) || 0));
  return h.html`<a class="vs-header__icon vs-header__cart" href="/cart"
    aria-label="Cart, ${h.pluralize(count, "item", "items")}">${h.raw(ICONS.cart)}${count > 0
      ? h.html`<span class="vs-header__count" aria-hidden="true">${count > 99 ? "99+" : count}</span>` : ""}</a>`;
}

function render(ctx, h) {
  const links = (ctx.nav && ctx.nav.main) || [];
  const layout = ctx.theme && ctx.theme.header === "center" ? "center" : "left";
  const menu = links.length > 0
    ? h.html`<details class="vs-header__drawer">
        <summary class="vs-header__icon" aria-label="Menu">${h.raw(ICONS.menu)}${h.raw(ICONS.close)}</summary>
        <nav class="vs-header__drawer-nav" aria-label="Main">${navList(ctx, h, links, "vs-header__drawer-list")}</nav>
      </details>`
    : h.html`<span class="vs-header__spacer"></span>`;
  return h.html`<header class="${h.classes("vs-header", `vs-header--${layout}`, ctx.settings.sticky && "vs-header--sticky")}">
  <div class="vs-header__inner vs-container">
    ${menu}
    ${brand(ctx, h)}
    ${links.length > 0 ? h.html`<nav class="vs-header__nav" aria-label="Main">${navList(ctx, h, links, "vs-header__list")}</nav>` : ""}
    <div class="vs-header__actions">
      ${ctx.settings.show_search ? searchPanel(ctx, h) : ""}
      ${accountLink(ctx, h)}
      ${cartLink(ctx, h)}
    </div>
  </div>
</header>`;
}
