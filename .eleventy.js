// Eleventy builds the pages from src/ with the layouts in templates/. The sidecar runs it
// (sidecar/site/build.ts) and hands it `site` and `assets` as global data.
export default function (eleventyConfig) {
  // JSON for a <script type="application/json"> block: "<" escaped so no text can close the tag.
  eleventyConfig.addFilter('jsonScript', (value) => JSON.stringify(value).replace(/</g, '\\u003c'));
  // Links relative to the site root, so the site works under any sub-path (nginx location, wiki copy).
  eleventyConfig.addFilter('rootPrefix', (url) => {
    const parts = String(url).split('/').filter(Boolean);
    const depth = String(url).endsWith('/') ? parts.length : Math.max(0, parts.length - 1);
    return depth ? '../'.repeat(depth) : './';
  });
  eleventyConfig.setQuietMode(true);
  return {
    templateFormats: ['njk'],
    htmlTemplateEngine: 'njk',
    // Input (src/) and output (--output) are passed in by sidecar/site/build.ts: set here, they would win.
    dir: { includes: '../templates', layouts: '../templates/layouts' },
  };
}
