// End-to-end check of the dashboard in a real browser, against a running server.
//
//   BASE_URL=http://127.0.0.1:8080 DASHBOARD_KEY=... AGENT_KEY=... node --test web/tests/
//
// It seeds its own calls through the agent API (so it passes against an empty
// server), then drives headless Chromium (Debian's /usr/bin/chromium, or
// CHROMIUM_PATH) with playwright-core: sign in, overview figures equal the API's,
// calls filter, a call's story, a carrier's history, live updates without a
// reload, a missing or failing record and a live refresh on its page, the webhooks
// we could not read (count, body with the failing place marked, replay as admin;
// read-only with VIEWER_KEY, a dashboard-scope key), an outbound webhook endpoint added
// and its deliveries followed to a local receiver (which fails once), sign out.
// Screenshots go to web/test-results/.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.BASE_URL ?? '').replace(/\/+$/, '');
const DASHBOARD_KEY = process.env.DASHBOARD_KEY ?? '';
const AGENT_KEY = process.env.AGENT_KEY ?? '';
const VIEWER_KEY = process.env.VIEWER_KEY ?? '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../test-results/', import.meta.url));
const LIVE_TIMEOUT = 10_000;

const missing = ['BASE_URL', 'DASHBOARD_KEY', 'AGENT_KEY'].filter((k) => !process.env[k]);
const skip = missing.length ? `set ${missing.join(', ')} to run the browser test` : false;

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const callIds = [1, 2, 3].map((i) => `webtest-${run}-${i}`);

// An end-of-call report whose transcript carries an unescaped quote: not JSON, so
// the server keeps it (SPEC §12.2). Reading stops at the `n` of "no", line 7.
const unreadCallId = `webtest-${run}-unread`;
/** @param {string} quote how the carrier's quoted word is written in the JSON text */
const finalizeText = (quote) =>
  [
    '{',
    `  "call_id": "${unreadCallId}",`,
    '  "mc_number": "700010",',
    '  "carrier_name": "Web Test Trucking",',
    '  "outcome": "carrier_declined",',
    '  "sentiment": "neutral",',
    `  "transcript": "Agent: It pays $1,800. Carrier: I said ${quote}no${quote} to that rate, thanks.",`,
    '  "duration_seconds": 95',
    '}'
  ].join('\n');
const BROKEN_FINALIZE = finalizeText('"');
const FIXED_FINALIZE = finalizeText('\\"');
const BROKEN_AT = { line: 7, char: 'n' };

// The same formatting the dashboard uses (en-US).
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const wholeDollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0
});
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/**
 * POST to the agent API with the agent key.
 * @param {string} path
 * @param {Record<string, unknown>} body
 */
