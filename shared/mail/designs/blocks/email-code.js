// Accepts: nothing (ctx.email.code, ctx.email.minutes). Usage: the sign-in code, large and easy to copy.
const schema = {
  name: "Sign-in code",
  description: "The one-time code and how long it works.",
  settings: [{ id: "text", type: "text", label: "Text under the code", default: "Enter this code to sign in. It works once." }],
};

function render(ctx, h) {
  const e = ctx.email;
  if (!e.code) return "";
  return h.html`<tr><td class="em-section" align="center"><p class="em-code">${e.code}</p>
  <p class="em-muted">${ctx.settings.text} ${e.minutes ? `It expires in ${e.minutes} minutes.` : ""}</p>
  <p class="em-muted">If you did not ask for it, you can ignore this e-mail.</p></td></tr>`;
}
