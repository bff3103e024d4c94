// Accepts: ctx.route = { type: "not_found", path } (any address without a page). Usage: the main block
// of the not_found template: a friendly message, a search form and ways back into the shop.
const schema = {
  name: "Page not found",
  description: "A friendly 404 message with search and links back into the shop.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "We couldn\u2019t find that page" },
    {
      id: "text", type: "textarea", label: "Text",
      default: "The link may be old, or the page may have moved. Try a search, or start from one of these.",
    },
    { id: "show_search", type: "checkbox", label: "Show a search form", default: true },
    { id: "button_label", type: "text", label: "Button label", default: "Shop all products" },
    { id: "button_url", type: "url", label: "Button link", default: "/collections/all" },
  ],
};

const ICONS = {
  search: '<svg class="vs-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/></svg>',
};

function render(ctx, h) {
  const s = ctx.settings;
  const route = ctx.route && ctx.route.type === "not_found" ? ctx.route : {};
  const path = typeof route.path === "string" ? route.path : "";
  const id = `vs-nf-${ctx.block.id}-q`;
  return h.html`<section class="vs-main-not-found">
  <div class="vs-container vs-container--narrow">
    <p class="vs-main-not-found__code" aria-hidden="true">404</p>
    <h1 class="vs-section__title vs-main-not-found__title">${s.heading || "Page not found"}</h1>
    ${s.text ? h.html`<p class="vs-section__text vs-main-not-found__text">${s.text}</p>` : ""}
    ${path ? h.html`<p class="vs-main-not-found__path">Address: <code>${h.truncate(path, 80)}</code></p>` : ""}
    ${s.show_search ? h.html`<form class="vs-search-form vs-main-search__form vs-main-not-found__search" action="/search" method="get" role="search">
      <label class="vs-visually-hidden" for="${id}">Search the store</label>
      <div class="vs-main-search__field">${h.raw(ICONS.search)}<input class="vs-input" id="${id}" type="search" name="q"
        placeholder="Search products" autocomplete="off"></div>
      <button class="vs-button vs-button--secondary" type="submit">Search</button>
    </form>` : ""}
    <div class="vs-button-row vs-main-not-found__links">
      ${s.button_label ? h.html`<a class="vs-button" href="${h.safeUrl(s.button_url || "/collections/all")}">${s.button_label}</a>` : ""}
      <a class="vs-button vs-button--secondary" href="/">Back to the home page</a>
    </div>
  </div>
</section>`;
}
