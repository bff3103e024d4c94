// Accepts: a short message and an optional link. Usage: "Free shipping over $50" or "Closed for the
// holidays" at the top of the page.
const schema = {
  name: "Announcement bar",
  description: "A slim bar with one short message.",
  settings: [
    { id: "text", type: "text", label: "Message", default: "Free local pickup on every order" },
    { id: "link_label", type: "text", label: "Link label", default: "" },
    { id: "link", type: "url", label: "Link", default: "" },
    {
      id: "style", type: "select", label: "Colours", default: "accent",
      options: [
        { value: "accent", label: "Accent colour" },
        { value: "surface", label: "Soft" },
        { value: "inverse", label: "Text colour" },
      ],
    },
  ],
};

function render(ctx, h) {
  const s = ctx.settings;
  if (!s.text) return "";
  const style = ["accent", "surface", "inverse"].includes(s.style) ? s.style : "accent";
  return h.html`<section class="${h.classes("vs-announcement", `vs-announcement--${style}`)}" aria-label="Announcement">
  <div class="vs-container">
    <p class="vs-announcement__text">${s.text}${s.link_label && s.link
      ? h.html` <a class="vs-announcement__link" href="${h.safeUrl(s.link)}">${s.link_label}</a>` : ""}</p>
  </div>
</section>`;
}
