// Playwright runs the specs in test/e2e twice: `web` drives Chromium against
// `switchyard serve`, `electron` drives the desktop app and skips where the
// Electron binary is missing. `npm run test:e2e` runs the web project.
import { existsSync } from 'node:fs';
import { chromium, defineConfig } from '@playwright/test';

/** Debian's Chromium, used when Playwright's own build was never downloaded. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

function chromiumExecutable(): string | undefined {
  if (existsSync(chromium.executablePath())) return undefined;
  return existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;
}

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results',
  // Each test starts a web host and device processes, and the specs share the
  // shell's port range, so tests run one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]] : [['list']],
  use: {
    screenshot: 'on',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'web',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromiumExecutable(),
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
    },
  ],
});
