/** Turns a Preact component into a console screen module's `mount` export. */
import type { ComponentType } from 'preact';
import { render } from 'preact';
import type { MountScreen, ScreenContext } from './context.js';

export function defineScreen(Component: ComponentType<{ ctx: ScreenContext }>): MountScreen {
  return (el, ctx) => {
    render(<Component ctx={ctx} />, el);
    return () => render(null, el);
  };
}
