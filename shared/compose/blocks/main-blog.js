// Accepts: ctx.route = { type: "blog", posts, pagination } (the blog template's route data).
// Usage: the main block of the blog template: a heading, the published posts as cards, page links.
const schema = {
  name: "Blog page",
  description: "The journal's posts as cards, newest first, with page links.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Journal" },
    { id: "text", type: "textarea", label: "Text under the heading", default: "" },
    { id: "show_image", type: "checkbox", label: "Show images", default: true },
    { id: "show_date", type: "checkbox", label: "Show date", default: true },
    { id: "show_author", type: "checkbox", label: "Show author", default: true },
    { id: "show_excerpt", type: "checkbox", label: "Show excerpt", default: true },
  ],
};

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="14" y="10" width="36" height="44" rx="3"/><path d="M21 20h22M21 28h22M21 36h14"/></svg>';
function list(value) {
  return Array.isArray(value) ? value.filter(Boolean) : [];
}

function postCard(ctx, h, p, eager) {
  const s = ctx.settings;
  const meta = [
    s.show_date && h.formatDate(p.published_at)
      ? h.html`<time datetime="${h.formatDate(p.published_at, "iso")}">${h.formatDate(p.published_at, "long")}</time>` : "",
    s.show_author && p.author ? h.html`<span>By ${p.author}</span>` : "",
  ].filter(Boolean);
  const media = s.show_image ? h.html`<div class="vs-post-card__media">
      ${p.image ? h.image(p.image, { sizes: "(min-width: 990px) 33vw, (min-width: 750px) 50vw, 100vw", alt: "", class: "vs-post-card__img", eager })
        : h.html`<div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div>`}
    </div>` : "";
  return h.html`<li class="vs-post-card vs-main-blog__post">
    ${media}
    <div class="vs-post-card__info">
      ${meta.length > 0 ? h.html`<p class="vs-post-card__meta">${meta}</p>` : ""}
      <h2 class="vs-post-card__title"><a class="vs-card__link" href="${typeof p.url === "string" && p.url.startsWith("/")
        ? h.safeUrl(p.url) : h.postUrl(p)}">${p.title || "Untitled post"}</a></h2>
      ${s.show_excerpt && p.excerpt ? h.html`<p class="vs-post-card__excerpt">${h.truncate(p.excerpt, 180)}</p>` : ""}
      <p class="vs-main-blog__more" aria-hidden="true">Read more<span class="vs-main-blog__arrow">\u2192</span></p>
    </div>
  </li>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const route = ctx.route;
  const isBlog = route && route.type === "blog";
  const posts = isBlog ? list(route.posts) : [];
  const empty = isBlog
    ? "Stories from the shop will appear here soon."
    : "The blog page lists the journal's posts here, newest first.";
  return h.html`<section class="vs-main-blog">
  <div class="vs-container">
    ${s.heading || s.text ? h.html`<header class="vs-section__header vs-main-blog__header">
      ${s.heading ? h.html`<h1 class="vs-section__title">${s.heading}</h1>` : ""}
      ${s.text ? h.html`<p class="vs-section__text">${s.text}</p>` : ""}
    </header>` : ""}
    ${posts.length > 0
      ? h.html`<ul class="vs-grid vs-grid--3 vs-grid--posts vs-main-blog__grid" role="list">${posts.map((p, i) => postCard(ctx, h, p, i < 3))}</ul>
        ${h.pagination(route.pagination)}`
      : h.html`<div class="vs-empty"><p>${empty}</p></div>`}
  </div>
</section>`;
}
