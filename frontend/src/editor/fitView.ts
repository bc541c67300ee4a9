/** Fitting the canvas never zooms past 100%: a new workflow's lone trigger stays its normal size. */
export const FIT_VIEW = { padding: 0.2, maxZoom: 1 } as const;
