// Eleventy builds the pages from src/ with the layouts in templates/. The sidecar runs it
// (sidecar/site/build.ts) and hands it `site` and `assets` as global data.
export default function (eleventyConfig) {
  // JSON for a <script type="application/json"> block: "<" escaped so no text can close the tag.
  eleventyConfig.addFilter('jsonScript', (value) => JSON.stringify(value).replace(/</g, '\\u003c'));
  // Links relative to the site root, so the site works under any sub-path (nginx location, wiki copy).
  eleventyConfig.addFilter('rootPrefix', (url) => {
    const depth = String(url).split('/').filter(Boolean).length;
    return depth ? '../'.repeat(depth) : './';
  });
  eleventyConfig.setQuietMode(true);
  return {
    templateFormats: ['njk'],
    htmlTemplateEngine: 'njk',
    // The output folder is the sidecar's --output, passed in by sidecar/site/build.ts.
    dir: { input: 'src', includes: '../templates', layouts: '../templates/layouts' },
  };
}
