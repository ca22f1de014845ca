import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "../helpers/controller.js";

// axe runs in the page, where the DOM exists; the Node program's types have no DOM.
declare const document: unknown;

/** Debian's chromium (scripts/install-system-deps.sh); a browser is never downloaded. */
export const CHROMIUM = process.env.SLUICE_CHROMIUM ?? "/usr/bin/chromium";

/** Where the browser tests save their screenshots (docs/dashboard.md names it). */
export const SCREENSHOTS = process.env.SLUICE_SCREENSHOT_DIR ?? path.join(REPO_ROOT, "test-results", "dashboard");

/** Headless chromium; --no-sandbox because CI runs as root. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
}

/** A free TCP port on 127.0.0.1, so a restarted controller can listen where the page expects it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A fresh browser profile (its own cookies) at 1280×800 or a phone's width, light or dark. */
export function newContext(
  browser: Browser,
  opts: { phone?: boolean; dark?: boolean; bypassCSP?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    colorScheme: opts.dark ? "dark" : "light",
    ...(opts.bypassCSP ? { bypassCSP: true } : {}),
  });
}

/** Signs in through the sign-in form, as a person does, and waits for the live overview. */
export async function signIn(page: Page, apiUrl: string, token: string): Promise<void> {
  await page.goto(`${apiUrl}/dashboard/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('[data-live="live"]').waitFor({ timeout: 20_000 });
}

/** Saves a full-page screenshot as a test artefact. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core in the page (its context must bypass CSP to inject it) and returns serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(path.join(REPO_ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: source });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return (violations as AxeViolation[]).filter((v) => v.impact === "serious" || v.impact === "critical");
}
