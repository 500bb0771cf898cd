/* Slider tooltips read as the marks do (dcc.Slider's tooltip.transform names one of these). */
window.dccFunctions = window.dccFunctions || {};
/* A share held as a fraction, shown in %: 0.0275 -> "2.75%". */
window.dccFunctions.percentOfOne = function (value) {
  return (value * 100).toFixed(2).replace(/\.?0+$/, "") + "%";
};
