/**
 * The console's two HTML documents. Everything they show is drawn by the scripts under assets/, from
 * the JSON API; the documents carry no data, so nothing here needs escaping and no script is inline
 * (the console's Content-Security-Policy allows scripts and styles from files only).
 */
export const CONSOLE_PAGES = [
  ['', 'Activity'],
  ['notifications', 'Notifications'],
  ['orders', 'Order journey'],
  ['subscriptions', 'Subscriptions'],
  ['dead-letters', 'Dead letters'],
  ['deliveries', 'Deliveries'],
  ['replay', 'Replay'],
  ['webhooks', 'Webhooks'],
  ['refusals', 'Refusals'],
] as const;

const head = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · IPN console</title>
<link rel="icon" href="/console/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/assets/console.css">`;

export function shellPage(): string {
  const links = CONSOLE_PAGES.map(([path, label]) => `<a href="/console/${path}" data-page="${path}">${label}</a>`).join('\n');
  return `${head('Console')}
<script type="module" src="/console/assets/console.js"></script>
</head>
<body>
<header>
<strong class="brand">IPN console</strong>
<nav>
${links}
</nav>
<form method="post" action="/console/logout"><button type="submit" id="logout">Log out</button></form>
</header>
<main id="page" aria-live="polite"></main>
</body>
</html>
`;
}

/** `message`: why the last attempt failed (a fixed text, never the input). */
export function loginPage(message?: string): string {
  return `${head('Sign in')}
</head>
<body class="login">
<form method="post" action="/console/login" class="card">
<h1>IPN console</h1>
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${message ? `<p class="error" role="alert">${message}</p>` : ''}
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
