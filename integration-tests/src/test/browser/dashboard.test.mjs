// The dashboard in a real headless Chromium (Debian's), driven by playwright-core. Run by DashboardBrowserTest,
// which starts the gateway and tells this script where it is:
//   DASHBOARD_URL   the dashboard's URL (http://127.0.0.1:PORT/dashboard/)
//   SCREENSHOTS     the folder for the screenshots (build artifacts)
//   CHROMIUM        the browser (default /usr/bin/chromium)
//   BROKEN_ROUTER, BROKEN_ERROR   a router the configuration breaks, and a part of its error
//   NEW_ROUTER      a router the test creates while the page is open: this script prints "NEED NEW_ROUTER"
//                   and waits for a line on standard input once the gateway has it
//   CERTIFICATE_DOMAIN, CERTIFICATE_ISSUER   a certificate the configuration serves, for the certificates page
//   PROVIDER_DOWN, PROVIDER_ERROR   a provider that cannot read its source (a Docker socket that does not exist),
//                   and a part of its problem
// Prints "STEP ..." as it goes and "PASS" at the end; exits non-zero with the reason on any failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const env = name => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('DASHBOARD_URL');
const screenshots = env('SCREENSHOTS');
const brokenRouter = env('BROKEN_ROUTER');
const brokenError = env('BROKEN_ERROR');
const newRouter = env('NEW_ROUTER');
const certificateDomain = env('CERTIFICATE_DOMAIN');
const certificateIssuer = env('CERTIFICATE_ISSUER');
const providerDown = env('PROVIDER_DOWN');
const providerError = env('PROVIDER_ERROR');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const step = text => console.log(`STEP ${text}`);
function check(condition, message) {
  if (!condition) throw new Error(message);
}

mkdirSync(screenshots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
const problems = [];
let context;
let page;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
  page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('console', message => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', error => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', request => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', response => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });

  step('overview');
  const live = new URL(url);
  live.searchParams.set('refresh', '1');
  await page.goto(live.href, { waitUntil: 'load' });
  await page.locator('#problems').waitFor();
  const brokenProblem = page.locator('#problems li', { hasText: brokenRouter });
  await brokenProblem.waitFor();
  check((await brokenProblem.textContent()).includes(brokenError), `the overview's problems do not show ${brokenError}`);
  check(await page.locator('.card[data-kind="routers"] .count.err').textContent() === '1 error', 'the routers card counts one error');

  step('overview: providers, one down with its problem');
  const down = page.locator(`#providers tr[data-provider="${providerDown}"]`);
  await down.waitFor();
  check(await down.locator('.badge').textContent() === 'down', `${providerDown} is not shown down`);
  check((await down.textContent()).includes(providerError), `${providerDown} does not show its problem`);
  check(await page.locator('#providers tr[data-provider="file"] .badge').textContent() === 'up', 'the file provider is not shown up');
  const providerProblem = page.locator('#problems > li', { hasText: providerError });
  await providerProblem.waitFor();
  check((await providerProblem.textContent()).includes(providerDown), `the problems do not name ${providerDown}`);
  await page.screenshot({ path: join(screenshots, 'overview.png'), fullPage: true });

  step('routers: the broken one');
  await page.locator('#nav a[data-view="routers"]').click();
  const broken = page.locator(`#table tr[data-name="${brokenRouter}"]`);
  await broken.waitFor();
  check(await broken.locator('.badge').textContent() === 'disabled', `${brokenRouter} is not shown disabled`);
  check((await broken.locator('ul.errors').textContent()).includes(brokenError), `${brokenRouter} does not show its error`);
  await page.screenshot({ path: join(screenshots, 'routers-before.png'), fullPage: true });
  check(await page.locator(`#table tr[data-name="${newRouter}"]`).count() === 0, `${newRouter} is there before it is created`);

  step('routers: one created while the page is open, shown by the live refresh');
  console.log(`NEED ${newRouter}`);
  const answer = await stdinLines.next();
  check(!answer.done, 'the test did not confirm the new router');
  const created = page.locator(`#table tr[data-name="${newRouter}"]`);
  await created.waitFor({ timeout: 15_000 });
  check(await created.locator('.badge').textContent() === 'enabled', `${newRouter} is not shown enabled`);
  check(await created.locator('ul.errors').count() === 0, `${newRouter} shows errors`);
  await page.screenshot({ path: join(screenshots, 'routers.png'), fullPage: true });

  step('routers: search and filter');
  await page.locator('#search').fill(newRouter.split('@')[0]);
  await page.waitForFunction(() => document.querySelectorAll('#table tbody tr[data-name]').length === 1);
  check(await created.count() === 1, 'the search does not find the new router');
  await page.locator('#search').fill('');
  await page.locator('#status').selectOption('disabled');
  await page.waitForFunction(name => [...document.querySelectorAll('#table tbody tr[data-name]')]
    .every(row => row.dataset.status === 'disabled') && document.querySelector(`#table tr[data-name="${name}"]`), brokenRouter);
  check(page.url().includes('status=disabled'), 'the filter is not kept in the address');
  await page.screenshot({ path: join(screenshots, 'routers-disabled.png'), fullPage: true });

  for (const view of ['services', 'middlewares', 'udpRouters', 'udpServices', 'plugins', 'certificates']) {
    step(view);
    await page.locator(`#nav a[data-view="${view}"]`).click();
    await page.locator(`section#${view}`).waitFor();
    if (view === 'plugins') await page.locator('section#plugins tbody tr', { hasText: 'provider-file' }).first().waitFor();
    if (view === 'certificates') {
      const row = page.locator('section#certificates tbody tr', { hasText: certificateDomain });
      await row.waitFor();
      check((await row.textContent()).includes(certificateIssuer), `the certificate of ${certificateDomain} does not show its issuer`);
      check(await row.locator('.badge').textContent() === '29 d', `the certificate of ${certificateDomain} does not expire in 29 days`);
    }
    if (view === 'services') await page.locator('#table tr[data-name]').first().waitFor();
    if (view === 'udpRouters' || view === 'udpServices') {
      const row = page.locator('#table tr[data-name="dns@file"]');
      await row.waitFor();
      check(await row.getAttribute('data-status') === 'enabled', `the ${view} view does not show dns@file enabled`);
    }
    await page.screenshot({ path: join(screenshots, `${view}.png`), fullPage: true });
  }

  step('TCP routers');
  await page.locator('#nav a[data-view="tcp-routers"]').click();
  const tcpRouter = page.locator('section#tcp-routers #table tr[data-name="db@file"]');
  await tcpRouter.waitFor();
  check(await tcpRouter.locator('.badge').textContent() === 'enabled', 'the TCP router db@file is not shown enabled');
  check((await tcpRouter.textContent()).includes('passthrough'), 'the TCP router db@file does not say passthrough');
  await page.screenshot({ path: join(screenshots, 'tcp-routers.png'), fullPage: true });

  await page.waitForTimeout(1500); // one more live refresh, in case it logs anything
  check(problems.length === 0, `the page had errors:\n  ${problems.join('\n  ')}`);
  console.log('PASS');
} catch (error) {
  console.log(`FAIL ${error.stack || error}`);
  if (problems.length) console.log(`page problems:\n  ${problems.join('\n  ')}`);
  if (page) await page.screenshot({ path: join(screenshots, 'failure.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  process.stdin.destroy();
}
