/**
 * Tabs (WAI-ARIA tabs pattern): Tab reaches the selected tab, Left/Right/Home/End move between tabs
 * and select them, Enter/Space select the focused tab.
 */
import { type ReactNode, useId, useRef } from "react";

export interface TabItem<K extends string> {
  key: K;
  label: string;
  content: ReactNode;
}

export function Tabs<K extends string>(props: {
  label: string;
  items: TabItem<K>[];
  selected: K;
  onSelect(key: K): void;
}) {
  const base = useId();
  const refs = useRef<Map<K, HTMLButtonElement>>(new Map());
  const index = props.items.findIndex((t) => t.key === props.selected);

  const move = (to: number) => {
    const item = props.items[(to + props.items.length) % props.items.length];
    props.onSelect(item.key);
    refs.current.get(item.key)?.focus();
  };

  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} className="tablist">
        {props.items.map((t, i) => (
          <button
            key={t.key}
            ref={(el) => {
              if (el === null) refs.current.delete(t.key);
              else refs.current.set(t.key, el);
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.key}`}
            aria-selected={t.key === props.selected}
            aria-controls={`${base}-panel-${t.key}`}
            tabIndex={t.key === props.selected ? 0 : -1}
            onClick={() => props.onSelect(t.key)}
            onKeyDown={(event) => {
              if (event.key === "ArrowRight") move(i + 1);
              else if (event.key === "ArrowLeft") move(i - 1);
              else if (event.key === "Home") move(0);
              else if (event.key === "End") move(props.items.length - 1);
              else return;
              event.preventDefault();
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      {props.items.map((t, i) => (
        <div
          key={t.key}
          role="tabpanel"
          id={`${base}-panel-${t.key}`}
          aria-labelledby={`${base}-tab-${t.key}`}
          hidden={i !== index}
          className="tabpanel"
        >
          {i === index ? t.content : null}
        </div>
      ))}
    </div>
  );
}
