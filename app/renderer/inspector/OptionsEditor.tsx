/**
 * Socket options of one socket, chosen from the option table with an input
 * that suits each value type. A secret option takes the name of an
 * environment variable, so that the topology file never contains the secret.
 */
import type { SocketRef } from '../../core/edit.js';
import { lookupOption, optionAppliesTo, OPTIONS, type OptionInfo } from '../../core/options.js';
import { isEnvReference, type OptionValue, type SocketSpec } from '../../core/topology.js';
import { useEditorActions } from '../editor/editor-store.js';
import { CommitInput, LinesInput } from './fields.js';

/** Returns the value an option gets when the user adds it. */
export function initialOptionValue(option: OptionInfo): OptionValue {
  if (option.secret) return { env: option.name.toUpperCase() };
  switch (option.valueType) {
    case 'int':
      return Math.max(option.min ?? 0, 0);
    case 'bool':
      return true;
    case 'string-list':
      return [''];
    default:
      return '';
  }
}

export function OptionsEditor(props: { socket: SocketRef; spec: SocketSpec; path: string }) {
  const actions = useEditorActions();
  const entries = Object.entries(props.spec.options ?? {});
  const available = OPTIONS.filter(
    (option) => optionAppliesTo(option, props.spec.type) && !entries.some(([name]) => lookupOption(name)?.name === option.name),
  );

  const set = (name: string, value: OptionValue | undefined) =>
    actions.edit({ type: 'socket:set-option', socket: props.socket, name, value });

  return (
    <div className="options" data-testid={`options-${props.socket.role}`}>
      {entries.length === 0 && <p className="hint">No options: libzmq defaults apply.</p>}
      {entries.map(([name, value]) => (
        <OptionRow
          key={name}
          name={name}
          value={value}
          path={`${props.path}.options.${name}`}
          onChange={(next) => set(name, next)}
        />
      ))}
      <select
        aria-label={`Add an option to ${props.socket.role}`}
        data-testid={`add-option-${props.socket.role}`}
        value=""
        onChange={(event) => {
          const option = lookupOption(event.currentTarget.value);
          if (option) set(option.name, initialOptionValue(option));
        }}
      >
        <option value="">Add option…</option>
        {available.map((option) => (
          <option key={option.name} value={option.name} title={option.help}>
            {option.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function OptionRow(props: { name: string; value: OptionValue; path: string; onChange: (value: OptionValue | undefined) => void }) {
  const info = lookupOption(props.name);
  const testId = `option-${props.name}`;
  return (
    <div className="option-row" data-testid={testId}>
      <div className="option-head">
        <code>{props.name}</code>
        {info?.unit && <span className="unit">({info.unit})</span>}
        <button type="button" className="link" data-testid={`${testId}-remove`} onClick={() => props.onChange(undefined)}>
          Remove
        </button>
      </div>
      {info ? (
        <OptionInput info={info} value={props.value} path={props.path} onChange={props.onChange} />
      ) : (
        <p className="field-error">Unknown option: remove it or rename it to a libzmq option name.</p>
      )}
      {info && <p className="help">{info.help}</p>}
    </div>
  );
}

function OptionInput(props: { info: OptionInfo; value: OptionValue; path: string; onChange: (value: OptionValue) => void }) {
  const { info, value, path, onChange } = props;
  const fromEnv = isEnvReference(value);

  if (info.secret || fromEnv) {
    return (
      <div className="option-input">
        <label className="inline">
          <input
            type="checkbox"
            checked={fromEnv}
            data-testid={`option-${info.name}-from-env`}
            onChange={(event) => onChange(event.currentTarget.checked ? { env: info.name.toUpperCase() } : initialLiteral(info))}
          />
          from environment variable
        </label>
        {fromEnv ? (
          <CommitInput
            data-path={path}
            data-testid={`option-${info.name}-env`}
            aria-label={`${info.name} environment variable`}
            value={value.env}
            onCommit={(name) => onChange({ env: name })}
          />
        ) : (
          <CommitInput
            data-path={path}
            type={info.secret ? 'password' : 'text'}
            data-testid={`option-${info.name}-value`}
            aria-label={info.name}
            value={String(value)}
            onCommit={(text) => onChange(text)}
          />
        )}
        {info.secret && !fromEnv && (
          <p className="field-warning">A literal secret is written into the topology file. Prefer an environment variable.</p>
        )}
      </div>
    );
  }

  switch (info.valueType) {
    case 'bool':
      return (
        <label className="inline option-input">
          <input
            type="checkbox"
            data-path={path}
            data-testid={`option-${info.name}-value`}
            checked={value === true}
            onChange={(event) => onChange(event.currentTarget.checked)}
          />
          enabled
        </label>
      );
    case 'int':
      return (
        <CommitInput
          className="option-input"
          type="number"
          data-path={path}
          data-testid={`option-${info.name}-value`}
          aria-label={info.name}
          min={info.min}
          max={info.max}
          step={1}
          value={String(value)}
          onCommit={(text) => onChange(text.trim() === '' ? 0 : Number(text))}
        />
      );
    case 'string-list': {
      const lines = Array.isArray(value) ? value : [String(value)];
      return (
        <LinesInput
          className="option-input"
          data-path={path}
          data-testid={`option-${info.name}-value`}
          aria-label={`${info.name}, one per line`}
          placeholder='One per line; an empty list entry "" means everything'
          lines={lines.map((line) => (line === '' ? '""' : line))}
          onCommit={(next) => onChange(next.map((line) => (line === '""' ? '' : line)))}
        />
      );
    }
    default:
      return (
        <CommitInput
          className="option-input"
          data-path={path}
          data-testid={`option-${info.name}-value`}
          aria-label={info.name}
          value={String(value)}
          onCommit={(text) => onChange(text)}
        />
      );
  }
}

function initialLiteral(info: OptionInfo): OptionValue {
  const value = initialOptionValue({ ...info, secret: false });
  return value;
}
