// Runs axe-core on pages of a running Jalon, as tools/axe_audit.py asks: reads a JSON job
// {chromium, base, pages: [{name, path, cookie}]} on stdin, prints a JSON list of results.
// Needs axe-core and puppeteer-core (npm install --prefix tools/axe); no browser download:
// puppeteer-core drives the Chromium given by the job.
"use strict";
const fs = require("fs");
const puppeteer = require("puppeteer-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function main() {
  const job = JSON.parse(fs.readFileSync(0, "utf8"));
  const browser = await puppeteer.launch({
    executablePath: job.chromium, headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--lang=fr-FR"],
  });
  const results = [];
  try {
    for (const item of job.pages) {
      for (const width of job.widths) {
        const context = await browser.createBrowserContext();
        const page = await context.newPage();
        await page.setViewport({ width, height: 900 });
        if (item.cookie) {
          await context.setCookie({ name: item.cookie.name, value: item.cookie.value,
                                    domain: new URL(job.base).hostname, path: "/" });
        }
        const response = await page.goto(job.base + item.path, { waitUntil: "networkidle0" });
        await page.evaluate(axeSource);
        const found = await page.evaluate(async (tags) => {
          const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
          return r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html,
                                         summary: n.failureSummary })),
          }));
        }, TAGS);
        results.push({ name: item.name, path: item.path, width,
                       status: response ? response.status() : 0, violations: found });
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => { console.error(error); process.exit(2); });
