// history.html in headless Chromium (issue 26): the summary on the first screen,
// the grid (a row per feature, a column per run, a colour per status), the flaky
// row marked, and the filter "changed in the last N runs".
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, launchChromium } from '../suites/support/chromium.ts';
import { buildHistory } from './history.ts';
import { run } from './history-fixture.ts';
import { renderHistoryHtml } from './history-html.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocicat-history-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('history.html', () => {
  it('shows the summary first, the grid, the flaky mark, and filters by recent change', async (ctx) => {
    const browser = await launchChromium();
    if (!browser) return ctx.skip(CHROMIUM_MISSING);
    const h = buildHistory([0, 1, 2, 3, 4].map((i) => ({ results: run(i) })));
    const file = join(dir, 'history.html');
    await writeFile(file, renderHistoryHtml(h, dir));
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      await page.goto(`file://${file}`);
      const summary = page.locator('#summary');
      expect((await summary.boundingBox())!.y).toBeLessThan(1000);
      expect(await summary.textContent()).toContain('1regressions');
      expect(await summary.textContent()).toContain('1flaky cells');
      // the grid: six rows over two registries, five runs each
      expect(await page.locator('tr[data-s]').count()).toBe(6);
      expect(await page.locator('tr[data-s]').first().locator('td.c').count()).toBe(5);
      type Css = { getComputedStyle(e: unknown, p?: string): { backgroundColor: string; content: string } };
      const flakyMark = await page
        .locator('tr.flaky td.ft')
        .evaluate((el) => (globalThis as unknown as Css).getComputedStyle(el, '::after').content);
      expect(flakyMark).toContain('flaky');
      const failColour = await page
        .locator('td.c.f')
        .first()
        .evaluate((el) => (globalThis as unknown as Css).getComputedStyle(el).backgroundColor);
      expect(failColour).toBe('rgb(207, 34, 46)');
      // changed in the last run: only the flaky cell (fail -> pass on night 5)
      await page.locator('#f-last').fill('1');
      const visible = await page.locator('tr[data-s]:not(.hidden) td.ft').allTextContents();
      expect(visible).toEqual(['push.blob.monolithic']);
      await page.locator('#f-last').fill('0');
      expect(await page.locator('tr[data-s]:not(.hidden)').count()).toBe(6);
      await page.screenshot({ path: join(process.env.OCICAT_SCREENSHOT_DIR ?? dir, 'history.png') });
    } finally {
      await browser.close();
    }
  });
});
