// The app's Mantine theme: Mantine's defaults, with text readable at WCAG AA contrast (4.5:1) wherever the app
// puts it. Mantine's defaults fall short where axe looks on every page: the primary blue (shade 6, #228be6) as link
// text and under white button labels (3.6:1), "dimmed" grey text (gray 6, #868e96: 3.3:1 on white), the text of
// light badges (shade 9 on shade 1, e.g. green 3.8:1) and of outline badges (green 8 on white, 3.4:1).
import { createTheme, darken, luminance, type CSSVariablesResolver, type MantineColorsTuple } from "@mantine/core";

export const theme = createTheme({
  // Shade 8 for filled buttons, links and outlines: blue 8 (#1971c2) is 5:1 under white and on white.
  primaryShade: { light: 8, dark: 8 },
  // White or black label on a filled colour, whichever reads: a yellow button keeps dark text.
  autoContrast: true,
});

const AA = 4.6; // 4.5:1, with a little room for rounding in the browser
const WHITE = "#ffffff";
const HIGHLIGHTS = ["#fff9db", "#fff3bf"]; // yellow 0 and 1: a transcript's evidence turns sit on them
// 5:1 on white, 4.6:1 on the striped rows' gray 1: the lightest grey that still reads as secondary text.
const DIMMED = "#676e75";

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** `colour`, darkened only as far as it takes to read on every one of `backgrounds`. */
function readable(colour: string, backgrounds: string[]): string {
  for (let amount = 0; amount < 0.9; amount += 0.05) {
    const candidate = darken(colour, amount);
    if (backgrounds.every((background) => contrast(candidate, background) >= AA)) return candidate;
  }
  return darken(colour, 0.9);
}

function textColours(name: string, shades: MantineColorsTuple): Record<string, string> {
  return {
    // A light badge or button writes shade 9 on shade 1 (shade 2 when hovered).
    [`--mantine-color-${name}-light-color`]: readable(shades[9], [shades[1], shades[2], WHITE]),
    // An outline badge or button writes (and borders) its primary shade on the page.
    [`--mantine-color-${name}-outline`]: readable(shades[8], [WHITE, ...HIGHLIGHTS]),
  };
}

export const cssVariablesResolver: CSSVariablesResolver = (resolved) => ({
  variables: {},
  light: Object.assign(
    { "--mantine-color-dimmed": DIMMED },
    ...Object.entries(resolved.colors).map(([name, shades]) => textColours(name, shades)),
  ),
  dark: {},
});
