import type { ListItem } from '../types';

/** The body text around a full-text hit, the searched words highlighted (<mark>); nothing for a title hit. */
export function SearchSnippet({ match }: { match: ListItem['match'] }) {
  if (!match || match.field !== 'body') return null;
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const h of match.highlights) {
    if (h.start < at) continue;
    parts.push(match.snippet.slice(at, h.start), <mark key={h.start}>{match.snippet.slice(h.start, h.end)}</mark>);
    at = h.end;
  }
  parts.push(match.snippet.slice(at));
  return (
    <div className="search-snippet small" data-testid="search-snippet">
      …{parts}…
    </div>
  );
}
