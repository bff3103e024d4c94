// Accepts: a heading, a count and which details to show. Usage: "From the journal" on the home page,
// or the post list of the blog page.
const schema = {
  name: "Blog posts",
  description: "The latest published posts as cards.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "From the journal" },
    { id: "limit", type: "number", label: "Posts", default: 3, min: 1, max: 12 },
    { id: "show_date", type: "checkbox", label: "Show date", default: true },
    { id: "show_author", type: "checkbox", label: "Show author", default: false },
    { id: "show_excerpt", type: "checkbox", label: "Show excerpt", default: true },
    { id: "view_all_label", type: "text", label: "\"View all\" label (empty hides it)", default: "View all posts" },
  ],
  data: { posts: { limit: "$limit" } },
};

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="14" y="10" width="36" height="44" rx="3"/><path d="M21 20h22M21 28h22M21 36h14"/></svg>';

function post(ctx, h, p) {
  const s = ctx.settings;
  const meta = [
    s.show_date && p.published_at
      ? h.html`<time datetime="${h.formatDate(p.published_at, "iso")}">${h.formatDate(p.published_at, "long")}</time>` : "",
    s.show_author && p.author ? h.html`<span>By ${p.author}</span>` : "",
  ].filter(Boolean);
  return h.html`<li class="vs-post-card">
    <div class="vs-post-card__media">
      ${p.image ? h.image(p.image, { sizes: "(min-width: 990px) 33vw, (min-width: 750px) 50vw, 100vw", alt: "", class: "vs-post-card__img" })
        : h.html`<div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div>`}
    </div>
    <div class="vs-post-card__info">
      ${meta.length > 0 ? h.html`<p class="vs-post-card__meta">${meta}</p>` : ""}
      <h3 class="vs-post-card__title"><a class="vs-card__link" href="${p.url ? h.safeUrl(p.url) : h.postUrl(p)}">${p.title}</a></h3>
      ${s.show_excerpt && p.excerpt ? h.html`<p class="vs-post-card__excerpt">${h.truncate(p.excerpt, 160)}</p>` : ""}
    </div>
  </li>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const posts = ctx.posts || [];
  return h.html`<section class="vs-blog-posts">
  <div class="vs-container">
    ${s.heading ? h.html`<div class="vs-section__header"><h2 class="vs-section__title">${s.heading}</h2></div>`
      : h.html`<h2 class="vs-visually-hidden">From the journal</h2>`}
    ${posts.length > 0
      ? h.html`<ul class="vs-grid vs-grid--3 vs-grid--posts" role="list">${posts.map((p) => post(ctx, h, p))}</ul>`
      : h.html`<div class="vs-empty"><p>Stories from the shop will appear here soon.</p></div>`}
    ${s.view_all_label && posts.length > 0
      ? h.html`<div class="vs-section__footer"><a class="vs-button vs-button--secondary" href="/blog">${s.view_all_label}</a></div>` : ""}
  </div>
</section>`;
}
