"use client";
// A searchable tenant picker: what is typed goes to the server (findTenantsAction), which answers at
// most 20 matches by id prefix or name; no page sends every tenant. Keyboard and screen-reader behaviour
// come from downshift's useCombobox (WAI-ARIA combobox). `name` adds a hidden input for plain GET forms.
import { useCombobox } from "downshift";
import { useEffect, useRef, useState } from "react";
import { findTenantsAction } from "@/app/ops/tenants/actions";
import type { TenantChoice } from "@/lib/ops/tenants";

export function TenantCombobox(props: {
  label: string;
  value: string;
  onChange?: (tenantId: string) => void;
  /** The current tenant, to show its name before anything is typed. */
  initial?: TenantChoice | null;
  name?: string;
  placeholder?: string;
  /** Tenants that cannot be chosen (the one a number is moving from). */
  exclude?: string;
  invalid?: boolean;
  id?: string;
}) {
  const [items, setItems] = useState<TenantChoice[]>(props.initial ? [props.initial] : []);
  const [selected, setSelected] = useState<TenantChoice | null>(props.initial ?? (props.value ? { id: props.value, name: "" } : null));
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(0);

  async function ask(q: string) {
    const ticket = ++asked.current;
    const result = await findTenantsAction({ q });
    if (ticket !== asked.current) return; // a later keystroke's answer wins
    if (result.ok) {
      setItems(result.data.filter((t) => t.id !== props.exclude));
      setError(null);
    } else setError(result.error);
  }

  const combobox = useCombobox<TenantChoice>({
    id: props.id,
    items,
    selectedItem: selected,
    itemToString: (t) => t?.id ?? "",
    itemToKey: (t) => t?.id,
    initialInputValue: props.value,
    onInputValueChange: ({ inputValue, type }) => {
      if (type === useCombobox.stateChangeTypes.InputChange) {
        if (inputValue === "") {
          setSelected(null);
          props.onChange?.("");
        }
        void ask(inputValue);
      }
    },
    onIsOpenChange: ({ isOpen, inputValue }) => {
      if (isOpen) void ask(!inputValue || inputValue === selected?.id ? "" : inputValue);
    },
    onSelectedItemChange: ({ selectedItem }) => {
      setSelected(selectedItem ?? null);
      props.onChange?.(selectedItem?.id ?? "");
    },
  });

  // A value changed from outside (a form reset) shows in the input.
  const { setInputValue } = combobox;
  useEffect(() => {
    if (props.value !== (selected?.id ?? "")) {
      setSelected(props.value ? { id: props.value, name: "" } : null);
      setInputValue(props.value);
    }
  }, [props.value]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="relative flex flex-col gap-1 text-sm">
      <label {...combobox.getLabelProps()} className="font-medium">
        {props.label}
      </label>
      <div className="flex">
        <input
          {...combobox.getInputProps({ placeholder: props.placeholder ?? "Type a tenant id or name" })}
          aria-invalid={props.invalid ? true : undefined}
          autoComplete="off"
          className="w-64 rounded-l border border-slate-300 px-2 py-1 aria-[invalid=true]:border-red-600"
        />
        <button type="button" {...combobox.getToggleButtonProps()} aria-label="Show tenants" className="rounded-r border border-l-0 border-slate-300 px-2">
          ▾
        </button>
      </div>
      {props.name && <input type="hidden" name={props.name} value={selected?.id ?? ""} />}
      <ul
        {...combobox.getMenuProps()}
        className={`absolute top-full z-20 mt-1 max-h-72 w-80 overflow-auto rounded border border-slate-200 bg-white shadow ${combobox.isOpen ? "" : "hidden"}`}
      >
        {combobox.isOpen && items.length === 0 && <li className="px-3 py-2 text-slate-500">{error ?? "No tenant matches"}</li>}
        {combobox.isOpen &&
          items.map((item, index) => (
            <li
              key={item.id}
              {...combobox.getItemProps({ item, index })}
              className={`cursor-pointer px-3 py-1 ${combobox.highlightedIndex === index ? "bg-blue-100" : ""}`}
            >
              <span className="font-mono">{item.id}</span> <span className="text-slate-500">{item.name}</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
