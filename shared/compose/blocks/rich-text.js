// Accepts: a heading, formatted text and an optional button. Usage: an introduction, a brand story
// or the body of an "About" page (set the heading level to "Page title" there).
const schema = {
  name: "Rich text",
  description: "A heading and formatted text, with an optional button.",
  settings: [
    { id: "eyebrow", type: "text", label: "Small text above the heading", default: "" },
    { id: "heading", type: "text", label: "Heading", default: "Our story" },
    {
      id: "heading_level", type: "select", label: "Heading level", default: "h2",
      options: [
        { value: "h1", label: "Page title (one per page)" },
        { value: "h2", label: "Section heading" },
      ],
    },
    {
      id: "text", type: "richtext", label: "Text",
      default: "<p>We started with one market stall and a handful of regulars. Today we still choose every piece ourselves and pack every order by hand.</p>",
    },
    { id: "button_label", type: "text", label: "Button label", default: "" },
    { id: "button_link", type: "url", label: "Button link", default: "" },
    {
      id: "alignment", type: "select", label: "Alignment", default: "center",
      options: [
        { value: "left", label: "Left" },
        { value: "center", label: "Center" },
      ],
    },
    {
      id: "background", type: "select", label: "Background", default: "default",
      options: [
        { value: "default", label: "Page background" },
        { value: "surface", label: "Soft" },
        { value: "accent", label: "Accent colour" },
      ],
    },
  ],
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function render(ctx, h) {
  const s = ctx.settings;
  const align = pick(s.alignment, ["left", "center"], "center");
  const scheme = pick(s.background, ["default", "surface", "accent"], "default");
  const heading = s.heading
    ? (s.heading_level === "h1"
      ? h.html`<h1 class="vs-rich-text__heading vs-h1">${s.heading}</h1>`
      : h.html`<h2 class="vs-rich-text__heading">${s.heading}</h2>`)
    : "";
  return h.html`<section class="${h.classes("vs-rich-text", `vs-rich-text--${align}`, `vs-scheme--${scheme}`)}">
  <div class="vs-container vs-container--narrow">
    ${s.eyebrow ? h.html`<p class="vs-eyebrow">${s.eyebrow}</p>` : ""}
    ${heading}
    ${s.text ? h.html`<div class="vs-rte">${h.raw(s.text)}</div>` : ""}
    ${s.button_label && s.button_link
      ? h.html`<div class="vs-button-row"><a class="vs-button" href="${h.safeUrl(s.button_link)}">${s.button_label}</a></div>` : ""}
  </div>
</section>`;
}
