// Every node the app creates goes through these functions. Text only ever becomes a Text node
// (or textContent), never markup, so a customer's name can't inject elements or scripts; and
// inline styles and event-handler attributes are refused, as the Content Security Policy would.

export type Child = Node | string | null | undefined | false;
export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Readonly<Record<string, AttrValue>>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function applyAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    const lower = name.toLowerCase();
    if (lower === 'style' || lower.startsWith('on')) {
      throw new Error(`refusing to set the ${name} attribute`);
    }
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') {
      node.setAttribute('class', String(value));
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(node: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** An HTML element with attributes and children; strings become text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element, for the few icons. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

/** Sets a node's text, skipping the write when it is already shown (rows re-render often). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Removes every child. */
export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
