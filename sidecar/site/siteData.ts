/** What the site is built from, besides src/ and templates/. Pages get everything else from the JSON at run time. */
export interface SiteData {
  version: string;
  intervalSeconds: number;
  instances: string[];
}

/** Hashed names of the built assets and the compiled chart specs, handed to the templates. */
export interface SiteAssets {
  scripts: Record<string, string>;
  styles: Record<string, string>;
  charts: Record<string, unknown>;
}
