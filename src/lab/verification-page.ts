// HTML of the verification page (RFC 8628 §3.3): plain server-rendered forms, inline CSS under
// a nonce-based CSP, no scripts, no external fetches.

export interface PageFrame {
  nonce: string;
  title: string;
  body: string;
}

const SCOPE_NOTES: Record<string, { text: string; risky?: boolean }> = {
  openid: { text: 'Confirm who you are' },
  profile: { text: 'Read your basic profile' },
  email: { text: 'Read your email address' },
  offline_access: { text: 'Stay signed in: renew access without asking you again', risky: true },
  admin: { text: 'Administer your account', risky: true },
  write: { text: 'Change your data' },
  read: { text: 'Read your data' },
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderPage({ nonce, title, body }: PageFrame): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · devicebound lab</title>
<style nonce="${nonce}">
:root { color-scheme: light dark; --fg:#1d2330; --muted:#5b6475; --bg:#f4f6fa; --card:#fff;
  --line:#dde2eb; --accent:#2456d6; --on-accent:#fff; --danger:#b42318; --warn-bg:#fff4e5; --warn:#8a4b00; }
@media (prefers-color-scheme: dark) { :root { --fg:#e7eaf0; --muted:#a3abbb; --bg:#11151c;
  --card:#1a2029; --line:#2c3441; --accent:#6f9bff; --on-accent:#0b1220; --danger:#ff7a6e; --warn-bg:#3a2a12;
  --warn:#ffcc80; } }
* { box-sizing: border-box; }
body { margin:0; padding:1rem 0; min-height:100vh; display:grid; place-items:center; background:var(--bg);
  color:var(--fg); font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { width:min(28rem, calc(100vw - 2rem)); background:var(--card); border:1px solid var(--line);
  border-radius:12px; padding:2rem; box-shadow:0 8px 24px rgb(0 0 0 / 6%); }
.brand { font-size:.8rem; letter-spacing:.08em; text-transform:uppercase; color:var(--muted); margin:0 0 .5rem; }
h1 { font-size:1.4rem; margin:0 0 1rem; }
p { margin:.5rem 0; }
.muted { color:var(--muted); font-size:.9rem; }
label { display:block; font-weight:600; margin:1rem 0 .4rem; }
input[type=text] { width:100%; font:600 1.5rem/1 ui-monospace, SFMono-Regular, Menlo, monospace;
  letter-spacing:.15em; text-transform:uppercase; text-align:center; padding:.7rem; border-radius:8px;
  border:1px solid var(--line); background:var(--bg); color:var(--fg); }
input[type=text]:focus { outline:2px solid var(--accent); outline-offset:1px; }
.code { font:600 1.6rem/1 ui-monospace, SFMono-Regular, Menlo, monospace; letter-spacing:.15em;
  text-align:center; padding:.8rem; border:1px dashed var(--line); border-radius:8px; margin:.5rem 0 1rem; }
dl { display:grid; grid-template-columns:auto 1fr; gap:.3rem 1rem; margin:1rem 0; }
dt { color:var(--muted); } dd { margin:0; overflow-wrap:anywhere; }
#client-id { font-family:ui-monospace, monospace; }
ul.scopes { list-style:none; padding:0; margin:.5rem 0 1rem; border:1px solid var(--line); border-radius:8px; }
ul.scopes li { padding:.55rem .8rem; border-top:1px solid var(--line); }
ul.scopes li:first-child { border-top:0; }
ul.scopes code { font-weight:600; }
ul.scopes .risky { background:var(--warn-bg); color:var(--warn); }
.actions { display:flex; gap:.75rem; margin-top:1.25rem; }
button { flex:1; font:600 1rem/1 system-ui, sans-serif; padding:.8rem 1rem; border-radius:8px;
  border:1px solid var(--line); background:var(--card); color:var(--fg); cursor:pointer; }
button.primary { background:var(--accent); border-color:var(--accent); color:var(--on-accent); }
button.deny { color:var(--danger); }
.error { color:var(--danger); font-weight:600; }
.ok { color:var(--accent); font-weight:600; }
</style>
</head>
<body>
<main>
<p class="brand">devicebound lab · device sign-in</p>
${body}
</main>
</body>
</html>
`;
}

export function entryForm(
  csrf: string,
  options: { error?: string; value?: string } = {},
): {
  title: string;
  body: string;
} {
  const error = options.error
    ? `<p class="error" role="alert" id="error">${escapeHtml(options.error)}</p>`
    : '';
  return {
    title: 'Enter code',
    body: `<h1>Connect a device</h1>
<p>Enter the code shown on your device or in your terminal.</p>
${error}
<form method="post" action="/device" autocomplete="off">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<input type="hidden" name="action" value="lookup">
<label for="user_code">Code</label>
<input type="text" id="user_code" name="user_code" value="${escapeHtml(options.value ?? '')}"
  placeholder="XXXX-XXXX" maxlength="16" autofocus required spellcheck="false" autocapitalize="characters">
<div class="actions"><button type="submit" class="primary">Continue</button></div>
</form>`,
  };
}

export function consentForm(
  csrf: string,
  details: { userCode: string; clientId: string; scope: string; expiresInSeconds: number },
): { title: string; body: string } {
  const scopes = details.scope.split(' ').filter(Boolean);
  const items = scopes.length
    ? scopes
        .map((scope) => {
          const note = SCOPE_NOTES[scope];
          const cls = note?.risky ? ' class="risky"' : '';
          const text = note ? ` — ${escapeHtml(note.text)}` : '';
          return `<li${cls}><code>${escapeHtml(scope)}</code>${text}</li>`;
        })
        .join('\n')
    : '<li class="muted">No scope requested: the server default applies.</li>';
  const minutes = Math.max(1, Math.round(details.expiresInSeconds / 60));
  return {
    title: 'Approve sign-in',
    body: `<h1>Approve this sign-in?</h1>
<p>Check that this code matches the one on your device. If you did not start this sign-in, deny it.</p>
<div class="code" id="shown-code">${escapeHtml(details.userCode)}</div>
<dl><dt>Application</dt><dd id="client-id">${escapeHtml(details.clientId)}</dd>
<dt>Code expires</dt><dd>in about ${minutes} min</dd></dl>
<p><strong>It asks for:</strong></p>
<ul class="scopes" id="scopes">
${items}
</ul>
<form method="post" action="/device">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<input type="hidden" name="user_code" value="${escapeHtml(details.userCode)}">
<div class="actions">
<button type="submit" name="action" value="deny" class="deny" id="deny">Deny</button>
<button type="submit" name="action" value="approve" class="primary" id="approve">Approve</button>
</div>
</form>`,
  };
}

export function resultPage(
  kind: 'approved' | 'denied' | 'problem',
  message: string,
): {
  title: string;
  body: string;
} {
  const heading = {
    approved: 'Device connected',
    denied: 'Sign-in denied',
    problem: 'Something is wrong',
  }[kind];
  const cls = kind === 'approved' ? 'ok' : 'error';
  return {
    title: heading,
    body: `<h1>${heading}</h1>
<p class="${cls}" id="result" data-result="${kind}">${escapeHtml(message)}</p>
<p class="muted">You can close this window.</p>`,
  };
}