async function agent(path, body) {
  const res = await fetch(`${BASE_URL}/api/v1${path}`, {
    method: 'POST',
    headers: { 'X-API-Key': AGENT_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`POST ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * GET a dashboard API path with the dashboard key.
 * @param {string} path
 */
async function dashboardGet(path) {
  const res = await fetch(`${BASE_URL}/api/v1${path}`, { headers: { 'X-API-Key': DASHBOARD_KEY } });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * POST a raw text body with the agent key, as a platform template would.
 * @param {string} path
 * @param {string} text
 */
async function agentRaw(path, text) {
  const res = await fetch(`${BASE_URL}/api/v1${path}`, {
    method: 'POST',
    headers: { 'X-API-Key': AGENT_KEY, 'Content-Type': 'application/json' },
    body: text
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/**
 * The server's entry for a rejected body, from the dashboard API.
 * @param {string} rejectedId
 */
async function rejectedEntry(rejectedId) {
  for (let cursor = ''; ; ) {
    const page = await dashboardGet(`/webhooks/rejected?status=all&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    const found = page.rejected.find((/** @type {any} */ r) => r.rejected_id === rejectedId);
    if (found) return { entry: found, open: page.open };
    if (!page.next_cursor) throw new Error(`${rejectedId} is not listed`);
    cursor = encodeURIComponent(page.next_cursor);
  }
}

/** A first available load, preferring Dallas (earlier runs may have booked some). */
async function pickLoad(callId) {
  let found = await agent('/loads/search', { origin: 'Dallas, TX', call_id: callId });
  if (!found.loads?.length) found = await agent('/loads/search', { call_id: callId, max_results: 3 });
  assert.ok(found.loads?.length, 'the server has no available load to negotiate');
  return found.loads[0];
}

/**
 * One call through the agent tools: verify, search, one negotiation round at
 * posted + $300; with `book`, the carrier takes our counter and is handed off.
 * @param {string} callId
 * @param {{ book: boolean, outcome: string }} plan
 */
async function seedCall(callId, { book, outcome }) {
  const verified = await agent('/fmcsa/verify', { mc_number: '700010', call_id: callId });
  assert.equal(verified.status, 'eligible', `MC 700010 should be eligible in the offline snapshot`);
  const load = await pickLoad(callId);
  const ask = load.loadboard_rate + 300;
  const first = await agent('/negotiations/evaluate', { call_id: callId, load_id: load.load_id, carrier_offer: ask });
  let agreed = null;
  if (book) {
    if (first.decision === 'accept') {
      agreed = first.agreed_rate;
    } else {
      assert.equal(first.decision, 'counter', `expected a counter, got ${JSON.stringify(first)}`);
      const second = await agent('/negotiations/evaluate', {
        call_id: callId,
        load_id: load.load_id,
        carrier_offer: first.counter_offer
      });
      assert.equal(second.decision, 'accept', `our own counter should be accepted: ${JSON.stringify(second)}`);
      agreed = second.agreed_rate ?? first.counter_offer;
    }
    const handoff = await agent('/calls/handoff', {
      call_id: callId,
      load_id: load.load_id,
      mc_number: '700010',
      agreed_rate: agreed
    });
    assert.equal(handoff.transferred, true);
  }
  const transcript = [
    { role: 'agent', content: 'Thanks for calling, can I get your MC number?' },
    { role: 'carrier', content: 'Sure, MC 700010.' },
    { role: 'agent', content: `I have ${load.load_id} out of ${load.origin}. It pays $${load.loadboard_rate}.` },
    { role: 'carrier', content: `I'd need $${ask} to make it work.` },
    {
      role: 'agent',
      content: book ? `You're booked at $${agreed}. Transferring you to a rep now.` : "That's more than I can do today."
    },
    { role: 'carrier', content: book ? 'Great, thanks a lot!' : 'Alright, maybe next time.' }
  ];
  await agent('/calls/finalize', {
    call_id: callId,
    mc_number: '700010',
    carrier_name: 'Web Test Trucking',
    load_id: load.load_id,
    outcome,
    sentiment: 'positive',
    transcript,
    duration_seconds: 240
  });
  return { load, agreed, turns: transcript.length };
}

describe('dashboard in a browser', { skip, timeout: 180_000 }, () => {
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {string[]} */
  const problems = [];
  const seeded = /** @type {Awaited<ReturnType<typeof seedCall>>[]} */ ([]);
  const facts = { calls: 0, liveMs: 0 };
  const unread = { rejectedId: '', truncatedId: '' };

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    seeded.push(await seedCall(callIds[0], { book: true, outcome: 'booked' }));
    seeded.push(await seedCall(callIds[1], { book: false, outcome: 'negotiation_failed' }));
    seeded.push(await seedCall(callIds[2], { book: false, outcome: 'carrier_declined' }));

    // Two bodies we cannot read: a truncated session event (left open), then the
    // broken end-of-call report (the newest, replayed below).
    const truncated = await agentRaw(
      '/webhooks/happyrobot',
      `{"specversion": "1.0", "type": "session.status_changed", "data": {"session_id": "${unreadCallId}", "status": "comp`
    );
    assert.equal(truncated.status, 400, JSON.stringify(truncated.json));
    const broken = await agentRaw('/calls/finalize', BROKEN_FINALIZE);
    assert.equal(broken.status, 400, JSON.stringify(broken.json));
    assert.equal(broken.json?.error?.code, 'invalid_json');
    assert.match(broken.json?.rejected_id ?? '', /^rej_/, 'the 400 names the kept body');
    unread.truncatedId = truncated.json.rejected_id;
    unread.rejectedId = broken.json.rejected_id;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|CSP violation/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  });

  after(async () => {
    await browser?.close();
    console.log(
      `dashboard browser test: seeded ${callIds.join(', ')}; kpi-calls=${facts.calls}; ` +
        `live update in ${facts.liveMs} ms; screenshots in ${RESULTS}`
    );
  });

  it('signs in with the dashboard key', async () => {
    await page.goto(`${BASE_URL}/`);
    await page.getByTestId('sign-in-key').fill(DASHBOARD_KEY);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('kpi-calls').waitFor();
    // Nothing of the key is kept in the browser.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(DASHBOARD_KEY), 'the key must not be stored in the browser');
  });

  it('shows the same figures as the metrics API for today', async () => {
    await page.getByTestId('period-today').click();
    await page.waitForURL(/period=today/);
    // The dashboard's "Today" is the browser's local day.
    const range = await page.evaluate(() => {
      const start = new Date();
      start.setHours(0, 0, 0, 0);
      const end = new Date(start);
      end.setDate(end.getDate() + 1);
      const iso = (/** @type {Date} */ d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
      return { from: iso(start), to: iso(end) };
    });
    const summary = await dashboardGet(
      `/metrics/summary?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`
    );
    assert.ok(summary.calls >= 3, `today's summary should count the 3 seeded calls, got ${summary.calls}`);
    const calls = page.getByTestId('kpi-calls');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="kpi-calls"]')?.getAttribute('data-value') === String(n),
      summary.calls,
      { timeout: 10_000 }
    );
    assert.equal(await calls.textContent(), integer.format(summary.calls));
    assert.equal(
      (await page.getByTestId('kpi-revenue').textContent())?.trim(),
      wholeDollars.format(summary.booked_revenue)
    );
    assert.equal(
      (await page.getByTestId('kpi-booking-rate').textContent())?.trim(),
      `${oneDecimal.format(summary.booking_rate * 100)}%`
    );
    assert.equal(
      (await page.getByTestId('funnel-booked').getAttribute('data-value')),
      String(summary.funnel.booked)
    );
    for (const id of ['kpi-avg-premium-pct', 'kpi-avg-rounds', 'kpi-ineligible-share']) {
      await page.getByTestId(id).waitFor();
    }
    facts.calls = summary.calls;
    await page.waitForTimeout(400); // let the charts finish drawing
    await page.screenshot({ path: `${RESULTS}overview.png`, fullPage: true });
  });

  it('filters the calls list by outcome', async () => {
    await page.getByTestId('nav-calls').click();
    await page.waitForURL(/\/calls\?period=today/);
    await page.locator(`[data-testid="call-row"][data-call-id="${callIds[0]}"]`).waitFor();
    await page.getByTestId('filter-outcome').selectOption('booked');
    await page.waitForURL(/outcome=booked/);
    // Wait for the filtered list to replace the unfiltered one.
    await page.waitForFunction(
      (failedId) => {
        const rows = [...document.querySelectorAll('[data-testid="call-row"]')];
        return rows.length > 0 && !rows.some((r) => r.getAttribute('data-call-id') === failedId);
      },
      callIds[1]
    );
    const rows = page.getByTestId('call-row');
    const outcomes = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-outcome')));
    assert.deepEqual(
      outcomes.filter((o) => o !== 'booked'),
      [],
      'only booked calls are listed'
    );
    const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-call-id')));
    assert.ok(ids.includes(callIds[0]), 'the booked seeded call is listed');
    assert.ok(!ids.includes(callIds[1]), 'the failed seeded call is filtered out');
    await page.screenshot({ path: `${RESULTS}calls.png` });
  });

  it("opens a call and tells its story in order", async () => {
    await page.locator(`[data-testid="call-row"][data-call-id="${callIds[0]}"]`).click();
    await page.waitForURL(new RegExp(`/calls/${callIds[0]}`));
    await page.getByTestId('timeline-item').first().waitFor();
    const kinds = await page
      .getByTestId('timeline-item')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
    for (const kind of ['verification', 'search', 'negotiation_round', 'booking']) {
      assert.ok(kinds.includes(kind), `timeline has a ${kind} item (has ${kinds.join(', ')})`);
    }
    assert.ok(kinds.indexOf('verification') < kinds.indexOf('booking'), 'verification comes before booking');
    const whys = await page.getByTestId('round-why').allTextContents();
    assert.equal(whys.length, kinds.filter((k) => k === 'negotiation_round').length, 'every round says why');
    assert.ok(whys.every((w) => /of the way from the posted|Carrier history|ceiling|standing number/.test(w)), whys.join(' | '));
    assert.equal(await page.getByTestId('transcript-turn').count(), seeded[0].turns);
    assert.equal(await page.getByTestId('call-outcome').getAttribute('data-outcome'), 'booked');
    await page.screenshot({ path: `${RESULTS}call.png`, fullPage: true });
  });

  it("opens a carrier's history from the calls list", async () => {
    await page.getByTestId('nav-calls').click();
    await page.waitForURL(/\/calls(\?|$)/);
    const row = page.locator(`[data-testid="call-row"][data-call-id="${callIds[0]}"]`);
    await row.getByTestId('call-carrier-link').click();
    await page.waitForURL(/\/carriers\/700010$/);
    await page.getByTestId('carrier-summary').waitFor();
    const api = await dashboardGet('/carriers/700010');

    assert.equal((await page.getByTestId('carrier-name').textContent())?.trim(), api.carrier_name);
    assert.equal((await page.getByTestId('carrier-mc').textContent())?.trim(), 'MC 700010');
    const tile = async (/** @type {string} */ id) => ({
      text: (await page.getByTestId(`carrier-tile-${id}`).textContent())?.trim(),
      value: await page.getByTestId(`carrier-tile-${id}`).getAttribute('data-value')
    });
    assert.deepEqual(await tile('calls'), { text: integer.format(api.summary.calls), value: String(api.summary.calls) });
    assert.equal((await tile('negotiations')).value, String(api.summary.negotiations));
    assert.equal((await tile('booked')).value, String(api.summary.booked));
    assert.ok(api.summary.booked >= 1 && api.summary.calls >= 3, `the seeded calls count: ${JSON.stringify(api.summary)}`);
    const pct = api.summary.average_premium_pct;
    assert.equal((await tile('avg-premium')).text, `${pct > 0 ? '+' : pct < 0 ? '−' : ''}${oneDecimal.format(Math.abs(pct))}%`);
    assert.equal((await tile('avg-rounds')).text, oneDecimal.format(api.summary.average_rounds));

    // The tables list what the API lists, latest first.
    const listed = await page
      .getByTestId('carrier-call')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-call-id')));
    assert.deepEqual(listed, api.calls.map((/** @type {any} */ c) => c.call_id));
    for (const id of callIds) assert.ok(listed.includes(id), `${id} is on the carrier page`);
    assert.equal(await page.getByTestId('carrier-negotiation').count(), api.negotiations.length);
    assert.equal(await page.getByTestId('carrier-booking').count(), api.bookings.length);
    assert.equal(await page.getByTestId('carrier-verification').count(), api.verifications.length);
    const booked = page.locator(`[data-testid="carrier-negotiation"][data-call-id="${callIds[0]}"]`);
    assert.equal((await booked.getByTestId('negotiation-agreed').textContent())?.trim(), wholeDollars.format(seeded[0].agreed));

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on the carrier page (overflow ${overflow}px)`);
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${RESULTS}carrier.png`, fullPage: true });

    // Each call links to its story, and the story links back to the carrier.
    await page.locator(`[data-testid="carrier-call"][data-call-id="${callIds[0]}"]`).getByTestId('carrier-call-link').click();
    await page.waitForURL(new RegExp(`/calls/${callIds[0]}$`));
    await page.getByTestId('call-summary').waitFor();
    assert.equal(await page.getByTestId('call-mc').getAttribute('href'), '/carriers/700010');
    // Leave as the next test expects: on the story, opened from the calls list.
    await page.goBack();
    await page.getByTestId('carrier-summary').waitFor();
    await page.goBack();
    await row.click();
    await page.waitForURL(new RegExp(`/calls/${callIds[0]}`));
    await page.getByTestId('call-summary').waitFor();
  });

  it('shows a new call live, without a reload', async () => {
    await page.getByTestId('back-to-calls').click();
    await page.getByTestId('filter-outcome').selectOption('');
    await page.waitForURL((url) => !url.search.includes('outcome='));
    await page.locator(`[data-testid="call-row"][data-call-id="${callIds[0]}"]`).waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-state') === 'connected',
      null,
      { timeout: LIVE_TIMEOUT }
    );
    await page.evaluate(() => {
      /** @type {any} */ (window).__sameDocument = true;
    });

    const liveId = `webtest-${run}-live`;
    const started = Date.now();
    await agent('/fmcsa/verify', { mc_number: '700040', call_id: liveId });
    await page.locator(`[data-testid="call-row"][data-call-id="${liveId}"]`).waitFor({ timeout: LIVE_TIMEOUT });
    facts.liveMs = Date.now() - started;
    assert.equal(await page.evaluate(() => /** @type {any} */ (window).__sameDocument), true, 'no reload');

    // The overview's call count follows too.
    await page.getByTestId('nav-overview').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="kpi-calls"]')?.hasAttribute('data-value'),
      null
    );
    const before = Number(await page.getByTestId('kpi-calls').getAttribute('data-value'));
    const secondId = `webtest-${run}-live2`;
    await agent('/fmcsa/verify', { mc_number: '700010', call_id: secondId });
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="kpi-calls"]')?.getAttribute('data-value')) === n,
      before + 1,
      { timeout: LIVE_TIMEOUT }
    );
    assert.equal(await page.evaluate(() => /** @type {any} */ (window).__sameDocument), true, 'no reload');
  });

  it('says when a call or a carrier is missing, retries a failed load and marks a live refresh', async () => {
    // A page of its own, signed in by the same cookie, so the main page stays where it is.
    const other = await page.context().newPage();
    other.setDefaultTimeout(15_000);
    other.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    const text = async (/** @type {string} */ id) => (await other.getByTestId(id).textContent()) ?? '';
    const failOnce = (/** @type {string} */ message) =>
      other.route(
        '**/api/v1/carriers/700010',
        (route) =>
          route.fulfill({
            status: 500,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'internal', message } })
          }),
        { times: 1 }
      );
    try {
      const nowhere = `webtest-${run}-nowhere`;
      await other.goto(`${BASE_URL}/calls/${nowhere}`);
      await other.getByTestId('call-not-found').waitFor();
      assert.match(await text('call-not-found'), new RegExp(`No call with id ${nowhere}`));

      const unknownMc = String(80_000_000 + Math.floor(Math.random() * 9_999_999));
      await other.goto(`${BASE_URL}/carriers/${unknownMc}`);
      await other.getByTestId('carrier-not-found').waitFor();
      assert.match(await text('carrier-not-found'), new RegExp(`Nothing recorded for MC ${unknownMc}`));
      await other.goto(`${BASE_URL}/carriers/not-a-number`);
      await other.getByTestId('carrier-not-found').waitFor();
      assert.match(await text('carrier-not-found'), /not-a-number is not an MC number/);

      // The first answer fails: the page says why, and "Try again" loads it.
      await failOnce('Injected by the browser test.');
      await other.goto(`${BASE_URL}/carriers/700010`);
      await other.getByTestId('carrier-error').waitFor();
      assert.match(await text('carrier-error'), /Couldn't load this carrier.*Injected by the browser test\./s);
      await other.getByTestId('carrier-error').getByRole('button', { name: 'Try again' }).click();
      await other.getByTestId('carrier-summary').waitFor();

      // A verification naming the carrier refreshes the page in place and says so.
      await other.waitForFunction(
        () => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-state') === 'connected',
        null,
        { timeout: LIVE_TIMEOUT }
      );
      const liveId = `webtest-${run}-carrier-live`;
      await agent('/fmcsa/verify', { mc_number: '700010', call_id: liveId });
      await other.getByTestId('carrier-updated').waitFor({ timeout: LIVE_TIMEOUT });
      await other.locator(`[data-testid="carrier-call"][data-call-id="${liveId}"]`).waitFor();

      // A refresh that fails keeps what is shown and offers a retry.
      await failOnce('Refresh refused by the browser test.');
      await agent('/fmcsa/verify', { mc_number: '700010', call_id: liveId });
      const stale = other.getByRole('alert').filter({ hasText: "Couldn't refresh" });
      await stale.waitFor({ timeout: LIVE_TIMEOUT });
      assert.match((await stale.textContent()) ?? '', /Refresh refused by the browser test\./);
      assert.equal(await other.getByTestId('carrier-summary').count(), 1, 'the history stays shown');
      await stale.getByRole('button', { name: 'Retry' }).click();
      await stale.waitFor({ state: 'detached' });
    } finally {
      await other.close();
    }
  });

  it('shows the load board and the negotiation policy', async () => {
    await page.getByTestId('nav-loads').click();
    await page.getByTestId('loads-table').waitFor();
    await page.getByTestId('policy-max-rounds').waitFor();
    // The runner points LOADS_FEED_URL at a port nobody listens on: the failure shows.
    const feed = await dashboardGet('/loads/sync');
    if (feed.feed_url) {
      await page.getByTestId('feed-error').waitFor();
      assert.match((await page.getByTestId('feed-error').textContent()) ?? '', /could not be fetched/);
      assert.match((await page.getByTestId('feed-error').textContent()) ?? '', /keeps what it had/);
    }
    await page.screenshot({ path: `${RESULTS}loads.png`, fullPage: true });
  });

  it('adds, changes and withdraws a load as admin, errors next to the field', async (t) => {
    const scope = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).scope);
    if (scope !== 'admin') {
      t.skip('DASHBOARD_KEY is not an admin key');
      return;
    }
    const id = `WEB-${run}`.toUpperCase();
    await page.getByTestId('nav-loads').click();
    await page.getByTestId('loads-table').waitFor();
    await page.getByTestId('load-add').click();
    await page.getByTestId('load-field-load_id').fill(id);
    await page.getByTestId('load-field-origin').fill('Atlantis, ZZ');
    await page.getByTestId('load-field-destination').fill('Atlanta, GA');
    const pickup = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('load-field-pickup').fill(`${pickup}T08:00`);
    await page.getByTestId('load-field-loadboard_rate').fill('1850');
    await page.getByTestId('load-save').click();
    // The server's complaint, under the field it names.
    const fieldError = page.locator('#load-origin ~ [data-testid="load-field-error"]');
    await fieldError.waitFor();
    assert.match((await fieldError.textContent()) ?? '', /origin/i);
    assert.equal(await page.getByTestId('load-field-origin').getAttribute('aria-invalid'), 'true');

    await page.getByTestId('load-field-origin').fill('Dallas, TX');
    await page.getByTestId('load-save').click();
    await page.getByTestId('load-saved').waitFor();
    const row = page.locator(`[data-testid="load-row"][data-load-id="${id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /\$1,850/);
    const stored = await dashboardGet(`/loads/${id}`);
    assert.equal(stored.loadboard_rate, 1850);
    assert.equal(stored.origin, 'Dallas, TX');
    assert.match(stored.pickup_datetime, new RegExp(`^${pickup}T08:00:00-0[56]:00$`), 'the pickup is Dallas time');

    // A new rate and a max rate below it: refused next to max_rate; then a good one.
    await row.getByTestId('load-edit').click();
    assert.equal(await page.getByTestId('load-field-load_id').inputValue(), id);
    await page.getByTestId('load-field-loadboard_rate').fill('1900');
    await page.getByTestId('load-field-max_rate').fill('1700');
    await page.getByTestId('load-save').click();
    await page.locator('#load-max_rate ~ [data-testid="load-field-error"]').waitFor();
    await page.getByTestId('load-field-max_rate').fill('2050');
    await page.getByTestId('load-save').click();
    await page.getByTestId('load-saved').waitFor();
    await page.waitForFunction((loadId) => document.querySelector(`[data-load-id="${loadId}"]`)?.textContent?.includes('$1,900'), id);
    assert.equal((await dashboardGet(`/loads/${id}`)).max_rate, 2050);
    await page.screenshot({ path: `${RESULTS}load-edited.png`, fullPage: false });

    // Withdrawn: off the available board, cancelled in the API.
    await row.getByTestId('load-edit').click();
    page.once('dialog', (d) => d.accept());
    await page.getByTestId('load-withdraw').click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await dashboardGet(`/loads/${id}`)).status, 'cancelled');
  });

  it('counts the webhooks we could not read on the overview and in the top bar', async () => {
    await page.getByTestId('nav-overview').click();
    const { open } = await rejectedEntry(unread.rejectedId);
    assert.ok(open >= 2, `both seeded bodies are open (the API says ${open})`);
    const notice = page.getByTestId('rejected-notice');
    await notice.waitFor();
    const text = ((await notice.textContent()) ?? '').replace(/\s+/g, ' ');
    assert.match(text, new RegExp(`^ ?${integer.format(open)} webhooks we could not read\\.`));
    assert.equal((await page.getByTestId('nav-webhooks-count').textContent())?.trim(), integer.format(open));
    await page.screenshot({ path: `${RESULTS}overview-rejected.png` });
  });

  it('lists a body we could not read and marks where reading failed', async () => {
    await page.getByTestId('rejected-notice-link').click();
    await page.waitForURL(/\/webhooks\?status=open/);
    const { entry } = await rejectedEntry(unread.rejectedId);
    assert.equal(entry.error_line, BROKEN_AT.line, `the parser stops on the transcript line: ${JSON.stringify(entry)}`);
    const row = page.locator(`[data-testid="rejected-row"][data-rejected-id="${unread.rejectedId}"]`);
    await row.waitFor();
    assert.equal(await page.getByTestId('rejected-row').first().getAttribute('data-rejected-id'), unread.rejectedId, 'newest first');
    assert.equal(await row.getAttribute('data-status'), 'open');
    assert.equal((await row.getByTestId('rejected-status').textContent())?.trim(), 'Open');
    assert.equal(
      (await row.getByTestId('rejected-position').textContent())?.replace(/\s+/g, ' ').trim(),
      `Line ${entry.error_line}, column ${entry.error_column}`
    );
    assert.ok(entry.error.startsWith((await row.getByTestId('rejected-error').textContent())?.trim() ?? '-'));

    await row.getByTestId('rejected-toggle').click();
    await row.getByTestId('rejected-detail').waitFor();
    assert.equal(await row.getByTestId('rejected-request-id').textContent(), entry.request_id);
    // Every line of the body as received, the failing one highlighted.
    const lines = await row.locator('.source__line .source__text').allTextContents();
    assert.equal(lines.join('\n'), BROKEN_FINALIZE);
    const errorLine = row.getByTestId('rejected-error-line');
    assert.equal(await errorLine.getAttribute('data-line'), String(BROKEN_AT.line));
    assert.equal(await errorLine.locator('.source__text').textContent(), BROKEN_FINALIZE.split('\n')[BROKEN_AT.line - 1]);
    // The mark sits on the character where the server says reading stopped: the n of "no".
    const expected = BROKEN_FINALIZE.split('\n')[entry.error_line - 1][entry.error_column - 1];
    assert.equal(expected, BROKEN_AT.char);
    assert.equal(await row.getByTestId('rejected-error-mark').textContent(), expected);
    const before = await errorLine.locator('.source__text').evaluate((el) => el.firstChild?.textContent ?? '');
    assert.ok(before.endsWith('I said "'), `the mark follows the unescaped quote (before it: ${JSON.stringify(before)})`);
    await page.waitForTimeout(200);
    await row.screenshot({ path: `${RESULTS}webhooks-entry.png` });
    await page.screenshot({ path: `${RESULTS}webhooks.png`, fullPage: true });
  });

  it('replays a corrected body as admin and links to the call it made', async (t) => {
    const scope = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).scope);
    const row = page.locator(`[data-testid="rejected-row"][data-rejected-id="${unread.rejectedId}"]`);
    if (scope !== 'admin') {
      assert.equal(await row.getByTestId('replay-open').count(), 0, 'no replay control without admin scope');
      t.skip('DASHBOARD_KEY is not an admin key');
      return;
    }
    await row.getByTestId('replay-open').click();
    const editor = row.getByTestId('replay-body');
    await editor.waitFor();
    assert.equal(await editor.inputValue(), BROKEN_FINALIZE, 'the editor starts from the body as received');

    // Still broken: the server says so, inline, and nothing changes.
    await row.getByTestId('replay-submit').click();
    await row.getByTestId('replay-error').waitFor();
    assert.match((await row.getByTestId('replay-error').textContent()) ?? '', /Still not JSON/);
    assert.equal(await row.getAttribute('data-status'), 'open');

    // Valid JSON the route refuses: its field and message, inline.
    await editor.fill(FIXED_FINALIZE.replace('"duration_seconds": 95', '"duration_seconds": "forever"'));
    await row.getByTestId('replay-submit').click();
    await page.waitForFunction(
      (id) => !!document.querySelector(`[data-rejected-id="${id}"] [data-testid="replay-error-field"]`),
      unread.rejectedId
    );
    assert.equal(await row.getByTestId('replay-error-field').textContent(), 'duration_seconds');
    assert.equal(await row.getAttribute('data-status'), 'open');

    await editor.fill(FIXED_FINALIZE);
    await row.getByTestId('replay-submit').click();
    await row.getByTestId('replay-done').waitFor();
    assert.match((await row.getByTestId('replay-done').textContent()) ?? '', /Call recorded as carrier declined/);
    assert.equal(await row.getAttribute('data-status'), 'replayed');
    assert.equal((await row.getByTestId('rejected-status').textContent())?.trim(), 'Replayed');
    assert.equal(await row.getByTestId('replay-editor').count(), 0, 'the editor closes');

    const { entry, open } = await rejectedEntry(unread.rejectedId);
    assert.equal(entry.replay_call_id, unreadCallId);
    assert.ok(entry.replayed_at, 'the server marked it replayed');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="nav-webhooks-count"]')?.textContent?.trim() === n,
      integer.format(open)
    );
    await page.screenshot({ path: `${RESULTS}webhooks-replayed.png`, fullPage: true });

    const link = row.getByTestId('rejected-call-link');
    assert.equal(await link.getAttribute('href'), `/calls/${unreadCallId}`);
    await link.click();
    await page.waitForURL(new RegExp(`/calls/${unreadCallId}$`));
    await page.getByTestId('call-outcome').waitFor();
    assert.equal(await page.getByTestId('call-outcome').getAttribute('data-outcome'), 'carrier_declined');
    assert.match((await page.getByTestId('transcript-panel').textContent()) ?? '', /I said "no" to that rate/);
  });

  it('shows the bodies but no replay to a dashboard-scope manager', async (t) => {
    if (!VIEWER_KEY) {
      t.skip('set VIEWER_KEY (a dashboard-scope key) to check the read-only view');
      return;
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const viewer = await context.newPage();
      viewer.setDefaultTimeout(15_000);
      viewer.on('pageerror', (e) => problems.push(`uncaught (viewer): ${e.message}`));
      await viewer.goto(`${BASE_URL}/webhooks`);
      await viewer.getByTestId('sign-in-key').fill(VIEWER_KEY);
      await viewer.getByTestId('sign-in-submit').click();
      const row = viewer.locator(`[data-testid="rejected-row"][data-rejected-id="${unread.truncatedId}"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'open');
      await row.getByTestId('rejected-toggle').click();
      await row.getByTestId('rejected-error-mark').waitFor();
      assert.match((await row.getByTestId('rejected-body').textContent()) ?? '', /"status": "comp/);
      assert.equal(await viewer.getByTestId('replay-open').count(), 0, 'no replay control');
    } finally {
      await context.close();
    }
  });

  it('adds a webhook endpoint and follows its deliveries to the receiver', async (t) => {
    const scope = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).scope);
    if (scope !== 'admin') {
      t.skip('DASHBOARD_KEY is not an admin key');
      return;
    }
    // A TMS stand-in on this machine: it fails the first request, then takes them all.
    /** @type {{ headers: import('node:http').IncomingHttpHeaders, body: string }[]} */
    const received = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(received.length === 1 ? 500 : 200).end('ok');
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(undefined)));
    const address = /** @type {import('node:net').AddressInfo} */ (receiver.address());
    const receiverUrl = `http://127.0.0.1:${address.port}/hooks`;
    try {
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('webhook-endpoints').waitFor();

      // The cloud metadata address is refused, next to the field.
      await page.getByTestId('endpoint-add').click();
      await page.getByTestId('endpoint-url').fill('http://169.254.169.254/latest/meta-data/');
      await page.getByTestId('endpoint-save').click();
      await page.getByTestId('endpoint-url-error').waitFor();
      assert.match((await page.getByTestId('endpoint-url-error').textContent()) ?? '', /never reach/);

      await page.getByTestId('endpoint-url').fill(receiverUrl);
      await page.getByTestId('endpoint-description').fill('TMS (browser test)');
      await page.getByTestId('endpoint-save').click();
      await page.getByTestId('endpoint-secret').waitFor();
      const secret = ((await page.getByTestId('endpoint-secret').textContent()) ?? '').trim();
      assert.match(secret, /^whsec_[0-9a-f]{48}$/);
      await page.screenshot({ path: `${RESULTS}webhook-secret.png`, fullPage: true });
      await page.getByTestId('endpoint-done').click();
      const row = page.getByTestId('webhook-endpoint').filter({ hasText: `127.0.0.1:${address.port}/hooks` });
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /All events/);

      // A booking: sent, refused once, retried, delivered; the list follows by itself.
      await seedCall(`webtest-${run}-hooked`, { book: true, outcome: 'booked' });
      const delivery = page.getByTestId('webhook-delivery').filter({ hasText: 'Booking created' }).first();
      await delivery.waitFor();
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid="webhook-delivery"]')].some(
            (d) => d.textContent?.includes('Booking created') && d.getAttribute('data-status') === 'succeeded'
          ),
        undefined,
        { timeout: 20_000 }
      );
      await delivery.getByTestId('delivery-toggle').click();
      const attempts = delivery.getByTestId('delivery-attempt');
      assert.equal(await attempts.count(), 2);
      assert.match((await attempts.nth(0).textContent()) ?? '', /500/);
      assert.match((await attempts.nth(0).textContent()) ?? '', /the receiver answered HTTP 500/);
      assert.match((await attempts.nth(1).textContent()) ?? '', /200/);

      // What arrived is signed with the secret the dialog showed, as the receiver checks it.
      const booked = received.find((r) => JSON.parse(r.body).type === 'booking.created');
      assert.ok(booked, 'the receiver got the booking');
      const header = String(booked.headers['x-carriersales-signature']);
      const t0 = /t=(\d+)/.exec(header)?.[1];
      const expected = createHmac('sha256', secret).update(`${t0}.${booked.body}`).digest('hex');
      assert.equal(header, `t=${t0},v1=${expected}`);
      assert.equal(booked.headers['x-carriersales-event-id'], JSON.parse(booked.body).id);
      await page.screenshot({ path: `${RESULTS}webhook-deliveries.png`, fullPage: true });

      // Sent again by hand: the same event once more.
      const before = received.length;
      await delivery.getByTestId('delivery-redeliver').click();
      const deadline = Date.now() + 15_000;
      while (received.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(received.length > before, 'redelivered');
      assert.equal(received.at(-1)?.headers['x-carriersales-event-id'], booked.headers['x-carriersales-event-id']);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(() => resolve(undefined)));
    }
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('kpi-calls').waitFor();
    await page.waitForTimeout(600);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await page.screenshot({ path: `${RESULTS}overview-mobile.png`, fullPage: true });
    await page.getByTestId('nav-webhooks').click();
    await page.getByTestId('rejected-row').first().getByTestId('rejected-toggle').click();
    await page.getByTestId('rejected-error-mark').first().waitFor();
    const webhooksOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(webhooksOverflow <= 0, `the webhooks page fits too (overflow ${webhooksOverflow}px)`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${RESULTS}webhooks-mobile.png`, fullPage: true });
    await page.goto(`${BASE_URL}/carriers/700010`);
    await page.getByTestId('carrier-summary').waitFor();
    const carrierOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(carrierOverflow <= 0, `the carrier page fits too (overflow ${carrierOverflow}px)`);
    await page.screenshot({ path: `${RESULTS}carrier-mobile.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('signs out', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(status, 401, 'the session is gone');
  });

  it('broke no Content Security Policy rule and threw no error', () => {
    assert.deepEqual(problems, []);
  });
});
