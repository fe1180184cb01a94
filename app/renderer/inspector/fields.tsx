/**
 * Inputs that keep a local draft and commit it on Enter or blur, so that an
 * edit becomes one undo step and one engine round trip instead of one per key.
 */
import { useEffect, useState, type InputHTMLAttributes, type TextareaHTMLAttributes } from 'react';

type CommitInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  value: string;
  onCommit: (value: string) => void;
};

export function CommitInput({ value, onCommit, ...rest }: CommitInputProps) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);

  const commit = () => {
    if (draft !== value) onCommit(draft);
  };

  return (
    <input
      {...rest}
      value={draft}
      onChange={(event) => setDraft(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') commit();
        if (event.key === 'Escape') setDraft(value);
      }}
    />
  );
}

type LinesInputProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'value' | 'onChange'> & {
  lines: readonly string[];
  onCommit: (lines: string[]) => void;
};

/** Edits a list as a textarea with one item per line, such as endpoints. Ctrl+Enter or blur commits. */
export function LinesInput({ lines, onCommit, ...rest }: LinesInputProps) {
  const text = lines.join('\n');
  const [draft, setDraft] = useState(text);
  useEffect(() => setDraft(text), [text]);

  const commit = () => {
    if (draft === text) return;
    onCommit(
      draft
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    );
  };

  return (
    <textarea
      {...rest}
      rows={Math.max(1, lines.length + 1)}
      spellCheck={false}
      value={draft}
      onChange={(event) => setDraft(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) commit();
        if (event.key === 'Escape') setDraft(text);
      }}
    />
  );
}
