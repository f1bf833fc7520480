/**
 * A small, strict XML parser for the subset bank statements use: elements, attributes, text,
 * CDATA, comments, the XML declaration and processing instructions. It refuses what it does not
 * need and what is dangerous: DOCTYPE (and so entity declarations: no XXE, no "billion laughs"),
 * unknown entities, mismatched or unclosed tags, text or a second element outside the root,
 * duplicate attributes. Names keep their prefix; `localName` drops it.
 */
export interface XmlElement {
  name: string;
  localName: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside the element. */
  text: string;
  /** 1-based line of the opening tag. */
  line: number;
}

export class XmlError extends Error {
  constructor(message: string, readonly line: number) {
    super(`XML line ${line}: ${message}`);
    this.name = 'XmlError';
  }
}

export interface XmlParseOptions {
  /**
   * Called when an element is closed, with its ancestors' local names; returning `false` keeps it
   * out of its parent (a statement's entries are processed one by one, not all held in memory).
   */
  onClose?: (element: XmlElement, path: readonly string[]) => boolean | void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string, line: number): string {
  if (raw.indexOf('&') < 0) return raw;
  return raw.replace(/&([^;&\s]{0,12});?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new XmlError(`unterminated entity "${match}"`, line);
    if (name in PREDEFINED) return PREDEFINED[name];
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (numeric) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`invalid character reference "${match}"`, line);
      return String.fromCodePoint(code);
    }
    throw new XmlError(`unknown entity "${match}" (only the five predefined ones and character references are allowed)`, line);
  });
}

const localNameOf = (name: string) => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

function parseAttributes(source: string, line: number): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = /\s*([^\s=/>]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new XmlError(`malformed attributes "${source.trim().slice(0, 40)}"`, line);
    const name = match[1];
    if (!NAME.test(name)) throw new XmlError(`invalid attribute name "${name}"`, line);
    if (name in attributes) throw new XmlError(`duplicate attribute "${name}"`, line);
    attributes[name] = decodeEntities(match[2] ?? match[3], line);
    index = pattern.lastIndex;
  }
  return attributes;
}

/** Index of the '>' closing a tag, skipping quoted attribute values (which may hold '>'). */
function tagEnd(text: string, from: number): number {
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    } else if (c === '<') {
      return -1;
    }
  }
  return -1;
}

/** Parses a document and returns its root element. */
export function parseXml(input: string, options: XmlParseOptions = {}): XmlElement {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let position = 0;
  let line = 1;
  const stack: XmlElement[] = [];
  const path: string[] = [];
  let root: XmlElement | undefined;
  const advanceTo = (end: number) => {
    for (let i = position; i < end; i++) if (text.charCodeAt(i) === 10) line += 1;
    position = end;
  };

  while (position < text.length) {
    const lt = text.indexOf('<', position);
    const chunkEnd = lt < 0 ? text.length : lt;
    if (chunkEnd > position) {
      const raw = text.slice(position, chunkEnd);
      if (stack.length === 0) {
        if (!/^\s*$/.test(raw)) throw new XmlError('text outside the root element', line);
      } else {
        if (raw.indexOf(']]>') >= 0) throw new XmlError('"]]>" in character data', line);
        stack[stack.length - 1].text += decodeEntities(raw, line);
      }
      advanceTo(chunkEnd);
      if (lt < 0) break;
    }
    if (text.startsWith('<!--', position)) {
      const end = text.indexOf('-->', position + 4);
      if (end < 0) throw new XmlError('unterminated comment', line);
      advanceTo(end + 3);
      continue;
    }
    if (text.startsWith('<![CDATA[', position)) {
      if (stack.length === 0) throw new XmlError('CDATA outside the root element', line);
      const end = text.indexOf(']]>', position + 9);
      if (end < 0) throw new XmlError('unterminated CDATA section', line);
      stack[stack.length - 1].text += text.slice(position + 9, end);
      advanceTo(end + 3);
      continue;
    }
    if (text.startsWith('<!', position)) throw new XmlError('DOCTYPE and declarations are not accepted', line);
    if (text.startsWith('<?', position)) {
      const end = text.indexOf('?>', position + 2);
      if (end < 0) throw new XmlError('unterminated processing instruction', line);
      const body = text.slice(position + 2, end);
      if (/^xml\s/i.test(body)) {
        if (position !== 0) throw new XmlError('the XML declaration must come first', line);
        const encoding = /encoding\s*=\s*["']([^"']+)["']/i.exec(body);
        if (encoding && !/^utf-?8$/i.test(encoding[1])) throw new XmlError(`encoding ${encoding[1]} is not supported (UTF-8 only)`, line);
      }
      advanceTo(end + 2);
      continue;
    }
    const close = tagEnd(text, position + 1);
    if (close < 0) throw new XmlError('unterminated tag', line);
    const tag = text.slice(position + 1, close);
    const tagLine = line;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open) throw new XmlError(`closing tag </${name}> without an opening tag`, tagLine);
      if (open.name !== name) throw new XmlError(`</${name}> closes <${open.name}> (opened on line ${open.line})`, tagLine);
      path.pop();
      const keep = options.onClose?.(open, path) !== false;
      if (stack.length > 0 && keep) stack[stack.length - 1].children.push(open);
      advanceTo(close + 1);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameEnd = body.search(/[\s]/);
    const name = nameEnd < 0 ? body : body.slice(0, nameEnd);
    if (!NAME.test(name)) throw new XmlError(`invalid element name "${name}"`, tagLine);
    const element: XmlElement = {
      name,
      localName: localNameOf(name),
      attributes: nameEnd < 0 ? {} : parseAttributes(body.slice(nameEnd), tagLine),
      children: [],
      text: '',
      line: tagLine,
    };
    if (stack.length === 0) {
      if (root) throw new XmlError('a second root element', tagLine);
      root = element;
    }
    advanceTo(close + 1);
    if (selfClosing) {
      const keep = options.onClose?.(element, path) !== false;
      if (stack.length > 0 && keep) stack[stack.length - 1].children.push(element);
    } else {
      stack.push(element);
      path.push(element.localName);
    }
  }
  if (stack.length > 0) throw new XmlError(`<${stack[stack.length - 1].name}> is never closed`, line);
  if (!root) throw new XmlError('no root element', line);
  return root;
}

/** The first child with this local name. */
export const child = (element: XmlElement | undefined, localName: string): XmlElement | undefined =>
  element?.children.find((c) => c.localName === localName);

export const childrenNamed = (element: XmlElement | undefined, localName: string): XmlElement[] =>
  element ? element.children.filter((c) => c.localName === localName) : [];

/** Follows a path of local names; returns the trimmed text of the last one. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | undefined {
  let current = element;
  for (const name of path) current = child(current, name);
  return current?.text.trim();
}
