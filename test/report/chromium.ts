import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

// A real headless Chromium for the HTML report: Debian's package (apt-get install chromium, done by
// .ci/install-chromium.sh), driven by puppeteer-core. CI runs as root, hence --no-sandbox.

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.CHROMIUM_PATH;
  const found = given !== undefined && given !== '' ? given : CANDIDATES.find((p) => existsSync(p));
  if (found === undefined || !existsSync(found))
    throw new Error(
      `Chromium is not installed (looked for ${given ?? CANDIDATES.join(', ')}): install it (Debian/Ubuntu: sudo apt-get install -y chromium; CI: .ci/install-chromium.sh) or set CHROMIUM_PATH`,
    );
  return found;
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}
