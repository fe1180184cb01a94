/** Keyboard shortcuts of the editor window. */
import { useContext, useEffect } from 'react';
import { AppStoreContext } from '../store.js';
import { useEditorActions, useEditorStore } from './editor-store.js';

/** Returns whether keyboard focus is in a text field, where Delete and Ctrl+Z belong to the field. */
function isEditingText(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * Installs the shortcuts: Ctrl/Cmd+S save, Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z
 * or Ctrl+Y redo, Delete remove the selected device, Ctrl/Cmd+D duplicate it,
 * F5 start all devices and Shift+F5 stop all.
 */
export function useShortcuts(save: () => void) {
  const actions = useEditorActions();
  const appStore = useContext(AppStoreContext);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const selected = useEditorStore.getState().selection?.node;
      const selectedDevice = selected && appStore?.getState().document?.devices.some((device) => device.id === selected) ? selected : undefined;

      if (mod && key === 's') {
        event.preventDefault();
        save();
      } else if (mod && key === 'z' && !isEditingText(event.target)) {
        event.preventDefault();
        if (event.shiftKey) actions.redo();
        else actions.undo();
      } else if (mod && key === 'y' && !isEditingText(event.target)) {
        event.preventDefault();
        actions.redo();
      } else if ((key === 'delete' || key === 'backspace') && selectedDevice && !isEditingText(event.target)) {
        event.preventDefault();
        actions.edit({ type: 'device:delete', ids: [selectedDevice] });
      } else if (mod && key === 'd' && selectedDevice) {
        event.preventDefault();
        actions.edit({ type: 'device:duplicate', id: selectedDevice });
      } else if (event.key === 'F5') {
        event.preventDefault();
        if (event.shiftKey) void appStore?.getState().stopDevices();
        else void appStore?.getState().startDevices();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [actions, appStore, save]);
}
