// Tabs from Radix UI's Tabs primitive (through preact/compat; see web/README.md, "Choices"): the
// WAI-ARIA tabs pattern done right — a tablist of buttons with roving focus (arrow keys, Home/End),
// aria-selected and aria-controls, one labelled tabpanel per tab. Activation is manual (Enter or
// Space), because opening a tab loads its rows from the API: moving focus along the list must not.
// The selected tab lives in the URL, so the caller owns `value` and navigates in `onChange`.
import { Content, List, Root, Trigger } from "@radix-ui/react-tabs";
import type { ComponentChildren } from "preact";

export interface TabItem {
  value: string;
  label: ComponentChildren;
}

/** A tab list and the selected tab's panel (`children`); the other panels stay empty and hidden. */
export function Tabs(props: { label: string; tabs: TabItem[]; value: string; onChange: (value: string) => void; children: ComponentChildren }) {
  return (
    <Root value={props.value} onValueChange={props.onChange} activationMode="manual">
      <List className="tabs" aria-label={props.label}>
        {props.tabs.map((t) => (
          <Trigger key={t.value} value={t.value} className="tab">
            {t.label}
          </Trigger>
        ))}
      </List>
      {props.tabs.map((t) => (
        <Content key={t.value} value={t.value} className="tab-panel">
          {t.value === props.value ? props.children : null}
        </Content>
      ))}
    </Root>
  );
}
