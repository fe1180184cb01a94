/** "Did you mean" suggestions for misspelt names: option names, enum values, command-line options. */

/** Returns the Levenshtein distance between `a` and `b`: the fewest single-character insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Returns the candidate closest to `name`, ignoring case, if it is within
 * `maxDistance` edits. The earlier candidate wins a tie.
 */
export function closestName(name: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  const key = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(key, candidate.toLowerCase());
    if (distance <= maxDistance && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}
