// <rill-demo>: a live rill demo in any page, from this one ES module.
//
//   <script type="module" src="https://…/rill-demo.js"></script>
//   <rill-demo scenario="replication.rill" view="replication" autoplay speed="2" height="420"
//              lang="ko"></rill-demo>
//
// The scenario comes from the `scenario` URL (relative to the page), from a child
// <script type="text/rill"> or from the element's own text. Every element on the page shares
// the one wasm module this file loads; each runs its own cluster in memory (no IndexedDB).
// A demo starts when it first comes near the screen and pauses while it is out of sight.
// Its view is drawn in a shadow root, so the page's styles and the demo's do not mix.
import init, { mountDemo } from './rill_playground.js';

const BASE = new URL('./', import.meta.url);
let wasm = null;

/** Loads the wasm once for every demo on the page. */
function loadWasm() {
  wasm ??= init({ module_or_path: new URL('rill_playground_bg.wasm', BASE) });
  return wasm;
}

/** Removes the indentation common to every non-blank line (scripts indented in HTML). */
function dedent(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[0].trim()) lines.shift();
  const indents = lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)[0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** A boolean attribute: present and not "false"/"0"/"none". */
function flag(element, name, fallback) {
  if (!element.hasAttribute(name)) return fallback;
  const value = element.getAttribute(name).trim().toLowerCase();
  return !['false', '0', 'no', 'none', 'off'].includes(value);
}

class RillDemo extends HTMLElement {
  constructor() {
    super();
    this.demo = null;
    this.visible = false;
    this.started = false;
    this.observer = null;
  }

  connectedCallback() {
    if (this.observer) return;
    loadWasm().catch(() => {});
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    shadow.replaceChildren();
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = new URL('style.css', BASE).href;
    this.box = document.createElement('div');
    this.box.className = 'rill-demo';
    this.box.setAttribute('part', 'demo');
    const height = parseInt(this.getAttribute('height') ?? '', 10);
    // CSSOM, not a style attribute: allowed under a strict style-src.
    this.box.style.height = `${Number.isFinite(height) && height >= 120 ? height : 480}px`;
    this.status = document.createElement('p');
    this.status.className = 'rill-demo-status';
    this.status.setAttribute('role', 'status');
    this.status.textContent = this.lang === 'ko' || this.getAttribute('lang') === 'ko'
      ? 'rill 데모를 불러오는 중…' : 'Loading the rill demo…';
    this.box.append(this.status);
    shadow.append(sheet, this.box);
    this.observer = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      this.visible = entry.isIntersecting;
      if (this.visible && !this.started) this.start();
      this.demo?.setVisible(this.visible);
    }, { rootMargin: '200px 0px' });
    this.observer.observe(this);
  }

  disconnectedCallback() {
    this.observer?.disconnect();
    this.observer = null;
    this.demo?.destroy();
    this.demo = null;
    this.started = false;
  }

  /** The scenario script: `scenario` URL, a child <script type="text/rill">, or the text. */
  async script() {
    const url = this.getAttribute('scenario');
    if (url) {
      const response = await fetch(new URL(url, document.baseURI));
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.text();
    }
    const child = this.querySelector('script[type="text/rill"]');
    return dedent(child ? child.textContent : this.textContent);
  }

  async start() {
    this.started = true;
    try {
      const [script] = await Promise.all([this.script(), loadWasm()]);
      if (!this.isConnected || this.demo) return;
      const root = document.createElement('div');
      root.className = 'rill-demo-root';
      this.status.remove();
      this.box.append(root);
      this.demo = mountDemo(root, {
        script,
        view: this.getAttribute('view') ?? undefined,
        autoplay: flag(this, 'autoplay', false),
        speed: Number(this.getAttribute('speed') ?? 1) || 1,
        until: this.getAttribute('until') ?? undefined,
        lang: this.getAttribute('lang') ?? undefined,
        controls: flag(this, 'controls', true),
        playground: new URL('index.html', BASE).href,
      });
      this.demo.setVisible(this.visible);
      this.dispatchEvent(new CustomEvent('rill-ready', { bubbles: true }));
    } catch (error) {
      this.status.textContent = `rill: ${error.message ?? error}`;
      this.status.classList.add('error');
    }
  }
}

if (!customElements.get('rill-demo')) customElements.define('rill-demo', RillDemo);
