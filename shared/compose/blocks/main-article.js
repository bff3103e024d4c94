// Accepts: ctx.route = { type: "article", post } with post.body_html (sanitised by the host).
// Usage: the main block of the article template: one journal post with its picture and a way back.
const schema = {
  name: "Blog post",
  description: "One journal post: title, date, author, picture and the story.",
  settings: [
    { id: "show_image", type: "checkbox", label: "Show the post's picture", default: true },
    { id: "show_date", type: "checkbox", label: "Show date", default: true },
    { id: "show_author", type: "checkbox", label: "Show author", default: true },
    { id: "back_label", type: "text", label: "Link back to the blog (empty hides it)", default: "Back to the journal" },
  ],
};

function back(h, label) {
  return h.html`<a class="vs-main-article__back" href="/blog"><span class="vs-main-article__arrow" aria-hidden="true">\u2190</span>${label}</a>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const route = ctx.route;
  const post = route && route.type === "article" && route.post && typeof route.post === "object" ? route.post : null;
  if (!post) {
    return h.html`<section class="vs-main-article">
  <div class="vs-container vs-container--narrow"><div class="vs-empty"><p>The article page shows one journal post
    here: its title, picture and story.</p></div></div>
</section>`;
  }
  const date = s.show_date ? h.formatDate(post.published_at, "long") : "";
  const meta = [
    date ? h.html`<time datetime="${h.formatDate(post.published_at, "iso")}">${date}</time>` : "",
    s.show_author && post.author ? h.html`<span>By ${post.author}</span>` : "",
  ].filter(Boolean);
  return h.html`<article class="vs-main-article">
  <div class="vs-container vs-container--narrow">
    <header class="vs-main-article__header">
      ${s.back_label ? h.html`<p class="vs-main-article__top">${back(h, s.back_label)}</p>` : ""}
      ${meta.length > 0 ? h.html`<p class="vs-post-card__meta vs-main-article__meta">${meta}</p>` : ""}
      <h1 class="vs-section__title vs-main-article__title">${post.title || "Untitled post"}</h1>
      ${post.excerpt ? h.html`<p class="vs-section__text vs-main-article__excerpt">${post.excerpt}</p>` : ""}
    </header>
  </div>
  ${s.show_image && post.image ? h.html`<div class="vs-container vs-main-article__hero">
    <figure class="vs-main-article__figure">${h.image(post.image, {
      sizes: "(min-width: 1100px) 1040px, 100vw", width: 1280, eager: true, alt: post.title, class: "vs-main-article__img",
    })}</figure>
  </div>` : ""}
  <div class="vs-container vs-container--narrow">
    ${post.body_html ? h.html`<div class="vs-rte vs-main-article__body">${h.raw(post.body_html)}</div>` : ""}
    ${s.back_label ? h.html`<footer class="vs-main-article__footer">${back(h, s.back_label)}</footer>` : ""}
  </div>
</article>`;
}
