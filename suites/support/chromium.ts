// Headless Chromium for looking at the reports as a reader does (issue 15, 22, 26):
// the Debian binary npm run setup installs, driven by playwright-core. Undefined
// when it is not installed: the caller skips and says so.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
export const CHROMIUM_MISSING = 'chromium not installed (npm run setup installs it)';

export async function launchChromium(): Promise<Browser | undefined> {
  if (!CHROMIUM) return undefined;
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
