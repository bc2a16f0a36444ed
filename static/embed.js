// embed.html?scenario=…&view=…&autoplay=…&speed=…&height=…&lang=…&controls=…&until=…
// A page for iframes: one <rill-demo> configured by the URL. A file, not an inline script:
// the page's Content-Security-Policy allows scripts from this origin only.
import './rill-demo.js';

const params = new URLSearchParams(location.search);
const demo = document.createElement('rill-demo');
for (const name of ['scenario', 'view', 'speed', 'lang', 'until', 'controls']) {
  const value = params.get(name);
  if (value !== null) demo.setAttribute(name, value);
}
const autoplay = params.get('autoplay');
if (autoplay !== null && !['0', 'false', 'no'].includes(autoplay)) demo.setAttribute('autoplay', '');
// The frame is the demo: it fills the iframe unless a height is asked for.
const height = parseInt(params.get('height') ?? '', 10);
demo.setAttribute('height', String(Number.isFinite(height) ? height : Math.max(240, innerHeight - 4)));
const lang = params.get('lang');
if (lang) document.documentElement.lang = lang;
// An inline script in the fragment (#script=<text, percent-encoded>).
const inline = new URLSearchParams(location.hash.slice(1)).get('script');
if (inline !== null && !params.get('scenario')) demo.textContent = inline;
document.body.append(demo);
