/**
 * What the viewer tests share: the example viewer's files (examples/viewer, with hls.js from node_modules) and headless
 * Debian Chromium launched with the flags this project's machines need.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium; CHROMIUM_PATH points the tests at another Chromium build (CI images without Debian's package). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** DEVELOPERS.md: the flags Chromium must run with here; autoplay so that the page plays without a click. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

const VIEWER_DIR = path.join(__dirname, '..', '..', 'examples', 'viewer');
/** The page's files by URL path. */
const VIEWER_FILES: Record<string, { file: string; type: string }> = {
  '/viewer/index.html': { file: path.join(VIEWER_DIR, 'index.html'), type: 'text/html' },
  '/viewer/viewer.js': { file: path.join(VIEWER_DIR, 'viewer.js'), type: 'text/javascript' },
  '/viewer/hls.min.js': { file: require.resolve('hls.js/dist/hls.min.js'), type: 'text/javascript' },
};

/** The viewer's file at a URL path, or undefined when the path is not one of them. */
export function viewerFile(pathname: string): { readonly type: string; readonly body: Buffer } | undefined {
  const file = VIEWER_FILES[pathname];
  return file && { type: file.type, body: fs.readFileSync(file.file) };
}

/** Headless Chromium with a fresh profile; `close()` closes it and removes the profile. */
export async function launchChromium(): Promise<{ readonly browser: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'viewer-chromium-'));
  try {
    const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    return {
      browser,
      close: async () => {
        await browser.close();
        fs.rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}
