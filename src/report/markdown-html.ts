/**
 * The Markdown faultline writes (its reports' tables, notes and warnings), as HTML: pipe tables, `>` quotes,
 * `#`–`###` headings, `-` lists, paragraphs, **bold**, _emphasis_ and `code`. Only that subset: it converts
 * faultline's own text, not Markdown at large. Every character of the text is escaped.
 */
export function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
    } else if (line.startsWith('|')) {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) block.push(lines[i++]!);
      out.push(table(block));
    } else if (line.startsWith('>')) {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('>')) block.push(lines[i++]!.replace(/^>\s?/, ''));
      out.push(`<blockquote>${paragraphs(block)}</blockquote>`);
    } else if (/^#{1,3} /.test(line)) {
      const level = line.indexOf(' ');
      out.push(`<h${level}>${inline(line.slice(level + 1))}</h${level}>`);
      i++;
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('- ')) items.push(`<li>${inline(lines[i++]!.slice(2))}</li>`);
      out.push(`<ul>${items.join('')}</ul>`);
    } else {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '' && !/^(\||>|#{1,3} |- )/.test(lines[i]!))
        block.push(lines[i++]!);
      out.push(paragraphs(block));
    }
  }
  return out.join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escapes, then **bold**, _emphasis_ (whole words) and `code` (nothing inside code is formatted). */
export function inline(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length >= 2
        ? `<code>${escapeHtml(part.slice(1, -1))}</code>`
        : escapeHtml(part)
            .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
            .replace(/(^|[\s(])_(\S(?:.*?\S)?)_(?=$|[\s).,;:])/g, '$1<em>$2</em>'),
    )
    .join('');
}

function paragraphs(lines: string[]): string {
  const text = lines.join('\n').trim();
  if (!text) return '';
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${inline(p.replace(/\n/g, ' '))}</p>`)
    .join('');
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

function table(lines: string[]): string {
  const [head, rule, ...body] = lines;
  const aligns = rule ? cells(rule).map((c) => (c.endsWith(':') ? ' class="num"' : '')) : [];
  const row = (line: string, tag: 'th' | 'td') =>
    `<tr>${cells(line)
      .map((c, k) => `<${tag}${aligns[k] ?? ''}>${inline(c)}</${tag}>`)
      .join('')}</tr>`;
  return `<table><thead>${row(head!, 'th')}</thead><tbody>${body.map((line) => row(line, 'td')).join('')}</tbody></table>`;
}
